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

/// Wrong passwords for one address before its further sign-ins take turns, each
/// [`failure_delay`] after the one before (see [`take_turn`]); the count starts again 15 minutes
/// after the first failure.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit::new(5, Duration::minutes(15));
/// Sign-in attempts from one network address.
pub const SIGN_IN_PER_IP: Limit = Limit::new(30, Duration::minutes(15));
/// Code guesses from one network address, over all codes.
pub const CODES_PER_IP: Limit = Limit::new(30, Duration::minutes(15));
/// Code guesses for one address, over all codes it is sent.
pub const CODES_PER_ADDRESS: Limit = Limit::new(10, Duration::hours(1));
/// And over a day, so that guessing an hour's worth every hour gets nowhere.
pub const CODES_PER_ADDRESS_PER_DAY: Limit = Limit::new(20, Duration::days(1));
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

/// Counts one attempt under `key` without refusing it, for limits that slow down rather than
/// refuse. Returns the attempts in the current window, this one included.
pub async fn count(
    db: impl PgExecutor<'_>,
    key: &str,
    limit: Limit,
    now: OffsetDateTime,
) -> Result<i32, AppError> {
    let window_opened_after = now - limit.window;
    Ok(sqlx::query_scalar!(
        r#"
        insert into throttles (key, window_started_at, attempts) values ($1, $2, 1)
        on conflict (key) do update set
            attempts = case when throttles.window_started_at <= $3 then 1 else throttles.attempts + 1 end,
            window_started_at = case when throttles.window_started_at <= $3 then $2 else throttles.window_started_at end
        returning attempts
        "#,
        key,
        now,
        window_opened_after,
    )
    .fetch_one(db)
    .await?)
}

/// The attempts counted under `key` in the current window.
pub async fn counted(
    db: impl PgExecutor<'_>,
    key: &str,
    limit: Limit,
    now: OffsetDateTime,
) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar!(
        "select attempts from throttles where key = $1 and window_started_at > $2",
        key,
        now - limit.window
    )
    .fetch_optional(db)
    .await?
    .unwrap_or(0))
}

/// How far apart sign-ins of an address come after `failures` wrong passwords for it: any
/// distance up to the limit, then a quarter second doubling with each failure, at most ten
/// seconds. A correct password still signs in after the wait, so guessing at someone's address
/// can make them wait, not lock the account.
pub fn failure_delay(failures: i32, limit: Limit) -> std::time::Duration {
    let over = u32::try_from(failures - limit.attempts).unwrap_or(0);
    if failures < limit.attempts {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_millis(250)
        .saturating_mul(2u32.saturating_pow(over.min(10)))
        .min(std::time::Duration::from_secs(10))
}

/// The furthest off a turn can be taken (see [`take_turn`]); the longest [`failure_delay`].
pub const LONGEST_WAIT: Duration = Duration::seconds(10);

/// Takes the next turn under `key` for an attempt that must come `delay` after the one before,
/// and returns how long to wait for it. Attempts arriving together queue one behind the other
/// instead of waiting side by side; one whose turn would be further off than [`LONGEST_WAIT`] is
/// refused, saying when to try again. The row is locked while the turn is read and taken, so
/// each attempt sees the turns taken before it.
pub async fn take_turn(
    pool: &sqlx::PgPool,
    key: &str,
    delay: std::time::Duration,
    now: OffsetDateTime,
) -> Result<std::time::Duration, AppError> {
    let delay = Duration::try_from(delay).unwrap_or(LONGEST_WAIT);
    let mut tx = pool.begin().await?;
    let Some(next) = sqlx::query_scalar!(
        "select next_turn_at from throttles where key = $1 for update",
        key
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        // Forgotten meanwhile by a success: nothing to wait for.
        return Ok(std::time::Duration::ZERO);
    };
    let turn = next.map_or(now, |next| next.max(now));
    if turn > now + LONGEST_WAIT {
        let retry_after_secs =
            u64::try_from((turn - LONGEST_WAIT - now).whole_seconds().max(1)).unwrap_or(1);
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    sqlx::query!(
        "update throttles set next_turn_at = $2 where key = $1",
        key,
        turn + delay
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(std::time::Duration::try_from(turn - now).unwrap_or_default())
}

/// Forgets the attempts under `key`, after a success.
pub async fn clear(db: impl PgExecutor<'_>, key: &str) -> Result<(), AppError> {
    sqlx::query!("delete from throttles where key = $1", key)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_slow_down_after_the_limit_and_never_wait_over_ten_seconds() {
        let limit = SIGN_IN_PER_ACCOUNT;
        assert_eq!(failure_delay(4, limit), std::time::Duration::ZERO);
        assert_eq!(failure_delay(5, limit).as_millis(), 250);
        assert_eq!(failure_delay(6, limit).as_millis(), 500);
        assert_eq!(failure_delay(9, limit).as_millis(), 4000);
        assert_eq!(failure_delay(500, limit).as_secs(), 10);
    }
}
