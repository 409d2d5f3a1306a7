-- One price row per lower(trim(kode)).
create or replace view core.hpprsp_dedup as
select distinct on (lower(trim(kode)))
    lower(trim(kode))  as kode_key,
    trim(kode)         as kode,
    harga_beli,
    price_taq,
    rsp
from portal.hpprsp
where nullif(trim(kode), '') is not null
order by lower(trim(kode)), harga_beli nulls last, rsp nulls last, price_taq nulls last;
