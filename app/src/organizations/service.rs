//! Organization status and roles, read from the database once and used as enums everywhere.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{OrganizationStatus, OrganizationView, Role};
use crate::accounts::Member;
use crate::core::api::Guard;
use crate::core::audit;
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::domain::DomainName;

/// Declares a guard for server functions that only members holding a role with `$allowed` may
/// call (only a managed organization has admins): others get 403.
macro_rules! admin_guard {
    ($(#[$doc:meta])* $name:ident, $allowed:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(Member);

        impl std::ops::Deref for $name {
            type Target = Member;

            fn deref(&self) -> &Member {
                &self.0
            }
        }

        impl Guard for $name {
            async fn check(core: &Core) -> Result<Self, AppError> {
                let member = Member::check(core).await?;
                let allowed: fn(Role) -> bool = $allowed;
                if allowed(member.role) {
                    Ok($name(member))
                } else {
                    Err(AppError::Forbidden)
                }
            }
        }
    };
}

admin_guard!(
    /// A global admin: everything.
    Admin,
    Role::is_global_admin
);
admin_guard!(
    /// A global or user admin: people.
    UserAdmin,
    Role::manages_people
);
admin_guard!(
    /// Any admin role: the admin center's home.
    AnyAdmin,
    Role::is_admin
);
admin_guard!(
    /// A global or billing admin: licenses, orders, invoices.
    BillingAdmin,
    Role::manages_billing
);

/// The member signed in on a request outside Leptos (a download), when their role passes
/// `allowed`: 401 when signed out, 403 without the role.
pub async fn admin_of(
    core: &Core,
    headers: &http::HeaderMap,
    allowed: impl FnOnce(Role) -> bool,
) -> Result<Member, AppError> {
    let member = crate::accounts::member_of(core, headers)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if allowed(member.role) {
        Ok(member)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the organization is managed.
pub async fn status(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
) -> Result<OrganizationStatus, AppError> {
    let status = sqlx::query_scalar!(
        "select status from organizations where id = $1",
        organization_id
    )
    .fetch_one(db)
    .await?;
    OrganizationStatus::stored(&status)
}

/// An organization locked for the rest of the transaction.
#[derive(Debug)]
pub struct Locked {
    /// As stored (ASCII, punycode for IDNs).
    pub domain: String,
    pub status: OrganizationStatus,
}

/// Locks the organization's row until the transaction ends: of two members changing who
/// administers it at once, one waits for the other and then sees its outcome.
pub async fn lock(tx: &mut PgConnection, organization_id: Uuid) -> Result<Locked, AppError> {
    let row = sqlx::query!(
        "select domain, status from organizations where id = $1 for update",
        organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(Locked {
        domain: row.domain,
        status: OrganizationStatus::stored(&row.status)?,
    })
}

/// Locks an organization that must still be unmanaged; a managed one is refused, naming its
/// admin. Returns the stored domain.
pub async fn lock_unmanaged(
    tx: &mut PgConnection,
    organization_id: Uuid,
) -> Result<String, AppError> {
    let locked = lock(tx, organization_id).await?;
    if locked.status == OrganizationStatus::Managed {
        return Err(already_managed(tx, organization_id).await);
    }
    Ok(locked.domain)
}

/// The error for an organization that already has an admin, naming them.
pub async fn already_managed(db: &mut PgConnection, organization_id: Uuid) -> AppError {
    let admin = sqlx::query_scalar!(
        "select display_name from members where organization_id = $1 and role = $2
          order by created_at limit 1",
        organization_id,
        Role::GlobalAdmin.as_str()
    )
    .fetch_optional(&mut *db)
    .await
    .ok()
    .flatten();
    AppError::OrganizationManaged { admin }
}

/// Makes a locked, unmanaged organization managed with `admin` its global admin, audited.
pub async fn make_managed(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    organization_id: Uuid,
    admin: Uuid,
) -> Result<(), AppError> {
    sqlx::query!(
        "update organizations set status = $2 where id = $1",
        organization_id,
        OrganizationStatus::Managed.as_str()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update members set role = $2 where id = $1 and organization_id = $3",
        admin,
        Role::GlobalAdmin.as_str(),
        organization_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        organization_id,
        Some(admin),
        "organization.managed",
        json!({ "admin": admin }),
        now,
    )
    .await
}

/// The member's organization as its pages show it.
pub async fn view(db: impl PgExecutor<'_>, member: &Member) -> Result<OrganizationView, AppError> {
    let row = sqlx::query!(
        r#"select o.domain, o.status, m.role,
                  (select count(*) from members c where c.organization_id = o.id) as "member_count!",
                  (select a.display_name || ' (' || a.email || ')' from members a
                    where a.organization_id = o.id and a.role = $3 and a.status = 'active'
                    order by a.created_at limit 1) as admin
             from organizations o join members m on m.organization_id = o.id
            where o.id = $1 and m.id = $2"#,
        member.organization_id,
        member.id,
        Role::GlobalAdmin.as_str()
    )
    .fetch_one(db)
    .await?;
    Ok(OrganizationView {
        domain: DomainName::display_stored(&row.domain),
        status: OrganizationStatus::stored(&row.status)?,
        member_count: row.member_count,
        role: Role::stored(&row.role)?,
        admin: row.admin,
    })
}

/// The organization's verified domains, as stored: the one proven in the wizard first, then
/// those added and proven in the admin center.
pub async fn verified_domains(
    db: &mut PgConnection,
    organization_id: Uuid,
) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select domain as "domain!" from organizations where id = $1
           union all
           select domain from organization_domains where organization_id = $1 and status = 'verified'"#,
        organization_id
    )
    .fetch_all(&mut *db)
    .await?)
}
