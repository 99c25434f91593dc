//! The Tenantry server: configuration, database, router, and a graceful shutdown.

use leptos::prelude::get_configuration;

pub mod config;
pub mod database;
pub mod http;
pub mod mail;
pub mod metrics;
mod static_files;
mod telemetry;

/// Starts the server and serves until SIGINT or SIGTERM; every failure is one line saying what to fix.
pub async fn run() -> Result<(), String> {
    let config = config::Config::from_env().map_err(|error| error.to_string())?;
    telemetry::init(config.log_format);

    let leptos = get_configuration(None)
        .map_err(|error| {
            format!("Leptos configuration is invalid ({error}): check the LEPTOS_* variables")
        })?
        .leptos_options;
    let addr = leptos.site_addr;
    if config.public_url.is_none() && addr.ip().is_unspecified() {
        return Err(config::unspecified_address_error(addr));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| config::bind_error(addr, &error))?;

    let pool = database::connect(&config).await?;
    let mailer = mail::Mailer::from_config(&config)?;
    if matches!(mailer, mail::Mailer::Mailbox) {
        tracing::warn!(
            "SMTP_URL is not set: mail is not sent; with DEV_MAILBOX=true it shows at /dev/mailbox"
        );
    }
    let mut worker = mail::start_worker(&pool, mailer);
    let eraser = tokio::spawn(erase_removed_people(pool.clone()));
    let refunder = tokio::spawn(refund_due_orders(pool.clone(), config.stripe.clone()));
    let (router, presence) = http::router(&config, leptos, pool, app::core::clock::Clock::system());

    // The port actually bound: LEPTOS_SITE_ADDR may ask for port 0.
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, "listening");
    let served = axum::serve(
        http::without_delay(listener),
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Live meeting pages hold their connections open; end them so the shutdown can finish.
        presence.close();
    })
    .await;
    worker.stop().await;
    eraser.abort();
    refunder.abort();
    served.map_err(|error| format!("the server stopped unexpectedly: {error}"))?;
    tracing::info!("stopped");
    Ok(())
}

/// Erases the personal data of people removed more than 30 days ago, and clears away sessions
/// that have ended, hourly. Every server runs it; the statements are idempotent, so running
/// them on several at once is harmless.
async fn erase_removed_people(pool: sqlx::PgPool) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every_hour.tick().await;
        match app::people::service::erase_removed(&pool, time::OffsetDateTime::now_utc()).await {
            Ok(0) => {}
            Ok(erased) => tracing::info!(erased, "erased the data of people removed 30 days ago"),
            Err(error) => tracing::warn!(?error, "could not erase removed people; will retry"),
        }
        let now = time::OffsetDateTime::now_utc();
        if let Err(error) = app::accounts::session::end_expired(&pool, None, now).await {
            tracing::warn!(?error, "could not clear ended sessions away; will retry");
        }
    }
}

/// Refunds, every minute, paid orders that could not be applied and whose refund has not been
/// made yet (the webhook tries at once; this retries when Stripe was unreachable).
async fn refund_due_orders(
    pool: sqlx::PgPool,
    stripe: Option<app::licensing::stripe::StripeSettings>,
) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let now = time::OffsetDateTime::now_utc();
        match app::licensing::refunds::refund_due(&pool, stripe.as_ref(), now).await {
            Ok(0) => {}
            Ok(refunded) => {
                tracing::info!(refunded, "refunded paid orders that could not be applied")
            }
            Err(error) => tracing::warn!(?error, "could not refund due orders; will retry"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, letting requests in flight finish.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
