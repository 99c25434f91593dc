//! Password resets: a code mailed to a known address (the caller cannot tell which), and a new
//! password set with it; every session of the member then ends.

#![cfg(feature = "ssr")]

use http::HeaderValue;
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::{check_code, limit_mail, new_code, replace_codes, use_up_codes, CODE_LIFETIME};
use super::service::{domain_policies, has_account};
use super::{mails, passwords, session};
use crate::core::error::AppError;
use crate::core::outbox;
use crate::core::request::Requester;
use crate::core::state::Core;
use crate::domain::{EmailAddress, OneTimeCode, Password};
use crate::policies;

/// Starts a password reset. Only a known address gets a mail; the caller cannot tell which.
pub async fn request_reset(
    core: &Core,
    who: &Requester,
    email: &EmailAddress,
) -> Result<Uuid, AppError> {
    let (pool, now) = (&core.pool, core.now());
    let address = email.as_ascii();
    limit_mail(pool, who, &address, now).await?;
    let mut tx = pool.begin().await?;
    let asked = if has_account(&mut tx, &address).await? {
        AskedBy::Themselves
    } else {
        AskedBy::Nobody
    };
    let id = store_reset_code(&mut tx, &core.settings, who.locale, &address, asked, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Mails a member a reset code and link, inside the caller's transaction: for an admin, named
/// `admin` in the mail, who chose to send one.
pub async fn mail_reset(
    tx: &mut sqlx::PgConnection,
    settings: &crate::core::state::Settings,
    locale: crate::i18n::Locale,
    address: &str,
    admin: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    store_reset_code(tx, settings, locale, address, AskedBy::Admin(admin), now).await?;
    Ok(())
}

/// Who a reset code is for: the person who asked, an admin who reset their password (and
/// signed them out), or an address with no account, which gets no mail and a code that never
/// works.
enum AskedBy<'a> {
    Themselves,
    Admin(&'a str),
    Nobody,
}

/// Stores a reset code for `address` and mails it, unless nobody can use it.
async fn store_reset_code(
    tx: &mut sqlx::PgConnection,
    settings: &crate::core::state::Settings,
    locale: crate::i18n::Locale,
    address: &str,
    asked: AskedBy<'_>,
    now: OffsetDateTime,
) -> Result<Uuid, AppError> {
    let redeemable = !matches!(asked, AskedBy::Nobody);
    let id = Uuid::new_v4();
    let (code, hash) = new_code(id);
    replace_codes(&mut *tx, address, "reset_password").await?;
    sqlx::query!(
        "insert into email_codes (id, purpose, email, redeemable, code_hash, expires_at, sent_at, created_at)
         values ($1, 'reset_password', $2, $3, $4, $5, $6, $6)",
        id,
        address,
        redeemable,
        hash,
        now + CODE_LIFETIME,
        now,
    )
    .execute(&mut *tx)
    .await?;
    let mail = match asked {
        AskedBy::Themselves => Some(mails::reset_code(settings, locale, address, id, &code)),
        AskedBy::Admin(admin) => Some(mails::admin_reset_code(
            settings, locale, address, id, &code, admin,
        )),
        AskedBy::Nobody => None,
    };
    if let Some(mail) = mail {
        outbox::enqueue(tx, &mail, now).await?;
    }
    Ok(id)
}

/// Sets a new password with a mailed code; every other session of the member ends.
pub async fn reset_password(
    core: &Core,
    who: &Requester,
    id: Uuid,
    code: &OneTimeCode,
    password: &Password,
) -> Result<HeaderValue, AppError> {
    let (pool, settings, now) = (&core.pool, &core.settings, core.now());
    let redeemed = check_code(pool, who, id, "reset_password", code, now).await?;
    let email = EmailAddress::parse(&redeemed.email).map_err(|_| AppError::Internal)?;
    // Known only now that the code is checked: the address, which the password must not be
    // built from.
    Password::parse(password.expose(), &[email.as_ascii().as_str()]).map_err(AppError::Invalid)?;
    policies::store::check_password(password, &domain_policies(pool, &email).await?.0)?;
    let password_hash = passwords::hash(password).await?;
    let mut tx = pool.begin().await?;
    use_up_codes(&mut tx, &redeemed, "reset_password").await?;
    // An invited person who resets instead of following the invitation has proven the address
    // just the same. A blocked person may choose a new password (an admin may have sent them
    // the link) and stays blocked; removed people stay out.
    let member = sqlx::query!(
        "update members set password_hash = $2, must_change_password = false,
                status = case when status = 'invited' then 'active' else status end
          where email = $1 and status in ('active', 'invited', 'blocked') returning id, status",
        redeemed.email,
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::CodeWrong)?;
    let member_id = member.id;
    session::end_all(&mut *tx, member_id).await?;
    if member.status == "blocked" {
        tx.commit().await?;
        return Err(AppError::SignInBlocked);
    }
    let cookie = session::start(&mut *tx, settings, member_id, who, now).await?;
    tx.commit().await?;
    tracing::info!(%member_id, "password reset; other sessions ended");
    Ok(cookie)
}
