-- Each member's personal meeting settings. They belong to the member, not to a plan, so an
-- upgrade carries them over unchanged.
create table meeting_settings (
    member_id uuid primary key references members (id) on delete cascade,
    -- Who waits in the lobby: everyone, people outside the organization, or nobody.
    lobby text not null check (lobby in ('everyone', 'outside_organization', 'nobody')),
    muted_on_entry boolean not null,
    room_name text not null check (length(room_name) <= 60),
    updated_at timestamptz not null
);
