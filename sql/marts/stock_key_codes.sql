-- The day's snapshot summed per warehouse spelling and code, with the spelling's location key
-- (core.store_key, computed once per spelling), as the temporary table stock_code of the current
-- transaction: the one pass over the day's ~1.7 M rows that sql/marts/stock_key_daily.sql
-- (jobs/stock_keys.py) then reads. A statement of its own so that the pass may run in parallel.
-- $1 = snapshot date (WIB). n counts every row (the spelling rule), nonzero the non-zero ones
-- (the key rule, as core.stock_keys: rows of 0 pairs are left out).

create temporary table stock_code on commit drop as
with

codes as (
    select
        s.nama_gudang,
        s.kode_besar,
        count(*)                                                          as n,
        count(*) filter (where s.quantity <> 0)                           as nonzero,
        sum(s.quantity) filter (where s.quantity <> 0)                    as qty,
        sum(s.quantity) filter (where s.quantity <> 0
                                  and s.source_entity in ('DDD', 'LJBB'))  as box_qty,
        sum(s.quantity) filter (where s.quantity <> 0
                                  and s.source_entity = 'DDD')            as ddd_qty,
        min(s.nama_barang) filter (where s.quantity <> 0)                 as nama_barang
    from core.stock_snapshot as s
    where s.snapshot_date = $1::date
    group by s.nama_gudang, s.kode_besar
),

spellings as (
    select nama_gudang, core.store_key(nama_gudang) as gudang_key
    from (select distinct nama_gudang from codes) as x
)

select sp.gudang_key, c.*
from codes as c
inner join spellings as sp on sp.nama_gudang = c.nama_gudang
