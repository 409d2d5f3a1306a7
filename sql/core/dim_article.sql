-- One row per article (kode_mix_key): its representative version, the lowest no_urut over its
-- sizes, supplies the names and the tier, so that every size of an article is in one tier.
create or replace view core.dim_article as
select distinct on (kode_mix_key)
    kode_mix_key, kode_mix, article, gender, gender_group, series, color, tier
from core.dim_product
where kode_mix_key is not null
order by kode_mix_key, no_urut nulls last, kode_besar_key;
