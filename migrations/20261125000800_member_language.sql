-- The language a member last used to sign up or sign in, for mail sent to them later.
alter table members add column locale text not null default 'en' check (locale in ('en', 'nl'));
