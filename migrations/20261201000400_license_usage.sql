-- Licenses purchased and in use per organization per day (UTC), as they stood after the day's
-- last change, kept from every change on: the admin center's chart reads it.
create table license_usage (
    organization_id uuid not null references organizations (id),
    day date not null,
    purchased integer not null check (purchased >= 0),
    assigned integer not null check (assigned >= 0),
    primary key (organization_id, day)
);
