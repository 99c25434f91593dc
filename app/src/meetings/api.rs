//! The meetings' server functions.

use leptos::prelude::*;

use super::{MeetingSummary, MeetingView, MeetingsOverview};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::leaving,
    super::participants::{self, Who},
    super::{settings, store, Lobby, MeetingSettings},
    crate::accounts::Member,
    crate::core::api::serve,
};

/// The member's participant limit and settings.
#[server(name = LoadMeetingsOverview, prefix = "/api", endpoint = "meetings_overview")]
pub async fn meetings_overview() -> Result<MeetingsOverview, AppError> {
    serve(|core, member: Member| async move {
        settings::overview(&core.pool, core.now(), &member).await
    })
    .await
}

/// Saves the member's personal meeting settings.
#[server(prefix = "/api", endpoint = "save_meeting_settings")]
pub async fn save_meeting_settings(
    lobby: String,
    #[server(default)] muted_on_entry: Option<String>,
    room_name: String,
) -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        let settings = MeetingSettings {
            lobby: Lobby::parse(&lobby).ok_or(AppError::NotFound)?,
            muted_on_entry: muted_on_entry.is_some(),
            room_name: room_name.trim().chars().take(60).collect(),
        };
        settings::save(&core.pool, core.now(), &member, &settings).await
    })
    .await
}

/// The member's meetings, soonest first.
#[server(name = LoadMyMeetings, prefix = "/api", endpoint = "my_meetings")]
pub async fn my_meetings() -> Result<Vec<MeetingSummary>, AppError> {
    serve(|core, member: Member| async move { store::list(&core.pool, core.now(), &member).await })
        .await
}

/// Creates a meeting and returns its code, the last part of its join link.
///
/// `starts_at` is the browser's `datetime-local` value; `utc_offset_minutes` is the browser's
/// `Date.getTimezoneOffset()`, absent when the page is not running its script (then UTC).
#[server(prefix = "/api", endpoint = "create_meeting")]
pub async fn create_meeting(
    title: String,
    starts_at: String,
    #[server(default)] utc_offset_minutes: Option<String>,
    #[server(default)] allow_guests: Option<String>,
) -> Result<String, AppError> {
    serve(|core, member: Member| async move {
        let new = store::NewMeeting::parse(
            &title,
            &starts_at,
            utc_offset_minutes.as_deref(),
            allow_guests.is_some(),
            core.now(),
        )?;
        store::create(&core.pool, core.now(), &member, &new).await
    })
    .await
}

/// Opens the member's personal room, made on first use, and returns its code. Its title is the
/// personal room name from the member's settings.
#[server(prefix = "/api", endpoint = "open_personal_room")]
pub async fn open_personal_room() -> Result<String, AppError> {
    serve(|core, member: Member| async move {
        let code = store::personal_room(&core.pool, core.now(), &member).await?;
        leptos_axum::redirect(&format!("/meet/{code}"));
        Ok(code)
    })
    .await
}

/// The meeting behind a join link, as the viewer may see it.
#[server(name = LoadMeeting, prefix = "/api", endpoint = "meeting")]
pub async fn meeting(code: String) -> Result<MeetingView, AppError> {
    serve(|core, who: Who| async move {
        participants::view(&core.pool, &core.settings, core.now(), &who, &code).await
    })
    .await
}

/// Joins a meeting (or its lobby) and returns the participant id. Guests give a name.
#[server(prefix = "/api", endpoint = "join_meeting")]
pub async fn join_meeting(
    code: String,
    #[server(default)] name: Option<String>,
) -> Result<String, AppError> {
    serve(|core, who: Who| async move {
        let who = who.with_guest_key(&core.settings);
        let network = crate::core::request::requester().await?.limit_key();
        participants::join(
            &core.pool,
            core.now(),
            &who,
            &network,
            &code,
            name.as_deref(),
        )
        .await
    })
    .await
}

/// Leaves a meeting or its lobby.
#[server(prefix = "/api", endpoint = "leave_meeting")]
pub async fn leave_meeting(code: String) -> Result<(), AppError> {
    serve(|core, who: Who| async move { leaving::leave(&core.pool, core.now(), &who, &code).await })
        .await
}

/// A meeting page was closed or reloaded (sent as a beacon): the place lapses unless another of
/// the person's pages keeps it.
#[server(prefix = "/api", endpoint = "meeting_page_closed")]
pub async fn meeting_page_closed(code: String) -> Result<(), AppError> {
    serve(|core, who: Who| async move {
        leaving::page_closed(&core.pool, core.now(), &who, &code).await
    })
    .await
}

/// Lets someone in from the lobby; only the organizer may, and only within the limit.
#[server(prefix = "/api", endpoint = "admit_participant")]
pub async fn admit_participant(code: String, participant: String) -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        let participant =
            uuid::Uuid::parse_str(participant.trim()).map_err(|_| AppError::NotFound)?;
        participants::admit(&core.pool, core.now(), &member, &code, participant).await
    })
    .await
}
