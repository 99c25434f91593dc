//! Following a meeting live: who may watch its roster and what they see of it, the heartbeat that
//! keeps a watching participant present, and the sweep that lets go of those who stopped.

#![cfg(feature = "ssr")]

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::participants::{access, identity, participation, Access, Seat, Who};
use super::store::{find, PRESENCE_TIMEOUT};
use super::Roster;
use crate::core::error::AppError;

/// What a live feed needs to know about its viewer: the meeting, and who to keep present.
#[derive(Debug)]
pub struct Watcher {
    pub meeting_id: Uuid,
    /// Set for the organizer and colleagues, who may follow the meeting without joining it.
    pub member_id: Option<Uuid>,
    guest_key: Option<Vec<u8>>,
}

/// What one viewer may see of a roster.
pub enum Sight {
    Everything,
    /// Waiting in the lobby: only their own entry.
    OnlyThemselves(Roster),
    /// A guest no longer in the meeting: nothing more.
    Nothing,
}

impl Watcher {
    /// What this viewer may see of `roster`, by their own seat in it.
    pub fn sees(&self, roster: &Roster, seats: &[Seat]) -> Sight {
        let own = seats.iter().find(|seat| {
            (self.member_id.is_some() && seat.member_id == self.member_id)
                || (self.guest_key.is_some() && seat.guest_key == self.guest_key)
        });
        let waiting = own.and_then(|seat| {
            roster
                .participants
                .iter()
                .find(|person| person.id == seat.participant && person.waiting)
        });
        match (own, waiting) {
            (Some(_), Some(person)) => {
                let mut alone = roster.clone();
                alone.keep_only(&person.id);
                Sight::OnlyThemselves(alone)
            }
            (Some(_), None) => Sight::Everything,
            (None, _) if self.member_id.is_some() => Sight::Everything,
            (None, _) => Sight::Nothing,
        }
    }
}

/// May `who` follow the meeting live? Members of its organization may; guests once they are in.
pub async fn watch(
    pool: &PgPool,
    now: OffsetDateTime,
    who: &Who,
    code: &str,
) -> Result<Watcher, AppError> {
    let mut db = pool.acquire().await?;
    let meeting = find(&mut db, code, false).await?;
    let access = access(who, &meeting)?;
    let (member_id, guest_key) = identity(who, access);
    if access == Access::Guest
        && participation(&mut db, now, meeting.id, (member_id, guest_key))
            .await?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(Watcher {
        meeting_id: meeting.id,
        member_id,
        guest_key: guest_key.map(<[u8]>::to_vec),
    })
}

/// The heartbeat of an open meeting page: keeps its viewer's place while it is still theirs.
pub async fn heartbeat(
    pool: &PgPool,
    now: OffsetDateTime,
    watcher: &Watcher,
) -> Result<(), AppError> {
    sqlx::query!(
        "update participants set last_seen_at = $4
          where meeting_id = $1 and left_at is null and last_seen_at > $5
            and (member_id = $2 or guest_key = $3)",
        watcher.meeting_id,
        watcher.member_id,
        watcher.guest_key,
        now,
        now - PRESENCE_TIMEOUT
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Closes the places of participants whose pages fell silent, so everyone sees them go.
pub async fn sweep(pool: &PgPool, now: OffsetDateTime) -> Result<u64, AppError> {
    let swept = sqlx::query!(
        "update participants set left_at = $1 where left_at is null and last_seen_at <= $2",
        now,
        now - PRESENCE_TIMEOUT
    )
    .execute(pool)
    .await?;
    Ok(swept.rows_affected())
}
