//! Meetings: the participant limit that applies to a member's meetings, and their personal
//! meeting settings.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::MeetingsPage;

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
