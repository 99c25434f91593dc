//! The admin center's home and its audit log: what an organization's admins see first, and
//! every admin action and security event, filtered and exported.

use serde::{Deserialize, Serialize};

mod api;
pub mod domains;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod export;
pub mod guard;
#[cfg(feature = "ssr")]
pub mod policy_changes;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use api::*;
pub use ui::{AdminHome, AuditPage, DomainsPage, PoliciesPage};

use crate::core::stored::stored_enum;
use crate::organizations::Role;

/// The query `/admin` is opened with when someone lacks the role a page needs, so that it
/// says so.
pub const REFUSED: &str = "refused";

stored_enum! {
    /// Where the proof of an added domain stands.
    pub enum DomainState {
        /// Added; its record has not been looked for yet.
        Pending = "pending",
        Verified = "verified",
        /// Looked for and not found as it should be.
        Failed = "failed",
    }
}

/// One of the organization's domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainView {
    /// In Unicode, as people read it.
    pub domain: String,
    /// As stored (punycode), to name it in requests.
    pub stored: String,
    pub status: DomainState,
    /// The one proven in the wizard.
    pub primary: bool,
    /// The TXT record that proves it.
    pub txt_name: String,
    pub txt_value: String,
    /// People whose address is on it.
    pub people: i64,
}

/// The domains page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainsView {
    pub domains: Vec<DomainView>,
}

/// What checking an added domain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub finding: crate::wizard::Finding,
    /// People of an unmanaged organization on the domain who joined this one.
    pub joined: i64,
}

/// The policies page: the organization's policies and the ceiling of the meetings policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliciesView {
    pub policies: crate::policies::Policies,
    /// The most participants the organization's plans allow.
    pub plan_limit: i32,
}

/// What a global admin can apply to everyone else in the organization at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EveryoneElse {
    SignOut,
    /// At their next sign-in.
    ChooseNewPassword,
}

impl EveryoneElse {
    /// As a form sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            EveryoneElse::SignOut => "sign_out",
            EveryoneElse::ChooseNewPassword => "choose_new_password",
        }
    }
}

/// Licenses of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSeats {
    pub plan: String,
    pub purchased: i32,
    pub assigned: i32,
}

/// A count on one day (UTC), `2030-01-15`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: String,
    pub count: i64,
}

/// The admin center's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub domain: String,
    /// Verified domains, the proven one included.
    pub domains: i64,
    /// People who are active, invited or blocked.
    pub people: i64,
    pub invited: i64,
    pub unlicensed: i64,
    pub seats: Vec<PlanSeats>,
    /// The last 30 days, oldest first, every day present.
    pub sign_ins: Vec<DayCount>,
    /// Licenses in use at the end of each of the last 30 days, oldest first.
    pub licenses_in_use: Vec<DayCount>,
    /// Empty for an admin who may not read the audit log.
    pub latest: Vec<AuditEntry>,
    pub viewer: Role,
}

/// One event of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// `2030-01-15 09:00` in UTC.
    pub at: String,
    /// Who acted, when a person did.
    pub actor: Option<String>,
    /// Whom it concerned, when that is another person.
    pub subject: Option<String>,
    pub kind: String,
    /// What else was recorded that a person reads: each field's name and its value in words (a
    /// record that is not an object is one value with an empty name).
    pub detail: Vec<(String, String)>,
    /// The amount of an order event.
    pub amount: Option<crate::domain::Money>,
    /// Whether more was recorded than `detail` and `amount` say (ids, raw DNS answers).
    pub more_recorded: bool,
    /// Everything recorded, as stored, for whoever looks into an event.
    pub technical: String,
}

impl AuditEntry {
    /// The detail as `name: value` pairs, as the CSV export writes it.
    pub fn detail_text(&self) -> String {
        self.detail
            .iter()
            .map(|(key, value)| {
                if key.is_empty() {
                    value.clone()
                } else {
                    format!("{key}: {value}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLog {
    pub events: Vec<AuditEntry>,
    /// Where the next (older) page starts.
    pub next: Option<i64>,
    /// Every kind of event the organization's log holds, for the filter.
    pub kinds: Vec<String>,
}

/// Which events the audit page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// The address of the person who acted or was acted on.
    pub person: String,
    pub kind: String,
    /// Days, `2030-01-15`, inclusive.
    pub from: String,
    pub to: String,
}

impl AuditFilter {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        AuditFilter {
            person: get("person").unwrap_or_default().trim().to_owned(),
            kind: get("kind").unwrap_or_default().trim().to_owned(),
            from: get("from").unwrap_or_default().trim().to_owned(),
            to: get("to").unwrap_or_default().trim().to_owned(),
        }
    }
}
