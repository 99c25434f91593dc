//! The Meetings page: the participant limit, personal meeting settings, and Upgrade.

use leptos::prelude::*;

use super::{LimitReason, Lobby, MeetingsOverview, SaveMeetingSettings};
use crate::accounts::MemberContext;
use crate::components::{ErrorText, Page};
use crate::i18n::*;
use crate::pages::BecomeAdmin;
use crate::wizard::Entry;

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let MemberContext(member) = expect_context::<MemberContext>();
    let save = ServerAction::<SaveMeetingSettings>::new();
    // Waits for the member rather than reading them in the source: on the server the member may
    // not be loaded yet when this resource starts.
    let overview = Resource::new(
        move || save.version().get(),
        move |_| async move {
            match member.await {
                Ok(Some(_)) => super::meetings_overview().await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, apps.meetings.name).to_string())>
            <p>{t!(i18n, meetings.free_plan)}</p>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(overview)) => view! { <Overview overview save /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    }
                })}
            </Transition>
            <section class="card">
                <p>{t!(i18n, meetings.upgrade_brings)}</p>
                <BecomeAdmin
                    entry=Entry::MeetingsUpgrade
                    label=Signal::derive(move || t_string!(i18n, meetings.upgrade).to_string())
                />
            </section>
        </Page>
    }
}

#[component]
fn Overview(overview: MeetingsOverview, save: ServerAction<SaveMeetingSettings>) -> impl IntoView {
    let i18n = use_i18n();
    let limit = overview.participant_limit;
    let settings = overview.settings.clone();
    let selected = move |lobby: Lobby| settings.lobby == lobby;
    view! {
        <section class="card" aria-labelledby="limit-heading">
            <h2 id="limit-heading">{t!(i18n, meetings.limit, count = move || limit)}</h2>
            <p>
                {match overview.reason.clone() {
                    LimitReason::FreeNew { days_left } => t!(i18n, meetings.reason_new, days = move || days_left).into_any(),
                    LimitReason::FreeLater => t!(i18n, meetings.reason_later).into_any(),
                    LimitReason::Plan { name } => t!(i18n, meetings.reason_plan, plan = move || name.clone()).into_any(),
                }}
            </p>
        </section>
        <ActionForm action=save attr:class="card">
            <h2>{t!(i18n, meetings.settings)}</h2>
            <div class="field">
                <label for="lobby">{t!(i18n, meetings.lobby)}</label>
                <select id="lobby" name="lobby">
                    <option value="everyone" selected=selected(Lobby::Everyone)>{t!(i18n, meetings.lobby_everyone)}</option>
                    <option value="outside_organization" selected=selected(Lobby::OutsideOrganization)>{t!(i18n, meetings.lobby_outside)}</option>
                    <option value="nobody" selected=selected(Lobby::Nobody)>{t!(i18n, meetings.lobby_nobody)}</option>
                </select>
            </div>
            <div class="field">
                <label>
                    <input type="checkbox" name="muted_on_entry" value="on" checked=overview.settings.muted_on_entry />
                    " " {t!(i18n, meetings.muted)}
                </label>
            </div>
            <div class="field">
                <label for="room_name">{t!(i18n, meetings.room_name)}</label>
                <input id="room_name" name="room_name" maxlength="60" value=overview.settings.room_name.clone() />
            </div>
            <div role="status" aria-live="polite">
                {move || match save.value().get() {
                    Some(Ok(())) => Some(view! { <p class="success">{t!(i18n, meetings.saved)}</p> }.into_any()),
                    Some(Err(error)) => Some(view! { <p class="error"><ErrorText error /></p> }.into_any()),
                    None => None,
                }}
            </div>
            <button type="submit">{t!(i18n, meetings.save)}</button>
        </ActionForm>
    }
}
