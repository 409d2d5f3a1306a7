-- The §9.0 store stock keys of a whole day, summed once per snapshot date (docs/metrics.md:
-- aggregate the fact first). The four stock marts read these instead of re-reading the day's
-- ~1.7 M snapshot rows each: sql/marts/stock_key_daily.sql fills them (jobs/stock_keys.py),
-- lazily, the first time a stock mart of the day is built.
--
-- Freshness: mart.stock_key_days records the OIDs of the four entities' partitions of the date
-- it summed; the loader swaps a new table in as the day's partition (jobs/stock.py), so a reload
-- changes the OIDs and the next build sums the day again. Rows written straight into a
-- partition (tests' fixtures) and the portal tables the sums read (kodemix, hpprsp; store and
-- store_name_map choose the locations whose keys are kept) forget every summed day through the
-- statement triggers below.

create table mart.stock_key_days (
    snapshot_date  date primary key,
    partitions     oid[] not null,
    built_at       timestamptz not null default now()
);

create table mart.stock_key_daily (
    snapshot_date  date not null,
    gudang_key     text not null,
    article_key    text not null,
    size_key       text not null,
    is_matched     boolean not null,
    tier_class     text,
    total          numeric not null,
    box_total      numeric not null,
    ddd_total      numeric not null,
    primary key (snapshot_date, gudang_key, article_key, size_key, is_matched)
);

create table mart.stock_location_daily (
    snapshot_date  date not null,
    gudang_key     text not null,
    nama_gudang    text not null,
    stock_pairs    numeric not null,
    articles       integer not null,
    primary key (snapshot_date, gudang_key)
);

create table mart.stock_tier_daily (
    snapshot_date  date not null,
    gudang_key     text not null,
    tier_class     text not null,
    stock_pairs    numeric not null,
    articles       integer not null,
    value_rsp      numeric not null,
    value_cost     numeric not null,
    primary key (snapshot_date, gudang_key, tier_class)
);

comment on column mart.stock_key_days.snapshot_date is 'WIB snapshot date whose keys are summed in mart.stock_key_daily';
comment on column mart.stock_key_days.partitions is 'OIDs of the DDD, LJBB, MBB, UBB stock partitions of the date when summed (NULL: none); a reload changes them';
comment on column mart.stock_key_days.built_at is 'when the day was summed';
comment on column mart.stock_key_daily.snapshot_date is 'WIB snapshot date';
comment on column mart.stock_key_daily.gudang_key is 'location key: core.store_key(nama_gudang)';
comment on column mart.stock_key_daily.article_key is 'kode_mix key (lower, trimmed) for kodemix-matched codes with a kode_mix, else the kode_besar key (§9.0)';
comment on column mart.stock_key_daily.size_key is 'size without spaces for matched keys, else empty (§9.0)';
comment on column mart.stock_key_daily.is_matched is 'true when the code is in kodemix with a kode_mix';
comment on column mart.stock_key_daily.tier_class is 'the key''s §9.0 tier class (1 2 3 4 5 8 other; unmatched for codes missing from kodemix)';
comment on column mart.stock_key_daily.total is 'pairs over the four entities (may be negative); products only';
comment on column mart.stock_key_daily.box_total is 'pairs of DDD and LJBB (RO Box''s source entities)';
comment on column mart.stock_key_daily.ddd_total is 'pairs of DDD (RO Protol''s source entity)';
comment on column mart.stock_location_daily.snapshot_date is 'WIB snapshot date';
comment on column mart.stock_location_daily.gudang_key is 'location key: core.store_key(nama_gudang)';
comment on column mart.stock_location_daily.nama_gudang is 'the location''s most frequent spelling in the snapshot (trimmed; ties: C order)';
comment on column mart.stock_location_daily.stock_pairs is 'pairs: sum of the positive key totals (§9.0)';
comment on column mart.stock_location_daily.articles is 'article keys with a positive total at some size';
comment on column mart.stock_tier_daily.snapshot_date is 'WIB snapshot date';
comment on column mart.stock_tier_daily.gudang_key is 'location key: core.store_key(nama_gudang)';
comment on column mart.stock_tier_daily.tier_class is '§9.0 tier class of the keys';
comment on column mart.stock_tier_daily.stock_pairs is 'pairs: sum of the positive key totals of the tier';
comment on column mart.stock_tier_daily.articles is 'article keys of the tier with a positive total';
comment on column mart.stock_tier_daily.value_rsp is 'rupiah: positive totals x the key''s RSP (unpriced keys add nothing)';
comment on column mart.stock_tier_daily.value_cost is 'rupiah: positive totals x the key''s harga_beli (unpriced keys add nothing)';

-- The four partitions of a date as the loader names them (raw.accurate_stock_<e>_pYYYYMMDD).
-- In mart, not core: they serve the sums here, and the triggers below need them before the
-- sql/core files are applied (core objects live in sql/core only).
create or replace function mart.stock_partitions(day date) returns oid[]
language sql stable
return array[
    to_regclass(format('raw.accurate_stock_ddd_p%s', to_char(day, 'YYYYMMDD')))::oid,
    to_regclass(format('raw.accurate_stock_ljbb_p%s', to_char(day, 'YYYYMMDD')))::oid,
    to_regclass(format('raw.accurate_stock_mbb_p%s', to_char(day, 'YYYYMMDD')))::oid,
    to_regclass(format('raw.accurate_stock_ubb_p%s', to_char(day, 'YYYYMMDD')))::oid
];

create or replace function mart.forget_stock_keys() returns trigger
language plpgsql
as $$
begin
    delete from mart.stock_key_days;
    return null;
end
$$;

do $$
declare
    t text;
begin
    foreach t in array array['raw.accurate_stock_ddd', 'raw.accurate_stock_ljbb',
                             'raw.accurate_stock_mbb', 'raw.accurate_stock_ubb',
                             'portal.kodemix', 'portal.hpprsp', 'portal.store',
                             'portal.store_name_map']
    loop
        execute format('create trigger forget_stock_keys after insert or update or delete on %s'
                       ' for each statement execute function mart.forget_stock_keys()', t);
        execute format('create trigger forget_stock_keys_truncate after truncate on %s'
                       ' for each statement execute function mart.forget_stock_keys()', t);
    end loop;
end
$$;

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on mart.stock_key_days, mart.stock_key_daily, mart.stock_location_daily,
            mart.stock_tier_daily to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on mart.stock_key_days, mart.stock_key_daily,
            mart.stock_location_daily, mart.stock_tier_daily to opsbot_writer;
    end if;
end
$$;
