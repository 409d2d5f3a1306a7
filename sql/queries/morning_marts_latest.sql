-- The latest date with rows in each business mart (docs/metrics.md#business-marts), up to the report's dates:
-- $1 date: snapshot date (stock marts), $2 date: sales date (sales mart).

select
    (select max(snapshot_date) from mart.report_control_stock where snapshot_date <= $1)
        as control_stock,
    (select max(snapshot_date) from mart.report_tier_summary where snapshot_date <= $1)
        as tier_summary,
    (select max(snapshot_date) from mart.report_stock_vs_capacity where snapshot_date <= $1)
        as stock_vs_capacity,
    (select max(sales_date) from mart.report_sales_daily where sales_date <= $2) as sales_daily
