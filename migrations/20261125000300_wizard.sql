-- "Become the admin": one wizard per attempt, its state stored so any browser resumes it.
create table wizards (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id),
    member_id uuid not null references members (id),
    -- Where it was started decides the plans offered: the Admin tile offers Business Basic only.
    entry text not null check (entry in ('admin_tile', 'meetings_upgrade')),
    state text not null check (state in (
        'started', 'domain_pending', 'domain_verified', 'purchase_pending', 'completed', 'abandoned', 'superseded'
    )),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- A member runs at most one wizard at a time; others of the organization may run their own.
create unique index wizards_one_open_per_member on wizards (member_id)
    where state not in ('completed', 'abandoned', 'superseded');

-- The DNS challenge a wizard must answer: a random token bound to organization, domain and wizard.
create table domain_challenges (
    wizard_id uuid primary key references wizards (id),
    organization_id uuid not null references organizations (id),
    domain text not null,
    token text not null unique check (token ~ '^[a-z2-7]{26,}$'),
    expires_at timestamptz not null,
    created_at timestamptz not null,
    verified_at timestamptz,
    verified_by_method text check (verified_by_method in ('txt', 'mx'))
);

-- Everything that happened to an organization's administration, in order. Never changed.
create table audit_events (
    id bigint generated always as identity primary key,
    organization_id uuid not null references organizations (id),
    member_id uuid references members (id),
    kind text not null,
    detail jsonb not null default '{}',
    created_at timestamptz not null
);

create index audit_events_organization on audit_events (organization_id, id);

create function audit_events_are_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only';
end;
$$;

create trigger audit_events_no_update before update or delete or truncate on audit_events
    for each statement execute function audit_events_are_append_only();
