//! The admin center's server functions: the home for any admin, the audit log for global admins.

use leptos::prelude::*;

use super::{AuditLog, Overview};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{service, AuditFilter},
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
        service::audit_log(&core.pool, &admin, &filter, before, service::PAGE_SIZE).await
    })
    .await
}
