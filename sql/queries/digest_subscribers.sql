-- Active leads with the daily digest on (bot/service/digest.py), with their scope.

select u.user_id, u.name, u.branch, u.stores
from ops.digest_subscriptions as d
join ops.bot_users as u on u.user_id = d.user_id
where d.enabled and u.active and u.role = 'lead'
order by u.user_id
