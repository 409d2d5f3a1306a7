-- Whether a person's daily digest is on (false when never switched). $1 bigint: user id.

select coalesce((select enabled from ops.digest_subscriptions where user_id = $1), false)
