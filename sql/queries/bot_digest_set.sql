-- /digest on|off: switch a person's daily digest; returns the new state.
-- $1 bigint: user id, $2 boolean: enabled.

insert into ops.digest_subscriptions (user_id, enabled) values ($1, $2)
on conflict (user_id) do update set enabled = excluded.enabled, changed_at = now()
returning enabled
