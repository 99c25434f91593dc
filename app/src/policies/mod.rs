//! Organization policies: the settings an organization's admins choose that every feature
//! enforces where it acts (sign-up, sessions, passwords, meetings). They sit low, so accounts
//! and meetings can read them; the admin center's page changes them.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;

#[cfg(feature = "ssr")]
pub mod store;

stored_enum! {
    /// Who waits in the lobby before being let in.
    pub enum Lobby { Everyone = "everyone", OutsideOrganization = "outside_organization", Nobody = "nobody" }
}

/// Safe bounds of each number an admin chooses.
pub const PASSWORD_MIN_LENGTH: (i32, i32) = (12, 64);
pub const SESSION_IDLE_MINUTES: (i32, i32) = (15, 1440);
pub const SESSION_MAX_HOURS: (i32, i32) = (1, 720);
pub const DEVICE_DAYS: (i32, i32) = (1, 90);

/// An organization's policies; the defaults hold until an admin changes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// Only people an admin adds may join; self sign-ups on the domain are refused.
    pub admins_add_people: bool,
    /// People from outside may join the organization's meetings as guests.
    pub guests_allowed: bool,
    /// The lobby new members' meetings start with.
    pub default_lobby: Lobby,
    /// At most this many participants per meeting (never above the plan's limit); none: the
    /// plan's limit.
    pub max_participants: Option<i32>,
    pub password_min_length: i32,
    /// A session ends after this long without a request.
    pub session_idle_minutes: i32,
    /// A session ends this long after sign-in, however active.
    pub session_max_hours: i32,
    /// Every device signs in again this many days after it signed in.
    pub device_days: Option<i32>,
}

impl Default for Policies {
    fn default() -> Self {
        Policies {
            admins_add_people: false,
            guests_allowed: true,
            default_lobby: Lobby::OutsideOrganization,
            max_participants: None,
            password_min_length: PASSWORD_MIN_LENGTH.0,
            session_idle_minutes: 720,
            session_max_hours: 168,
            device_days: None,
        }
    }
}

/// Why a policy form was refused: the field and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfBounds {
    pub field: &'static str,
    pub min: i32,
    pub max: i32,
}

impl Policies {
    /// Checks every number against its bounds.
    pub fn check(&self) -> Result<(), OutOfBounds> {
        let within = |field: &'static str, value: i32, (min, max): (i32, i32)| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(OutOfBounds { field, min, max })
            }
        };
        within(
            "password_min_length",
            self.password_min_length,
            PASSWORD_MIN_LENGTH,
        )?;
        within(
            "session_idle_minutes",
            self.session_idle_minutes,
            SESSION_IDLE_MINUTES,
        )?;
        within(
            "session_max_hours",
            self.session_max_hours,
            SESSION_MAX_HOURS,
        )?;
        if let Some(days) = self.device_days {
            within("device_days", days, DEVICE_DAYS)?;
        }
        if let Some(max) = self.max_participants {
            within("max_participants", max, (1, i32::MAX))?;
        }
        Ok(())
    }

    /// Each policy that differs from `other`, by name, with both values.
    pub fn changes_from(&self, other: &Policies) -> Vec<(&'static str, String, String)> {
        let fields = |policies: &Policies| {
            [
                ("admins_add_people", policies.admins_add_people.to_string()),
                ("guests_allowed", policies.guests_allowed.to_string()),
                ("default_lobby", policies.default_lobby.as_str().to_owned()),
                (
                    "max_participants",
                    format!("{:?}", policies.max_participants),
                ),
                (
                    "password_min_length",
                    policies.password_min_length.to_string(),
                ),
                (
                    "session_idle_minutes",
                    policies.session_idle_minutes.to_string(),
                ),
                ("session_max_hours", policies.session_max_hours.to_string()),
                ("device_days", format!("{:?}", policies.device_days)),
            ]
        };
        fields(other)
            .into_iter()
            .zip(fields(self))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((name, old), (_, new))| (name, old, new))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_within_bounds_and_each_bound_is_enforced() {
        assert_eq!(Policies::default().check(), Ok(()));
        let short = Policies {
            password_min_length: 11,
            ..Policies::default()
        };
        assert_eq!(
            short.check(),
            Err(OutOfBounds {
                field: "password_min_length",
                min: 12,
                max: 64
            })
        );
        let forever = Policies {
            device_days: Some(91),
            ..Policies::default()
        };
        assert_eq!(
            forever.check().map_err(|bounds| bounds.field),
            Err("device_days")
        );
    }

    #[test]
    fn changes_name_each_policy_with_its_old_and_new_value() {
        let stricter = Policies {
            guests_allowed: false,
            password_min_length: 16,
            ..Policies::default()
        };
        assert_eq!(
            stricter.changes_from(&Policies::default()),
            [
                ("guests_allowed", "true".to_owned(), "false".to_owned()),
                ("password_min_length", "12".to_owned(), "16".to_owned()),
            ]
        );
    }
}
