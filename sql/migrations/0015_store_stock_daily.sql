-- Each warehouse's stock per gender group and snapshot date, summed once after the day's stock
-- load (sql/marts/store_stock_daily.sql, jobs/store_stock.py) so that /stock reads ~42 rows
-- instead of summing ~20,000 snapshot rows at every command (bench/bot.py). Every warehouse
-- of the snapshot is kept, not only today's retail stores: a store added to portal.store later
-- still has its history. Rows outlive the raw snapshots they came from (retention drops those).

create table mart.store_stock_daily (
    snapshot_date  date not null,                 -- WIB date of the stock snapshot
    gudang_key     text not null,                 -- lower(trim(nama_gudang))
    nama_gudang    text not null,                 -- the warehouse name as Accurate spells it
    gender_group   text not null check (gender_group in ('MEN', 'LADIES', 'BABY & KIDS')),
    stock_qty      numeric(18, 4) not null,       -- pairs, may be negative
    calculated_at  timestamptz not null default now(),
    primary key (gudang_key, snapshot_date, gender_group)
);
-- Which dates are built (the bot's "is this day summed yet?") and a day's rebuild.
create index store_stock_daily_date_idx on mart.store_stock_daily (snapshot_date);

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on mart.store_stock_daily to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on mart.store_stock_daily to opsbot_writer;
    end if;
end
$$;
