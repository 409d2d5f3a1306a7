-- One capacity row per location key: the row with the largest max_stock wins (docs/metrics.md#stock-vs-capacity); `copies`
-- counts the rows of the key, so duplicates can be listed.
create or replace view core.stock_capacity_dedup as
select distinct on (core.store_key(stock_location))
    core.store_key(stock_location)  as gudang_key,
    trim(stock_location)            as stock_location,
    nullif(trim(branch), '')        as branch,
    nullif(trim(area), '')          as area,
    nullif(trim(category), '')      as category,
    max_display,
    max_stock,
    storage,
    count(*) over (partition by core.store_key(stock_location)) as copies
from portal.stock_capacity
where nullif(trim(stock_location), '') is not null
order by core.store_key(stock_location), max_stock desc nulls last, max_display desc nulls last,
         stock_location collate "C";
