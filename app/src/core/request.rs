//! Who is asking, from the request: network address, browser, language; reading and setting cookies.

#![cfg(feature = "ssr")]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{header, HeaderMap, HeaderValue};
use ipnet::IpNet;
use leptos::prelude::use_context;

use super::error::AppError;
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

/// Whether the request's `Host` names this machine: `localhost`, a loopback address or
/// `0.0.0.0` (which browsers send only to this machine), with or without a port.
pub fn is_addressed_locally(headers: &HeaderMap) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback() || address.is_unspecified())
}

/// The header a trusted proxy names the client in. Only that one is read: a proxy appends to
/// the header it writes and passes any other on as the client sent it, so reading another would
/// let the client name itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardingHeader {
    /// `X-Forwarded-For`, which HAProxy's `option forwardfor` and nginx's
    /// `$proxy_add_x_forwarded_for` append to.
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

impl ForwardingHeader {
    /// `X-Forwarded-For` or `Forwarded`, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("x-forwarded-for") {
            Some(Self::XForwardedFor)
        } else if name.eq_ignore_ascii_case("forwarded") {
            Some(Self::Forwarded)
        } else {
            None
        }
    }
}

/// The client's address. A request from a trusted proxy names the client in its forwarding
/// header: each hop appends the address it received from, so the chain is read from the right
/// and the first address that is not a trusted proxy is the client (anything to its left was
/// written by the client and proves nothing). Any other socket is the client itself, whatever
/// its headers claim. An IPv4 client reaching a dual-stack socket (`[::]`) as `::ffff:a.b.c.d`
/// is its IPv4 address, so that it is counted and trusted as one.
pub fn client_address(
    socket: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardingHeader,
) -> IpAddr {
    let socket = socket.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&socket) {
        return socket;
    }
    let chain = forwarded_for(headers, header);
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(chain.first())
        .copied()
        .unwrap_or(socket)
}

/// The request names a client it was forwarded for, readable or not: a proxy passed it on.
pub fn is_relayed(headers: &HeaderMap) -> bool {
    headers.contains_key(header::FORWARDED) || headers.contains_key("x-forwarded-for")
}

/// The socket is one of the trusted proxies: whatever its headers say, the request came
/// through it, perhaps from anywhere.
pub fn is_proxy(socket: IpAddr, trusted: &[IpNet]) -> bool {
    let socket = socket.to_canonical();
    trusted.iter().any(|net| net.contains(&socket))
}

/// Sent from this machine itself, to this machine, with no proxy in between: neither a trusted
/// proxy's socket nor a forwarding header, and addressed by a loopback name.
pub fn is_from_this_machine(socket: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> bool {
    socket.to_canonical().is_loopback()
        && !is_relayed(headers)
        && !is_proxy(socket, trusted)
        && is_addressed_locally(headers)
}

/// The addresses the request was forwarded for by `header`, nearest the client first. An entry
/// that is not an address (an obfuscated name, `unknown`, garbage) ends the chain there, as
/// nothing beyond it can be read.
fn forwarded_for(headers: &HeaderMap, header: ForwardingHeader) -> Vec<IpAddr> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    let entries: Vec<&str> = match header {
        ForwardingHeader::XForwardedFor => {
            values(header::HeaderName::from_static("x-forwarded-for"))
        }
        ForwardingHeader::Forwarded => values(header::FORWARDED)
            .into_iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.eq_ignore_ascii_case("for").then_some(value)
                })
            })
            .collect(),
    };
    entries
        .into_iter()
        .map(parse_node)
        .take_while(Option::is_some)
        .flatten()
        .map(|ip| ip.to_canonical())
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `"[2001:db8::1]:4711"` or `2001:db8::1` → the address.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
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

    fn with(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                header::HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                HeaderValue::from_str(value).expect("a value"),
            );
        }
        headers
    }

    fn client(socket: &str, headers: &[(&str, &str)], trusted: &[&str]) -> String {
        client_by(socket, headers, trusted, ForwardingHeader::XForwardedFor)
    }

    fn client_by(
        socket: &str,
        headers: &[(&str, &str)],
        trusted: &[&str],
        header: ForwardingHeader,
    ) -> String {
        let trusted: Vec<IpNet> = trusted
            .iter()
            .map(|net| net.parse().expect("a CIDR"))
            .collect();
        client_address(
            socket.parse().expect("an address"),
            &with(headers),
            &trusted,
            header,
        )
        .to_string()
    }

    #[test]
    fn forwarding_headers_from_an_untrusted_socket_are_ignored() {
        let spoofed = [("x-forwarded-for", "198.51.100.1")];
        assert_eq!(client("203.0.113.9", &spoofed, &[]), "203.0.113.9");
        assert_eq!(
            client("203.0.113.9", &spoofed, &["10.0.0.0/8"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_as_the_last_untrusted_hop() {
        let proxies = ["10.0.0.0/8"];
        let through = |value| client("10.0.0.2", &[("x-forwarded-for", value)], &proxies);
        assert_eq!(through("198.51.100.1"), "198.51.100.1");
        // The client wrote the leftmost address itself; the proxies appended the rest.
        assert_eq!(
            through("192.0.2.66, 198.51.100.1, 10.0.0.7"),
            "198.51.100.1"
        );
        // Garbage ends the readable chain; the socket stands in when nothing else is left.
        assert_eq!(through("not-an-address"), "10.0.0.2");
        assert_eq!(client("10.0.0.2", &[], &proxies), "10.0.0.2");
        assert_eq!(
            client(
                "10.0.0.2",
                &[
                    ("x-forwarded-for", "198.51.100.1"),
                    ("x-forwarded-for", "198.51.100.2")
                ],
                &proxies
            ),
            "198.51.100.2"
        );
    }

    #[test]
    fn the_standard_forwarded_header_is_read_with_ports_and_brackets() {
        let proxies = ["127.0.0.1/32"];
        let through = |value| {
            client_by(
                "127.0.0.1",
                &[("forwarded", value)],
                &proxies,
                ForwardingHeader::Forwarded,
            )
        };
        assert_eq!(through("for=198.51.100.1;proto=https"), "198.51.100.1");
        assert_eq!(
            through("for=\"[2001:db8::7]:4711\", for=127.0.0.1"),
            "2001:db8::7"
        );
        assert_eq!(through("For=198.51.100.1:80"), "198.51.100.1");
    }

    #[test]
    fn only_the_header_the_proxy_writes_names_the_client() {
        // The proxy appended to X-Forwarded-For; the client wrote Forwarded itself.
        let headers = [
            ("forwarded", "for=198.51.100.99"),
            ("x-forwarded-for", "203.0.113.5"),
        ];
        assert_eq!(client("10.0.0.2", &headers, &["10.0.0.0/8"]), "203.0.113.5");
        let proxy_writes_forwarded = |headers: &[(&str, &str)]| {
            client_by(
                "10.0.0.2",
                headers,
                &["10.0.0.0/8"],
                ForwardingHeader::Forwarded,
            )
        };
        assert_eq!(
            proxy_writes_forwarded(&[
                ("x-forwarded-for", "198.51.100.99"),
                ("forwarded", "for=203.0.113.5")
            ]),
            "203.0.113.5"
        );
        assert_eq!(
            ForwardingHeader::parse(" Forwarded"),
            Some(ForwardingHeader::Forwarded)
        );
        assert_eq!(
            ForwardingHeader::parse("X-FORWARDED-FOR"),
            Some(ForwardingHeader::XForwardedFor)
        );
        assert_eq!(ForwardingHeader::parse("X-Real-IP"), None);
    }

    #[test]
    fn an_ipv4_client_on_a_dual_stack_socket_counts_as_its_ipv4_address() {
        assert_eq!(client("::ffff:203.0.113.9", &[], &[]), "203.0.113.9");
        // A proxy reaching a dual-stack socket is trusted by its IPv4 address, and so is a
        // mapped address it forwards.
        assert_eq!(
            client(
                "::ffff:10.0.0.2",
                &[("x-forwarded-for", "::ffff:198.51.100.1")],
                &["10.0.0.0/8"]
            ),
            "198.51.100.1"
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
    fn a_request_through_a_proxy_on_this_machine_is_not_from_it() {
        let local = with(&[("host", "127.0.0.1:3000")]);
        let loopback = "127.0.0.1".parse().expect("an address");
        assert!(is_from_this_machine(loopback, &local, &[]));
        // nginx by default names neither the client nor the public host.
        let proxy: Vec<IpNet> = vec!["127.0.0.1/32".parse().expect("a network")];
        assert!(!is_from_this_machine(loopback, &local, &proxy));
        let other_loopback = "127.0.0.2".parse().expect("an address");
        assert!(is_from_this_machine(other_loopback, &local, &proxy));
    }

    #[test]
    fn a_request_to_another_name_is_not_for_this_machine_even_from_it() {
        let mut rebound = from("127.0.0.1");
        rebound.addressed_locally = false;
        assert!(!rebound.is_on_this_machine());
    }

    #[test]
    fn only_loopback_names_address_this_machine() {
        let addressed = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(host).expect("a header"));
            is_addressed_locally(&headers)
        };
        for local in [
            "localhost",
            "LOCALHOST:3000",
            "127.0.0.1",
            "127.0.0.1:3100",
            "[::1]:3000",
        ] {
            assert!(addressed(local), "{local}");
        }
        for other in [
            "attacker.example",
            "attacker.example:3000",
            "localhost.example",
            "10.0.0.1:80",
        ] {
            assert!(!addressed(other), "{other}");
        }
        assert!(!is_addressed_locally(&HeaderMap::new()), "no Host at all");
    }
}
