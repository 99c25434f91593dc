//! Mailed codes, shared by sign-up and password resets: one six-digit code per address and
//! purpose at a time, stored only as a hash bound to its row, with a small budget of guesses.

#![cfg(feature = "ssr")]

use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::core::error::AppError;
use crate::core::request::Requester;
use crate::core::throttle;
use crate::domain::OneTimeCode;

/// How long a mailed code can be used.
pub const CODE_LIFETIME: Duration = Duration::minutes(15);
/// Wrong guesses allowed per code.
pub const CODE_ATTEMPTS: i32 = 5;
/// Time between two mails of a code.
pub const RESEND_COOLDOWN: Duration = Duration::seconds(60);

/// A new six-digit code and the hash stored for it, bound to its row.
pub(super) fn new_code(id: Uuid) -> (String, Vec<u8>) {
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let hash = code_hash(id, &code);
    (code, hash)
}

pub(super) fn code_hash(id: Uuid, code: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(id.as_bytes());
    hasher.update(code.as_bytes());
    hasher.finalize().to_vec()
}

pub(super) async fn limit_mail(
    pool: &PgPool,
    who: &Requester,
    email: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    throttle::hit(
        pool,
        &format!("mail:ip:{}", who.limit_key()),
        throttle::MAILS_PER_IP,
        now,
    )
    .await?;
    throttle::hit(
        pool,
        &format!("mail:address:{email}"),
        throttle::MAILS_PER_ADDRESS,
        now,
    )
    .await
}

/// Ends the pending codes of `purpose` for an address: one code lives at a time, so asking again
/// never adds to the codes a guesser can hit.
pub(super) async fn replace_codes(
    tx: &mut sqlx::PgConnection,
    address: &str,
    purpose: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "delete from email_codes where email = $1 and purpose = $2",
        address,
        purpose
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What a valid code unlocks.
pub(super) struct Redeemed {
    /// The code checked, as stored: using it up requires that it is still the one stored.
    pub(super) id: Uuid,
    pub(super) code_hash: Vec<u8>,
    pub(super) email: String,
    pub(super) display_name: Option<String>,
    pub(super) password_hash: Option<String>,
    pub(super) browser_hash: Option<Vec<u8>>,
}

/// Counts a guess at code `id` (committed whatever the outcome), then checks it.
pub(super) async fn check_code(
    pool: &PgPool,
    who: &Requester,
    id: Uuid,
    purpose: &str,
    code: &OneTimeCode,
    now: OffsetDateTime,
) -> Result<Redeemed, AppError> {
    throttle::hit(
        pool,
        &format!("codes:ip:{}", who.limit_key()),
        throttle::CODES_PER_IP,
        now,
    )
    .await?;
    let row = sqlx::query!(
        "update email_codes set attempts = attempts + 1 where id = $1 and purpose = $2
         returning email, redeemable, display_name, password_hash, code_hash, expires_at, attempts, browser_hash",
        id,
        purpose
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::CodeWrong)?;
    // However many codes an address is sent, its guesses share one budget an hour and a day.
    for (window, limit) in [
        ("address", throttle::CODES_PER_ADDRESS),
        ("address-day", throttle::CODES_PER_ADDRESS_PER_DAY),
    ] {
        throttle::hit(pool, &format!("codes:{window}:{}", row.email), limit, now).await?;
    }
    if row.attempts > CODE_ATTEMPTS {
        return Err(AppError::CodeAttemptsSpent);
    }
    if row.expires_at <= now {
        return Err(AppError::CodeExpired);
    }
    if !row.redeemable || row.code_hash != code_hash(id, code.as_str()) {
        return Err(AppError::CodeWrong);
    }
    Ok(Redeemed {
        id,
        code_hash: row.code_hash,
        email: row.email,
        display_name: row.display_name,
        password_hash: row.password_hash,
        browser_hash: row.browser_hash,
    })
}

/// Deletes every pending code of `purpose` for the address, so a second use of any code fails
/// (and of two uses at once, one). The code checked must be among them as it was checked: one
/// replaced or resent since no longer counts.
pub(super) async fn use_up_codes(
    tx: &mut sqlx::PgConnection,
    redeemed: &Redeemed,
    purpose: &str,
) -> Result<(), AppError> {
    let deleted = sqlx::query!(
        "delete from email_codes where email = $1 and purpose = $2 returning id, code_hash",
        redeemed.email,
        purpose
    )
    .fetch_all(&mut *tx)
    .await?;
    if !deleted
        .iter()
        .any(|code| code.id == redeemed.id && code.code_hash == redeemed.code_hash)
    {
        return Err(AppError::CodeWrong);
    }
    Ok(())
}
