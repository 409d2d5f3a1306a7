-- Issue 10 (DOMAIN.md §9.0, §10, §11): one normalised store key, the intercompany customer
-- list as data, and the `refused` / `interrupted` outcomes of loads and runs.

-- ---------------------------------------------------------------- outcomes

-- `refused`: a data contract refused the input and the previous data was kept (§10).
-- `interrupted`: the process running it died (nobody holds its lock any more).
alter table ops.job_runs drop constraint if exists job_runs_status_check;
alter table ops.job_runs add constraint job_runs_status_check
    check (status in ('running', 'success', 'failed', 'skipped', 'refused', 'interrupted'));
alter table raw.load_history drop constraint if exists load_history_status_check;
alter table raw.load_history add constraint load_history_status_check
    check (status in ('running', 'success', 'failed', 'refused', 'interrupted'));

-- The advisory lock (two-int4 form: lock_class, hashtext(lock_key)) held by whoever runs the
-- load while it is `running`: a running row whose lock nobody holds was left by a dead process.
alter table raw.load_history
    add column if not exists lock_class integer,
    add column if not exists lock_key text;

-- ---------------------------------------------------------------- the store key

-- Every store, warehouse and department name is compared through this one key (§11):
-- lower case, trimmed, inner runs of whitespace collapsed to one space.
create or replace function core.store_key(name text) returns text
language sql immutable parallel safe strict
return lower(btrim(regexp_replace(name, '\s+', ' ', 'g')));

do $$
declare
    e text;
begin
    foreach e in array array['ddd', 'ljbb', 'mbb', 'ubb'] loop
        execute format('drop index if exists raw.accurate_stock_%1$s_gudang_idx', e);
        execute format(
            'create index accurate_stock_%1$s_gudang_key_idx on raw.accurate_stock_%1$s '
            '(snapshot_date, core.store_key(nama_gudang))', e);
    end loop;
end
$$;
create index if not exists store_accurate_key_idx on portal.store (core.store_key(nama_accurate));
create index if not exists store_gudang_key_idx on portal.store (core.store_key(nama_department_old));

-- ---------------------------------------------------------------- intercompany customers

-- The operators' intercompany customer names per selling entity (DOMAIN.md §9.0), with their
-- dots: an exact, case-insensitive match on the sales line's customer name.
create table core.intercompany_customer (
    selling_entity  text not null,
    customer_name   text not null,
    primary key (selling_entity, customer_name)
);
insert into core.intercompany_customer (selling_entity, customer_name) values
    ('DDD', 'cv makmur besar bersama'),
    ('DDD', 'cv. untung besar bersama'),
    ('DDD', 'cv lancar jaya besar bersama'),
    ('MBB', 'pt dream dare discover'),
    ('UBB', 'cv. makmur besar bersama');

-- ---------------------------------------------------------------- views on the store key

create or replace view core.store_by_accurate as
select distinct on (core.store_key(nama_accurate))
    core.store_key(nama_accurate)        as store_key,
    trim(nama_accurate)                  as nama_accurate,
    trim(nama_department_old)            as nama_department_old,
    core.store_key(nama_department_old)  as gudang_key,
    nullif(trim(branch), '')             as branch,
    nullif(trim(area), '')               as area,
    nullif(trim(category), '')           as category,
    stock_filter,
    as_name,
    bm_name
from portal.store
where nullif(trim(nama_accurate), '') is not null
order by
    core.store_key(nama_accurate),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_department_old nulls last, branch, area, category;

create or replace view core.store_by_gudang as
select distinct on (core.store_key(nama_department_old))
    core.store_key(nama_department_old)  as gudang_key,
    trim(nama_department_old)            as nama_department_old,
    trim(nama_accurate)                  as nama_accurate,
    core.store_key(nama_accurate)        as store_key,
    nullif(trim(branch), '')             as branch,
    nullif(trim(area), '')               as area,
    nullif(trim(category), '')           as category
from portal.store
where nullif(trim(nama_department_old), '') is not null
order by
    core.store_key(nama_department_old),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_accurate nulls last, branch, area, category;

create or replace view core.stock_history as
select
    s.source_entity,
    s.snapshot_date,
    s.kode_besar,
    s.nama_gudang,
    s.quantity,
    k.kode,
    k.kode_mix,
    s.nama_barang,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    g.branch    as gudang_branch,
    g.area      as gudang_area,
    g.category  as gudang_category
from core.stock_snapshot as s
left join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(s.kode_besar))
left join core.store_by_gudang as g on g.gudang_key = core.store_key(s.nama_gudang);

-- Intercompany: the customer is on the selling entity's list (core.intercompany_customer) or
-- is another entity's legal name as core.entity spells it.
create or replace view core.sales_with_product as
select
    f.source_entity,
    f.tanggal                                as transaction_date,
    f.nomor_invoice,
    f.line_number,
    core.store_key(f.nama_departemen)        as matched_store_name,
    f.nama_departemen,
    f.kode_produk                            as kode_besar,
    k.kode,
    k.kode_mix,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    f.kuantitas                              as quantity,
    f.harga_satuan                           as unit_price,
    f.total_harga                            as total_amount,
    p.harga_beli                             as cost_price,
    p.rsp,
    f.nama_pelanggan,
    (exists (
        select from core.intercompany_customer as c
        where c.selling_entity = f.source_entity
          and c.customer_name = lower(trim(f.nama_pelanggan))
    ) or exists (
        select from core.entity as e
        where lower(e.legal_name) = lower(trim(f.nama_pelanggan)) and e.code <> f.source_entity
    ))                                       as is_intercompany,
    s.branch,
    s.area,
    s.category                               as store_category,
    f.snapshot_date
from core.fact_sales_unified as f
left join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(f.kode_produk))
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode)
left join core.store_by_accurate as s on s.store_key = core.store_key(f.nama_departemen);
