//! Uncached, one-shot DNS lookups (TXT / MX) on top of `hickory-resolver` 0.26.
//!
//! Every call builds a fresh resolver with `cache_size = 0`, so a record added
//! a moment ago (e.g. by `nsupdate`) is seen immediately. Failures are mapped
//! to a small, stable [`Lookup`] enum: NXDOMAIN vs. NODATA (with the RFC 2308
//! negative TTL), SERVFAIL, REFUSED and Timeout are kept apart.

#![cfg(feature = "ssr")]

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError, NoRecords};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};

/// How domain checks reach DNS.
#[derive(Clone, Debug)]
pub struct DnsSettings {
    /// Nameservers asked directly; empty means the system's (`/etc/resolv.conf`).
    pub nameservers: Vec<SocketAddr>,
    /// How long one lookup may take.
    pub timeout: Duration,
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

/// Outcome of a single lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Answer records (TXT: character-strings joined; MX: "PRIORITY EXCHANGE")
    /// and the smallest TTL of the answer RRset.
    Found {
        records: Vec<String>,
        ttl: u32,
    },
    /// NXDOMAIN: the name does not exist. TTL = min(SOA TTL, SOA MINIMUM).
    NxDomain {
        negative_ttl: Option<u32>,
    },
    /// NOERROR but no record of the requested type (NODATA).
    NoRecords {
        negative_ttl: Option<u32>,
    },
    /// The name is an alias (CNAME) for `target`. Aliases are not followed: a record must be at
    /// the asked name itself, or whoever controls the target's zone could answer for it.
    Alias {
        target: String,
    },
    ServFail,
    Refused,
    /// No answer from any nameserver within the timeout.
    Timeout,
    /// Anything else (bad name, I/O error, other RCODE, ...).
    Failed(String),
}

/// Look up the TXT records of `name`. Each record's character-strings are
/// concatenated without separator; bytes are decoded as lossy UTF-8.
pub async fn lookup_txt(settings: &DnsSettings, name: &str) -> Lookup {
    lookup(
        &settings.nameservers,
        name,
        RecordType::TXT,
        settings.timeout,
    )
    .await
}

/// Look up the MX records of `name`, rendered as `"PRIORITY EXCHANGE"`
/// (exchange as a fully-qualified name with trailing dot).
pub async fn lookup_mx(settings: &DnsSettings, name: &str) -> Lookup {
    lookup(
        &settings.nameservers,
        name,
        RecordType::MX,
        settings.timeout,
    )
    .await
}

impl Lookup {
    /// The answer as the audit log keeps it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Lookup::Found { records, ttl } => {
                json!({ "rcode": "NOERROR", "records": records, "ttl": ttl })
            }
            Lookup::NxDomain { negative_ttl } => {
                json!({ "rcode": "NXDOMAIN", "negative_ttl": negative_ttl })
            }
            Lookup::NoRecords { negative_ttl } => {
                json!({ "rcode": "NOERROR", "records": [], "negative_ttl": negative_ttl })
            }
            Lookup::Alias { target } => json!({ "rcode": "NOERROR", "cname": target }),
            Lookup::ServFail => json!({ "rcode": "SERVFAIL" }),
            Lookup::Refused => json!({ "rcode": "REFUSED" }),
            Lookup::Timeout => json!({ "error": "timeout" }),
            Lookup::Failed(detail) => json!({ "error": detail }),
        }
    }
}

/// hickory's `ResolverOpts::attempts` counts *retries* after the first try
/// (RetryDnsHandle). 0 => exactly one attempt, so a dead server yields
/// `Timeout` after ~`timeout`, and SERVFAIL/REFUSED are reported as-is.
const RETRIES: usize = 0;

fn build_resolver(
    nameservers: &[SocketAddr],
    timeout: Duration,
) -> Result<TokioResolver, NetError> {
    let mut builder = if nameservers.is_empty() {
        // System configuration (/etc/resolv.conf); options below override its ones.
        Resolver::builder_tokio()?
    } else {
        let servers = nameservers
            .iter()
            .map(|sa| {
                let mut ns = NameServerConfig::udp_and_tcp(sa.ip());
                // udp_and_tcp() defaults to port 53 – point every transport at our port.
                ns.connections
                    .iter_mut()
                    .for_each(|c: &mut ConnectionConfig| c.port = sa.port());
                ns
            })
            .collect();
        Resolver::builder_with_config(
            ResolverConfig::from_name_servers(servers),
            TokioRuntimeProvider::default(),
        )
    };
    let opts: &mut ResolverOpts = builder.options_mut();
    opts.cache_size = 0; // never serve from cache
    opts.timeout = timeout; // per query, end-to-end across the server pool
    opts.attempts = RETRIES;
    opts.use_hosts_file = ResolveHosts::Never;
    // Query all servers in parallel (first answer wins). Serially, a dead server
    // picked first (hickory orders by random initial SRTT) eats the whole timeout.
    opts.num_concurrent_reqs = nameservers.len().max(3);
    // recursion_desired stays true: authoritative servers (BIND) ignore RD for their zones.
    builder.build()
}

async fn lookup(
    nameservers: &[SocketAddr],
    name: &str,
    rtype: RecordType,
    timeout: Duration,
) -> Lookup {
    let resolver = match build_resolver(nameservers, timeout) {
        Ok(r) => r,
        Err(e) => return Lookup::Failed(format!("resolver setup: {e}")),
    };
    // Fully qualify so no search-list / ndots expansion ever happens.
    let fqdn = if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    };
    // Safety net on top of hickory's own timeout (which covers each attempt).
    let budget = timeout * (RETRIES as u32 + 1) + Duration::from_millis(500);
    let result = match tokio::time::timeout(budget, resolver.lookup(fqdn.as_str(), rtype)).await {
        Ok(r) => r,
        Err(_) => return Lookup::Timeout,
    };
    match result {
        Ok(lookup) => {
            let asked = fqdn.trim_end_matches('.');
            let mut ttl = u32::MAX;
            let mut records = Vec::new();
            let mut alias = None;
            for rec in lookup.answers() {
                // Only the asked name's own records: what sits beyond an alias is another zone's.
                let owner = rec.name.to_ascii();
                if !owner.trim_end_matches('.').eq_ignore_ascii_case(asked) {
                    continue;
                }
                let text = match (&rec.data, rtype) {
                    (RData::CNAME(target), _) => {
                        alias = Some(target.0.to_ascii().trim_end_matches('.').to_owned());
                        continue;
                    }
                    (RData::TXT(txt), RecordType::TXT) => String::from_utf8_lossy(
                        &txt.txt_data
                            .iter()
                            .flat_map(|s| s.iter().copied())
                            .collect::<Vec<u8>>(),
                    )
                    .into_owned(),
                    (RData::MX(mx), RecordType::MX) => format!("{} {}", mx.preference, mx.exchange),
                    _ => continue,
                };
                ttl = ttl.min(rec.ttl);
                records.push(text);
            }
            match alias {
                _ if !records.is_empty() => Lookup::Found { records, ttl },
                Some(target) => Lookup::Alias { target },
                None => Lookup::NoRecords { negative_ttl: None },
            }
        }
        Err(e) => map_error(e),
    }
}

fn map_error(err: NetError) -> Lookup {
    match err {
        NetError::Dns(DnsError::NoRecordsFound(NoRecords {
            response_code,
            negative_ttl,
            ..
        })) => match response_code {
            ResponseCode::NXDomain => Lookup::NxDomain { negative_ttl },
            _ => Lookup::NoRecords { negative_ttl },
        },
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => Lookup::ServFail,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => Lookup::Refused,
        NetError::Timeout => Lookup::Timeout,
        NetError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => Lookup::Timeout,
        other => Lookup::Failed(other.to_string()),
    }
}
