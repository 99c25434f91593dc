-- What a removed person was before: restoring them gives that back, so removing and restoring a
-- blocked account does not unblock it, and someone invited is invited again rather than made an
-- active member without a password.
alter table members add column status_before_removal text
    check (status_before_removal in ('active', 'invited', 'blocked'));
-- People removed before this: invited when they never chose a password, blocked when the last
-- block or unblock of them in the audit log was a block, else active.
update members m
   set status_before_removal = case
       when m.password_hash = '' then 'invited'
       when (select a.kind from audit_events a
              where a.organization_id = m.organization_id and a.detail ->> 'member' = m.id::text
                and a.kind in ('person.blocked', 'person.unblocked')
              order by a.id desc limit 1) = 'person.blocked' then 'blocked'
       else 'active' end
 where m.status = 'removed';
alter table members add check ((status = 'removed') = (status_before_removal is not null));
