-- The latest snapshot only (the newest snapshot_date across the four entities).
create or replace view core.stock_with_product as
select *
from core.stock_history
where snapshot_date = (select max(snapshot_date) from core.stock_snapshot);
