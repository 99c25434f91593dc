//! People: the admin center's list of everyone in a managed organization, and what admins do
//! for them: add and invite, contact, reset passwords, block, remove and restore, change roles.
//! Invited people accept here too, by choosing their password.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;
use crate::organizations::Role;

/// The query the people list is opened with after an invitation was cancelled, so that it says so.
pub const INVITATION_CANCELLED: &str = "invitation_cancelled";

#[cfg(feature = "ssr")]
mod adding;
mod api;
#[cfg(feature = "ssr")]
pub mod contact;
#[cfg(feature = "ssr")]
mod devices;
#[cfg(feature = "ssr")]
mod directory;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod invitations;
#[cfg(feature = "ssr")]
mod mails;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use api::*;
pub use ui::{AcceptInvitationPage, AddPersonPage, ContactPage, PeoplePage, PersonPage, RoleName};

stored_enum! {
    /// Where a person stands in their organization.
    pub enum PersonStatus {
        /// Signs in and uses Tenantry.
        Active = "active",
        /// Added by an admin; has not chosen a password yet.
        Invited = "invited",
        /// May not sign in until an admin unblocks them.
        Blocked = "blocked",
        /// Removed by an admin; can be restored for 30 days.
        Removed = "removed",
    }
}

stored_enum! {
    /// The orders the people list can be read in.
    pub enum PeopleSort {
        Name = "name",
        Email = "email",
        LastSignIn = "last_sign_in",
    }
}

/// Which people the list shows, as the page's address carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleFilter {
    /// The start of a name or address, any case.
    pub search: String,
    /// Only people with (true) or without (false) a license.
    pub licensed: Option<bool>,
    pub role: Option<Role>,
    pub status: Option<PersonStatus>,
    pub sort: Option<PeopleSort>,
}

impl PeopleFilter {
    /// Reads a filter from the page's query parameters; unknown values are ignored.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        PeopleFilter {
            search: get("search").unwrap_or_default().trim().to_owned(),
            licensed: match get("license").as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
            role: get("role").as_deref().and_then(Role::parse),
            status: get("status").as_deref().and_then(PersonStatus::parse),
            sort: get("sort").as_deref().and_then(PeopleSort::parse),
        }
    }

    /// The filter as query parameters, for links and the CSV export.
    pub fn to_query(&self) -> String {
        let mut pairs = Vec::new();
        if !self.search.is_empty() {
            pairs.push(format!("search={}", encode(&self.search)));
        }
        if let Some(licensed) = self.licensed {
            pairs.push(format!("license={}", if licensed { "yes" } else { "no" }));
        }
        if let Some(role) = self.role {
            pairs.push(format!("role={}", role.as_str()));
        }
        if let Some(status) = self.status {
            pairs.push(format!("status={}", status.as_str()));
        }
        if let Some(sort) = self.sort {
            pairs.push(format!("sort={}", sort.as_str()));
        }
        pairs.join("&")
    }
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// One person as the list and their page show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    /// In Unicode, as people read it.
    pub email: String,
    /// The plan of the license they hold, if any.
    pub license: Option<String>,
    pub role: Role,
    pub status: PersonStatus,
    /// `2030-01-15 09:00` in UTC.
    pub last_sign_in: Option<String>,
    /// Devices signed in now.
    pub devices: i64,
}

/// One page of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub people: Vec<PersonRow>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
    /// People in the organization who hold no license and could; counted for the first page.
    pub unlicensed: Option<i64>,
    /// What the signed-in admin may do here.
    pub viewer: Role,
}

/// A person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub person: PersonRow,
    /// For a removed person: the last day they can be restored, `2030-01-15`.
    pub restorable_until: Option<String>,
    /// For an invited person: when the invitation link expires.
    pub invitation_expires: Option<String>,
    pub viewer: Role,
    /// The viewer is looking at themselves.
    pub is_viewer: bool,
}

/// A person's devices as their admin sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDevices {
    pub devices: Vec<crate::accounts::DeviceView>,
    pub pending: Vec<crate::accounts::PendingPhoneLink>,
}

/// What adding a person produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub id: String,
    pub licensed: bool,
}

/// The outcome of an admin's password reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetOutcome {
    /// A reset link was mailed to the person.
    Mailed,
    /// The temporary password, shown to the admin once.
    Temporary(String),
}

/// Who a message will go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    /// The chosen people who can receive it.
    pub recipients: Vec<PersonRow>,
    /// When nobody was chosen: how many people everyone is.
    pub everyone: Option<i64>,
}

/// The invitation behind a link, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub name: String,
    pub email: String,
    pub organization: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_the_address_bar() {
        let filter = PeopleFilter {
            search: "Ann Ö&".into(),
            licensed: Some(false),
            role: Some(Role::UserAdmin),
            status: Some(PersonStatus::Invited),
            sort: Some(PeopleSort::LastSignIn),
        };
        let query = filter.to_query();
        assert!(query.starts_with("search=Ann%20%C3%96%26&license=no"));
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').expect("key=value");
                (key.to_owned(), value.to_owned())
            })
            .collect();
        let read = PeopleFilter::from_query(|key| {
            pairs.iter().find(|(k, _)| k == key).map(|(_, v)| {
                if key == "search" {
                    "Ann Ö&".to_owned()
                } else {
                    v.clone()
                }
            })
        });
        assert_eq!(read, filter);
    }

    #[test]
    fn unknown_filter_values_are_ignored() {
        let read = PeopleFilter::from_query(|key| (key != "search").then(|| "bogus".to_owned()));
        assert_eq!(read, PeopleFilter::default());
    }
}
