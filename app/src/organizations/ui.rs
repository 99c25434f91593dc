//! The organization as pages read it.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{my_organization, OrganizationView};
use crate::accounts::MemberContext;
use crate::components::{ErrorText, SignInToContinue};
use crate::core::error::AppError;
use crate::i18n::*;

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

/// An admin center page's content, for the organization's admins. Anyone else reads what applies
/// to them instead of forms the server would refuse: whom to ask, how to become the admin, or to
/// sign in.
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let organization = organization_resource();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match organization.await {
                        Ok(Some(organization)) if organization.administered_by_viewer() => {
                            children().into_any()
                        }
                        Ok(Some(organization)) if organization.managed() => {
                            let error = AppError::OrganizationManaged { admin: organization.admin };
                            view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any()
                        }
                        Ok(Some(_)) => view! {
                            <p>{t!(i18n, organization.unmanaged)}</p>
                            <p><A href="/admin">{t!(i18n, admin.become_title)}</A></p>
                        }
                        .into_any(),
                        Ok(None) => view! { <p><SignInToContinue /></p> }.into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
