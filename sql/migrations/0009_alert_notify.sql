-- The alert notifier's bookkeeping per alert (bot/alert_notifier.py). An incident starts each
-- time an alert opens from nothing or from resolved; everything below belongs to the current
-- incident and is reset when the next one starts. Outbox keys are built from the alert id and
-- the incident number, so a reopened alert pages again instead of colliding with old keys.

alter table ops.alerts
    add column incident      integer not null default 0,      -- 0: the notifier has not seen it yet
    add column page_keys     text[] not null default '{}',    -- outbox keys of messages with buttons
    add column paged_at      timestamptz,                     -- first page of this incident
    add column repeats       integer not null default 0,      -- re-notifications sent so far
    add column escalated_at  timestamptz,                     -- admins messaged privately (once)
    add column muted_by      text;                            -- who muted (the bot's mute paths set it)
