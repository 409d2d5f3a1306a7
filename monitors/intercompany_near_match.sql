-- name: Penjualan ke nama mirip perusahaan grup (bukan di daftar intercompany)
-- severity: medium
-- schedule: after sales
-- keys: source_entity, customer
-- category: penjualan
-- description: A sale in the last 7 sales days to a customer whose name looks like a group
-- description: company (besar bersama, dream dare discover) but is not in
-- description: core.intercompany_customer, so it counts as a real sale (docs/metrics.md#shared-rules).
with latest as (select max(transaction_date) as d from core.sales_with_product)
select s.source_entity, lower(trim(s.nama_pelanggan)) as customer,
       count(*) as lines, sum(s.quantity) as pairs, sum(s.total_amount) as rupiah
from core.sales_with_product as s, latest
where s.transaction_date between latest.d - 6 and latest.d
    and not s.is_intercompany
    and (lower(s.nama_pelanggan) like '%besar bersama%'
         or lower(s.nama_pelanggan) like '%dream dare%')
group by s.source_entity, lower(trim(s.nama_pelanggan))
order by 1, 2
