//! The meeting page behind a join link: join or wait in the lobby, see who is there as it
//! changes, admit people, leave.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::accounts::MemberContext;
use crate::components::{
    path_param, translated, Changes, CopyButton, ErrorText, LocalTime, SignInToContinue,
};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::meetings::{
    AdmitParticipant, JoinMeeting, LeaveMeeting, MeetingView, Participant, Roster, Viewer,
};
use crate::wizard::{BecomeAdmin, Entry};

#[component]
pub fn MeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    let code = path_param("code");
    let join = ServerAction::<JoinMeeting>::new();
    let leave = ServerAction::<LeaveMeeting>::new();
    // Loaded again after a join or a leave, not after a refused join, which keeps the name a
    // guest typed beside the reason.
    let changes = Changes::new().follow(join.value()).follow(leave.value());
    // Blocking: the page is sent once the meeting is known, so that its heading and the
    // document's title are the meeting's from the first byte, as the browser then hydrates them.
    let meeting = Resource::new_blocking(
        move || (code.get(), changes.count()),
        |(code, ..)| crate::meetings::meeting(code),
    );
    view! {
        <Transition fallback=move || view! { <h1>{t!(i18n, room.title)}</h1> }>
            {move || Suspend::new(async move {
                let title = match meeting.await {
                    Ok(view) => view.title,
                    Err(_) => t_string!(i18n, room.title).to_string(),
                };
                view! { <Title text=title.clone() /> <h1>{title}</h1> }
            })}
        </Transition>
        <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match meeting.await {
                    Ok(view) => view! { <Room view join leave /> }.into_any(),
                    Err(AppError::NotFound) => {
                        // A meeting for members only looks the same as none to someone signed
                        // out: they may be a member who has not signed in yet, and are asked to.
                        let MemberContext(member) = expect_context::<MemberContext>();
                        if matches!(member.await, Ok(None)) {
                            view! { <p role="alert" class="error"><SignInToContinue /></p> }.into_any()
                        } else {
                            view! { <p role="alert" class="error">{t!(i18n, room.not_found)}</p> }.into_any()
                        }
                    }
                    Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Room(
    view: MeetingView,
    join: ServerAction<JoinMeeting>,
    leave: ServerAction<LeaveMeeting>,
) -> impl IntoView {
    let i18n = use_i18n();
    let admit = ServerAction::<AdmitParticipant>::new();
    let roster = RwSignal::new(view.roster.clone());
    let joined = view.joined.clone();
    let organizer = matches!(view.viewer, Viewer::Organizer { .. });
    // Colleagues follow the meeting from the start, guests once they are in.
    let following = joined.is_some() || !matches!(view.viewer, Viewer::Guest { .. });
    if following {
        follow(view.code.clone(), roster);
    }
    let mine = Memo::new(move |_| {
        joined.as_ref().and_then(|id| {
            roster
                .read()
                .participants
                .iter()
                .find(|person| &person.id == id)
                .cloned()
        })
    });
    let in_lobby = move || mine.read().as_ref().is_some_and(|me| me.waiting);
    let present = move || mine.read().is_some();
    let code = StoredValue::new(view.code.clone());
    let can_upgrade = match view.viewer {
        Viewer::Organizer { can_upgrade } | Viewer::Colleague { can_upgrade } => can_upgrade,
        Viewer::Guest { .. } => false,
    };
    let guest_name = StoredValue::new(match &view.viewer {
        Viewer::Guest { name } => Some(name.clone().unwrap_or_default()),
        _ => None,
    });
    // Who is in is shown to those in the meeting and to colleagues; not to someone in the
    // lobby, nor to a guest before they join (the server does not send it to them).
    let guest = guest_name.with_value(Option::is_some);
    let join_error = move || join.value().get().and_then(Result::err);
    // A full meeting that someone has since left, as the live roster shows it to those who follow it.
    let place_free = move || {
        let roster = roster.read();
        following
            && matches!(join_error(), Some(AppError::MeetingFull { .. }))
            && roster.admitted().count() < usize::try_from(roster.limit).unwrap_or_default()
    };
    let sees_roster = move || !in_lobby() && (present() || !guest);
    view! {
        <section class="card" aria-labelledby="meeting-details">
            <h2 id="meeting-details">{t!(i18n, room.details)}</h2>
            <p>{t!(i18n, room.starts)} " " <LocalTime utc=view.starts_at.clone() /></p>
            <p>{t!(i18n, room.organized_by)} " " {view.organizer.clone()}</p>
            <p>
                {t!(i18n, room.link)} " " <a href=view.link.clone()>{view.link.clone()}</a> " "
                <CopyButton value=view.link.clone() what=translated!(i18n, copy_what.join_link) />
            </p>
            <p>{if view.allow_guests { t!(i18n, room.guests_allowed).into_any() } else { t!(i18n, room.members_only).into_any() }}</p>
        </section>

        <section class="card" aria-labelledby="your-place">
            <h2 id="your-place">{t!(i18n, room.your_place)}</h2>
            <Show
                when=present
                fallback=move || view! {
                        <ActionForm action=join>
                            <input type="hidden" name="code" value=code.get_value() />
                            {guest_name.get_value().map(|name| view! {
                                <div class="field">
                                    <label for="guest-name">{t!(i18n, room.your_name)}</label>
                                    <input id="guest-name" name="name" autocomplete="name" maxlength="100" required value=name />
                                </div>
                            })}
                            <button type="submit">{t!(i18n, room.join)}</button>
                        </ActionForm>
                }
            >
                <p role="status">
                    {move || if in_lobby() { t!(i18n, room.waiting).into_any() } else { t!(i18n, room.in_meeting).into_any() }}
                </p>
                <ActionForm action=leave>
                    <input type="hidden" name="code" value=code.get_value() />
                    <button type="submit" class="secondary">{t!(i18n, room.leave)}</button>
                </ActionForm>
            </Show>
            {move || place_free().then(|| view! { <p role="status">{t!(i18n, room.place_free)}</p> })}
            {move || join_error().filter(|_| !place_free()).map(|error| {
                let full = matches!(error, AppError::MeetingFull { .. });
                view! {
                    <div role="alert" class="error">
                        <p><ErrorText error /></p>
                        {(full && can_upgrade).then(|| view! {
                            <p>{t!(i18n, room.upgrade_raises)}</p>
                            <BecomeAdmin
                                entry=Entry::MeetingsUpgrade
                                label=translated!(i18n, meetings.upgrade)
                            />
                        })}
                        {(full && !can_upgrade).then(|| view! { <p>{t!(i18n, room.ask_organizer)}</p> })}
                    </div>
                }
            })}
        </section>

        <Show when=sees_roster>
        <section class="card" aria-labelledby="people">
            <h2 id="people">
                {move || {
                    let roster = roster.read();
                    let count = roster.admitted().count();
                    let limit = roster.limit;
                    t_string!(i18n, room.participants).replace("[count]", &count.to_string()).replace("[limit]", &limit.to_string())
                }}
            </h2>
            <ul aria-labelledby="people" class="people">
                {move || roster.read().admitted().cloned().map(|person| view! { <Person person /> }).collect_view()}
            </ul>
            <Show when=move || roster.read().waiting().next().is_some()>
                <h3 id="lobby">{t!(i18n, room.lobby)}</h3>
                <ul aria-labelledby="lobby" class="people">
                    {
                        move || roster.read().waiting().cloned().map(|person| {
                            let id = person.id.clone();
                            let name = person.name.clone();
                            let code = code.get_value();
                            view! {
                                <li>
                                    <Person person />
                                    {organizer.then(|| view! {
                                        <ActionForm action=admit attr:class="inline">
                                            <input type="hidden" name="code" value=code />
                                            <input type="hidden" name="participant" value=id />
                                            <button type="submit" aria-label=move || format!("{} {}", t_string!(i18n, room.admit), name)>
                                                {t!(i18n, room.admit)}
                                            </button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()
                    }
                </ul>
            </Show>
            {move || admit.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="error"><ErrorText error /></p>
            })}
        </section>
        </Show>
    }
}

#[component]
fn Person(person: Participant) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="person">
            {person.name.clone()}
            {person.organizer.then(|| view! { " " <small>{t!(i18n, room.organizer)}</small> })}
            {person.guest.then(|| view! { " " <small>{t!(i18n, room.guest)}</small> })}
            {person.muted.then(|| view! { " " <small>{t!(i18n, room.muted)}</small> })}
        </span>
    }
}

/// Follows the meeting's live feed while the page is open: every change of who is there
/// replaces the roster. The open feed is also what keeps the viewer present.
fn follow(code: String, roster: RwSignal<Roster>) {
    #[cfg(feature = "hydrate")]
    {
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;
        use leptos::wasm_bindgen::{closure::Closure, JsCast};
        use send_wrapper::SendWrapper;

        let Ok(mut source) = EventSource::new(&format!("/live/meetings/{code}")) else {
            return;
        };
        let Ok(mut rosters) = source.subscribe("roster") else {
            return;
        };
        leptos::task::spawn_local(async move {
            while let Some(event) = rosters.next().await {
                // An error is a lost connection, which the browser reconnects by itself (to
                // another server, behind a load balancer); the feed goes on after it.
                let Ok((_, message)) = event else {
                    continue;
                };
                let next = message
                    .data()
                    .as_string()
                    .and_then(|text| serde_json::from_str::<Roster>(&text).ok());
                // A roster arriving after the page was left has nowhere to go.
                if next.is_some_and(|next| roster.try_set(next).is_some()) {
                    break;
                }
            }
        });
        // Closing the tab frees the place a heartbeat later rather than after the presence
        // timeout, unless another page of the same person keeps it. A beacon is the one request
        // a browser still sends while the page goes away.
        let on_leave = Closure::<dyn FnMut()>::new({
            let code = code.clone();
            move || {
                if let Ok(body) = web_sys::UrlSearchParams::new_with_str(&format!("code={code}")) {
                    let _ = window().navigator().send_beacon_with_opt_url_search_params(
                        "/api/meeting_page_closed",
                        Some(&body),
                    );
                }
            }
        });
        let _ = window()
            .add_event_listener_with_callback("pagehide", on_leave.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, on_leave));
        on_cleanup(move || {
            let (source, on_leave) = held.take();
            source.close();
            let _ = window()
                .remove_event_listener_with_callback("pagehide", on_leave.as_ref().unchecked_ref());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (code, roster);
}
