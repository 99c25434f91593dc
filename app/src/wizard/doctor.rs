//! The DNS doctor: looks the challenge up and explains what it found, so a person editing their
//! DNS elsewhere knows what to fix.

#![cfg(feature = "ssr")]

use serde_json::json;

use super::dns::{self, DnsSettings, Lookup};
use super::{Finding, Method};
use crate::core::error::AppError;

/// The label under which the TXT record goes: dedicated, so it cannot collide with other vendors'.
pub const CHALLENGE_LABEL: &str = "_tenantry-challenge";
/// The MX alternative uses the lowest priority, so mail never goes there.
pub const MX_PRIORITY: u16 = 65535;

pub fn txt_name(domain: &str) -> String {
    format!("{CHALLENGE_LABEL}.{domain}")
}

pub fn txt_value(token: &str) -> String {
    format!("tenantry-verification={token}")
}

/// The MX target: a name under the reserved `.invalid` top-level domain, so it never resolves.
pub fn mx_host(token: &str) -> String {
    format!("tenantry-{token}.verify.invalid")
}

/// A finding as its challenge keeps it, to show again when the page is opened later.
pub fn stored(finding: &Finding) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(finding).map_err(|_| AppError::Internal)
}

/// Looks up the challenge and says what was found; also returns every raw answer, for the audit.
pub async fn check(
    settings: &DnsSettings,
    method: Method,
    domain: &str,
    token: &str,
) -> (Finding, serde_json::Value) {
    let mut answers = Vec::new();
    let mut ask = |name: String, kind: &'static str, lookup: Lookup| {
        answers.push(json!({ "name": name, "type": kind, "answer": lookup.to_json() }));
        lookup
    };
    let finding = match method {
        Method::Txt => {
            let name = txt_name(domain);
            let expected = txt_value(token);
            let main = ask(name.clone(), "TXT", dns::lookup_txt(settings, &name).await);
            match main {
                Lookup::Found { records, .. } => classify_txt(&expected, token, &records),
                Lookup::Alias { target } => Finding::Alias { target },
                Lookup::NxDomain { negative_ttl } | Lookup::NoRecords { negative_ttl } => {
                    let doubled = format!("{name}.{domain}");
                    let misplaced = ask(
                        doubled.clone(),
                        "TXT",
                        dns::lookup_txt(settings, &doubled).await,
                    );
                    let apex = ask(
                        domain.to_owned(),
                        "TXT",
                        dns::lookup_txt(settings, domain).await,
                    );
                    if holds_token(&misplaced, token) {
                        Finding::ZoneAppended { name: doubled }
                    } else if let Some(value) = record_with_token(&apex, token) {
                        Finding::OnApex { value }
                    } else if matches!(apex, Lookup::NxDomain { .. }) {
                        Finding::DomainMissing
                    } else {
                        Finding::NoRecord {
                            cached_for_secs: negative_ttl,
                        }
                    }
                }
                other => failure(other),
            }
        }
        Method::Mx => {
            let expected = mx_host(token);
            match ask(
                domain.to_owned(),
                "MX",
                dns::lookup_mx(settings, domain).await,
            ) {
                Lookup::Found { records, .. } => {
                    let hosts: Vec<String> = records
                        .iter()
                        .map(|record| {
                            record
                                .split_whitespace()
                                .last()
                                .unwrap_or_default()
                                .to_owned()
                        })
                        .collect();
                    let ours: Vec<&String> = records
                        .iter()
                        .zip(&hosts)
                        .filter(|(_, host)| same_host(host, &expected))
                        .map(|(record, _)| record)
                        .collect();
                    match (
                        ours.iter().find(|record| at_lowest_priority(record)),
                        ours.first(),
                    ) {
                        (Some(record), _) => Finding::Verified {
                            record: (*record).clone(),
                        },
                        (None, Some(record)) => Finding::MxPriority {
                            record: (*record).clone(),
                        },
                        (None, None) => Finding::OtherValues { values: records },
                    }
                }
                Lookup::NxDomain { .. } => Finding::DomainMissing,
                Lookup::NoRecords { negative_ttl } => Finding::NoRecord {
                    cached_for_secs: negative_ttl,
                },
                other => failure(other),
            }
        }
    };
    let raw = json!({
        "nameservers": settings.describe(),
        "answers": answers,
    });
    (finding, raw)
}

fn failure(lookup: Lookup) -> Finding {
    match lookup {
        Lookup::Timeout => Finding::Timeout,
        Lookup::ServFail => Finding::ServerFailure {
            detail: "SERVFAIL".to_owned(),
        },
        Lookup::Refused => Finding::ServerFailure {
            detail: "REFUSED".to_owned(),
        },
        Lookup::Failed(detail) => Finding::ServerFailure { detail },
        Lookup::Found { .. }
        | Lookup::NxDomain { .. }
        | Lookup::NoRecords { .. }
        | Lookup::Alias { .. } => Finding::ServerFailure {
            detail: "unexpected answer".to_owned(),
        },
    }
}

/// Whether an MX record, as `preference exchange`, has the lowest priority: at any other, the
/// domain's mail could be sent to the challenge's host.
fn at_lowest_priority(record: &str) -> bool {
    record
        .split_whitespace()
        .next()
        .and_then(|preference| preference.parse::<u16>().ok())
        == Some(MX_PRIORITY)
}

fn same_host(found: &str, expected: &str) -> bool {
    found.trim_end_matches('.').eq_ignore_ascii_case(expected)
}

fn holds_token(lookup: &Lookup, token: &str) -> bool {
    record_with_token(lookup, token).is_some()
}

fn record_with_token(lookup: &Lookup, token: &str) -> Option<String> {
    match lookup {
        Lookup::Found { records, .. } => records.iter().find(|r| r.contains(token)).cloned(),
        _ => None,
    }
}

/// Judges the TXT records found at the challenge name. Only an exact match verifies: a value
/// that merely contains the token does not.
pub fn classify_txt(expected: &str, token: &str, records: &[String]) -> Finding {
    if let Some(record) = records.iter().find(|record| *record == expected) {
        return Finding::Verified {
            record: record.clone(),
        };
    }
    let cleaned = |record: &str| {
        record
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\u{201c}' | '\u{201d}'))
            .collect::<String>()
    };
    if let Some(record) = records.iter().find(|record| cleaned(record) == expected) {
        return Finding::QuotesOrSpaces {
            value: record.clone(),
        };
    }
    if let Some(record) = records.iter().find(|record| record.contains(token)) {
        return Finding::ContainsToken {
            value: record.clone(),
        };
    }
    Finding::OtherValues {
        values: records.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz";

    fn records(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn only_an_exact_value_verifies() {
        let expected = txt_value(TOKEN);
        assert_eq!(
            classify_txt(&expected, TOKEN, &records(&["v=spf1 -all", &expected])),
            Finding::Verified {
                record: expected.clone()
            }
        );
        let longer = format!("{expected}x");
        assert_eq!(
            classify_txt(&expected, TOKEN, &records(&[&longer])),
            Finding::ContainsToken {
                value: longer.clone()
            }
        );
        let bare = TOKEN.to_owned();
        assert_eq!(
            classify_txt(&expected, TOKEN, &records(&[&bare])),
            Finding::ContainsToken { value: bare }
        );
    }

    #[test]
    fn pasted_quotes_and_spaces_are_named() {
        let expected = txt_value(TOKEN);
        for pasted in [
            format!("\"{expected}\""),
            format!(" {expected} "),
            format!("“{expected}”"),
        ] {
            assert_eq!(
                classify_txt(&expected, TOKEN, &records(&[&pasted])),
                Finding::QuotesOrSpaces {
                    value: pasted.clone()
                }
            );
        }
    }

    #[test]
    fn an_mx_record_proves_the_domain_only_at_the_lowest_priority() {
        assert!(at_lowest_priority("65535 abc.verify.tenantry.example."));
        assert!(!at_lowest_priority("10 abc.verify.tenantry.example."));
        assert!(!at_lowest_priority("abc.verify.tenantry.example."));
    }

    #[test]
    fn other_vendors_values_are_listed() {
        let found = records(&["google-site-verification=xyz", "MS=ms1234"]);
        assert_eq!(
            classify_txt(&txt_value(TOKEN), TOKEN, &found),
            Finding::OtherValues {
                values: found.clone()
            }
        );
    }
}
