-- The last strategy probe of an entity ($1): its token hash, result and time.
select token_hash, item_balances, detail, probed_at
from ops.accurate_probe
where entity = $1
