//! The organization as pages read it.

use leptos::prelude::*;

use super::{my_organization, OrganizationView};
use crate::accounts::MemberContext;
use crate::core::error::AppError;

/// The organization of the signed-in member, loaded when someone is signed in.
pub fn organization_resource() -> Resource<Result<Option<OrganizationView>, AppError>> {
    let MemberContext(member) = expect_context::<MemberContext>();
    Resource::new(
        || (),
        move |()| async move {
            // Waits for the member rather than reading them in the source: on the server the
            // member may not be loaded yet when this resource starts.
            match member.await {
                Ok(Some(_)) => my_organization().await.map(Some),
                _ => Ok(None),
            }
        },
    )
}
