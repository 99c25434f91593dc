//! Where a request came from: its client behind the trusted proxies, and whether it came from
//! this machine itself.

#![cfg(feature = "ssr")]

use std::net::{IpAddr, SocketAddr};

use http::{header, HeaderMap};
use ipnet::IpNet;

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

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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
