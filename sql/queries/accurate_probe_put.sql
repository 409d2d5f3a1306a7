-- Remember a strategy probe: $1 entity, $2 token hash, $3 item_balances, $4 detail, $5 when.
insert into ops.accurate_probe (entity, token_hash, item_balances, detail, probed_at)
values ($1, $2, $3, $4, $5)
on conflict (entity) do update
set token_hash = excluded.token_hash,
    item_balances = excluded.item_balances,
    detail = excluded.detail,
    probed_at = excluded.probed_at
