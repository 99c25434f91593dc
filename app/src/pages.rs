//! The app launcher and the landing page of each app.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::Page;
use crate::i18n::*;
use crate::status::DatabaseStatusCard;

/// The home page: one tile per app.
#[component]
pub fn LauncherPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, launcher.title).to_string())>
            <p class="lead">{t!(i18n, launcher.lead)}</p>
            <ul class="launcher" aria-label=move || t_string!(i18n, launcher.apps).to_string()>
                <li>
                    <A href="/meetings" attr:class="tile">
                        <span class="tile-name">{t!(i18n, apps.meetings.name)}</span>
                        <span class="tile-text">{t!(i18n, apps.meetings.tagline)}</span>
                    </A>
                </li>
                <li>
                    <A href="/admin" attr:class="tile">
                        <span class="tile-name">{t!(i18n, apps.admin.name)}</span>
                        <span class="tile-text">{t!(i18n, apps.admin.tagline)}</span>
                    </A>
                </li>
                <li>
                    <A href="/settings" attr:class="tile">
                        <span class="tile-name">{t!(i18n, apps.settings.name)}</span>
                        <span class="tile-text">{t!(i18n, apps.settings.tagline)}</span>
                    </A>
                </li>
            </ul>
        </Page>
    }
}

/// Meetings: what the free service offers.
#[component]
pub fn MeetingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, apps.meetings.name).to_string())>
            <p>{t!(i18n, meetings.free_plan)}</p>
            <p>{t!(i18n, meetings.upgrade_brings)}</p>
        </Page>
    }
}

/// Admin: how a member becomes the admin of their organization.
#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, admin.become_title).to_string())>
            <p>{t!(i18n, admin.why)}</p>
            <ol class="steps">
                <li>{t!(i18n, admin.step_sign_up)}</li>
                <li>{t!(i18n, admin.step_wizard)}</li>
                <li>{t!(i18n, admin.step_domain)}</li>
                <li>{t!(i18n, admin.step_licenses)}</li>
            </ol>
        </Page>
    }
}

/// Settings: where the language is chosen, and a check of the service's connection.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, apps.settings.name).to_string())>
            <p>{t!(i18n, settings.language_explain)}</p>
            <DatabaseStatusCard />
        </Page>
    }
}
