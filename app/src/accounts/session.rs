//! Signed-in sessions: a random token in an HttpOnly cookie, its SHA-256 in PostgreSQL.
//!
//! Sessions are rows of our own rather than an opaque session store because members and admins
//! list and end them per member (sign-out everywhere, password reset, devices).

#![cfg(feature = "ssr")]

use http::{HeaderMap, HeaderValue};
use sqlx::{PgExecutor, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::signed_in::StoredMember;
use super::Member;
use crate::core::error::AppError;
use crate::core::request::{cookie, host_cookie_name, http_only_cookie, Requester};
use crate::core::secrets;
use crate::core::state::Settings;

/// A session ends after this long without a request (organizations may choose otherwise; see
/// `policies`).
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// A session ends this long after sign-in, however active (organizations may choose otherwise).
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);
/// The cookie lives as long as the longest session any policy allows; the server decides when
/// the session really ends.
const COOKIE_LIFETIME: Duration = Duration::days(30);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The signed-in member behind a request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who, while they may use Tenantry: `None` once blocked or removed.
    pub member: Option<Member>,
    pub token_hash: Vec<u8>,
}

pub fn cookie_name(settings: &Settings) -> String {
    host_cookie_name(settings, "tenantry_session")
}

/// Starts a session for `member_id` on the device `who` asks from, and returns the
/// `Set-Cookie` value that carries it. Every way in (sign-up, sign-in, a reset, an invitation, a
/// phone link) counts as the member's last sign-in.
pub async fn start(
    db: impl PgExecutor<'_>,
    settings: &Settings,
    member_id: Uuid,
    who: &Requester,
    now: OffsetDateTime,
) -> Result<HeaderValue, AppError> {
    let token = secrets::long_token();
    let user_agent: String = who.user_agent.chars().take(300).collect();
    sqlx::query!(
        "with started as (
             insert into sessions (token_hash, member_id, created_at, last_seen_at, user_agent, network)
             values ($1, $2, $3, $3, $4, $5) returning member_id
         )
         update members set last_sign_in_at = $3 where id = (select member_id from started)",
        secrets::hash(&token),
        member_id,
        now,
        user_agent,
        who.network(),
    )
    .execute(db)
    .await?;
    set_cookie(settings, &token, COOKIE_LIFETIME.whole_seconds())
}

/// The `Set-Cookie` value that removes the session cookie from the browser.
pub fn clear_cookie(settings: &Settings) -> Result<HeaderValue, AppError> {
    set_cookie(settings, "", 0)
}

fn set_cookie(settings: &Settings, token: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    http_only_cookie(settings, "tenantry_session", token, Some(max_age))
}

/// The session token in the request's cookies, if any.
fn token_from(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    cookie(headers, &cookie_name(settings))
}

/// The member signed in on this request, when the session is known and has not timed out under
/// their organization's session and device policies. `network` is where the request came from,
/// when known, remembered as where the device was last seen.
pub async fn current(
    pool: &PgPool,
    settings: &Settings,
    headers: &HeaderMap,
    now: OffsetDateTime,
    network: Option<&str>,
) -> Result<Option<SignedIn>, AppError> {
    let Some(token) = token_from(headers, settings) else {
        return Ok(None);
    };
    let token_hash = secrets::hash(&token);
    let Some(row) = live(pool, &token_hash, now).await? else {
        return Ok(None);
    };
    let moved = network.is_some_and(|network| network != row.network);
    if now - row.last_seen_at > TOUCH_EVERY || moved {
        sqlx::query!(
            "update sessions set last_seen_at = $2, network = coalesce($3, network) where token_hash = $1",
            token_hash,
            now,
            network
        )
        .execute(pool)
        .await?;
    }
    Ok(Some(SignedIn {
        member: row.member,
        token_hash,
    }))
}

/// The member whose session the request carries, if it is still live; unlike [`current`] it
/// does not count as activity, so an open live page does not keep an idle session alive.
pub async fn still_signed_in(
    pool: &PgPool,
    settings: &Settings,
    headers: &HeaderMap,
    now: OffsetDateTime,
) -> Result<Option<Uuid>, AppError> {
    let Some(token) = token_from(headers, settings) else {
        return Ok(None);
    };
    Ok(live(pool, &secrets::hash(&token), now)
        .await?
        .map(|row| row.member_id))
}

struct LiveSession {
    member_id: Uuid,
    /// Read with the session, so a request asks PostgreSQL once who is signed in.
    member: Option<Member>,
    last_seen_at: OffsetDateTime,
    network: String,
}

fn idle_minutes() -> i32 {
    i32::try_from(IDLE_TIMEOUT.whole_minutes()).unwrap_or(720)
}

fn max_hours() -> i32 {
    i32::try_from(ABSOLUTE_TIMEOUT.whole_hours()).unwrap_or(168)
}

/// The session with this token hash, unless it has ended by the organization's policy or ours.
/// An ended session is deleted when it is seen, so that a policy relaxed later cannot bring it
/// back.
async fn live(
    pool: &PgPool,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Option<LiveSession>, AppError> {
    let row = sqlx::query!(
        r#"select s.member_id, s.last_seen_at, s.network, m.status = 'active' as "active!",
                  m.email, m.display_name, m.organization_id, m.created_at, m.role,
                  session_is_live(s.last_seen_at, s.created_at, $2,
                      coalesce(p.session_idle_minutes, $3::int), coalesce(p.session_max_hours, $4::int),
                      p.device_days) as "live!"
             from sessions s
             join members m on m.id = s.member_id
             left join organization_policies p on p.organization_id = m.organization_id
            where s.token_hash = $1"#,
        token_hash,
        now,
        idle_minutes(),
        max_hours(),
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if !row.live {
        end(pool, token_hash).await?;
        return Ok(None);
    }
    let member = row
        .active
        .then(|| {
            Member::try_from(StoredMember {
                id: row.member_id,
                email: row.email,
                display_name: row.display_name,
                organization_id: row.organization_id,
                created_at: row.created_at,
                role: row.role,
            })
        })
        .transpose()?;
    Ok(Some(LiveSession {
        member_id: row.member_id,
        member,
        last_seen_at: row.last_seen_at,
        network: row.network,
    }))
}

/// Whether the member with `address` is signed in on some device from `network`: a place of
/// their own, such as their desk, whose sign-ins need not queue behind strangers' guesses.
pub async fn signed_in_from(
    db: impl PgExecutor<'_>,
    address: &str,
    network: &str,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select exists(
             select 1 from sessions s join members m on m.id = s.member_id
               left join organization_policies p on p.organization_id = m.organization_id
              where m.email = $1 and s.network = $2
                and session_is_live(s.last_seen_at, s.created_at, $3,
                    coalesce(p.session_idle_minutes, $4::int), coalesce(p.session_max_hours, $5::int),
                    p.device_days)) as "known!""#,
        address,
        network,
        now,
        idle_minutes(),
        max_hours(),
    )
    .fetch_one(db)
    .await?)
}

/// Ends the session this request's cookie names, whether or not it is still live.
pub async fn end_this(
    pool: &PgPool,
    settings: &Settings,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    match token_from(headers, settings) {
        Some(token) => end(pool, &secrets::hash(&token)).await,
        None => Ok(()),
    }
}

/// Ends the sessions that their organization's policies, as they stand, have already ended:
/// of one organization before its policies change, so that a longer limit does not revive
/// them, or of every organization (`None`), to clear them away. Returns how many.
pub async fn end_expired(
    db: impl PgExecutor<'_>,
    organization_id: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<u64, AppError> {
    let ended = sqlx::query!(
        "delete from sessions s
          using members m
          left join organization_policies p on p.organization_id = m.organization_id
          where m.id = s.member_id and ($1::uuid is null or m.organization_id = $1)
            and not session_is_live(s.last_seen_at, s.created_at, $2,
                coalesce(p.session_idle_minutes, $3::int), coalesce(p.session_max_hours, $4::int),
                p.device_days)",
        organization_id,
        now,
        idle_minutes(),
        max_hours(),
    )
    .execute(db)
    .await?;
    Ok(ended.rows_affected())
}

/// Ends one session.
pub async fn end(db: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<(), AppError> {
    sqlx::query!("delete from sessions where token_hash = $1", token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a member, and the phone links waiting to start one: a link made before
/// would otherwise sign in again whoever held a session.
pub async fn end_all(db: impl PgExecutor<'_>, member_id: Uuid) -> Result<(), AppError> {
    sqlx::query!(
        "with links as (delete from device_links where member_id = $1 and used_at is null)
         delete from sessions where member_id = $1",
        member_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends every session of a member except `keep`, and their waiting phone links.
pub async fn end_others(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
    keep: &[u8],
) -> Result<(), AppError> {
    sqlx::query!(
        "with links as (delete from device_links where member_id = $1 and used_at is null)
         delete from sessions where member_id = $1 and token_hash <> $2",
        member_id,
        keep
    )
    .execute(db)
    .await?;
    Ok(())
}
