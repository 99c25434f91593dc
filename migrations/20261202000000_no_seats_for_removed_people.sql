-- A person who was removed is not given a seat: they cannot sign in, and their seat would stay
-- taken until they were erased. Before, `grant_seat` found them like anyone else, so the licensing
-- page could assign them one, and an assignment that waited on their row while they were removed
-- took back the seat the removal had just freed.

create or replace function grant_seat(organization uuid, member uuid, address text, taken_at timestamptz)
returns table (member_id uuid, outcome text)
language plpgsql as $$
#variable_conflict use_column
declare
    grantee uuid;
    subscription uuid;
    seat bigint;
begin
    -- Two assignments of one person queue here; of different people, never. By id or by address
    -- in two statements, so each is planned for its own unique index. Someone removed is no
    -- member to give a seat; one removed while this waited for their row is read as removed.
    if member is not null then
        select m.id into grantee from members m
         where m.id = member and m.organization_id = organization and m.status <> 'removed'
           for no key update;
    else
        select m.id into grantee from members m
         where m.email = address and m.organization_id = organization and m.status <> 'removed'
           for no key update;
    end if;
    if grantee is null then
        return;
    end if;
    perform note_license_day_start(organization, (taken_at at time zone 'utc')::date);
    if exists (select 1 from seats s where s.member_id = grantee) then
        return query select grantee, 'held';
        return;
    end if;
    -- One subscription at a time: a scan of one subscription's free seats stops at the first it
    -- can lock, where a scan ordered across subscriptions would read them all.
    for subscription in
        select s.id from subscriptions s where s.organization_id = organization order by s.created_at
    loop
        update seats s set member_id = grantee, assigned_at = taken_at
         where s.id = (select f.id from seats f
                        where f.subscription_id = subscription and f.member_id is null
                        order by f.id limit 1 for update skip locked)
        returning s.id into seat;
        if seat is not null then
            return query select grantee, 'granted';
            return;
        end if;
    end loop;
    return query select grantee, 'none_free';
end
$$;
