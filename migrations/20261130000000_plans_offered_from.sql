-- Where each plan is offered, as data beside its price: the Admin tile offers Business Basic only,
-- Upgrade inside Meetings offers Business Basic and Business Standard.
alter table plans add column offered_from text[] not null default '{}'
    check (offered_from <@ array['admin_tile', 'meetings_upgrade']);

update plans set offered_from = array['admin_tile', 'meetings_upgrade'] where id = 'business_basic';
update plans set offered_from = array['meetings_upgrade'] where id = 'business_standard';
