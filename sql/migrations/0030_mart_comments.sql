-- What every mart column means, in the database itself (docs/metrics.md has the whole story).
-- `\d+ mart.<table>` in psql, or any SQL client, shows them beside the columns.

comment on table mart.ff_fa_fs_daily is
    'FF/FA/FS per planogram store and WIB date: is the store displaying its planogram? (docs/metrics.md)';
comment on column mart.ff_fa_fs_daily.report_date is 'WIB date of the stock snapshot the figures read';
comment on column mart.ff_fa_fs_daily.branch is 'branch of the store (portal.store_name_map.branch)';
comment on column mart.ff_fa_fs_daily.store_label is 'planogram store name (portal.planogram.store_name)';
comment on column mart.ff_fa_fs_daily.store_db_name is 'stock warehouse the planogram store maps to (nama_gudang, portal.store_name_map)';
comment on column mart.ff_fa_fs_daily.ff is 'fill factor: filled size slots / planned size slots, 0.6809 = 68.09 %, 0 when nothing is planned; target 0.70';
comment on column mart.ff_fa_fs_daily.fa is 'fill article: stocked planned articles / planned articles, ratio; target 0.90';
comment on column mart.ff_fa_fs_daily.fs is 'fill stock: stock pairs / planned pairs, not capped (> 1 is overstock); target 0.80';
comment on column mart.ff_fa_fs_daily.calculated_at is 'when the row was computed';

comment on table mart.stock_opname_l2_daily is
    'SO L2 per retail store, gender group and WIB date: does stock move as sales say it should? (docs/metrics.md)';
comment on column mart.stock_opname_l2_daily.snapshot_date is 'WIB date of today''s stock snapshot; sales and transfers are of the day before';
comment on column mart.stock_opname_l2_daily.store_name is 'retail store key: lower-case nama_accurate';
comment on column mart.stock_opname_l2_daily.gender_group is 'MEN, LADIES or BABY & KIDS (kodemix gender)';
comment on column mart.stock_opname_l2_daily.branch is 'branch of the store (portal.store.branch)';
comment on column mart.stock_opname_l2_daily.stock_qty is 'pairs at the store''s gudang in today''s snapshot, four entities';
comment on column mart.stock_opname_l2_daily.sales_qty is 'pairs the store sold yesterday (DDD), each sales line counted once';
comment on column mart.stock_opname_l2_daily.mutasi_in is 'pairs transferred yesterday from a warehouse into the store, all entities';
comment on column mart.stock_opname_l2_daily.prev_stock_qty is 'pairs in yesterday''s snapshot; NULL when there is none';
comment on column mart.stock_opname_l2_daily.expected_stock_qty is 'prev_stock_qty + mutasi_in - sales_qty, pairs';
comment on column mart.stock_opname_l2_daily.selisih is 'stock_qty - expected_stock_qty, pairs; negative = possible shrinkage';
comment on column mart.stock_opname_l2_daily.selisih_pct is 'selisih / prev_stock_qty x 100, 2 decimals; NULL when prev is NULL or 0';
comment on column mart.stock_opname_l2_daily.calculated_at is 'when the row was computed';

comment on table mart.store_stock_daily is
    'each gudang''s stock per gender group and WIB date, what /stock reads (docs/metrics.md)';
comment on column mart.store_stock_daily.snapshot_date is 'WIB date of the stock snapshot';
comment on column mart.store_stock_daily.gudang_key is 'normalised warehouse name: core.store_key(nama_gudang) (lower, trimmed, inner spaces collapsed)';
comment on column mart.store_stock_daily.nama_gudang is 'the warehouse name as Accurate spells it';
comment on column mart.store_stock_daily.gender_group is 'MEN, LADIES or BABY & KIDS (kodemix gender)';
comment on column mart.store_stock_daily.stock_qty is 'pairs, four entities summed, may be negative';
comment on column mart.store_stock_daily.calculated_at is 'when the row was computed';
