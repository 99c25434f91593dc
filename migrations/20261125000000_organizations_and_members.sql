-- Everyone who signs up with a work email on one domain belongs to that domain's organization.
create table organizations (
    id uuid primary key default gen_random_uuid(),
    -- Lowercase, IDN labels in punycode (xn--...).
    domain text not null unique check (domain = lower(domain) and domain <> ''),
    status text not null default 'unmanaged' check (status in ('unmanaged', 'managed')),
    created_at timestamptz not null
);

-- A member exists once they have verified their address; pending sign-ups live in email_codes.
create table members (
    id uuid primary key default gen_random_uuid(),
    -- The address as parsed: lowercase, the domain in punycode.
    email text not null unique check (email = lower(email)),
    display_name text not null check (length(display_name) between 1 and 100),
    password_hash text not null,
    organization_id uuid not null references organizations (id),
    -- When they signed up (and verified their address): meeting limits count from here.
    created_at timestamptz not null
);

create index members_organization_id on members (organization_id);
