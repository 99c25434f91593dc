-- Paid plans, as data. Prices are per user per month in minor units of the currency.
create table plans (
    id text primary key,
    name text not null,
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    monthly_price_minor bigint not null check (monthly_price_minor > 0),
    annual_price_minor bigint not null check (annual_price_minor > 0),
    meeting_participant_limit integer not null check (meeting_participant_limit > 0),
    seat_cap integer not null check (seat_cap > 0)
);

-- List prices: monthly billing costs 5% more than annual.
insert into plans (id, name, currency, monthly_price_minor, annual_price_minor, meeting_participant_limit, seat_cap)
values ('business_basic', 'Business Basic', 'USD', 735, 700, 300, 300),
       ('business_standard', 'Business Standard', 'USD', 1470, 1400, 300, 300);

alter table members add column role text not null default 'member'
    check (role in ('member', 'global_admin'));

-- Every purchase attempt. The card number is never stored; only its brand and last digits.
create table orders (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id),
    member_id uuid not null references members (id),
    plan_id text not null references plans (id),
    billing text not null check (billing in ('monthly', 'annual')),
    quantity integer not null check (quantity > 0),
    amount_minor bigint not null check (amount_minor >= 0),
    currency text not null,
    status text not null check (status in ('paid', 'declined')),
    payment_provider text not null,
    payment_reference text not null,
    created_at timestamptz not null
);

create index orders_organization on orders (organization_id, created_at desc);

-- Seats per plan live on one row, so no interleaving of assignments can oversell.
create table subscriptions (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id),
    plan_id text not null references plans (id),
    billing text not null check (billing in ('monthly', 'annual')),
    purchased integer not null check (purchased >= 0),
    assigned integer not null default 0 check (assigned >= 0),
    created_at timestamptz not null,
    check (assigned <= purchased),
    unique (organization_id, plan_id)
);

-- One license per member at most.
create table licenses (
    member_id uuid primary key references members (id) on delete cascade,
    subscription_id uuid not null references subscriptions (id),
    assigned_at timestamptz not null
);

-- Purchases carry a key from the page; a replay returns the first outcome and charges once.
create table idempotency_keys (
    member_id uuid not null references members (id),
    key text not null check (length(key) between 8 and 100),
    request_hash bytea not null,
    -- Null while the first request is still running.
    response jsonb,
    response_status smallint,
    created_at timestamptz not null,
    primary key (member_id, key)
);
