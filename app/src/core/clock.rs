//! The one source of the current time, so tests can move it.

#![cfg(feature = "ssr")]

use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

/// The current time: the system's, or a manual one in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<OffsetDateTime>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `start` until it is moved.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.manual {
            Some(time) => *time.lock().unwrap_or_else(PoisonError::into_inner),
            None => OffsetDateTime::now_utc(),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(time) = &self.manual {
            *time.lock().unwrap_or_else(PoisonError::into_inner) += by;
        }
    }
}

/// A moment as pages show it before the browser localises it: `2030-01-15 09:00` (UTC).
pub fn minute(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]"
    ))
    .unwrap_or_default()
}

/// A day as pages show it: `2030-01-15` (UTC).
pub fn day(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}
