//! Meetings: creating them, joining within the organizer's participant limit, live presence,
//! and each member's personal meeting settings.

use serde::{Deserialize, Serialize};

mod api;
pub mod leaving;
pub mod limits;
pub mod participants;
pub mod presence;
pub mod settings;
pub mod store;
mod ui;
pub mod watchers;

pub use api::*;
pub use ui::{JoinPage, MeetingPage, MeetingsPage};

/// Whether `code` can be a meeting's code: a short ASCII token, as [`store::create`] makes them.
pub fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The meeting code in what someone pasted: a whole join link, or the code at its end.
pub fn code_in(pasted: &str) -> Option<&str> {
    let pasted = pasted.trim();
    let code = match pasted.rfind("/meet/") {
        Some(at) => pasted[at + "/meet/".len()..]
            .split(['?', '#', '/'])
            .next()
            .unwrap_or_default(),
        None => pasted,
    };
    is_code(code).then_some(code)
}

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

pub use crate::policies::Lobby;

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

    /// Leaves only the participant `id`.
    pub fn keep_only(&mut self, id: &str) {
        self.participants.retain(|person| person.id == id);
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

#[cfg(test)]
mod tests {
    use super::code_in;

    #[test]
    fn a_meeting_is_found_by_its_link_or_its_code() {
        assert_eq!(
            code_in("https://tenantry.example/meet/Ab12Cd"),
            Some("Ab12Cd")
        );
        assert_eq!(
            code_in("  tenantry.example/meet/Ab12Cd?x=1 "),
            Some("Ab12Cd")
        );
        assert_eq!(code_in("Ab12Cd"), Some("Ab12Cd"));
        assert_eq!(code_in("https://tenantry.example/meet/"), None);
        assert_eq!(code_in("not a code"), None);
        assert_eq!(code_in(""), None);
        assert_eq!(code_in(&"a".repeat(65)), None);
    }
}
