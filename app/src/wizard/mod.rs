//! Become the admin: a wizard whose state lives on the server, so closing the browser or signing
//! in elsewhere resumes it. Its steps: signed up, prove the domain, buy licenses, upgrade.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;

mod api;
pub mod dns;
pub mod doctor;
pub mod purchase;
pub mod service;
mod ui;

pub use api::*;
pub use ui::{AbandonButton, BecomeAdmin, DomainStep, FindingText, StartWizardButton, WizardSteps};

stored_enum! {
    /// Where the wizard was started; it decides the plans offered (the `plans` table says which).
    pub enum Entry {
        /// The Admin tile in the app launcher: Business Basic only.
        AdminTile = "admin_tile",
        /// Upgrade inside Meetings: Business Basic or Business Standard.
        MeetingsUpgrade = "meetings_upgrade",
    }
}

stored_enum! {
    /// The stored state of a wizard.
    pub enum WizardState {
        Started = "started",
        DomainPending = "domain_pending",
        DomainVerified = "domain_verified",
        PurchasePending = "purchase_pending",
        Completed = "completed",
        Abandoned = "abandoned",
        Superseded = "superseded",
    }
}

/// The wizard as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardView {
    pub state: WizardState,
    pub entry: Entry,
    /// The organization's domain, in Unicode.
    pub domain: String,
    pub challenge: ChallengeView,
}

/// What to add at the DNS host to prove the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    /// The TXT record's name, e.g. `_tenantry-challenge.contoso.com`.
    pub txt_name: String,
    /// The TXT record's value, e.g. `tenantry-verification=…`.
    pub txt_value: String,
    /// The alternative: an MX record on the domain itself pointing here, at the lowest priority.
    pub mx_host: String,
    pub mx_priority: u16,
    /// When the challenge expires, e.g. `2026-12-02 14:40 UTC`.
    pub expires_at: String,
    pub expired: bool,
    /// What the last look-up found, until the next one or a new challenge.
    pub last_check: Option<LastCheck>,
}

/// A look-up of the challenge, as the page shows it after a reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCheck {
    pub finding: Finding,
    /// When, e.g. `2026-12-02 14:40 UTC`.
    pub checked_at: String,
}

/// How the domain is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    Txt,
    Mx,
}

/// What a DNS check found, worded for the person fixing their DNS (the "DNS doctor").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    /// The record is there and matches exactly.
    Verified { record: String },
    /// Nothing there yet; a negative answer may be cached this long.
    NoRecord { cached_for_secs: Option<u32> },
    /// Records are there, but none is ours.
    OtherValues { values: Vec<String> },
    /// A record holds the token with something more around it.
    ContainsToken { value: String },
    /// The MX record is there at a priority that could receive the domain's mail.
    MxPriority { record: String },
    /// A record matches once quotes or spaces pasted into it are removed.
    QuotesOrSpaces { value: String },
    /// The record sits at the name with the domain appended twice, a common DNS-panel mistake.
    ZoneAppended { name: String },
    /// The value sits on the domain itself instead of the challenge name.
    OnApex { value: String },
    /// The challenge name is an alias (CNAME) for another name, which is not followed.
    Alias { target: String },
    /// The domain does not exist in DNS.
    DomainMissing,
    /// The nameserver failed (SERVFAIL) or refused the question.
    ServerFailure { detail: String },
    /// No answer in time.
    Timeout,
}

/// One check of the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub method: Method,
    pub finding: Finding,
    /// The wizard's state after the check.
    pub state: WizardState,
}
