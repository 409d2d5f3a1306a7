-- The latest sales date in mart.report_sales_daily up to a day. $1 date.

select max(sales_date) from mart.report_sales_daily where sales_date <= $1
