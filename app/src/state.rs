//! What the server shares with every server function: configuration, clock and database pool.

use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use sqlx::PgPool;

use crate::clock::Clock;
use crate::error::AppError;

/// Shared server state, given to the router and to every server function as context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub clock: Clock,
    pub settings: Settings,
    /// Live meeting presence in this process.
    pub presence: crate::meetings::live::Presence,
}

/// Deployment settings the features need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where people reach the site, for links in mail, e.g. `https://tenantry.example`.
    pub public_url: String,
    /// Cookies carry `Secure` and the `__Host-` prefix (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// The development mailbox page lists every message sent.
    pub dev_mailbox: bool,
    pub dns: DnsSettings,
    /// Payments through Stripe Checkout; `None` is the offline test mode.
    pub stripe: Option<StripeSettings>,
}

/// Stripe's keys and address.
#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// `https://api.stripe.com` unless changed.
    pub api_base: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// How domain checks reach DNS.
#[derive(Clone, Debug)]
pub struct DnsSettings {
    /// Nameservers asked directly; empty means the system's (`/etc/resolv.conf`).
    pub nameservers: Vec<std::net::SocketAddr>,
    /// How long one lookup may take.
    pub timeout: std::time::Duration,
}

impl DnsSettings {
    /// The nameservers, as the audit log records them.
    pub fn describe(&self) -> String {
        if self.nameservers.is_empty() {
            "system resolver".to_owned()
        } else {
            self.nameservers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The server state inside a server function or a server-rendered component.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
