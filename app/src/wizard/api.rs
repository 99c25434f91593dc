//! The wizard's server functions.

use leptos::prelude::*;

use super::{CheckOutcome, Method, WizardView};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::dns::DnsSettings,
    super::{service, Entry},
    crate::accounts::Member,
    crate::core::api::serve,
    crate::core::state::provided,
};

/// Starts the wizard (or resumes the member's open one) and opens its page.
#[server(prefix = "/api", endpoint = "start_wizard")]
pub async fn start_wizard(entry: String) -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        let entry = Entry::parse(&entry).ok_or(AppError::NotFound)?;
        service::start(&core.pool, core.now(), &member, entry).await?;
        leptos_axum::redirect("/admin/wizard");
        Ok(())
    })
    .await
}

/// The signed-in member's open wizard, if any.
#[server(prefix = "/api", endpoint = "current_wizard")]
pub async fn current_wizard() -> Result<Option<WizardView>, AppError> {
    serve(|core, member: Member| async move {
            service::current(&core.pool, core.now(), &member).await
    })
    .await
}

/// Looks the challenge up in DNS now and says what was found.
#[server(prefix = "/api", endpoint = "check_domain")]
pub async fn check_domain(method: Method) -> Result<CheckOutcome, AppError> {
    let dns = provided::<DnsSettings>();
    serve(|core, member: Member| async move {
        service::check(&core.pool, &dns?, core.now(), &member, method).await
    })
    .await
}

/// Replaces an expired challenge with a new one.
#[server(prefix = "/api", endpoint = "renew_challenge")]
pub async fn renew_challenge() -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        service::renew_challenge(&core.pool, core.now(), &member).await
    })
    .await
}

/// Stops the member's open wizard.
#[server(prefix = "/api", endpoint = "abandon_wizard")]
pub async fn abandon_wizard() -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        service::abandon(&core.pool, core.now(), &member).await?;
        leptos_axum::redirect("/admin");
        Ok(())
    })
    .await
}
