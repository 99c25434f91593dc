-- Several organizations may try to prove one domain; the first to prove it holds it. Before, the
-- first to add a domain held it unproven for as long as it liked, and nobody else, the domain's
-- real owner included, could add it.
alter table organization_domains drop constraint organization_domains_pkey;
alter table organization_domains add primary key (domain, organization_id);
create unique index organization_domains_proven on organization_domains (domain)
    where status = 'verified';
