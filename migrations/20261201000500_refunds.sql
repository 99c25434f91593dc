-- A paid order that could not be applied is refunded: through Stripe's refund API with one
-- idempotency key per order (so a retry never refunds twice), or recorded the same way in test
-- mode. The refund's reference and time show on the order.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
    check (status in ('pending', 'paid', 'declined', 'refund_due', 'refunded'));
alter table orders add column refund_reference text;
alter table orders add column refunded_at timestamptz;
create index orders_refund_due on orders (paid_at) where status = 'refund_due';
