//! "About this service": a live check that the server reaches its database.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::ErrorText;
#[cfg(feature = "ssr")]
use crate::core::api::{serve, Public};
use crate::core::error::AppError;
use crate::i18n::*;

/// The outcome of one round trip from the browser through the server to PostgreSQL. Deliberately
/// nothing about the schema or the server's version: the check is public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseHealth {
    /// How long the database took to answer, in milliseconds.
    pub round_trip_ms: u64,
}

#[cfg(feature = "ssr")]
pub mod db {
    use sqlx::PgPool;

    /// One round trip to the database.
    pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
        sqlx::query("select 1").execute(pool).await.map(|_| ())
    }
}

/// Checks that the database answers, and how fast.
#[server(prefix = "/api", endpoint = "database_status")]
pub async fn database_status() -> Result<DatabaseHealth, AppError> {
    serve(|core, _: Public| async move {
        let started = std::time::Instant::now();
        db::ping(&core.pool).await?;
        let round_trip_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(DatabaseHealth { round_trip_ms })
    })
    .await
}

/// A card with a button that checks the connection to the database.
#[component]
pub fn DatabaseStatusCard() -> impl IntoView {
    let i18n = use_i18n();
    let check = ServerAction::<DatabaseStatus>::new();
    let outcome = check.value();
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">{t!(i18n, status.heading)}</h2>
            <p>{t!(i18n, status.explain)}</p>
            <ActionForm action=check>
                <button type="submit" disabled=move || check.pending().get()>
                    {t!(i18n, status.check)}
                </button>
            </ActionForm>
            <p role="status" aria-live="polite">
                {move || match outcome.get() {
                    None => ().into_any(),
                    Some(Ok(health)) => {
                        let ms = health.round_trip_ms;
                        t!(i18n, status.reachable, ms = move || ms).into_any()
                    }
                    Some(Err(error)) => view! { <ErrorText error /> }.into_any(),
                }}
            </p>
        </section>
    }
}
