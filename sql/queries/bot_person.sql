-- The active bot user with this Telegram id (role, branch, stores). $1 bigint: user id.

select u.name, u.role, nullif(trim(u.branch), '') as branch, u.stores
from ops.bot_users as u
where u.user_id = $1
    and u.active
