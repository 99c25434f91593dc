-- Orders paid elsewhere (Stripe Checkout) wait as 'pending' until the signed webhook says they
-- are paid; a paid order whose upgrade can no longer happen is 'refund_due'. Orders either
-- upgrade an organization or add seats to its subscription. Paid orders get an invoice number.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
    check (status in ('pending', 'paid', 'declined', 'refund_due'));
alter table orders add column kind text not null default 'upgrade'
    check (kind in ('upgrade', 'add_seats'));
alter table orders add column checkout_session text unique;
alter table orders add column invoice_number bigint unique;
alter table orders add column paid_at timestamptz;

create sequence invoice_numbers start 1001;

update orders set invoice_number = nextval('invoice_numbers'), paid_at = created_at where status = 'paid';

-- Each Stripe event is applied once: its id is stored in the transaction that applies it.
create table stripe_events (
    id text primary key,
    type text not null,
    received_at timestamptz not null
);
