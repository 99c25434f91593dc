//! An organization's domains: the one proven in the wizard, and more added and proven here with
//! the same DNS challenge. Once one is verified, sign-ups with it join the organization, and an
//! unmanaged organization on it is merged in.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{DomainState, DomainView, DomainsView};
use crate::accounts::Member;
use crate::core::error::AppError;
use crate::core::secrets;
use crate::core::state::Core;
use crate::core::throttle::{self, Limit};
use crate::domain::DomainName;
use crate::organizations::{self, OrganizationStatus};
use crate::wizard::dns::DnsSettings;
use crate::wizard::{doctor, Finding, Method};

/// DNS checks of added domains per organization: each one asks the domain's nameservers.
const CHECKS_PER_ORGANIZATION: Limit = Limit::new(60, time::Duration::hours(1));

/// The organization's domains, the proven one first, with how many people use each.
pub async fn list(pool: &PgPool, admin: &Member) -> Result<DomainsView, AppError> {
    let rows = sqlx::query!(
        r#"select o.domain as "domain!", 'verified' as "status!", true as "primary!", '' as "token!",
                  (select count(*) from members m where m.organization_id = o.id
                      and m.status <> 'removed' and m.email like '%@' || o.domain) as "people!"
             from organizations o where o.id = $1
           union all
           select d.domain, d.status, false, d.token,
                  (select count(*) from members m where m.organization_id = d.organization_id
                      and m.status <> 'removed' and m.email like '%@' || d.domain)
             from organization_domains d where d.organization_id = $1
           order by 3 desc, 1"#,
        admin.organization_id
    )
    .fetch_all(pool)
    .await?;
    Ok(DomainsView {
        domains: rows
            .into_iter()
            .map(|row| {
                Ok(DomainView {
                    domain: DomainName::display_stored(&row.domain),
                    stored: row.domain.clone(),
                    status: DomainState::stored(&row.status)?,
                    primary: row.primary,
                    txt_name: doctor::txt_name(&row.domain),
                    txt_value: doctor::txt_value(&row.token),
                    people: row.people,
                })
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Whether a managed organization other than `ours` holds `domain`, as its proven domain or a
/// verified added one.
async fn held_elsewhere(
    db: &mut sqlx::PgConnection,
    ours: Uuid,
    domain: &str,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select exists(
             select 1 from organizations where domain = $1 and status = $3 and id <> $2
             union all
             select 1 from organization_domains where domain = $1 and status = 'verified'
                and organization_id <> $2) as "held!""#,
        domain,
        ours,
        OrganizationStatus::Managed.as_str()
    )
    .fetch_one(&mut *db)
    .await?)
}

/// Adds a domain to prove; adding one already listed changes nothing.
pub async fn add(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    domain: &DomainName,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let organization = organizations::service::lock(&mut tx, admin.organization_id).await?;
    if organization.domain == domain.as_str() {
        return Ok(());
    }
    if held_elsewhere(&mut tx, admin.organization_id, domain.as_str()).await? {
        return Err(AppError::DomainOwnedElsewhere);
    }
    // Other organizations may be trying to prove it too: an unproven claim holds nothing, and
    // whoever proves it first holds it.
    let added = sqlx::query!(
        "insert into organization_domains (domain, organization_id, token, created_at)
         values ($1, $2, $3, $4) on conflict (domain, organization_id) do nothing",
        domain.as_str(),
        admin.organization_id,
        secrets::short_token(),
        now
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(());
    }
    admin
        .audit_and_commit(
            tx,
            "domain.added",
            json!({ "domain": domain.as_str() }),
            now,
        )
        .await?;
    Ok(())
}

/// Looks the domain's challenge up in DNS. Verified, it joins the organization, and the
/// members of an unmanaged organization on it move here; returns what was found and how many
/// people joined.
pub async fn verify(
    core: &Core,
    dns: &DnsSettings,
    admin: &Member,
    domain: &str,
) -> Result<(Finding, i64), AppError> {
    let now = core.now();
    throttle::hit(
        &core.pool,
        &format!("domain-check:organization:{}", admin.organization_id),
        CHECKS_PER_ORGANIZATION,
        now,
    )
    .await?;
    let token = sqlx::query_scalar!(
        "select token from organization_domains where domain = $1 and organization_id = $2",
        domain,
        admin.organization_id
    )
    .fetch_optional(&core.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let (finding, answers) = doctor::check(dns, Method::Txt, domain, &token).await;
    let verified = matches!(finding, Finding::Verified { .. });
    let mut tx = core.pool.begin().await?;
    organizations::service::lock(&mut tx, admin.organization_id).await?;
    // Organizations proving the same domain at once take turns here, so the second finds it
    // held by the first.
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('domain:' || $1, 0))",
        domain
    )
    .execute(&mut *tx)
    .await?;
    if verified && held_elsewhere(&mut tx, admin.organization_id, domain).await? {
        return Err(AppError::DomainOwnedElsewhere);
    }
    let status = if verified {
        DomainState::Verified
    } else {
        DomainState::Failed
    };
    sqlx::query!(
        "update organization_domains set status = $3, last_checked_at = $4,
                verified_at = case when $3 = 'verified' then coalesce(verified_at, $4) else verified_at end
          where domain = $1 and organization_id = $2 and status <> 'verified'",
        domain,
        admin.organization_id,
        status.as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    let joined = if verified {
        sqlx::query!(
            "delete from organization_domains
              where domain = $1 and organization_id <> $2 and status <> 'verified'",
            domain,
            admin.organization_id
        )
        .execute(&mut *tx)
        .await?;
        merge_unmanaged(&mut tx, admin.organization_id, domain, now).await?
    } else {
        0
    };
    admin
        .audit_and_commit(
            tx,
            if verified {
                "domain.verified"
            } else {
                "domain.check"
            },
            json!({ "domain": domain, "joined": joined, "answers": answers }),
            now,
        )
        .await?;
    Ok((finding, joined))
}

/// Moves the members (and their meetings) of the unmanaged organization on `domain` into
/// `organization_id`, unlicensed, their settings kept; open wizards there end. Returns how many.
/// That organization is locked first, as the wizard's upgrade locks it: one that became managed
/// meanwhile holds the domain, and the proof here fails.
async fn merge_unmanaged(
    tx: &mut sqlx::PgConnection,
    organization_id: Uuid,
    domain: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let Some(found) = sqlx::query!(
        "select id, status from organizations where domain = $1 and id <> $2 for update",
        domain,
        organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(0);
    };
    if OrganizationStatus::stored(&found.status)? != OrganizationStatus::Unmanaged {
        return Err(AppError::DomainOwnedElsewhere);
    }
    let unmanaged = found.id;
    sqlx::query!(
        "update wizards set state = 'superseded', updated_at = $2
          where organization_id = $1 and state not in ('completed', 'abandoned', 'superseded')",
        unmanaged,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update meetings set organization_id = $2 where organization_id = $1",
        unmanaged,
        organization_id
    )
    .execute(&mut *tx)
    .await?;
    let moved = sqlx::query!(
        "update members set organization_id = $2, role = 'member' where organization_id = $1",
        unmanaged,
        organization_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(i64::try_from(moved).unwrap_or(i64::MAX))
}

/// Removes an added domain nobody uses; the proven one stays.
pub async fn remove(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    domain: &str,
) -> Result<(), AppError> {
    let listed = list(pool, admin).await?;
    let Some(found) = listed.domains.iter().find(|found| found.stored == domain) else {
        return Ok(());
    };
    if found.primary {
        return Err(AppError::Forbidden);
    }
    if found.people > 0 {
        return Err(AppError::DomainInUse {
            people: found.people,
        });
    }
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "delete from organization_domains where domain = $1 and organization_id = $2",
        domain,
        admin.organization_id
    )
    .execute(&mut *tx)
    .await?;
    admin
        .audit_and_commit(tx, "domain.removed", json!({ "domain": domain }), now)
        .await?;
    Ok(())
}
