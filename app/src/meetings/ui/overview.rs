//! The Meetings page: your meetings and a new one, the participant limit, personal meeting
//! settings, and Upgrade.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::JoinByCode;
use crate::accounts::MemberContext;
use crate::components::{translated, Changes, ErrorText, Loaded, LocalTime, Page};
use crate::i18n::*;
use crate::meetings::{
    CreateMeeting, LimitReason, Lobby, MeetingSummary, MeetingsOverview, OpenPersonalRoom,
    SaveMeetingSettings,
};
use crate::wizard::{BecomeAdmin, Entry};

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let MemberContext(member) = expect_context::<MemberContext>();
    let save = ServerAction::<SaveMeetingSettings>::new();
    let saved = Changes::new().follow(save.value());
    // Waits for the member rather than reading them in the source: on the server the member may
    // not be loaded yet when this resource starts.
    let overview = Resource::new(
        move || saved.count(),
        move |_| async move {
            match member.await {
                Ok(Some(_)) => crate::meetings::meetings_overview().await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Page title=translated!(i18n, apps.meetings.name)>
            <Loaded resource=overview show={move |overview: Option<MeetingsOverview>| {
                // A licensed member has left the free plan behind: neither it nor the way out
                // of it is worth their attention.
                let free = !overview
                    .as_ref()
                    .is_some_and(|overview| matches!(overview.reason, LimitReason::Plan { .. }));
                // Upgrade is the way out while nobody administers the organization; once someone
                // does, a license comes from them.
                let can_upgrade = overview.as_ref().is_none_or(|overview| overview.can_upgrade);
                view! {
                    {free.then(|| view! { <p>{t!(i18n, meetings.free_plan)}</p> })}
                    {overview.map(|overview| view! {
                        <PersonalRoom />
                        <NewMeeting />
                        <JoinByCode />
                        <MyMeetings />
                        <Overview overview save />
                    })}
                    {(free && can_upgrade).then(|| view! {
                        <section class="card">
                            <p>{t!(i18n, meetings.upgrade_brings)}</p>
                            <BecomeAdmin
                                entry=Entry::MeetingsUpgrade
                                label=translated!(i18n, meetings.upgrade)
                            />
                        </section>
                    })}
                    {(free && !can_upgrade).then(|| view! {
                        <p class="card">{t!(i18n, meetings.ask_for_license)}</p>
                    })}
                }
            }} />
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
                {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="success">{t!(i18n, meetings.saved)}</p> })}
            </div>
            {move || save.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="error"><ErrorText error /></p>
            })}
            <button type="submit">{t!(i18n, meetings.save)}</button>
        </ActionForm>
    }
}

/// Creates a meeting and opens its page.
#[component]
fn NewMeeting() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateMeeting>::new();
    // The browser's offset from UTC, so the time entered is the time meant. Without the page's
    // script the time is taken as UTC, which the form says.
    let offset = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        offset.set(
            leptos::web_sys::js_sys::Date::new_0()
                .get_timezone_offset()
                .to_string(),
        );
    });
    Effect::new(move |_| {
        if let Some(Ok(code)) = create.value().get() {
            use_navigate()(&format!("/meet/{code}"), Default::default());
        }
    });
    view! {
        <ActionForm action=create attr:class="card" attr:aria-labelledby="new-meeting">
            <h2 id="new-meeting">{t!(i18n, meetings.new)}</h2>
            <div class="field">
                <label for="meeting-title">{t!(i18n, meetings.meeting_title)}</label>
                <input id="meeting-title" name="title" maxlength="120" required />
            </div>
            <div class="field">
                <label for="meeting-start">{t!(i18n, meetings.starts_at)}</label>
                <input id="meeting-start" name="starts_at" type="datetime-local" required />
                <input type="hidden" name="utc_offset_minutes" prop:value=move || offset.get() />
            </div>
            <div class="field">
                <label>
                    <input type="checkbox" name="allow_guests" value="on" />
                    " " {t!(i18n, meetings.allow_guests)}
                </label>
            </div>
            {move || create.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="error"><ErrorText error /></p>
            })}
            <button type="submit">{t!(i18n, meetings.create)}</button>
        </ActionForm>
    }
}

/// The meetings the member organizes, with their links and who is in them now.
#[component]
fn MyMeetings() -> impl IntoView {
    let i18n = use_i18n();
    let meetings = Resource::new(|| (), |_| crate::meetings::my_meetings());
    view! {
        <section class="card" aria-labelledby="my-meetings">
            <h2 id="my-meetings">{t!(i18n, meetings.yours)}</h2>
            <Loaded resource=meetings show={move |list: Vec<MeetingSummary>| {
                if list.is_empty() {
                    return view! { <p>{t!(i18n, meetings.none)}</p> }.into_any();
                }
                view! {
                    <ul class="meetings">
                        {list.into_iter().map(|meeting| view! { <MeetingItem meeting /> }).collect_view()}
                    </ul>
                }.into_any()
            }} />
        </section>
    }
}

#[component]
fn MeetingItem(meeting: MeetingSummary) -> impl IntoView {
    let i18n = use_i18n();
    let present = meeting.present;
    view! {
        <li>
            <a href=format!("/meet/{}", meeting.code)>{meeting.title.clone()}</a>
            " · " <LocalTime utc=meeting.starts_at.clone() />
            " · " {t!(i18n, meetings.present, count = move || present)}
        </li>
    }
}

/// The member's standing room, named in their settings.
#[component]
fn PersonalRoom() -> impl IntoView {
    let i18n = use_i18n();
    let open = ServerAction::<OpenPersonalRoom>::new();
    Effect::new(move |_| {
        if let Some(Ok(code)) = open.value().get() {
            use_navigate()(&format!("/meet/{code}"), Default::default());
        }
    });
    view! {
        <ActionForm action=open attr:class="card" attr:aria-labelledby="personal-room">
            <h2 id="personal-room">{t!(i18n, meetings.personal_room)}</h2>
            <p>{t!(i18n, meetings.personal_room_explain)}</p>
            {move || open.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="error"><ErrorText error /></p>
            })}
            <button type="submit">{t!(i18n, meetings.open_personal_room)}</button>
        </ActionForm>
    }
}
