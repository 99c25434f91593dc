//! The connection pool and migrations, applied at start.

use std::time::Duration;

use sqlx::{postgres::PgPoolOptions, PgPool};

use crate::config::Config;

/// How long start-up waits for the database before giving up with a clear message.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Opens the pool and brings the schema up to date.
///
/// The pool reconnects by itself, so a database that goes away later makes `/readyz` fail
/// until it is back, without a restart.
pub async fn connect(config: &Config) -> Result<PgPool, String> {
    let pool = PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(3))
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
