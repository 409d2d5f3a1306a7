-- How each entity's stock snapshot is pulled (issue 15, ACCURATE_API.md §6.3/§6.4/§11):
-- whether Accurate's item/list.do answered `fields=detailWarehouseData` with per-warehouse
-- balances when last probed. Probed on the first pull with a token (token_hash changes with
-- the token) and again when probed_at is a week old; the stock load reads it every night.

create table ops.accurate_probe (
    entity         text primary key,           -- DDD, LJBB, MBB, UBB
    token_hash     text not null,              -- first 16 hex of sha256(token): never the token
    item_balances  boolean not null,           -- true: item/list.do returns warehouse balances
    detail         text not null default '',   -- what the probe saw, for the operators
    probed_at      timestamptz not null
);
