//! The organization as pages read it, and the admin center's navigation by the viewer's role.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{my_organization, AdminPage, OrganizationView, Role};
use crate::accounts::MemberContext;
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

/// The admin center's navigation: its home and the pages the viewer's role opens. A page that
/// has loaded the viewer's role passes it; elsewhere the signed-in member's is awaited.
#[component]
pub fn AdminNav(#[prop(optional)] role: Option<Role>) -> impl IntoView {
    let i18n = use_i18n();
    let links = move |role: Option<Role>| {
        [
            AdminPage::People,
            AdminPage::Licenses,
            AdminPage::Domains,
            AdminPage::Policies,
            AdminPage::Audit,
        ]
        .into_iter()
        .filter(move |page| role.is_some_and(|role| page.open_to(role)))
        .map(move |page| {
            let label = match page {
                AdminPage::People | AdminPage::Contact => t!(i18n, people.title).into_any(),
                AdminPage::Licenses | AdminPage::Invoices => t!(i18n, licensing.title).into_any(),
                AdminPage::Domains => t!(i18n, domains.title).into_any(),
                AdminPage::Policies => t!(i18n, policies.title).into_any(),
                AdminPage::Audit => t!(i18n, audit.title).into_any(),
            };
            view! { <A href=page.path()>{label}</A> }
        })
        .collect_view()
    };
    let MemberContext(member) = expect_context::<MemberContext>();
    view! {
        <nav class="admin-nav" aria-label=move || t_string!(i18n, admin_center.navigation).to_string()>
            <A href="/admin">{t!(i18n, admin_center.home)}</A>
            {match role {
                Some(role) => links(Some(role)).into_any(),
                None => view! {
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            links(member.await.ok().flatten().map(|member| member.role))
                        })}
                    </Transition>
                }.into_any(),
            }}
        </nav>
    }
}
