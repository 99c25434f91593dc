//! Participants: joining within the limit and the lobby. Each of these locks and counts the same
//! rows, and the limit holds only if they are read together. Following a meeting live, and the
//! heartbeat that keeps a participant present, are in `watchers`; leaving is in `leaving`.
//!
//! Joins lock the meeting's row, so counting the participants and adding one is a single step:
//! however many people join at once, the meeting never holds more than its limit.

#![cfg(feature = "ssr")]

use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::store::{by_id, find, format_start, Meeting, PRESENCE_TIMEOUT};
use super::{limits, settings, Lobby, MeetingView, Participant, Roster, Viewer};
use crate::accounts::{member_of, Member};
use crate::core::api::Guard;
use crate::core::error::{AppError, Invalid};
use crate::core::request::{cookie, headers, host_cookie_name, http_only_cookie, set_cookie};
use crate::core::secrets;
use crate::core::state::{Core, Settings};
use crate::core::throttle;
use crate::domain::DisplayName;

/// Who is asking: a signed-in member, and the browser's guest key if it has one.
#[derive(Debug)]
pub struct Who {
    member: Option<Member>,
    guest_key: Option<Vec<u8>>,
}

const GUEST_COOKIE: &str = "tenantry_guest";

/// A server function anyone may call, that knows the member or guest asking.
impl Guard for Who {
    async fn check(core: &Core) -> Result<Self, AppError> {
        Self::of_headers(core, &headers().await?).await
    }
}

impl Who {
    /// The person behind a request's headers.
    pub async fn of_headers(core: &Core, headers: &http::HeaderMap) -> Result<Self, AppError> {
        Ok(Self {
            member: member_of(core, headers).await?,
            guest_key: cookie(headers, &host_cookie_name(&core.settings, GUEST_COOKIE))
                .map(|token| secrets::hash(&token)),
        })
    }

    /// Gives a browser without one a guest key, in an HttpOnly cookie, so it can come back to the
    /// same place in a meeting after a reload.
    pub fn with_guest_key(mut self, settings: &Settings) -> Self {
        if self.guest_key.is_none() {
            let token = secrets::long_token();
            if let Ok(cookie) = http_only_cookie(settings, GUEST_COOKIE, &token, None) {
                set_cookie(cookie);
                self.guest_key = Some(secrets::hash(&token));
            }
        }
        self
    }
}

/// How someone may take part in a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Organizer,
    Colleague,
    Guest,
}

/// Members of the organizer's organization take part as themselves; anyone else only as a guest
/// of a meeting that admits guests. To everyone else the meeting does not exist.
pub(super) fn access(who: &Who, meeting: &Meeting) -> Result<Access, AppError> {
    match &who.member {
        Some(member) if member.id == meeting.organizer_id => Ok(Access::Organizer),
        Some(member) if member.organization_id == meeting.organization_id => Ok(Access::Colleague),
        _ if meeting.allow_guests => Ok(Access::Guest),
        // The link was shared for guests; the organization has since stopped admitting them.
        _ if meeting.guests_forbidden => Err(AppError::GuestsNotAllowed),
        _ => Err(AppError::NotFound),
    }
}

/// The participant identity of `who` in a meeting, by access.
pub(super) fn identity(who: &Who, access: Access) -> (Option<Uuid>, Option<&[u8]>) {
    match access {
        Access::Organizer | Access::Colleague => {
            (who.member.as_ref().map(|member| member.id), None)
        }
        Access::Guest => (None, who.guest_key.as_deref()),
    }
}

/// Who is in the meeting and its lobby now, and the limit that applies.
pub async fn roster(
    db: &mut PgConnection,
    now: OffsetDateTime,
    meeting: &Meeting,
) -> Result<Roster, AppError> {
    Ok(roster_with_seats(db, now, meeting).await?.0)
}

/// Whose place each roster entry is: kept on the server, so a live feed can tell its own
/// viewer's entry without the pages learning anyone's identity.
#[derive(Debug, Clone)]
pub struct Seat {
    pub(super) participant: String,
    pub(super) member_id: Option<Uuid>,
    pub(super) guest_key: Option<Vec<u8>>,
}

pub(super) async fn roster_with_seats(
    db: &mut PgConnection,
    now: OffsetDateTime,
    meeting: &Meeting,
) -> Result<(Roster, Vec<Seat>), AppError> {
    let limit = limit_of(&mut *db, now, meeting).await?;
    let rows = sqlx::query!(
        r#"select id, name, guest_key is not null as "guest!", coalesce(member_id = $2, false) as "organizer!",
                  state = 'waiting' as "waiting!", muted, member_id, guest_key
             from participants
            where meeting_id = $1 and left_at is null and last_seen_at > $3
            order by joined_at, id"#,
        meeting.id,
        meeting.organizer_id,
        now - PRESENCE_TIMEOUT
    )
    .fetch_all(&mut *db)
    .await?;
    let mut seats = Vec::with_capacity(rows.len());
    let mut participants = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id.to_string();
        seats.push(Seat {
            participant: id.clone(),
            member_id: row.member_id,
            guest_key: row.guest_key,
        });
        participants.push(Participant {
            id,
            name: row.name,
            guest: row.guest,
            organizer: row.organizer,
            waiting: row.waiting,
            muted: row.muted,
        });
    }
    Ok((
        Roster {
            limit,
            participants,
        },
        seats,
    ))
}

/// The roster of a meeting by id with its seats, for the live feeds.
pub async fn roster_by_id(
    pool: &PgPool,
    now: OffsetDateTime,
    meeting_id: Uuid,
) -> Result<(Roster, Vec<Seat>), AppError> {
    let mut db = pool.acquire().await?;
    let meeting = by_id(&mut db, meeting_id).await?;
    roster_with_seats(&mut db, now, &meeting).await
}

/// The viewer's present participation, if any: its id, and whether it waits in the lobby.
pub(super) async fn participation(
    db: &mut PgConnection,
    now: OffsetDateTime,
    meeting_id: Uuid,
    (member_id, guest_key): (Option<Uuid>, Option<&[u8]>),
) -> Result<Option<(Uuid, bool)>, AppError> {
    if member_id.is_none() && guest_key.is_none() {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"select id, state = 'waiting' as "waiting!" from participants
          where meeting_id = $1 and left_at is null and last_seen_at > $4
            and (member_id = $2 or guest_key = $3)"#,
        meeting_id,
        member_id,
        guest_key,
        now - PRESENCE_TIMEOUT
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.id, row.waiting)))
}

pub async fn view(
    pool: &PgPool,
    settings: &Settings,
    now: OffsetDateTime,
    who: &Who,
    code: &str,
) -> Result<MeetingView, AppError> {
    let mut db = pool.acquire().await?;
    let meeting = find(&mut db, code, false).await?;
    let access = access(who, &meeting)?;
    let joined = participation(&mut db, now, meeting.id, identity(who, access)).await?;
    let mut roster = roster(&mut db, now, &meeting).await?;
    match joined {
        // Guests see who is there once they are in, not before.
        None if access == Access::Guest => roster.participants.clear(),
        // Someone waiting in the lobby sees only that they wait.
        Some((id, true)) => roster.keep_only(&id.to_string()),
        _ => {}
    }
    Ok(MeetingView {
        link: format!("{}/meet/{}", settings.public_url, meeting.code),
        code: meeting.code,
        title: meeting.title,
        starts_at: format_start(meeting.starts_at),
        allow_guests: meeting.allow_guests,
        organizer: meeting.organizer_name,
        viewer: match access {
            Access::Organizer => Viewer::Organizer {
                can_upgrade: !meeting.organization_managed,
            },
            Access::Colleague => Viewer::Colleague {
                can_upgrade: !meeting.organization_managed,
            },
            Access::Guest => Viewer::Guest {
                name: who
                    .member
                    .as_ref()
                    .map(|member| member.display_name.clone()),
            },
        },
        joined: joined.map(|(id, _)| id.to_string()),
        roster,
    })
}

/// The most participants the meeting admits now: its organizer's limit.
pub(super) async fn limit_of(
    db: &mut PgConnection,
    now: OffsetDateTime,
    meeting: &Meeting,
) -> Result<i32, AppError> {
    let (limit, _) = limits::participant_limit(
        &mut *db,
        now,
        meeting.organizer_id,
        meeting.organizer_signed_up_at,
    )
    .await?;
    Ok(limit)
}

/// Refuses one more participant when the meeting is at its limit; the meeting's row must be
/// locked.
pub(super) async fn ensure_room(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    meeting: &Meeting,
) -> Result<(), AppError> {
    let limit = limit_of(&mut *tx, now, meeting).await?;
    if admitted(&mut *tx, now, meeting.id).await? >= i64::from(limit) {
        return Err(AppError::MeetingFull { limit });
    }
    Ok(())
}

/// Admitted participants present now; the meeting's row must be locked.
pub(super) async fn admitted(
    db: &mut PgConnection,
    now: OffsetDateTime,
    meeting_id: Uuid,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "count!" from participants
            where meeting_id = $1 and left_at is null and state = 'admitted' and last_seen_at > $2"#,
        meeting_id,
        now - PRESENCE_TIMEOUT
    )
    .fetch_one(db)
    .await?)
}

/// New guest places per network: a guest needs no account, so this is what stops one machine
/// from filling meetings and lobbies with made-up names.
const GUEST_JOINS_PER_NETWORK: throttle::Limit = throttle::Limit::new(60, Duration::minutes(10));
/// New lobby entries per meeting, whoever makes them: the organizer's lobby stays usable.
const LOBBY_ENTRIES_PER_MEETING: throttle::Limit = throttle::Limit::new(200, Duration::minutes(10));

/// Joins the meeting, or its lobby when the organizer's lobby setting says so, and returns the
/// participant id. Joining again from the same member or browser returns the same place.
/// `network` is the requester's rate-limit key.
pub async fn join(
    pool: &PgPool,
    now: OffsetDateTime,
    who: &Who,
    network: &str,
    code: &str,
    guest_name: Option<&str>,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let meeting = find(&mut tx, code, true).await?;
    let access = access(who, &meeting)?;
    let (member_id, guest_key) = identity(who, access);
    if member_id.is_none() && guest_key.is_none() {
        return Err(AppError::Unauthorized);
    }
    // One place per person: a fresh one is kept, a silent one is closed first.
    let existing = sqlx::query!(
        "select id, last_seen_at from participants
          where meeting_id = $1 and left_at is null and (member_id = $2 or guest_key = $3)",
        meeting.id,
        member_id,
        guest_key
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(existing) = existing {
        if existing.last_seen_at > now - PRESENCE_TIMEOUT {
            sqlx::query!(
                "update participants set last_seen_at = $2 where id = $1",
                existing.id,
                now
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(existing.id.to_string());
        }
        sqlx::query!(
            "update participants set left_at = $2 where id = $1",
            existing.id,
            now
        )
        .execute(&mut *tx)
        .await?;
    }

    let name = match (access, &who.member) {
        (Access::Organizer | Access::Colleague, Some(member)) => member.display_name.clone(),
        _ => {
            let given = guest_name.filter(|name| !name.trim().is_empty()).or(who
                .member
                .as_ref()
                .map(|member| member.display_name.as_str()));
            let name = DisplayName::parse(given.unwrap_or_default()).map_err(AppError::Invalid)?;
            // A guest cannot pass as the organizer; the roster marks guests as well.
            if access == Access::Guest
                && name.as_str().to_lowercase() == meeting.organizer_name.to_lowercase()
            {
                return Err(AppError::Invalid(Invalid::NameTaken));
            }
            name.as_str().to_owned()
        }
    };
    let lobby = settings::settings(&mut *tx, meeting.organizer_id)
        .await?
        .lobby;
    let waits = match access {
        Access::Organizer => false,
        Access::Colleague => lobby == Lobby::Everyone,
        Access::Guest => lobby != Lobby::Nobody,
    };
    if access == Access::Guest {
        let key = format!("meeting-guest:network:{network}");
        throttle::hit(&mut *tx, &key, GUEST_JOINS_PER_NETWORK, now).await?;
    }
    if waits {
        let key = format!("meeting-lobby:meeting:{}", meeting.id);
        throttle::hit(&mut *tx, &key, LOBBY_ENTRIES_PER_MEETING, now).await?;
    }
    let muted = match member_id {
        Some(member_id) => {
            settings::settings(&mut *tx, member_id)
                .await?
                .muted_on_entry
        }
        None => false,
    };

    ensure_room(&mut tx, now, &meeting).await?;

    let id = Uuid::new_v4();
    sqlx::query!(
        "insert into participants (id, meeting_id, member_id, guest_key, name, state, muted, joined_at, last_seen_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        id,
        meeting.id,
        member_id,
        guest_key,
        name,
        if waits { "waiting" } else { "admitted" },
        muted,
        now
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id.to_string())
}

pub async fn admit(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    code: &str,
    participant: Uuid,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let meeting = find(&mut tx, code, true).await?;
    if member.id != meeting.organizer_id {
        return Err(if member.organization_id == meeting.organization_id {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    ensure_room(&mut tx, now, &meeting).await?;
    let admitted = sqlx::query!(
        "update participants set state = 'admitted'
          where id = $1 and meeting_id = $2 and state = 'waiting' and left_at is null
            and last_seen_at > $3",
        participant,
        meeting.id,
        now - PRESENCE_TIMEOUT
    )
    .execute(&mut *tx)
    .await?;
    if admitted.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
