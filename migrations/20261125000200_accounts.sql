-- Codes mailed to prove control of an address: to finish a sign-up, or to reset a password.
-- Only a hash of the code is kept. A request for an address that cannot use it (already signed up,
-- or unknown for a reset) still gets a row whose code never matches, so the pages behave the same.
create table email_codes (
    id uuid primary key default gen_random_uuid(),
    purpose text not null check (purpose in ('sign_up', 'reset_password')),
    email text not null check (email = lower(email)),
    redeemable boolean not null,
    -- For a sign-up: the account to create once the code is confirmed.
    display_name text,
    password_hash text,
    code_hash bytea not null,
    expires_at timestamptz not null,
    attempts integer not null default 0 check (attempts >= 0),
    sent_at timestamptz not null,
    created_at timestamptz not null,
    check (purpose <> 'sign_up' or not redeemable or (display_name is not null and password_hash is not null))
);

create index email_codes_email on email_codes (email, purpose);

-- Signed-in devices. The cookie holds a random token; only its hash is stored.
create table sessions (
    token_hash bytea primary key,
    member_id uuid not null references members (id) on delete cascade,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    user_agent text not null default ''
);

create index sessions_member_id on sessions (member_id);

-- Attempt counters for guessable secrets, shared by every server process.
create table throttles (
    key text primary key,
    window_started_at timestamptz not null,
    attempts integer not null check (attempts >= 0)
);

-- Every message the service sends. A job delivers it over SMTP; in development the mailbox page
-- lists it. The id doubles as the stable Message-ID, so a redelivery is recognisably the same mail.
create table outbox (
    id uuid primary key default gen_random_uuid(),
    -- The order messages were queued in, even within one clock tick.
    seq bigint generated always as identity unique,
    recipient text not null,
    subject text not null,
    body_text text not null,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    attempts integer not null default 0,
    last_error text
);

