-- The marts' comments cite the repository's own docs/, not reference files kept outside it
-- (migration 0040 cited the project's former specification in ten of them). Wording otherwise
-- unchanged.

comment on table mart.report_control_stock is
    'stock health per retail store and WIB snapshot date: planogram fill, full box, depth, stock minus, capacity (docs/metrics.md#control-stock)';
comment on column mart.report_control_stock.articles_planned is
    'planned articles (plan > 0, docs/metrics.md#ff-fa-fs); NULL without planogram';
comment on column mart.report_control_stock.status is
    'red, yellow, green or no_plan (docs/metrics.md#control-stock; decision 8 of docs/metrics.md#decisions)';

comment on table mart.report_tier_summary is
    'stock by product tier per location and WIB snapshot date, with the planogram''s tier mix (docs/metrics.md#tier-summary)';

comment on table mart.report_depth_alert is
    'planned articles needing replenishment (RO Box / RO Protol) or low on cover, per planogram store and WIB snapshot date (docs/metrics.md#ro-list)';
comment on column mart.report_depth_alert.tier is
    'kodemix tier, else the planogram tier, else unmatched (decision 11 of docs/metrics.md#decisions)';

comment on table mart.report_sales_daily is
    'sales per invoice date, selling entity and department: pairs and rupiah, intercompany and non-products excluded (docs/metrics.md#sales)';
comment on column mart.report_sales_daily.is_retail_store is
    'the department is a retail store (docs/glossary.md#retail-stores)';

comment on table mart.report_stock_vs_capacity is
    'stock against portal.stock_capacity limits per location and WIB snapshot date (docs/metrics.md#stock-vs-capacity)';
comment on column mart.report_stock_vs_capacity.store_name is
    'nama_accurate of the retail store (docs/glossary.md#retail-stores) at this location; NULL for other locations';
