-- Reliable delivery (ops/outbox.py, bot/outbox_worker.py): edits as an outbox kind, leases so
-- two replicas never send one row twice, a failure count for the backoff cap, and the two
-- facts about destinations the worker learns from Telegram: migrated group ids and broken chats.
--
-- While a row is 'sending', next_attempt_at is the end of its lease and lease_id names the
-- claim that holds it; a row still 'sending' after its lease ended was left by a dead worker
-- and is claimed again.

alter table ops.outbox drop constraint outbox_kind_check;
alter table ops.outbox add constraint outbox_kind_check
    check (kind in ('text', 'photo', 'media_group', 'edit'));

alter table ops.outbox
    add column lease_id     uuid,                    -- the claim holding a 'sending' row
    add column failures     integer not null default 0,  -- transient errors (backoff, cap)
    add column fail_reason  text                     -- why a row ended 'failed'
        check (fail_reason in ('broken', 'rejected', 'exhausted', 'target_failed')),
    add column enqueued_chat_id bigint;              -- chat_id as enqueued (before a migration)

update ops.outbox set enqueued_chat_id = chat_id;

-- The head of each chat's queue: the earliest row not yet final (delivery is in id order).
create index outbox_chat_queue_idx on ops.outbox (chat_id, id)
    where status in ('pending', 'sending');

-- A group upgraded to a supergroup answers with migrate_to_chat_id; later sends go there.
create table ops.chat_routes (
    old_chat_id  bigint primary key,
    new_chat_id  bigint not null,
    migrated_at  timestamptz not null default now(),
    check (old_chat_id <> new_chat_id)
);

-- A chat that refused the bot (403 blocked/kicked, 400 chat not found): its rows are held
-- until an admin repairs it (ops.outbox.mark_repaired).
create table ops.broken_chats (
    chat_id    bigint primary key,
    error      text not null,                        -- Telegram's description
    outbox_id  bigint references ops.outbox (id) on delete set null,  -- the row that found it
    broken_at  timestamptz not null default now()
);
