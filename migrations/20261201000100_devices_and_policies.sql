-- Devices and policies: every session is a signed-in device with a readable name and the
-- network it was last seen from; single-use links sign a phone in; each organization's admins
-- set policies that every server process reads from here.

alter table sessions add column id uuid not null default gen_random_uuid() unique;
-- The network a device was last seen from, with the part that names one machine masked.
alter table sessions add column network text not null default '';

-- A link, shown as a QR code, that signs a phone in as a new device of one member, once.
create table device_links (
    id uuid primary key default gen_random_uuid(),
    token_hash bytea not null unique,
    member_id uuid not null references members (id) on delete cascade,
    created_by uuid not null references members (id) on delete cascade,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null
);

create index device_links_member on device_links (member_id, created_at desc);

-- An organization without a row here has the defaults.
create table organization_policies (
    organization_id uuid primary key references organizations (id),
    -- Only people an admin adds may join; a self sign-up on the domain is refused.
    admins_add_people boolean not null default false,
    guests_allowed boolean not null default true,
    -- The lobby new members' meetings start with.
    default_lobby text not null default 'outside_organization'
        check (default_lobby in ('everyone', 'outside_organization', 'nobody')),
    -- At most the plan's limit; null: the plan's limit.
    max_participants integer check (max_participants > 0),
    password_min_length integer not null default 12 check (password_min_length between 12 and 64),
    session_idle_minutes integer not null default 720 check (session_idle_minutes between 15 and 1440),
    session_max_hours integer not null default 168 check (session_max_hours between 1 and 720),
    -- Every device signs in again this many days after it signed in; null: never forced.
    device_days integer check (device_days between 1 and 90),
    updated_at timestamptz not null
);

-- The people list sorts by name or address in the database's own collation; the prefix indexes
-- of the people migration serve searches only (their operator class cannot order).
create index members_sorted_by_name on members (organization_id, lower(display_name), id);
create index members_sorted_by_email on members (organization_id, email, id);
