//! The app launcher and the landing page of each app.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::accounts::MemberContext;
use crate::components::{translated, Page};
use crate::i18n::*;
use crate::organizations::organization_resource;
use crate::status::DatabaseStatusCard;

/// The home page: one tile per app.
#[component]
pub fn LauncherPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=translated!(i18n, launcher.title)>
            <p class="lead">{t!(i18n, launcher.lead)}</p>
            <OrganizationCard />
            <ul class="launcher" aria-label=move || t_string!(i18n, launcher.apps).to_string()>
                <Tile href="/meetings" name=translated!(i18n, apps.meetings.name) text=translated!(i18n, apps.meetings.tagline) />
                <Tile href="/admin" name=translated!(i18n, apps.admin.name) text=translated!(i18n, apps.admin.tagline) />
                <Tile href="/settings" name=translated!(i18n, apps.settings.name) text=translated!(i18n, apps.settings.tagline) />
            </ul>
        </Page>
    }
}

/// One app in the launcher: a link named for the app alone, described by its tagline.
#[component]
fn Tile(href: &'static str, name: Signal<String>, text: Signal<String>) -> impl IntoView {
    let app = href.trim_start_matches('/');
    let (name_id, tagline_id) = (format!("{app}-name"), format!("{app}-tagline"));
    let (labelled_by, described_by) = (name_id.clone(), tagline_id.clone());
    view! {
        <li>
            <A href=href attr:class="tile" attr:aria-labelledby=labelled_by attr:aria-describedby=described_by>
                <span class="tile-name" id=name_id>{name}</span>
                <span class="tile-text" id=tagline_id>{text}</span>
            </A>
        </li>
    }
}

/// The signed-in member's organization: its domain, whether it is managed, and how many people
/// have signed up on it. Nothing while signed out.
#[component]
fn OrganizationCard() -> impl IntoView {
    let i18n = use_i18n();
    let MemberContext(member) = expect_context::<MemberContext>();
    let organization = organization_resource();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let email = member.await.ok().flatten().map(|member| member.email);
                let organization = organization.await.ok().flatten();
                email.zip(organization).map(|(email, organization)| {
                    let count = organization.member_count;
                    let managed = organization.managed();
                    view! {
                        <section class="card" aria-labelledby="organization-heading">
                            <h2 id="organization-heading">{organization.domain}</h2>
                            <p>
                                {if managed {
                                    t!(i18n, organization.managed).into_any()
                                } else {
                                    t!(i18n, organization.unmanaged).into_any()
                                }}
                            </p>
                            <p>{t!(i18n, organization.people, count = move || count)}</p>
                            <p class="hint">{t!(i18n, organization.signed_in_as)} " " {email}</p>
                        </section>
                    }
                })
            })}
        </Transition>
    }
}

/// Settings: where the language is chosen, and a check of the service's connection.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=translated!(i18n, apps.settings.name)>
            <p>{t!(i18n, settings.language_explain)}</p>
            <DatabaseStatusCard />
        </Page>
    }
}

/// Moves keyboard focus to the page's content, as the link's own jump would without the router
/// in between, so that the next Tab starts there.
fn skip_to_main(event: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let main = document()
            .get_element_by_id("main")
            .and_then(|main| main.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if let Some(main) = main {
            event.prevent_default();
            let _ = main.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// The top bar: product name, navigation, the language switch and who is signed in. On the
/// launcher its tiles are the navigation, so the bar does not name each app a second time.
#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let on_launcher = move || location.pathname.get() == "/";
    view! {
        <a class="skip-link" href="#main" on:click=skip_to_main>{t!(i18n, shell.skip_to_content)}</a>
        <header class="app-header">
            <A href="/" attr:class="brand">"Tenantry"</A>
            <nav aria-label=move || t_string!(i18n, shell.main_navigation).to_string() hidden=on_launcher>
                <A href="/meetings">{t!(i18n, apps.meetings.name)}</A>
                <A href="/admin">{t!(i18n, apps.admin.name)}</A>
                <A href="/settings">{t!(i18n, apps.settings.name)}</A>
            </nav>
            <crate::components::LanguageSwitch />
            <crate::accounts::AccountMenu />
        </header>
    }
}
