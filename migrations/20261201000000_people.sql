-- The admin center's people: more roles, a status per member, invitations, and what the people
-- list searches and sorts by.

alter table members drop constraint members_role_check;
alter table members add constraint members_role_check
    check (role in ('member', 'global_admin', 'billing_admin', 'user_admin'));

-- Invited people have no password until they accept; blocked and removed people cannot sign in.
alter table members add column status text not null default 'active'
    check (status in ('active', 'invited', 'blocked', 'removed'));
-- Removed people can be restored until 30 days after this; then their personal data is erased.
alter table members add column removed_at timestamptz;
alter table members add check ((status = 'removed') = (removed_at is not null));
-- Set by an admin's temporary password: the next sign-in must choose a new one.
alter table members add column must_change_password boolean not null default false;
alter table members add column last_sign_in_at timestamptz;

-- The people list: keyset pages in each sort order, and case-insensitive prefix search.
create index members_by_name on members (organization_id, lower(display_name) text_pattern_ops, id);
create index members_by_email on members (organization_id, email text_pattern_ops, id);
create index members_by_last_sign_in on members (organization_id, last_sign_in_at desc nulls last, id);

-- A mailed link that lets an invited person choose their password; only its hash is kept.
create table invitations (
    token_hash bytea primary key,
    member_id uuid not null unique references members (id) on delete cascade,
    invited_by uuid not null references members (id),
    expires_at timestamptz not null,
    created_at timestamptz not null
);

-- Mail an admin writes goes out in their name, and replies reach them.
alter table outbox add column sender_name text;
alter table outbox add column reply_to text;

-- The audit page filters by person, action and time.
create index audit_events_by_member on audit_events (organization_id, member_id, id);
create index audit_events_by_kind on audit_events (organization_id, kind, id);
