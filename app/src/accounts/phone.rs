//! Setting up a phone: a single-use link, shown as a QR code, that signs a phone in as a new
//! device of one member within 10 minutes.

#![cfg(feature = "ssr")]

use http::HeaderValue;
use qrcode::render::svg;
use qrcode::QrCode;
use sqlx::{PgConnection, PgExecutor};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{session, PendingPhoneLink, PhoneLink, PhoneLinkState, PhoneLinkView};
use crate::core::clock;
use crate::core::error::AppError;
use crate::core::request::Requester;
use crate::core::secrets;
use crate::core::state::Core;

/// How long a phone link works.
pub const LIFETIME: Duration = Duration::minutes(10);

/// A new link for `member_id`, made by `created_by`, as the page shows it: address, QR code and
/// expiry.
pub async fn issue(
    db: &mut PgConnection,
    public_url: &str,
    member_id: Uuid,
    created_by: Uuid,
    now: OffsetDateTime,
) -> Result<PhoneLink, AppError> {
    let (id, url) = create(db, public_url, member_id, created_by, now).await?;
    Ok(PhoneLink {
        id: id.to_string(),
        qr_svg: qr_svg(&url)?,
        url,
        expires: clock::minute(now + LIFETIME),
    })
}

/// A new link that signs a phone in as `member_id`, made by `created_by` (the member or an admin
/// for them). Returns its id and address.
async fn create(
    db: &mut PgConnection,
    public_url: &str,
    member_id: Uuid,
    created_by: Uuid,
    now: OffsetDateTime,
) -> Result<(Uuid, String), AppError> {
    let token = secrets::long_token();
    let id = sqlx::query_scalar!(
        "insert into device_links (token_hash, member_id, created_by, expires_at, created_at)
         values ($1, $2, $3, $4, $5) returning id",
        secrets::hash(&token),
        member_id,
        created_by,
        now + LIFETIME,
        now
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((id, format!("{public_url}/phone/{token}")))
}

/// The link as a QR code, drawn as SVG.
pub fn qr_svg(link: &str) -> Result<String, AppError> {
    let code = QrCode::new(link.as_bytes()).map_err(|error| {
        tracing::error!(%error, "cannot encode a QR code");
        AppError::Internal
    })?;
    let drawn = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // The XML prolog has no place inside an HTML page.
    Ok(drawn
        .split_once("?>")
        .map_or(drawn.clone(), |(_, svg)| svg.to_owned()))
}

/// Whether a link of `member_id` is still waiting, was used, or expired.
pub async fn state(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<PhoneLinkState, AppError> {
    let row = sqlx::query!(
        "select used_at, expires_at from device_links where id = $1 and member_id = $2",
        id,
        member_id
    )
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(match (row.used_at, row.expires_at > now) {
        (Some(_), _) => PhoneLinkState::Used,
        (None, true) => PhoneLinkState::Waiting,
        (None, false) => PhoneLinkState::Expired,
    })
}

/// Whom a link signs in, while it works; the phone's page shows it before it is used.
pub async fn peek(core: &Core, token: &str) -> Result<PhoneLinkView, AppError> {
    let row = sqlx::query!(
        "select m.display_name from device_links l join members m on m.id = l.member_id
          where l.token_hash = $1 and l.used_at is null and l.expires_at > $2
            and m.status = 'active' and not m.must_change_password",
        secrets::hash(token.trim()),
        core.now()
    )
    .fetch_optional(&core.pool)
    .await?
    .ok_or(AppError::PhoneLinkInvalid)?;
    Ok(PhoneLinkView {
        name: row.display_name,
    })
}

/// Uses a link: the phone is signed in as a new device of the link's member. One statement marks
/// it used, so of any number of uses at once exactly one wins. A member who must choose a new
/// password does so at the sign-in page first; a link does not pass that by. Returns the session
/// cookie.
pub async fn redeem(core: &Core, who: &Requester, token: &str) -> Result<HeaderValue, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let link = sqlx::query!(
        "update device_links l set used_at = $2
           from members m
          where l.token_hash = $1 and l.used_at is null and l.expires_at > $2
            and m.id = l.member_id and m.status = 'active' and not m.must_change_password
         returning l.member_id, m.organization_id",
        secrets::hash(token.trim()),
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::PhoneLinkInvalid)?;
    let cookie = session::start(&mut *tx, &core.settings, link.member_id, who, now).await?;
    crate::core::audit::record_and_commit(tx, link.organization_id,
        Some(link.member_id),
        "device.phone_signed_in",
        serde_json::json!({ "device": super::devices::device_kind(&who.user_agent).to_string(), "network": who.network() }), now).await?;
    Ok(cookie)
}

/// A member's links that still wait to be used.
pub async fn pending(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<PendingPhoneLink>, AppError> {
    let rows = sqlx::query!(
        "select id, created_at, expires_at from device_links
          where member_id = $1 and used_at is null and expires_at > $2 order by created_at desc",
        member_id,
        now
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| PendingPhoneLink {
            id: row.id.to_string(),
            created: clock::minute(row.created_at),
            expires: clock::minute(row.expires_at),
        })
        .collect())
}

/// Cancels a member's waiting link.
pub async fn cancel(db: impl PgExecutor<'_>, member_id: Uuid, id: Uuid) -> Result<(), AppError> {
    sqlx::query!(
        "delete from device_links where id = $1 and member_id = $2 and used_at is null",
        id,
        member_id
    )
    .execute(db)
    .await?;
    Ok(())
}
