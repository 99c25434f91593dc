//! What every feature shares on the server: the database pool, the clock and the site's settings.
//!
//! Each feature owns its own settings and state (DNS in `wizard`, Stripe in `licensing`, presence
//! in `meetings`); the server assembles them all and gives each to the server functions as context.

#![cfg(feature = "ssr")]

use leptos::prelude::use_context;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::clock::Clock;
use super::error::AppError;

/// The shared server state every feature uses.
#[derive(Clone, Debug)]
pub struct Core {
    pub pool: PgPool,
    pub clock: Clock,
    pub settings: Settings,
}

impl Core {
    /// The current time, from the one clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

/// Deployment settings that are not any one feature's.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where people reach the site, for links in mail, e.g. `https://tenantry.example`.
    pub public_url: String,
    /// Cookies carry `Secure` and the `__Host-` prefix (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose forwarding header names the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header they name it in (`FORWARDED_HEADER`).
    pub forwarding_header: super::forwarding::ForwardingHeader,
}

/// A piece of server state the server provided as context: [`Core`] or a feature's own.
pub fn provided<T: Clone + Send + Sync + 'static>() -> Result<T, AppError> {
    use_context::<T>().ok_or_else(|| {
        tracing::error!(
            missing = std::any::type_name::<T>(),
            "server state missing from the Leptos context"
        );
        AppError::Internal
    })
}
