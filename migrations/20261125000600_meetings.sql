-- Meetings and who is in them. Presence lives in the database so every server process sees the
-- same participants; changes are announced with NOTIFY for the processes' live pages.
create table meetings (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    organizer_id uuid not null references members (id) on delete cascade,
    -- The join link's secret part: 128 random bits, so a guest link cannot be guessed.
    code text not null unique,
    title text not null check (length(title) between 1 and 120),
    starts_at timestamptz not null,
    allow_guests boolean not null,
    created_at timestamptz not null
);

create index meetings_by_organizer on meetings (organizer_id, starts_at);

create table participants (
    id uuid primary key,
    meeting_id uuid not null references meetings (id) on delete cascade,
    -- A member of the organization, or a guest known by a browser key (its hash) and a name.
    member_id uuid references members (id) on delete cascade,
    guest_key bytea,
    name text not null check (length(name) between 1 and 100),
    -- Waiting in the lobby, or admitted to the meeting; only admitted people count to the limit.
    state text not null check (state in ('waiting', 'admitted')),
    muted boolean not null,
    joined_at timestamptz not null,
    -- Moved on by the live page's connection; a participant silent past the timeout has left.
    last_seen_at timestamptz not null,
    left_at timestamptz,
    check ((member_id is null) <> (guest_key is null))
);

create unique index participants_one_per_member on participants (meeting_id, member_id)
    where left_at is null and member_id is not null;
create unique index participants_one_per_guest on participants (meeting_id, guest_key)
    where left_at is null and guest_key is not null;
create index participants_present on participants (meeting_id) where left_at is null;
create index participants_heartbeat on participants (last_seen_at) where left_at is null;

create function announce_presence() returns trigger language plpgsql as $$
begin
    -- Heartbeats alone change nothing anyone sees.
    if tg_op = 'UPDATE' and new.state = old.state and new.left_at is not distinct from old.left_at
       and new.muted = old.muted then
        return new;
    end if;
    perform pg_notify('meeting_presence', new.meeting_id::text);
    return new;
end
$$;

create trigger participants_announce after insert or update on participants
    for each row execute function announce_presence();
