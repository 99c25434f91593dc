//! Configuration from environment variables, each with a default where one is safe.

use std::{net::SocketAddr, str::FromStr, time::Duration};

use app::core::forwarding::ForwardingHeader;
use sqlx::postgres::PgConnectOptions;

/// Everything the server reads from its environment at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: PgConnectOptions,
    pub database_max_connections: u32,
    pub log_format: LogFormat,
    pub request_body_limit: usize,
    pub request_timeout: Duration,
    /// Where mail goes out, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@mail.example:465`.
    pub smtp_url: Option<String>,
    /// How long one message's SMTP conversation may take (RFC 5321 allows a server 10 minutes
    /// to accept a message's data; most answer in seconds).
    pub smtp_timeout: Duration,
    /// The sender of every message.
    pub mail_from: String,
    /// Where people reach the site, for links in mail; `None` means the listening address.
    pub public_url: Option<String>,
    /// Shows every sent message at /dev/mailbox. Never switch this on in production.
    pub dev_mailbox: bool,
    /// Nameservers asked for domain checks; empty means the system's.
    pub dns_nameservers: Vec<SocketAddr>,
    pub dns_timeout: Duration,
    /// Stripe Checkout and its webhook, when both keys are set; else the offline test mode.
    pub stripe: Option<app::licensing::stripe::StripeSettings>,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers are believed; none by default,
    /// so a client cannot pick the address its rate limits count against.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header those proxies name the client in.
    pub forwarding_header: ForwardingHeader,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration problem, worded as what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not set: point it at a PostgreSQL database, e.g. postgres://tenantry@127.0.0.1:5432/tenantry (scripts/run.sh starts a private one)")]
    MissingDatabaseUrl,
    #[error("DATABASE_URL is not a valid PostgreSQL URL ({0}): use the form postgres://user:password@host:port/database")]
    InvalidDatabaseUrl(String),
    #[error("{name}={value:?} is not valid: {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("PAYMENTS is not set: choose PAYMENTS=stripe (with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET) or PAYMENTS=test (the offline test cards, which pay nothing; for trying Tenantry out)")]
    MissingPayments,
    #[error("{what} behind {public_url} would let anyone on the internet {risk}: refusing to start. Use it on a loopback address, or set {OVERRIDE}=true if this server is not reachable by others")]
    UnsafeBehindHttps {
        what: &'static str,
        public_url: String,
        risk: &'static str,
    },
}

/// Lets a server behind an `https://` address start with test payments or the development
/// mailbox anyway, for a staging server nobody else reaches.
pub const OVERRIDE: &str = "ALLOW_TEST_SETTINGS_BEHIND_HTTPS";

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = lookup("DATABASE_URL")
            .filter(|url| !url.trim().is_empty())
            .ok_or(ConfigError::MissingDatabaseUrl)?;
        let database = PgConnectOptions::from_str(url.trim())
            .map_err(|error| ConfigError::InvalidDatabaseUrl(error.to_string()))?;
        Self {
            database,
            database_max_connections: parse(
                &lookup,
                "DATABASE_MAX_CONNECTIONS",
                10,
                "a whole number of connections, at least 1",
            )
            .and_then(|n: u32| at_least(n, 1, "DATABASE_MAX_CONNECTIONS", "at least 1"))?,
            log_format: match lookup("LOG_FORMAT").as_deref().map(str::trim) {
                None | Some("") | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        name: "LOG_FORMAT",
                        value: other.to_owned(),
                        expected: "\"text\" or \"json\"",
                    })
                }
            },
            request_body_limit: parse(
                &lookup,
                "REQUEST_BODY_LIMIT_BYTES",
                1024 * 1024,
                "a size in bytes",
            )?,
            request_timeout: Duration::from_secs(parse(
                &lookup,
                "REQUEST_TIMEOUT_SECS",
                30,
                "a whole number of seconds",
            )?),
            smtp_url: match non_empty(&lookup, "SMTP_URL") {
                Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => Some(url),
                Some(url) => {
                    return Err(ConfigError::Invalid {
                        name: "SMTP_URL",
                        value: url,
                        expected: "smtp://host:port or smtps://user:password@host:port",
                    })
                }
                None => None,
            },
            smtp_timeout: Duration::from_secs(parse(
                &lookup,
                "SMTP_TIMEOUT_SECS",
                300,
                "a whole number of seconds",
            )?),
            mail_from: non_empty(&lookup, "MAIL_FROM")
                .unwrap_or_else(|| "Tenantry <no-reply@tenantry.localhost>".to_owned()),
            public_url: match non_empty(&lookup, "PUBLIC_URL") {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    Some(url.trim_end_matches('/').to_owned())
                }
                Some(url) => {
                    return Err(ConfigError::Invalid {
                        name: "PUBLIC_URL",
                        value: url,
                        expected: "the address people open, such as https://tenantry.example",
                    })
                }
                None => None,
            },
            dev_mailbox: parse(&lookup, "DEV_MAILBOX", false, "true or false")?,
            dns_nameservers: non_empty(&lookup, "DNS_NAMESERVERS")
                .map(|list| parse_nameservers(&list))
                .transpose()?
                .unwrap_or_default(),
            dns_timeout: Duration::from_millis(parse(
                &lookup,
                "DNS_TIMEOUT_MS",
                3000,
                "a whole number of milliseconds",
            )?),
            stripe: payments(&lookup)?,
            trusted_proxies: non_empty(&lookup, "TRUSTED_PROXIES")
                .map(|list| parse_networks(&list))
                .transpose()?
                .unwrap_or_default(),
            forwarding_header: non_empty(&lookup, "FORWARDED_HEADER")
                .map(|name| {
                    ForwardingHeader::parse(&name).ok_or(ConfigError::Invalid {
                        name: "FORWARDED_HEADER",
                        value: name,
                        expected: "X-Forwarded-For or Forwarded, the header the proxy writes",
                    })
                })
                .transpose()?
                .unwrap_or_default(),
        }
        .safe_to_serve(parse(&lookup, OVERRIDE, false, "true or false")?)
    }

    /// Refuses settings that are only safe on a developer's machine behind an `https://` public
    /// address, unless the override says this server is not public.
    fn safe_to_serve(self, overridden: bool) -> Result<Self, ConfigError> {
        let Some(public_url) = self
            .public_url
            .clone()
            .filter(|url| url.starts_with("https://"))
        else {
            return Ok(self);
        };
        if overridden {
            return Ok(self);
        }
        if self.stripe.is_none() {
            return Err(ConfigError::UnsafeBehindHttps {
                what: "PAYMENTS=test",
                public_url,
                risk: "buy licenses with a test card that pays nothing",
            });
        }
        if self.dev_mailbox {
            return Err(ConfigError::UnsafeBehindHttps {
                what: "DEV_MAILBOX=true",
                public_url,
                risk: "read every sign-up code and reset link sent",
            });
        }
        Ok(self)
    }
}

/// How licenses are paid for, chosen explicitly: Stripe (returns its settings), or the offline
/// test cards (returns none).
fn payments(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<app::licensing::stripe::StripeSettings>, ConfigError> {
    let keys = (
        non_empty(lookup, "STRIPE_SECRET_KEY"),
        non_empty(lookup, "STRIPE_WEBHOOK_SECRET"),
    );
    match non_empty(lookup, "PAYMENTS").as_deref() {
        None => Err(ConfigError::MissingPayments),
        Some("test") => match keys {
            (None, None) => Ok(None),
            _ => Err(ConfigError::Invalid {
                name: "PAYMENTS",
                value: "test".to_owned(),
                expected: "stripe when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set; test only without them",
            }),
        },
        Some("stripe") => match keys {
            (Some(secret_key), Some(webhook_secret)) => {
                Ok(Some(app::licensing::stripe::StripeSettings {
                    secret_key,
                    webhook_secret,
                    api_base: non_empty(lookup, "STRIPE_API_BASE")
                        .unwrap_or_else(|| "https://api.stripe.com".to_owned())
                        .trim_end_matches('/')
                        .to_owned(),
                }))
            }
            _ => Err(ConfigError::Invalid {
                name: "PAYMENTS",
                value: "stripe".to_owned(),
                expected: "with PAYMENTS=stripe, set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET",
            }),
        },
        Some(other) => Err(ConfigError::Invalid {
            name: "PAYMENTS",
            value: other.to_owned(),
            expected: "stripe or test",
        }),
    }
}

/// `127.0.0.1:5353, 192.0.2.53` → socket addresses; port 53 when none is given.
fn parse_nameservers(list: &str) -> Result<Vec<SocketAddr>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<SocketAddr>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| ConfigError::Invalid {
                    name: "DNS_NAMESERVERS",
                    value: list.to_owned(),
                    expected: "IP addresses with optional ports, separated by commas, e.g. 127.0.0.1:5353",
                })
        })
        .collect()
}

/// `10.0.0.0/8, 127.0.0.1, ::1` → networks; a bare address is a network of one.
fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    name: "TRUSTED_PROXIES",
                    value: list.to_owned(),
                    expected: "the proxies' addresses or CIDR networks, separated by commas, e.g. 127.0.0.1, 10.0.0.0/8",
                })
        })
        .collect()
}

fn non_empty(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn parse<T: FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(value) if value.trim().is_empty() => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            value,
            expected,
        }),
    }
}

fn at_least(
    n: u32,
    min: u32,
    name: &'static str,
    expected: &'static str,
) -> Result<u32, ConfigError> {
    if n >= min {
        Ok(n)
    } else {
        Err(ConfigError::Invalid {
            name,
            value: n.to_string(),
            expected,
        })
    }
}

/// Says what to do when the listening address is taken or not allowed.
/// Listening on every address gives links (in mail, on the phone page) no address a browser
/// can open unless `PUBLIC_URL` says which one people use.
pub fn unspecified_address_error(addr: SocketAddr) -> String {
    format!(
        "LEPTOS_SITE_ADDR is {addr}, which is no address a browser can open, and links in mail and \
         on the phone page are built from it: set PUBLIC_URL to the address people use (for \
         example http://192.0.2.10:{port} or https://tenantry.example.com)",
        port = addr.port()
    )
}

pub fn bind_error(addr: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {} on {} is already in use: stop the other process or set LEPTOS_SITE_ADDR to a free address",
            addr.port(),
            addr.ip()
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "not allowed to listen on {addr}: choose a port above 1023 with LEPTOS_SITE_ADDR"
        ),
        _ => format!("cannot listen on {addr} ({error}): check LEPTOS_SITE_ADDR"),
    }
}

#[cfg(test)]
mod tests;
