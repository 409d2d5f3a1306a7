-- One command in the audit trail. $1 user id, $2 chat id, $3 command, $4 args, $5 outcome.

insert into ops.audit_log (user_id, chat_id, command, args, outcome)
values ($1, $2, $3, $4, $5)
