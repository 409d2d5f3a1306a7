-- A store's sales on one day, intercompany lines left out (pairs, rupiah).
-- $1 text: store key, lower(nama_accurate); $2 date: the sales day (WIB).

select
    coalesce(sum(s.quantity), 0) as pairs,
    coalesce(sum(s.total_amount), 0) as amount,
    count(*) as lines
from core.sales_with_product as s
where s.transaction_date = $2
    and s.matched_store_name = $1
    and not s.is_intercompany
