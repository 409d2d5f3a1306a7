-- Finance's monthly store targets (portal.store_monthly_target, docs/metrics.md) on the store key,
-- for the monitor templates (monitors may read mart and core, not portal: docs/monitors.md).
create or replace view core.store_monthly_target as
select year, core.store_key(store_name) as store_key, store_name, branch,
       jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec
from portal.store_monthly_target;
