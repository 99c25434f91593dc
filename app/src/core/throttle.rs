//! Attempt counters for guessable secrets, kept in PostgreSQL so every server process shares them.

#![cfg(feature = "ssr")]

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

use super::error::AppError;

/// At most `attempts` within `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub attempts: i32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(attempts: i32, window: Duration) -> Self {
        Self { attempts, window }
    }
}

/// Sign-in attempts for one address.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit::new(5, Duration::minutes(15));
/// Sign-in attempts from one network address.
pub const SIGN_IN_PER_IP: Limit = Limit::new(30, Duration::minutes(15));
/// Code guesses from one network address, over all codes.
pub const CODES_PER_IP: Limit = Limit::new(30, Duration::minutes(15));
/// Mails asked for one address (sign-ups, resends, resets).
pub const MAILS_PER_ADDRESS: Limit = Limit::new(5, Duration::hours(1));
/// Mails asked from one network address.
pub const MAILS_PER_IP: Limit = Limit::new(30, Duration::hours(1));

/// Counts one attempt under `key`; refuses it, saying when to try again, once the limit is spent.
///
/// The count and the check are one statement, so concurrent attempts cannot slip past the limit.
pub async fn hit(
    db: impl PgExecutor<'_>,
    key: &str,
    limit: Limit,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let window_opened_after = now - limit.window;
    let row = sqlx::query!(
        r#"
        insert into throttles (key, window_started_at, attempts) values ($1, $2, 1)
        on conflict (key) do update set
            attempts = case when throttles.window_started_at <= $3 then 1 else throttles.attempts + 1 end,
            window_started_at = case when throttles.window_started_at <= $3 then $2 else throttles.window_started_at end
        returning attempts, window_started_at
        "#,
        key,
        now,
        window_opened_after,
    )
    .fetch_one(db)
    .await?;
    if row.attempts > limit.attempts {
        let reopens = row.window_started_at + limit.window;
        let retry_after_secs = u64::try_from((reopens - now).whole_seconds().max(1)).unwrap_or(1);
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    Ok(())
}

/// Forgets the attempts under `key`, after a success.
pub async fn clear(db: impl PgExecutor<'_>, key: &str) -> Result<(), AppError> {
    sqlx::query!("delete from throttles where key = $1", key)
        .execute(db)
        .await?;
    Ok(())
}
