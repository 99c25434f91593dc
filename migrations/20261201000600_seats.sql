-- One row per purchased seat, so that assigning a license locks only the seat it takes:
-- concurrent assignments on one subscription take different free seats (`for update skip
-- locked`) instead of queueing on one counter row. A member holds at most one seat; a deleted
-- member's seat is free again. `subscriptions.purchased` stays the number of seat rows.
create table seats (
    id bigint generated always as identity primary key,
    subscription_id uuid not null references subscriptions (id),
    member_id uuid unique references members (id) on delete set null,
    assigned_at timestamptz
);
create index seats_by_subscription on seats (subscription_id);
create index seats_free on seats (subscription_id, id) where member_id is null;

insert into seats (subscription_id, member_id, assigned_at)
select subscription_id, member_id, assigned_at from licenses;
insert into seats (subscription_id)
select s.id from subscriptions s
 cross join lateral generate_series(1, s.purchased - s.assigned);

drop table licenses;
alter table subscriptions drop column assigned;

-- A license is a seat someone holds.
create view licenses as
select member_id, subscription_id, assigned_at from seats where member_id is not null;

-- The day's figures are now noted before its first change (what the day began with) rather than
-- after each change, so that assignments never queue on the day's one row. A day ended with what
-- the next noted day began with, or with today's figures for the last one.
with began as (
    select organization_id, day,
           coalesce(lag(purchased) over by_day, 0) as purchased,
           coalesce(lag(assigned) over by_day, 0) as assigned
      from license_usage
    window by_day as (partition by organization_id order by day)
)
update license_usage u set purchased = began.purchased, assigned = began.assigned
  from began where began.organization_id = u.organization_id and began.day = u.day;
