-- Sales lines with product, prices, store and the intercompany flag (one row per line).
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
    f.snapshot_date,
    f.nama_barang,
    f.dpp_amount,
    f.tax_amount,
    s.nama_accurate,
    k.kode_mix_key
from core.fact_sales_unified as f
left join core.kodemix_dedup as k on k.kode_besar_key = f.kode_besar_key
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode)
left join core.store_by_accurate as s on s.store_key = core.store_key(f.nama_departemen);
