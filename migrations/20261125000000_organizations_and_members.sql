-- Everyone who signs up with a work email on one domain belongs to that domain's organization.
create table organizations (
    id uuid primary key default gen_random_uuid(),
    -- Lowercase, IDN labels in punycode (xn--...).
    domain text not null unique check (domain = lower(domain) and domain <> ''),
    status text not null default 'unmanaged' check (status in ('unmanaged', 'managed')),
    created_at timestamptz not null default now()
);

create table members (
    id uuid primary key default gen_random_uuid(),
    -- The address as parsed: lowercase, the domain in punycode.
    email text not null unique check (email = lower(email)),
    display_name text not null check (length(display_name) between 1 and 100),
    password_hash text not null,
    -- A member joins their organization when they verify their address, not before.
    organization_id uuid references organizations (id),
    email_verified_at timestamptz,
    created_at timestamptz not null default now(),
    check ((organization_id is null) = (email_verified_at is null))
);

create index members_organization_id on members (organization_id);
