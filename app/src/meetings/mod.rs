//! Meetings: creating them, joining within the organizer's participant limit, live presence,
//! and each member's personal meeting settings.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod live;
mod pages;
mod room;
#[cfg(feature = "ssr")]
pub mod rooms;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::MeetingsPage;
pub use room::MeetingPage;

/// A participant whose live page has been silent this long has left; the page's connection
/// reports every [`HEARTBEAT_EVERY_SECS`].
pub const PRESENCE_TIMEOUT_SECS: i64 = 30;
pub const HEARTBEAT_EVERY_SECS: u64 = 10;

/// Participants while on the free plan, within 60 days of signing up.
pub const FREE_LIMIT_NEW: i32 = 10;
/// Participants on the free plan after that.
pub const FREE_LIMIT_LATER: i32 = 3;
/// How long the higher free limit lasts.
pub const FREE_NEW_DAYS: i64 = 60;

/// Who waits in the lobby before being let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lobby {
    Everyone,
    OutsideOrganization,
    Nobody,
}

impl Lobby {
    pub fn as_str(self) -> &'static str {
        match self {
            Lobby::Everyone => "everyone",
            Lobby::OutsideOrganization => "outside_organization",
            Lobby::Nobody => "nobody",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Lobby::Everyone, Lobby::OutsideOrganization, Lobby::Nobody]
            .into_iter()
            .find(|lobby| lobby.as_str() == value)
    }
}

/// A member's personal meeting settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSettings {
    pub lobby: Lobby,
    pub muted_on_entry: bool,
    pub room_name: String,
}

impl Default for MeetingSettings {
    fn default() -> Self {
        Self {
            lobby: Lobby::OutsideOrganization,
            muted_on_entry: false,
            room_name: String::new(),
        }
    }
}

/// Why a member's meetings admit as many participants as they do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitReason {
    /// Free, within 60 days of signing up.
    FreeNew { days_left: i64 },
    /// Free, 60 days or more after signing up.
    FreeLater,
    /// A licensed member of a managed organization.
    Plan { name: String },
}

/// What the Meetings page shows the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingsOverview {
    pub participant_limit: i32,
    pub reason: LimitReason,
    pub settings: MeetingSettings,
    /// The organization is unmanaged, so Upgrade is offered.
    pub can_upgrade: bool,
}

/// The member's participant limit and settings.
#[server(name = LoadMeetingsOverview, prefix = "/api", endpoint = "meetings_overview")]
pub async fn meetings_overview() -> Result<MeetingsOverview, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            service::overview(&state.pool, state.clock.now(), &member).await
        }
        .await,
    )
}

/// Saves the member's personal meeting settings.
#[server(prefix = "/api", endpoint = "save_meeting_settings")]
pub async fn save_meeting_settings(
    lobby: String,
    #[server(default)] muted_on_entry: Option<String>,
    room_name: String,
) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            let settings = MeetingSettings {
                lobby: Lobby::parse(&lobby).ok_or(AppError::NotFound)?,
                muted_on_entry: muted_on_entry.is_some(),
                room_name: room_name.trim().chars().take(60).collect(),
            };
            service::save(&state.pool, state.clock.now(), &member, &settings).await
        }
        .await,
    )
}

/// A meeting in the organizer's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub code: String,
    pub title: String,
    /// When it starts, in UTC, as `2026-11-25 14:00`.
    pub starts_at: String,
    pub allow_guests: bool,
    /// Admitted participants right now.
    pub present: i64,
}

/// One person in a meeting or its lobby, as everyone in it sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub guest: bool,
    pub organizer: bool,
    /// In the lobby, waiting to be admitted.
    pub waiting: bool,
    pub muted: bool,
}

/// Who is in a meeting, pushed to every open meeting page when it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// The most participants the meeting admits now.
    pub limit: i32,
    pub participants: Vec<Participant>,
}

impl Roster {
    pub fn admitted(&self) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(|person| !person.waiting)
    }

    pub fn waiting(&self) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(|person| person.waiting)
    }
}

/// The meeting page: the meeting, the viewer's place in it, and who is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub code: String,
    pub title: String,
    pub starts_at: String,
    pub allow_guests: bool,
    pub organizer: String,
    /// The join link to share.
    pub link: String,
    pub viewer: Viewer,
    /// The viewer's participant id while they are in the meeting or its lobby.
    pub joined: Option<String>,
    pub roster: Roster,
}

/// How the person looking at a meeting page relates to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// The organizer, who admits people from the lobby; `can_upgrade` while the organization is
    /// unmanaged.
    Organizer { can_upgrade: bool },
    /// A member of the organizer's organization.
    Colleague { can_upgrade: bool },
    /// Anyone else, on a meeting that admits guests; `name` is known for signed-in people.
    Guest { name: Option<String> },
}

/// The member's meetings, soonest first.
#[server(name = LoadMyMeetings, prefix = "/api", endpoint = "my_meetings")]
pub async fn my_meetings() -> Result<Vec<MeetingSummary>, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            rooms::list(&state.pool, state.clock.now(), &member).await
        }
        .await,
    )
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
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            let new = rooms::NewMeeting::parse(
                &title,
                &starts_at,
                utc_offset_minutes.as_deref(),
                allow_guests.is_some(),
                state.clock.now(),
            )?;
            rooms::create(&state.pool, state.clock.now(), &member, &new).await
        }
        .await,
    )
}

/// Opens the member's personal room, made on first use, and returns its code. Its title is the
/// personal room name from the member's settings.
#[server(prefix = "/api", endpoint = "open_personal_room")]
pub async fn open_personal_room() -> Result<String, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            let code = rooms::personal_room(&state.pool, state.clock.now(), &member).await?;
            leptos_axum::redirect(&format!("/meet/{code}"));
            Ok(code)
        }
        .await,
    )
}

/// The meeting behind a join link, as the viewer may see it.
#[server(name = LoadMeeting, prefix = "/api", endpoint = "meeting")]
pub async fn meeting(code: String) -> Result<MeetingView, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let who = rooms::Who::of_request(&state).await?;
            rooms::view(&state.pool, &state.settings, state.clock.now(), &who, &code).await
        }
        .await,
    )
}

/// Joins a meeting (or its lobby) and returns the participant id. Guests give a name.
#[server(prefix = "/api", endpoint = "join_meeting")]
pub async fn join_meeting(
    code: String,
    #[server(default)] name: Option<String>,
) -> Result<String, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let who = rooms::Who::of_request(&state).await?;
            let who = who.with_guest_key(&state.settings);
            rooms::join(&state.pool, state.clock.now(), &who, &code, name.as_deref()).await
        }
        .await,
    )
}

/// Leaves a meeting or its lobby.
#[server(prefix = "/api", endpoint = "leave_meeting")]
pub async fn leave_meeting(code: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let who = rooms::Who::of_request(&state).await?;
            rooms::leave(&state.pool, state.clock.now(), &who, &code).await
        }
        .await,
    )
}

/// Lets someone in from the lobby; only the organizer may, and only within the limit.
#[server(prefix = "/api", endpoint = "admit_participant")]
pub async fn admit_participant(code: String, participant: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            let participant =
                uuid::Uuid::parse_str(participant.trim()).map_err(|_| AppError::NotFound)?;
            rooms::admit(&state.pool, state.clock.now(), &member, &code, participant).await
        }
        .await,
    )
}
