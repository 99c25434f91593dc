//! The connection pool and migrations, applied at start.

use std::time::Duration;

use sqlx::{postgres::PgPoolOptions, Connection, PgPool};

use crate::config::Config;

/// How long start-up waits for the database before giving up with a clear message.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection idle for longer than this is pinged before it is handed out again.
pub const RECHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Opens the pool and brings the schema up to date.
///
/// The pool reconnects by itself, so a database that goes away later makes `/readyz` fail
/// until it is back, without a restart.
pub async fn connect(config: &Config) -> Result<PgPool, String> {
    let pool = PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(3))
        // The pool pings every connection as it is released, so one in steady use is known to
        // work; pinging it again on each acquire cost a round trip per query. One that sat idle
        // may have lost its server meanwhile (a restart, a proxy's idle timeout), so it is
        // pinged, and replaced if that fails.
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                Ok(meta.idle_for < RECHECK_IDLE_AFTER || connection.ping().await.is_ok())
            })
        })
        .connect_lazy_with(config.database.clone());

    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        match sqlx::migrate!("../migrations").run(&pool).await {
            Ok(()) => return Ok(pool),
            Err(sqlx::migrate::MigrateError::Execute(error))
                if is_unreachable(&error) && tokio::time::Instant::now() < deadline =>
            {
                tracing::warn!(%error, "database not reachable yet; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => {
                return Err(format!(
                    "cannot prepare the database ({error}): check DATABASE_URL and that PostgreSQL is running"
                ))
            }
        }
    }
}

fn is_unreachable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
    )
}

/// True when the database answers a trivial query within the pool's acquire timeout.
pub async fn is_ready(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("select 1 as \"one!\"")
        .fetch_one(pool)
        .await
        .map(drop)
}
