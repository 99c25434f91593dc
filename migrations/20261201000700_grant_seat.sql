-- Giving a member a seat is one call, so the server asks PostgreSQL once per assignment and the
-- member's row stays locked only for as long as the seat takes, not across the network round
-- trips of separate statements. Each statement in the function sees what committed before it, so
-- whether the member already holds a seat is read after their row is locked.

-- Notes the organization's licenses purchased and in use as the day began, before the day's first
-- change: later changes of the day find the row there and write nothing.
create function note_license_day_start(organization uuid, on_day date) returns void
language sql as $$
    insert into license_usage (organization_id, day, purchased, assigned)
    select organization, on_day,
           (select coalesce(sum(purchased), 0)::int from subscriptions where organization_id = organization),
           (select count(*)::int from licenses l join subscriptions s on s.id = l.subscription_id
             where s.organization_id = organization)
     where not exists (select 1 from license_usage where organization_id = organization and day = on_day)
    on conflict (organization_id, day) do nothing
$$;

-- Gives a member of the organization, found by id or by stored address, a seat from its oldest
-- subscription with one free. Returns no row when there is no such member, else the member and
-- 'granted', 'held' (they hold one already) or 'none_free'.
create function grant_seat(organization uuid, member uuid, address text, taken_at timestamptz)
returns table (member_id uuid, outcome text)
language plpgsql as $$
#variable_conflict use_column
declare
    grantee uuid;
    subscription uuid;
    seat bigint;
begin
    -- Two assignments of one person queue here; of different people, never. By id or by address
    -- in two statements, so each is planned for its own unique index.
    if member is not null then
        select m.id into grantee from members m
         where m.id = member and m.organization_id = organization for no key update;
    else
        select m.id into grantee from members m
         where m.email = address and m.organization_id = organization for no key update;
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
