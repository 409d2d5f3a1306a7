-- The five business marts of DOMAIN.md §9 (the seed's Layer 4) and the Finance store targets
-- (portal.store_monthly_target, the seventh portal CSV). Filled by sql/marts/report_*.sql through
-- jobs/business_marts.py; every row is upserted on its primary key, so a rerun of a day is exact.
-- docs/metrics.md has the formulas and decisions.

create table portal.store_monthly_target (
    year             integer not null,        -- target year (Finance "RINCIAN TARGET 2026")
    store_name       text not null,           -- store as Finance spells it
    store_name_norm  text,                    -- Finance's own normalised name, carried as given
    branch           text,
    jan numeric(18, 2), feb numeric(18, 2), mar numeric(18, 2), apr numeric(18, 2),
    may numeric(18, 2), jun numeric(18, 2), jul numeric(18, 2), aug numeric(18, 2),
    sep numeric(18, 2), oct numeric(18, 2), nov numeric(18, 2), dec numeric(18, 2)   -- rupiah per month
);
create index store_monthly_target_key_idx on portal.store_monthly_target (core.store_key(store_name), year);

create table mart.report_control_stock (
    snapshot_date       date not null,
    gudang_key          text not null,
    store_db_name       text,
    store_name          text not null,
    branch              text,
    area                text,
    as_name             text,
    bm_name             text,
    stock_pairs         numeric(18, 4) not null,
    stock_minus_keys    integer not null,
    unmatched_pairs     numeric(18, 4) not null,
    stock_value_rsp     numeric(18, 2) not null,
    unpriced_pairs      numeric(18, 4) not null,
    has_planogram       boolean not null,
    articles_planned    integer,
    plan_pairs          numeric(18, 4),
    ff                  numeric(6, 4),
    fa                  numeric(6, 4),
    fs                  numeric(10, 4),
    articles_full       integer,
    articles_broken     integer,
    articles_missing    integer,
    fb                  numeric(6, 4),
    ro_box_articles     integer,
    ro_protol_articles  integer,
    low_cover_articles  integer,
    sales_pairs_7d      numeric(18, 4) not null,
    sales_pairs_90d     numeric(18, 4) not null,
    avg_daily_sales     numeric(18, 4) not null,
    depth_days          numeric(10, 1),
    capacity_pct        numeric(10, 4),
    status              text not null check (status in ('red', 'yellow', 'green', 'no_plan')),
    calculated_at       timestamptz not null default now(),
    primary key (snapshot_date, gudang_key)
);
create index report_control_stock_date_idx on mart.report_control_stock (snapshot_date);

create table mart.report_tier_summary (
    snapshot_date          date not null,
    gudang_key             text not null,
    nama_gudang            text not null,
    location_type          text not null,
    warehouse_role         text,
    branch                 text,
    area                   text,
    tier                   text not null check (tier in ('1', '2', '3', '4', '5', '8', 'other', 'unmatched')),
    stock_pairs            numeric(18, 4) not null,
    stock_share            numeric(6, 4),
    articles_in_stock      integer not null,
    stock_value_rsp        numeric(18, 2) not null,
    stock_value_cost       numeric(18, 2) not null,
    sales_pairs_30d        numeric(18, 4),
    plan_articles          integer,
    plan_article_share     numeric(6, 4),
    stocked_article_share  numeric(6, 4),
    tier_gap_articles      integer,
    calculated_at          timestamptz not null default now(),
    primary key (snapshot_date, gudang_key, tier)
);
create index report_tier_summary_date_idx on mart.report_tier_summary (snapshot_date);

create table mart.report_depth_alert (
    snapshot_date         date not null,
    gudang_key            text not null,
    store_db_name         text,
    store_label           text not null,
    branch                text,
    area                  text,
    as_name               text,
    kode_mix_key          text not null,
    kode_mix              text,
    article               text,
    gender                text,
    series                text,
    tier                  text not null,
    planned_sizes         integer not null,
    empty_sizes           integer not null,
    pct_size_kosong       numeric(6, 4) not null,
    plan_pairs            numeric(18, 4) not null,
    stock_pairs           numeric(18, 4) not null,
    gap_pairs             numeric(18, 4) not null,
    ro_type               text not null check (ro_type in ('NO_RESTOCK', 'RO_BOX', 'RO_PROTOL')),
    sizes_needed          text,
    wh_box_pairs          numeric(18, 4) not null,
    wh_protol_fill_pairs  numeric(18, 4) not null,
    source_available      boolean,
    sales_pairs_90d       numeric(18, 4) not null,
    avg_daily_sales       numeric(18, 4) not null,
    days_of_cover         numeric(10, 1),
    low_cover             boolean not null,
    priority              text not null check (priority in ('high', 'medium', 'low', 'none')),
    calculated_at         timestamptz not null default now(),
    primary key (snapshot_date, gudang_key, kode_mix_key)
);
create index report_depth_alert_date_idx on mart.report_depth_alert (snapshot_date);

create table mart.report_sales_daily (
    sales_date            date not null,
    source_entity         text not null,
    store_key             text not null,
    store_name            text,
    branch                text,
    area                  text,
    store_category        text,
    channel               text not null check (channel in ('online', 'retail', 'event', 'non_retail', 'unmatched')),
    is_retail_store       boolean not null,
    pairs                 numeric(18, 4) not null,
    revenue               numeric(18, 2) not null,
    revenue_dpp           numeric(18, 2) not null,
    tax_amount            numeric(18, 2) not null,
    lines                 integer not null,
    invoices              integer not null,
    avg_price_per_pair    numeric(18, 2),
    unmatched_pairs       numeric(18, 4) not null,
    intercompany_pairs    numeric(18, 4) not null,
    intercompany_revenue  numeric(18, 2) not null,
    calculated_at         timestamptz not null default now(),
    primary key (sales_date, source_entity, store_key)
);
create index report_sales_daily_date_idx on mart.report_sales_daily (sales_date);

create table mart.report_stock_vs_capacity (
    snapshot_date        date not null,
    gudang_key           text not null,
    stock_location       text not null,
    store_name           text,
    location_type        text not null,
    branch               text,
    area                 text,
    category             text,
    max_display          integer,
    max_stock            integer,
    storage              integer,
    stock_pairs          numeric(18, 4) not null,
    plan_pairs           numeric(18, 4),
    capacity_pct         numeric(10, 4),
    over_pairs           numeric(18, 4),
    display_short_pairs  numeric(18, 4),
    plan_display_pct     numeric(10, 4),
    status               text not null check (status in ('no_capacity', 'over', 'under', 'ok')),
    calculated_at        timestamptz not null default now(),
    primary key (snapshot_date, gudang_key)
);
create index report_stock_vs_capacity_date_idx on mart.report_stock_vs_capacity (snapshot_date);

comment on table mart.report_control_stock is
    'stock health per retail store and WIB snapshot date: planogram fill, full box, depth, stock minus, capacity (DOMAIN.md §9.1, docs/metrics.md)';
comment on column mart.report_control_stock.snapshot_date is 'WIB date of the stock snapshot';
comment on column mart.report_control_stock.gudang_key is 'store stock location key: core.store_key(nama_department_old)';
comment on column mart.report_control_stock.store_db_name is 'stock warehouse name (nama_gudang) as spelled in the snapshot: the spelling with most rows that day';
comment on column mart.report_control_stock.store_name is 'store name as the Accurate department (portal.store.nama_accurate)';
comment on column mart.report_control_stock.branch is 'branch of the store (portal.store.branch)';
comment on column mart.report_control_stock.area is 'area of the store (portal.store.area)';
comment on column mart.report_control_stock.as_name is 'area supervisor (portal.store.as_name)';
comment on column mart.report_control_stock.bm_name is 'branch manager (portal.store.bm_name)';
comment on column mart.report_control_stock.stock_pairs is 'pairs: sum over the store''s stock keys of max(key total, 0), product items, four entities';
comment on column mart.report_control_stock.stock_minus_keys is 'count of stock keys (kode_mix+size, or kode_besar when unmatched) whose total is below 0';
comment on column mart.report_control_stock.unmatched_pairs is 'part of stock_pairs whose codes are missing from kodemix, pairs';
comment on column mart.report_control_stock.stock_value_rsp is 'rupiah: sum of key pairs x rsp over keys with a price';
comment on column mart.report_control_stock.unpriced_pairs is 'part of stock_pairs without an rsp (left out of stock_value_rsp), pairs';
comment on column mart.report_control_stock.has_planogram is 'the store has planogram rows mapped to it (portal.store_name_map)';
comment on column mart.report_control_stock.articles_planned is 'planned articles (plan > 0, DOMAIN.md §4); NULL without planogram';
comment on column mart.report_control_stock.plan_pairs is 'planned pairs, targets rounded half up; NULL without planogram';
comment on column mart.report_control_stock.ff is 'fill factor copied from mart.ff_fa_fs_daily, ratio; NULL when the store has no FF row';
comment on column mart.report_control_stock.fa is 'fill article copied from mart.ff_fa_fs_daily, ratio';
comment on column mart.report_control_stock.fs is 'fill stock copied from mart.ff_fa_fs_daily, ratio, not capped';
comment on column mart.report_control_stock.articles_full is 'planned articles all of whose planned size slots are filled; NULL without planogram';
comment on column mart.report_control_stock.articles_broken is 'planned articles with stock > 0 and at least one planned slot empty; NULL without planogram';
comment on column mart.report_control_stock.articles_missing is 'planned articles with stock 0; NULL without planogram';
comment on column mart.report_control_stock.fb is 'full box: articles_full / articles_planned, ratio, 0 when none planned, NULL without planogram; alert below FB_ALERT 0.80';
comment on column mart.report_control_stock.ro_box_articles is 'report_depth_alert rows of the day with ro_type RO_BOX and priority other than none; NULL without planogram';
comment on column mart.report_control_stock.ro_protol_articles is 'report_depth_alert rows with ro_type RO_PROTOL and priority other than none; NULL without planogram';
comment on column mart.report_control_stock.low_cover_articles is 'report_depth_alert rows with low_cover and priority other than none; NULL without planogram';
comment on column mart.report_control_stock.sales_pairs_7d is 'store sales pairs, 7 WIB days ending the day before snapshot_date, product items, not intercompany';
comment on column mart.report_control_stock.sales_pairs_90d is 'store sales pairs, 90 WIB days ending the day before snapshot_date';
comment on column mart.report_control_stock.avg_daily_sales is 'pairs/day: sales_pairs_90d / window_days, window_days = min(90, days since the store''s first sale); 0 when it never sold';
comment on column mart.report_control_stock.depth_days is 'days of cover: stock_pairs / avg_daily_sales, 1 decimal; NULL without sales in the window; red below DEPTH_ALERT_DAYS 14';
comment on column mart.report_control_stock.capacity_pct is 'stock_pairs / max_stock (portal.stock_capacity), ratio; NULL without a capacity row or max_stock 0';
comment on column mart.report_control_stock.status is 'red, yellow, green or no_plan (DOMAIN.md §9.1, §9.8 point 8)';
comment on column mart.report_control_stock.calculated_at is 'when the row was computed';

comment on table mart.report_tier_summary is
    'stock by product tier per location and WIB snapshot date, with the planogram''s tier mix (DOMAIN.md §9.2, docs/metrics.md)';
comment on column mart.report_tier_summary.snapshot_date is 'WIB date of the stock snapshot';
comment on column mart.report_tier_summary.gudang_key is 'location key: core.store_key(nama_gudang)';
comment on column mart.report_tier_summary.nama_gudang is 'location name as spelled (the spelling with most rows that day)';
comment on column mart.report_tier_summary.location_type is 'store, online, warehouse or other (core.dim_warehouse)';
comment on column mart.report_tier_summary.warehouse_role is 'box, protol or reject for warehouses, NULL elsewhere (core.dim_warehouse)';
comment on column mart.report_tier_summary.branch is 'branch (portal.store, else portal.stock_capacity)';
comment on column mart.report_tier_summary.area is 'area (portal.store, else portal.stock_capacity)';
comment on column mart.report_tier_summary.tier is 'product tier 1 2 3 4 5 8, other for any other kodemix value, unmatched for codes missing from kodemix';
comment on column mart.report_tier_summary.stock_pairs is 'pairs: sum of max(key total, 0) of the location''s keys in this tier, product items';
comment on column mart.report_tier_summary.stock_share is 'stock_pairs / all product pairs of the location, ratio; NULL when the location holds none';
comment on column mart.report_tier_summary.articles_in_stock is 'distinct kode_mix (kode_besar when unmatched) with stock > 0 in this tier';
comment on column mart.report_tier_summary.stock_value_rsp is 'rupiah: sum of pairs x rsp (keys with a price)';
comment on column mart.report_tier_summary.stock_value_cost is 'rupiah: sum of pairs x harga_beli (keys with a cost)';
comment on column mart.report_tier_summary.sales_pairs_30d is 'retail stores only: sales pairs of this tier, 30 WIB days ending the day before; NULL elsewhere';
comment on column mart.report_tier_summary.plan_articles is 'planogram stores only: planned articles of this tier; NULL elsewhere';
comment on column mart.report_tier_summary.plan_article_share is 'planogram stores only: plan_articles / all planned articles of the store (Ideal %)';
comment on column mart.report_tier_summary.stocked_article_share is 'stores only: articles_in_stock / all articles in stock at the store (Actual %)';
comment on column mart.report_tier_summary.tier_gap_articles is 'planogram stores, tiers 1-3 only: articles_in_stock - plan_articles (> 0 = over-capacity); NULL elsewhere';
comment on column mart.report_tier_summary.calculated_at is 'when the row was computed';

comment on table mart.report_depth_alert is
    'planned articles needing replenishment (RO Box / RO Protol) or low on cover, per planogram store and WIB snapshot date (DOMAIN.md §9.3, docs/metrics.md)';
comment on column mart.report_depth_alert.snapshot_date is 'WIB date of the stock snapshot';
comment on column mart.report_depth_alert.gudang_key is 'store stock location key: core.store_key(stock_nama_gudang)';
comment on column mart.report_depth_alert.store_db_name is 'stock warehouse name as spelled (portal.store_name_map.stock_nama_gudang)';
comment on column mart.report_depth_alert.store_label is 'planogram store name';
comment on column mart.report_depth_alert.branch is 'branch (portal.store)';
comment on column mart.report_depth_alert.area is 'area (portal.store)';
comment on column mart.report_depth_alert.as_name is 'area supervisor (portal.store), who creates the RO';
comment on column mart.report_depth_alert.kode_mix_key is 'article key: lower(trim(planogram article_mix))';
comment on column mart.report_depth_alert.kode_mix is 'article code (kode mix) as in kodemix, else as in the planogram';
comment on column mart.report_depth_alert.article is 'article name (core.dim_product, else planogram)';
comment on column mart.report_depth_alert.gender is 'gender (core.dim_product, else planogram)';
comment on column mart.report_depth_alert.series is 'series (core.dim_product, else planogram)';
comment on column mart.report_depth_alert.tier is 'kodemix tier, else the planogram tier, else unmatched (DOMAIN.md §9.8 point 16)';
comment on column mart.report_depth_alert.planned_sizes is 'planned size columns (plan > 0)';
comment on column mart.report_depth_alert.empty_sizes is 'planned size columns whose stock is 0';
comment on column mart.report_depth_alert.pct_size_kosong is 'empty_sizes / planned_sizes, ratio';
comment on column mart.report_depth_alert.plan_pairs is 'planned pairs (targets rounded half up)';
comment on column mart.report_depth_alert.stock_pairs is 'article stock at the store, each size key once, negative keys 0';
comment on column mart.report_depth_alert.gap_pairs is 'sum over planned columns of max(0, plan - stock)';
comment on column mart.report_depth_alert.ro_type is 'NO_RESTOCK when gap_pairs = 0; RO_BOX when pct_size_kosong >= RO_BOX_THRESHOLD 0.50; else RO_PROTOL';
comment on column mart.report_depth_alert.sizes_needed is 'size:gap of columns with gap > 0, planogram labels, e.g. 36:1, 39/40:3; NULL when none';
comment on column mart.report_depth_alert.wh_box_pairs is 'pairs of the article (every size) at WH_BOX_GUDANG, entities DDD and LJBB, morning snapshot';
comment on column mart.report_depth_alert.wh_protol_fill_pairs is 'sum over needed sizes of min(gap, stock at WH_PROTOL_GUDANG, DDD)';
comment on column mart.report_depth_alert.source_available is 'RO_BOX: wh_box_pairs > 0; RO_PROTOL: wh_protol_fill_pairs > 0; NULL on NO_RESTOCK rows';
comment on column mart.report_depth_alert.sales_pairs_90d is 'this article''s sales at this store, 90 WIB days ending the day before';
comment on column mart.report_depth_alert.avg_daily_sales is 'pairs/day: sales_pairs_90d / the store''s window_days';
comment on column mart.report_depth_alert.days_of_cover is 'stock_pairs / avg_daily_sales, 1 decimal; NULL without sales';
comment on column mart.report_depth_alert.low_cover is 'days_of_cover below DEPTH_ALERT_DAYS 14; false when days_of_cover is NULL';
comment on column mart.report_depth_alert.priority is 'high: tier 1 or 8; medium: 2; low: 3; none: 4, 5, other, unmatched';
comment on column mart.report_depth_alert.calculated_at is 'when the row was computed';

comment on table mart.report_sales_daily is
    'sales per invoice date, selling entity and department: pairs and rupiah, intercompany and non-products excluded (DOMAIN.md §9.4, docs/metrics.md)';
comment on column mart.report_sales_daily.sales_date is 'invoice date (tanggal), WIB';
comment on column mart.report_sales_daily.source_entity is 'selling entity: DDD, MBB or UBB';
comment on column mart.report_sales_daily.store_key is 'department key: core.store_key(nama_departemen); '''' for lines without a department';
comment on column mart.report_sales_daily.store_name is 'nama_accurate when matched, else the department as spelled; NULL without a department';
comment on column mart.report_sales_daily.branch is 'branch (core.dim_store); NULL when unmatched';
comment on column mart.report_sales_daily.area is 'area (core.dim_store); NULL when unmatched';
comment on column mart.report_sales_daily.store_category is 'portal.store category; NULL when unmatched';
comment on column mart.report_sales_daily.channel is 'online (branch Online), retail (other RETAIL), event (EVENT), non_retail (other categories), unmatched (department not in portal.store)';
comment on column mart.report_sales_daily.is_retail_store is 'the department is a DOMAIN.md §5 retail store';
comment on column mart.report_sales_daily.pairs is 'sum of quantity, product items, not intercompany';
comment on column mart.report_sales_daily.revenue is 'rupiah: sum of total_amount (as invoiced, before returns), same lines';
comment on column mart.report_sales_daily.revenue_dpp is 'rupiah: sum of dpp_amount (tax base), same lines';
comment on column mart.report_sales_daily.tax_amount is 'rupiah: sum of tax_amount, same lines';
comment on column mart.report_sales_daily.lines is 'sales lines counted in pairs (internal only)';
comment on column mart.report_sales_daily.invoices is 'distinct nomor_invoice of those lines (internal only, never shown to users)';
comment on column mart.report_sales_daily.avg_price_per_pair is 'rupiah: revenue / pairs; NULL when pairs is 0';
comment on column mart.report_sales_daily.unmatched_pairs is 'part of pairs whose codes are missing from kodemix';
comment on column mart.report_sales_daily.intercompany_pairs is 'excluded intercompany product pairs, for audit';
comment on column mart.report_sales_daily.intercompany_revenue is 'excluded intercompany product rupiah (total_amount), for audit';
comment on column mart.report_sales_daily.calculated_at is 'when the row was computed';

comment on table mart.report_stock_vs_capacity is
    'stock against portal.stock_capacity limits per location and WIB snapshot date (DOMAIN.md §9.5, docs/metrics.md)';
comment on column mart.report_stock_vs_capacity.snapshot_date is 'WIB date of the stock snapshot';
comment on column mart.report_stock_vs_capacity.gudang_key is 'location key: core.store_key(stock_location), or of the store''s nama_department_old';
comment on column mart.report_stock_vs_capacity.stock_location is 'portal.stock_capacity.stock_location as spelled; nama_department_old for a store without a capacity row';
comment on column mart.report_stock_vs_capacity.store_name is 'nama_accurate of the DOMAIN.md §5 store at this location; NULL for other locations';
comment on column mart.report_stock_vs_capacity.location_type is 'store, online, warehouse or other (core.dim_warehouse)';
comment on column mart.report_stock_vs_capacity.branch is 'branch (core.dim_warehouse)';
comment on column mart.report_stock_vs_capacity.area is 'area (core.dim_warehouse)';
comment on column mart.report_stock_vs_capacity.category is 'category (core.dim_warehouse)';
comment on column mart.report_stock_vs_capacity.max_display is 'maximum pairs on display (portal.stock_capacity); NULL without a row';
comment on column mart.report_stock_vs_capacity.max_stock is 'maximum total stock, display + storage, pairs (portal.stock_capacity); NULL without a row';
comment on column mart.report_stock_vs_capacity.storage is 'portal.stock_capacity.storage, carried and shown, never computed with (unit unconfirmed)';
comment on column mart.report_stock_vs_capacity.stock_pairs is 'pairs at the location, product items, negative keys 0';
comment on column mart.report_stock_vs_capacity.plan_pairs is 'planogram plan of the store (targets rounded half up); NULL without planogram';
comment on column mart.report_stock_vs_capacity.capacity_pct is 'stock_pairs / max_stock, ratio; NULL when max_stock is missing or 0';
comment on column mart.report_stock_vs_capacity.over_pairs is 'max(stock_pairs - max_stock, 0), pairs; NULL when max_stock is missing or 0';
comment on column mart.report_stock_vs_capacity.display_short_pairs is 'max(max_display - stock_pairs, 0), pairs; NULL when max_display is missing or 0';
comment on column mart.report_stock_vs_capacity.plan_display_pct is 'plan_pairs / max_display, ratio (> 1 = planogram larger than the display); NULL when either is missing or 0';
comment on column mart.report_stock_vs_capacity.status is 'no_capacity, over (stock above max_stock x CAPACITY_OVER_RATIO), under (below max_display x CAPACITY_UNDER_RATIO) or ok';
comment on column mart.report_stock_vs_capacity.calculated_at is 'when the row was computed';

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on portal.store_monthly_target to opsbot_reader;
        grant select on mart.report_control_stock to opsbot_reader;
        grant select on mart.report_tier_summary to opsbot_reader;
        grant select on mart.report_depth_alert to opsbot_reader;
        grant select on mart.report_sales_daily to opsbot_reader;
        grant select on mart.report_stock_vs_capacity to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on portal.store_monthly_target to opsbot_writer;
        grant select, insert, update, delete on mart.report_control_stock to opsbot_writer;
        grant select, insert, update, delete on mart.report_tier_summary to opsbot_writer;
        grant select, insert, update, delete on mart.report_depth_alert to opsbot_writer;
        grant select, insert, update, delete on mart.report_sales_daily to opsbot_writer;
        grant select, insert, update, delete on mart.report_stock_vs_capacity to opsbot_writer;
    end if;
end
$$;
