//! Leaving a meeting: at once with the Leave button, or shortly after a page closes unless
//! another page of the same person keeps the place alive.

#![cfg(feature = "ssr")]

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::participants::{access, identity, Access, Who};
use super::store::{find, Meeting, PRESENCE_TIMEOUT};
use super::HEARTBEAT_EVERY_SECS;
use crate::core::error::AppError;

/// Ends `who`'s place in the meeting, on every device: the Leave button.
pub async fn leave(
    pool: &PgPool,
    now: OffsetDateTime,
    who: &Who,
    code: &str,
) -> Result<(), AppError> {
    give_up_place(pool, now, who, code, GivingUp::Leave).await
}

/// How long a place outlives a closed meeting page: one heartbeat and a little, so that another
/// page of the same person (their phone beside their laptop, or the page reloaded) keeps it.
const CLOSED_PAGE_GRACE: Duration = Duration::seconds(HEARTBEAT_EVERY_SECS as i64 + 2);

/// A meeting page of `who` was closed or reloaded: their place lapses shortly unless another of
/// their pages is still open on the meeting and keeps it alive with its heartbeat.
pub async fn page_closed(
    pool: &PgPool,
    now: OffsetDateTime,
    who: &Who,
    code: &str,
) -> Result<(), AppError> {
    give_up_place(pool, now, who, code, GivingUp::PageClosed).await
}

/// Why a person's place is given up.
enum GivingUp {
    /// They left: the place ends now.
    Leave,
    /// One of their pages closed: the place lapses after [`CLOSED_PAGE_GRACE`] unless kept alive.
    PageClosed,
}

async fn give_up_place(
    pool: &PgPool,
    now: OffsetDateTime,
    who: &Who,
    code: &str,
    why: GivingUp,
) -> Result<(), AppError> {
    let mut db = pool.acquire().await?;
    let meeting = find(&mut db, code, false).await?;
    let (member_id, guest_key) = own_place(who, &meeting);
    match why {
        GivingUp::Leave => {
            sqlx::query!(
                "update participants set left_at = $4
          where meeting_id = $1 and left_at is null and (member_id = $2 or guest_key = $3)",
                meeting.id,
                member_id,
                guest_key,
                now
            )
            .execute(&mut *db)
            .await?
        }
        GivingUp::PageClosed => {
            sqlx::query!(
                "update participants set last_seen_at = least(last_seen_at, $4)
          where meeting_id = $1 and left_at is null and (member_id = $2 or guest_key = $3)",
                meeting.id,
                member_id,
                guest_key,
                now - PRESENCE_TIMEOUT + CLOSED_PAGE_GRACE
            )
            .execute(&mut *db)
            .await?
        }
    };
    Ok(())
}

/// Whose place `who` may give up: their own, even where they may no longer enter (guests since
/// forbidden), or nobody's.
fn own_place<'a>(who: &'a Who, meeting: &Meeting) -> (Option<Uuid>, Option<&'a [u8]>) {
    identity(who, access(who, meeting).unwrap_or(Access::Guest))
}
