//! The organizations' server functions.

use leptos::prelude::*;

use super::OrganizationView;
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {crate::accounts::Member, crate::core::api::serve};

/// The signed-in member's organization: its state, how many people have signed up on it, and
/// the member's role in it.
#[server(prefix = "/api", endpoint = "my_organization")]
pub async fn my_organization() -> Result<OrganizationView, AppError> {
    serve(|core, member: Member| async move { super::service::view(&core.pool, &member).await })
        .await
}
