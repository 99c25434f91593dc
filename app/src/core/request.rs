//! Who is asking, from the request: network address, browser, language; reading and setting cookies.

#![cfg(feature = "ssr")]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{header, HeaderMap, HeaderValue};
use leptos::prelude::use_context;

use super::error::AppError;
use super::forwarding::{client_address, is_addressed_locally, is_proxy, is_relayed};
use super::locale::locale_of;
use super::state::{Core, Settings};
use crate::i18n::Locale;

/// Who is asking: what every service call needs to know about the request.
#[derive(Debug, Clone)]
pub struct Requester {
    /// The client's address: the socket's, or the one a trusted proxy forwarded.
    pub ip: IpAddr,
    /// The request names a client it was forwarded for (`X-Forwarded-For` or `Forwarded`),
    /// trusted or not: it did not come straight from the machine it was sent from.
    pub relayed: bool,
    /// The request was addressed to this machine by name (`localhost` or a loopback address).
    /// A page of another site that points its own name at 127.0.0.1 still sends that name.
    pub addressed_locally: bool,
    pub user_agent: String,
    pub locale: Locale,
}

impl Requester {
    /// The bucket rate limits count in: one address for IPv4; for IPv6 the /64 network, since one
    /// subscriber usually holds a whole /64 and could otherwise rotate through it.
    pub fn limit_key(&self) -> String {
        match self.ip {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => {
                let network = u128::from(ip) & (u128::MAX << 64);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        }
    }

    /// Sent from this machine itself, to this machine, with no proxy in between.
    pub fn is_on_this_machine(&self) -> bool {
        self.ip.is_loopback() && !self.relayed && self.addressed_locally
    }

    /// The network the request came from, with the part that names one machine masked: enough
    /// for a person to recognise where they signed in, not to find them.
    pub fn network(&self) -> String {
        match self.ip {
            IpAddr::V4(ip) => {
                let [a, b, c, _] = ip.octets();
                format!("{a}.{b}.{c}.x")
            }
            IpAddr::V6(ip) => {
                let segments = ip.segments();
                format!(
                    "{:x}:{:x}:{:x}:{:x}::/64",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        }
    }
}

/// The current server-function request's headers.
pub async fn headers() -> Result<HeaderMap, AppError> {
    leptos_axum::extract::<HeaderMap>()
        .await
        .map_err(|_| AppError::Internal)
}

/// Who is asking on the current server-function request.
pub async fn requester() -> Result<Requester, AppError> {
    let headers = headers().await?;
    let socket = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let (trusted, forwarding) = use_context::<Core>()
        .map(|core| {
            (
                core.settings.trusted_proxies,
                core.settings.forwarding_header,
            )
        })
        .unwrap_or_default();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(Requester {
        ip: client_address(socket, &headers, &trusted, forwarding),
        relayed: is_relayed(&headers) || is_proxy(socket, &trusted),
        addressed_locally: is_addressed_locally(&headers),
        user_agent,
        locale: locale_of(&headers),
    })
}

/// A non-empty cookie of the request by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Adds a `Set-Cookie` header to the current server-function response.
pub fn set_cookie(cookie: HeaderValue) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(header::SET_COOKIE, cookie);
    }
}

/// A cookie's name, with the `__Host-` prefix when cookies are `Secure`: the browser then
/// accepts it only from this host, over HTTPS, for the whole site.
pub fn host_cookie_name(settings: &Settings, name: &str) -> String {
    if settings.secure_cookies {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

/// The `Set-Cookie` value of an HttpOnly, SameSite=Lax cookie for the whole site, `Secure`
/// behind HTTPS; without `max_age` it lasts as long as the browser session.
pub fn http_only_cookie(
    settings: &Settings,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> Result<HeaderValue, AppError> {
    let max_age = max_age
        .map(|secs| format!("; Max-Age={secs}"))
        .unwrap_or_default();
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax{max_age}{secure}",
        host_cookie_name(settings, name)
    ))
    .map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(ip: &str) -> Requester {
        Requester {
            ip: ip.parse().expect("an address"),
            relayed: false,
            addressed_locally: true,
            user_agent: String::new(),
            locale: Locale::en,
        }
    }

    #[test]
    fn the_network_hides_which_machine_asked() {
        assert_eq!(from("203.0.113.77").network(), "203.0.113.x");
        assert_eq!(from("2001:db8:1:2:3:4:5:6").network(), "2001:db8:1:2::/64");
    }

    #[test]
    fn limits_count_ipv4_addresses_and_ipv6_networks() {
        assert_eq!(from("203.0.113.77").limit_key(), "203.0.113.77");
        assert_eq!(
            from("2001:db8:1:2:3:4:5:6").limit_key(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            from("2001:db8:1:2:ffff::1").limit_key(),
            from("2001:db8:1:2::9").limit_key()
        );
    }

    #[test]
    fn a_request_naming_a_forwarded_client_is_not_from_this_machine() {
        let mut local = from("127.0.0.1");
        assert!(local.is_on_this_machine());
        local.relayed = true;
        assert!(!local.is_on_this_machine());
    }

    #[test]
    fn a_request_to_another_name_is_not_for_this_machine_even_from_it() {
        let mut rebound = from("127.0.0.1");
        rebound.addressed_locally = false;
        assert!(!rebound.is_on_this_machine());
    }
}
