-- Each member's personal room: a standing meeting with a link that never changes, titled with
-- the personal room name from their meeting settings.
alter table meetings add column personal boolean not null default false;
create unique index meetings_one_personal_room on meetings (organizer_id) where personal;
