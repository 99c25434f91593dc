//! Invitations: a single-use link, valid for 7 days, with which a person an admin added chooses
//! their password and signs in.

use http::HeaderValue;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{mails, InvitationView, PersonStatus};
use crate::accounts::{passwords, session, Member};
use crate::core::error::AppError;
use crate::core::locale::locale_of_tag;
use crate::core::outbox;
use crate::core::request::Requester;
use crate::core::secrets;
use crate::core::state::{Core, Settings};
use crate::domain::{DomainName, EmailAddress, Password};

/// How long an invitation link works.
pub const LIFETIME: Duration = Duration::days(7);

/// Mails `member_id` a new invitation link from `admin`; an earlier link stops working.
pub async fn send(
    tx: &mut PgConnection,
    settings: &Settings,
    admin: &Member,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let token = secrets::long_token();
    sqlx::query!(
        "insert into invitations (token_hash, member_id, invited_by, expires_at, created_at)
         values ($1, $2, $3, $4, $5)
         on conflict (member_id) do update set token_hash = excluded.token_hash,
             invited_by = excluded.invited_by, expires_at = excluded.expires_at,
             created_at = excluded.created_at",
        secrets::hash(&token),
        member_id,
        admin.id,
        now + LIFETIME,
        now
    )
    .execute(&mut *tx)
    .await?;
    let person = sqlx::query!(
        "select m.email, m.display_name, m.locale, o.domain from members m
           join organizations o on o.id = m.organization_id where m.id = $1",
        member_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let link = format!("{}/invitation/{token}", settings.public_url);
    let mail = mails::invitation(
        locale_of_tag(&person.locale),
        &person.email,
        &person.display_name,
        admin,
        &DomainName::display_stored(&person.domain),
        &link,
    );
    outbox::enqueue(tx, &mail, now).await?;
    Ok(())
}

/// Ends a person's pending invitation, if any.
pub async fn revoke(tx: &mut PgConnection, member_id: Uuid) -> Result<(), AppError> {
    sqlx::query!("delete from invitations where member_id = $1", member_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// When a person's pending invitation expires.
pub async fn expiry(
    db: &mut PgConnection,
    member_id: Uuid,
) -> Result<Option<OffsetDateTime>, AppError> {
    Ok(sqlx::query_scalar!(
        "select expires_at from invitations where member_id = $1",
        member_id
    )
    .fetch_optional(&mut *db)
    .await?)
}

/// Who a link invites, while it is valid: a used, replaced, cancelled or expired link is
/// `InvitationInvalid`, and says nothing about whom it was for.
pub async fn view(core: &Core, token: &str) -> Result<InvitationView, AppError> {
    let row = sqlx::query!(
        "select m.display_name, m.email, o.domain from invitations i
           join members m on m.id = i.member_id
           join organizations o on o.id = m.organization_id
          where i.token_hash = $1 and i.expires_at > $2 and m.status = $3",
        secrets::hash(token.trim()),
        core.now(),
        PersonStatus::Invited.as_str()
    )
    .fetch_optional(&core.pool)
    .await?
    .ok_or(AppError::InvitationInvalid)?;
    Ok(InvitationView {
        name: row.display_name,
        email: EmailAddress::display_stored(&row.email),
        organization: DomainName::display_stored(&row.domain),
    })
}

/// Accepts an invitation: the person's password is set, the link used up, and they are signed
/// in. Of two uses of one link at once, one wins. Returns the session cookie.
pub async fn accept(
    core: &Core,
    who: &Requester,
    token: &str,
    password: &Password,
) -> Result<HeaderValue, AppError> {
    let now = core.now();
    // Checked before the slow hash, so a dead link answers at once.
    view(core, token).await?;
    let organization_id = sqlx::query_scalar!(
        "select m.organization_id from invitations i join members m on m.id = i.member_id
          where i.token_hash = $1",
        secrets::hash(token.trim())
    )
    .fetch_optional(&core.pool)
    .await?
    .ok_or(AppError::InvitationInvalid)?;
    let policies = crate::policies::store::of_organization(&core.pool, organization_id).await?;
    crate::policies::store::check_password(password, &policies)?;
    let password_hash = passwords::hash(password).await?;
    let mut tx = core.pool.begin().await?;
    let member = sqlx::query!(
        "delete from invitations where token_hash = $1 and expires_at > $2
         returning member_id, invited_by",
        secrets::hash(token.trim()),
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::InvitationInvalid)?;
    sqlx::query_scalar!(
        "update members set password_hash = $2, status = 'active', last_sign_in_at = $3
          where id = $1 and status = 'invited' returning organization_id",
        member.member_id,
        password_hash,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::InvitationInvalid)?;
    let cookie = session::start(&mut *tx, &core.settings, member.member_id, who, now).await?;
    crate::core::audit::record_and_commit(
        tx,
        organization_id,
        Some(member.member_id),
        "person.invitation_accepted",
        serde_json::json!({ "invited_by": member.invited_by, "network": who.network() }),
        now,
    )
    .await?;
    Ok(cookie)
}
