//! The admin center's server functions: the home for any admin, the audit log and policies for
//! global admins.

// The policies form sends one argument per field, in the browser's call as on the server.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::{AuditLog, DomainCheck, DomainsView, EveryoneElse, Overview, PoliciesView};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{events, policy_changes, service, AuditFilter},
    crate::core::api::serve,
    crate::organizations::{Admin, AnyAdmin},
};

/// Counts, the sign-in chart and the latest events of the admin's organization.
#[server(name = LoadOverview, prefix = "/api", endpoint = "admin_overview")]
pub async fn admin_overview() -> Result<Overview, AppError> {
    serve(|core, admin: AnyAdmin| async move {
        service::overview(&core.pool, core.now(), &admin).await
    })
    .await
}

/// One page of the audit log, filtered as the page's address says.
#[server(name = LoadAuditLog, prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log(
    #[server(default)] person: String,
    #[server(default)] kind: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] before: String,
) -> Result<AuditLog, AppError> {
    serve(|core, admin: Admin| async move {
        let filter = AuditFilter {
            person,
            kind,
            from,
            to,
        };
        let before = before.trim().parse::<i64>().ok();
        events::page(&core.pool, &admin, &filter, before, events::PAGE_SIZE).await
    })
    .await
}

/// The organization's policies.
#[server(name = LoadPolicies, prefix = "/api", endpoint = "policies")]
pub async fn policies() -> Result<PoliciesView, AppError> {
    serve(|core, admin: Admin| async move { policy_changes::policies(&core.pool, &admin).await })
        .await
}

/// Saves the policies form. Checkboxes send a value only when ticked; an empty number means "no
/// limit of the organization's own".
#[server(prefix = "/api", endpoint = "save_policies")]
pub async fn save_policies(
    #[server(default)] admins_add_people: Option<String>,
    #[server(default)] guests_allowed: Option<String>,
    default_lobby: String,
    #[server(default)] max_participants: String,
    password_min_length: String,
    session_idle_minutes: String,
    session_max_hours: String,
    #[server(default)] device_days: String,
) -> Result<(), AppError> {
    use crate::policies::{Lobby, Policies};
    serve(|core, admin: Admin| async move {
        let number = |field: &str, value: &str| {
            value
                .trim()
                .parse::<i32>()
                .map_err(|_| AppError::PolicyOutOfBounds {
                    field: field.to_owned(),
                    min: 1,
                    max: i32::MAX,
                })
        };
        let optional = |field: &str, value: &str| {
            (!value.trim().is_empty())
                .then(|| number(field, value))
                .transpose()
        };
        let policies = Policies {
            admins_add_people: admins_add_people.is_some_and(|value| !value.is_empty()),
            guests_allowed: guests_allowed.is_some_and(|value| !value.is_empty()),
            default_lobby: Lobby::parse(&default_lobby).ok_or(AppError::NotFound)?,
            max_participants: optional("max_participants", &max_participants)?,
            password_min_length: number("password_min_length", &password_min_length)?,
            session_idle_minutes: number("session_idle_minutes", &session_idle_minutes)?,
            session_max_hours: number("session_max_hours", &session_max_hours)?,
            device_days: optional("device_days", &device_days)?,
        };
        policy_changes::save_policies(&core.pool, core.now(), &admin, &policies).await
    })
    .await
}

/// Signs everyone else in the organization out, or has them choose a new password at their next
/// sign-in, now.
#[server(prefix = "/api", endpoint = "everyone_else")]
pub async fn apply_to_everyone_else(what: EveryoneElse) -> Result<u64, AppError> {
    serve(|core, admin: Admin| async move {
        policy_changes::apply_to_everyone_else(&core.pool, core.now(), &admin, what).await
    })
    .await
}

/// The organization's domains.
#[server(name = LoadDomains, prefix = "/api", endpoint = "domains")]
pub async fn domains() -> Result<DomainsView, AppError> {
    serve(|core, admin: Admin| async move { super::domains::list(&core.pool, &admin).await }).await
}

/// Adds a domain to prove.
#[server(prefix = "/api", endpoint = "add_domain")]
pub async fn add_domain(domain: String) -> Result<(), AppError> {
    use crate::domain::DomainName;
    serve(|core, admin: Admin| async move {
        let domain = DomainName::parse(&domain).map_err(AppError::Invalid)?;
        if domain.is_public_suffix() {
            return Err(AppError::Invalid(crate::domain::Invalid::PublicSuffix));
        }
        if domain.is_consumer_mail() {
            return Err(AppError::Invalid(crate::domain::Invalid::ConsumerDomain));
        }
        super::domains::add(&core.pool, core.now(), &admin, &domain).await
    })
    .await
}

/// Looks an added domain's record up in DNS; verified, the domain joins the organization.
#[server(prefix = "/api", endpoint = "verify_domain")]
pub async fn verify_domain(domain: String) -> Result<DomainCheck, AppError> {
    let dns = crate::core::state::provided::<crate::wizard::dns::DnsSettings>();
    serve(|core, admin: Admin| async move {
        let dns = dns?;
        let (finding, joined) = super::domains::verify(&core, &dns, &admin, domain.trim()).await?;
        Ok(DomainCheck { finding, joined })
    })
    .await
}

/// Removes an added domain nobody uses.
#[server(prefix = "/api", endpoint = "remove_domain")]
pub async fn remove_domain(domain: String) -> Result<(), AppError> {
    serve(|core, admin: Admin| async move {
        super::domains::remove(&core.pool, core.now(), &admin, domain.trim()).await
    })
    .await
}
