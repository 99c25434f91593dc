-- What the last look-up of a challenge found, so that the wizard's page shows it after a reload
-- and after a Verify sent before the page's script ran (only errors travel back with a redirect).
alter table domain_challenges
    add column last_finding jsonb,
    add column last_checked_at timestamptz;
