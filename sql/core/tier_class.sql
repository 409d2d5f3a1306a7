-- The tier class (docs/metrics.md#shared-rules): a kodemix tier (already coalesce(tier_baru, tier_lama, '3')) without a
-- leading T; 1 2 3 4 5 8 are valid, anything else is `other`. Codes missing from kodemix are
-- `unmatched`, decided by the caller.
create or replace function core.tier_class(tier text) returns text
language sql immutable parallel safe
return case
    when regexp_replace(upper(trim(coalesce(tier, '3'))), '^T', '') in ('1', '2', '3', '4', '5', '8')
        then regexp_replace(upper(trim(coalesce(tier, '3'))), '^T', '')
    else 'other'
end;
