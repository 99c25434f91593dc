//! Email addresses and the domains that group members into organizations.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// The most characters an address may have (RFC 5321 path limit less the brackets).
const EMAIL_MAX: usize = 254;
const LOCAL_MAX: usize = 64;
const CONSUMER_DOMAINS: &str = include_str!("consumer_domains.txt");

/// A work email address: lowercase, its domain in ASCII (punycode) once the server has parsed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress {
    local: String,
    domain: DomainName,
}

impl EmailAddress {
    /// Parses what a person typed: surrounding spaces are ignored, case is folded, and the domain
    /// must be a real-looking domain that is not a consumer mail service.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Invalid::EmailMissing);
        }
        if input.chars().count() > EMAIL_MAX {
            return Err(Invalid::EmailTooLong);
        }
        let Some((local, domain)) = input.split_once('@') else {
            return Err(Invalid::EmailShape);
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(Invalid::EmailShape);
        }
        let local = parse_local_part(local)?;
        let domain = DomainName::parse(domain).map_err(|_| Invalid::EmailDomain)?;
        if domain.is_consumer_mail() {
            return Err(Invalid::ConsumerDomain);
        }
        if domain.is_public_suffix() {
            return Err(Invalid::PublicSuffix);
        }
        Ok(Self { local, domain })
    }

    /// The address as stored and used for delivery: `local@ascii-domain`.
    pub fn as_ascii(&self) -> String {
        format!("{}@{}", self.local, self.domain.as_str())
    }

    /// The address as a person reads it, with the domain in Unicode.
    pub fn to_display(&self) -> String {
        format!("{}@{}", self.local, self.domain.to_display())
    }

    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// A `+tag` sub-address (`rob+meetings@`), which most mail services deliver to the plain
    /// address: one mailbox could otherwise hold any number of accounts.
    pub fn is_sub_address(&self) -> bool {
        self.local.contains('+')
    }

    /// How an address stored by [`EmailAddress::as_ascii`] reads to a person.
    pub fn display_stored(stored: &str) -> String {
        match stored.split_once('@') {
            Some((local, domain)) => format!("{local}@{}", DomainName::display_stored(domain)),
            None => stored.to_owned(),
        }
    }
}

/// The dot-atom of RFC 5322, which is what every mail service hands out.
fn parse_local_part(local: &str) -> Result<String, Invalid> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    if local.len() > LOCAL_MAX
        || !local.chars().all(allowed)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(Invalid::EmailLocalPart);
    }
    Ok(local.to_ascii_lowercase())
}

/// A domain name: lowercase, labels of letters, digits and hyphens, at least two labels.
///
/// On the server Unicode labels become punycode (`bücher.example` → `xn--bcher-kva.example`);
/// the browser checks the shape only, so the IDN tables stay out of the WebAssembly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let lowered = input.trim().trim_end_matches('.').to_lowercase();
        let ascii = to_ascii(&lowered)?;
        let labels: Vec<&str> = ascii.split('.').collect();
        let label_ok = |label: &&str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        let top_level_ok = labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
        if ascii.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !top_level_ok {
            return Err(Invalid::EmailDomain);
        }
        Ok(Self(ascii))
    }

    /// The stored form: ASCII, punycode for IDN labels.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form a person reads, IDN labels in Unicode.
    pub fn to_display(&self) -> String {
        to_unicode(&self.0)
    }

    /// How a domain stored by [`DomainName::as_str`] reads to a person.
    pub fn display_stored(stored: &str) -> String {
        to_unicode(stored)
    }

    /// A public suffix (`co.uk`, `github.io`) is shared by unrelated owners: never an organization.
    #[cfg(feature = "ssr")]
    pub fn is_public_suffix(&self) -> bool {
        psl::suffix_str(&self.0) == Some(self.0.as_str())
    }

    /// The Public Suffix List is too large for the browser; the server checks this.
    #[cfg(not(feature = "ssr"))]
    pub fn is_public_suffix(&self) -> bool {
        false
    }

    /// Consumer mail services are not organizations.
    pub fn is_consumer_mail(&self) -> bool {
        CONSUMER_DOMAINS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .any(|domain| domain == self.0)
    }
}

#[cfg(feature = "ssr")]
fn to_ascii(domain: &str) -> Result<String, Invalid> {
    if domain.is_ascii() {
        return Ok(domain.to_owned());
    }
    idna::domain_to_ascii_strict(domain).map_err(|_| Invalid::EmailDomain)
}

#[cfg(not(feature = "ssr"))]
fn to_ascii(domain: &str) -> Result<String, Invalid> {
    Ok(domain.to_owned())
}

#[cfg(feature = "ssr")]
fn to_unicode(domain: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(domain);
    if result.is_ok() {
        unicode
    } else {
        domain.to_owned()
    }
}

#[cfg(not(feature = "ssr"))]
fn to_unicode(domain: &str) -> String {
    domain.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        let email = EmailAddress::parse("  Rob.Smith@Contoso.COM ").expect("valid");
        assert_eq!(email.as_ascii(), "rob.smith@contoso.com");
        assert_eq!(email.domain().as_str(), "contoso.com");
    }

    #[test]
    fn malformed_addresses_say_what_is_wrong() {
        for (input, problem) in [
            ("", Invalid::EmailMissing),
            ("   ", Invalid::EmailMissing),
            ("rob", Invalid::EmailShape),
            ("rob@", Invalid::EmailShape),
            ("@contoso.com", Invalid::EmailShape),
            ("rob@sara@contoso.com", Invalid::EmailShape),
            ("rob smith@contoso.com", Invalid::EmailLocalPart),
            (".rob@contoso.com", Invalid::EmailLocalPart),
            ("rob..smith@contoso.com", Invalid::EmailLocalPart),
            ("rob@contoso", Invalid::EmailDomain),
            ("rob@-contoso.com", Invalid::EmailDomain),
            ("rob@contoso..com", Invalid::EmailDomain),
            ("rob@127.0.0.1", Invalid::EmailDomain),
            ("rob@con_toso.com", Invalid::EmailDomain),
            ("rob@gmail.com", Invalid::ConsumerDomain),
            ("Rob@Outlook.com", Invalid::ConsumerDomain),
            ("sara@proton.me", Invalid::ConsumerDomain),
        ] {
            assert_eq!(EmailAddress::parse(input), Err(problem), "{input:?}");
        }
        let long = format!("{}@contoso.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(Invalid::EmailTooLong));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn idn_domains_are_stored_as_punycode_and_shown_as_unicode() {
        let email = EmailAddress::parse("Anna@Bücher.example").expect("valid");
        assert_eq!(email.as_ascii(), "anna@xn--bcher-kva.example");
        assert_eq!(email.to_display(), "anna@bücher.example");
        let again = EmailAddress::parse(&email.as_ascii()).expect("punycode parses too");
        assert_eq!(again, email);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn public_suffixes_are_refused_and_names_under_them_are_not() {
        for shared in ["rob@co.uk", "rob@github.io", "rob@com.au"] {
            assert_eq!(
                EmailAddress::parse(shared),
                Err(Invalid::PublicSuffix),
                "{shared}"
            );
        }
        for owned in [
            "rob@contoso.co.uk",
            "rob@contoso.github.io",
            "rob@contoso.test",
        ] {
            assert!(EmailAddress::parse(owned).is_ok(), "{owned}");
        }
    }

    #[test]
    fn the_consumer_list_holds_only_valid_lowercase_domains() {
        for line in CONSUMER_DOMAINS.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(line, line.trim().to_lowercase(), "{line:?}");
            assert!(DomainName::parse(line).is_ok(), "{line:?}");
        }
    }
}
