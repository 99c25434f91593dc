-- What a removed person was before: restoring them gives that back, so removing and restoring a
-- blocked account does not unblock it, and someone invited is invited again rather than made an
-- active member without a password.
alter table members add column status_before_removal text
    check (status_before_removal in ('active', 'invited', 'blocked'));
update members
   set status_before_removal = case when password_hash = '' then 'invited' else 'active' end
 where status = 'removed';
alter table members add check ((status = 'removed') = (status_before_removal is not null));
