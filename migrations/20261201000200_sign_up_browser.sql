-- A pending sign-up belongs to the browser that started it (a hash of a cookie it holds): only
-- that browser's chosen password is used; a code confirmed elsewhere must choose its own.
alter table email_codes add column browser_hash bytea;
