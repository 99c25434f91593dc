-- Mail is delivered from the outbox table itself: a worker claims the messages that are due with
-- `for update skip locked`, so servers share the work without a separate job queue, whose own
-- functions cost each queued message three more statements.

-- When a message is next due: now for a new one; after a failed attempt, later by a doubling
-- delay; while a worker holds it, the end of that worker's claim, so a message whose server died
-- mid-send is tried again then.
alter table outbox add column next_attempt_at timestamptz not null default now();
create index outbox_due on outbox (next_attempt_at) where delivered_at is null;

-- Workers wait on this channel between polls; a notification is sent once the queuing
-- transaction commits, and once per statement however many messages it queued.
create function notify_outbox() returns trigger
language plpgsql as $$
begin
    perform pg_notify('outbox', '');
    return null;
end
$$;
create trigger outbox_queued after insert on outbox
    for each statement execute function notify_outbox();

-- The job queue held only pointers to outbox rows, which stay due until delivered.
drop function mq_latest_message, mq_active_channels, mq_poll, mq_insert, mq_commit, mq_delete,
    mq_keep_alive, mq_checkpoint, mq_clear, mq_clear_all;
drop table mq_payloads, mq_msgs;
drop function mq_uuid_exists;
drop type mq_new_t;
