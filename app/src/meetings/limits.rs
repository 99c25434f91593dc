//! How many participants a member's meetings admit: the plan's limit once they hold a license
//! in a managed organization; otherwise the free limits.

#![cfg(feature = "ssr")]

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{LimitReason, FREE_LIMIT_LATER, FREE_LIMIT_NEW, FREE_NEW_DAYS};
use crate::core::error::AppError;
use crate::licensing::seats::plan_participant_limit;

/// The most participants a meeting organized by `organizer` (who signed up at `signed_up_at`)
/// admits at `now`: the plan's limit for a licensed member of a managed organization; otherwise 10
/// within 60 days of signing up, then 3.
pub async fn participant_limit(
    db: impl PgExecutor<'_>,
    now: OffsetDateTime,
    organizer: Uuid,
    signed_up_at: OffsetDateTime,
) -> Result<(i32, LimitReason), AppError> {
    if let Some((limit, name)) = plan_participant_limit(db, organizer).await? {
        return Ok((limit, LimitReason::Plan { name }));
    }
    let age = now - signed_up_at;
    if age < Duration::days(FREE_NEW_DAYS) {
        let days_left = FREE_NEW_DAYS - age.whole_days();
        Ok((FREE_LIMIT_NEW, LimitReason::FreeNew { days_left }))
    } else {
        Ok((FREE_LIMIT_LATER, LimitReason::FreeLater))
    }
}
