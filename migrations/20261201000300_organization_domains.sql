-- More domains for a managed organization, each proven with the same DNS challenge as the
-- wizard's. Once verified, sign-ups with the domain join the organization.
create table organization_domains (
    domain text primary key check (domain = lower(domain) and domain <> ''),
    organization_id uuid not null references organizations (id),
    -- The challenge: a TXT record at _tenantry-challenge.<domain> with this token.
    token text not null,
    status text not null default 'pending' check (status in ('pending', 'verified', 'failed')),
    last_checked_at timestamptz,
    verified_at timestamptz,
    created_at timestamptz not null
);

create index organization_domains_organization on organization_domains (organization_id);
