-- One product row per lower(trim(kode_besar)): the version with the lowest no_urut (docs/schema.md).
create or replace view core.kodemix_dedup as
select distinct on (lower(trim(kode_besar)))
    -- keys
    lower(trim(kode_besar))                                  as kode_besar_key,
    trim(kode_besar)                                         as kode_besar,
    no_urut,
    trim(kode)                                               as kode,
    trim(kode_mix)                                           as kode_mix,
    lower(trim(kode_mix))                                    as kode_mix_key,
    trim(kode_mix_size)                                      as kode_mix_size,
    -- attributes
    article,
    version,
    tipe,
    gender,
    case
        when upper(trim(gender)) = 'MEN' then 'MEN'
        when upper(trim(gender)) = 'LADIES' then 'LADIES'
        when upper(trim(gender)) in ('BABY', 'BOYS', 'GIRLS', 'JUNIOR', 'KIDS') then 'BABY & KIDS'
    end                                                      as gender_group,
    series,
    color,
    group_warna,
    trim(size)                                               as size,
    nama_variant,
    assortment,
    count_by_assortment,
    status,
    -- tier: empty CSV cells count as missing
    coalesce(nullif(trim(tier_baru), ''), nullif(trim(tier_lama), ''), '3') as tier,
    tier_lama,
    tier_baru
from portal.kodemix
where nullif(trim(kode_besar), '') is not null
order by lower(trim(kode_besar)), no_urut nulls last, kode_mix, version, kode;
