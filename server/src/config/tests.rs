//! The settings read from the environment, their defaults and their refusals.

use super::*;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

const DATABASE: (&str, &str) = ("DATABASE_URL", "postgres://a@b/c");
const TEST_PAYMENTS: (&str, &str) = ("PAYMENTS", "test");

#[test]
fn defaults_apply_when_only_the_database_and_payments_are_given() {
    let config = config(&[
        ("DATABASE_URL", "postgres://app@localhost/app"),
        TEST_PAYMENTS,
    ])
    .expect("valid");
    assert_eq!(config.database_max_connections, 10);
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.request_body_limit, 1024 * 1024);
}

#[test]
fn trusted_proxies_are_networks_or_single_addresses_and_none_by_default() {
    let listed = |value: &str| -> Result<Vec<String>, ConfigError> {
        let config = config(&[DATABASE, TEST_PAYMENTS, ("TRUSTED_PROXIES", value)])?;
        Ok(config
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect())
    };
    assert_eq!(
        listed("10.0.0.0/8, 127.0.0.1 ,::1").expect("valid"),
        ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]
    );
    assert!(listed("").expect("valid").is_empty());
    let error = listed("10.0.0.0/33").expect_err("must fail");
    assert!(error
        .to_string()
        .starts_with("TRUSTED_PROXIES=\"10.0.0.0/33\" is not valid"));
}

#[test]
fn the_forwarding_header_is_x_forwarded_for_unless_the_proxy_writes_forwarded() {
    let header = |pairs: &[(&str, &str)]| config(pairs).map(|config| config.forwarding_header);
    assert_eq!(
        header(&[DATABASE, TEST_PAYMENTS]).expect("valid"),
        ForwardingHeader::XForwardedFor
    );
    assert_eq!(
        header(&[DATABASE, TEST_PAYMENTS, ("FORWARDED_HEADER", "Forwarded")]).expect("valid"),
        ForwardingHeader::Forwarded
    );
    let error = header(&[DATABASE, TEST_PAYMENTS, ("FORWARDED_HEADER", "X-Real-IP")])
        .expect_err("must fail");
    assert!(error
        .to_string()
        .starts_with("FORWARDED_HEADER=\"X-Real-IP\" is not valid"));
}

#[test]
fn a_missing_database_url_says_what_to_set() {
    let error = config(&[]).expect_err("must fail");
    assert!(error.to_string().starts_with("DATABASE_URL is not set"));
}

#[test]
fn an_unparsable_database_url_says_the_expected_form() {
    let error = config(&[("DATABASE_URL", "not a url")]).expect_err("must fail");
    assert!(error
        .to_string()
        .contains("postgres://user:password@host:port/database"));
}

#[test]
fn nameservers_take_an_optional_port() {
    let config = config(&[
        DATABASE,
        TEST_PAYMENTS,
        ("DNS_NAMESERVERS", "127.0.0.1:5353, 192.0.2.53"),
    ])
    .expect("valid");
    assert_eq!(
        config.dns_nameservers,
        vec![
            "127.0.0.1:5353".parse::<SocketAddr>().expect("addr"),
            "192.0.2.53:53".parse::<SocketAddr>().expect("addr"),
        ]
    );
}

#[test]
fn bad_numbers_and_formats_name_the_variable() {
    for (name, value) in [
        ("DATABASE_MAX_CONNECTIONS", "many"),
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("LOG_FORMAT", "xml"),
        ("REQUEST_TIMEOUT_SECS", "-1"),
        ("SMTP_URL", "mail.example.com"),
        ("PUBLIC_URL", "tenantry.example"),
        ("DEV_MAILBOX", "yes please"),
        ("DNS_NAMESERVERS", "ns1.example.com"),
        ("PAYMENTS", "free"),
    ] {
        // The first of two values of a name counts.
        let error = config(&[(name, value), DATABASE, TEST_PAYMENTS]).expect_err("must fail");
        assert!(error.to_string().starts_with(name), "{name}: {error}");
    }
}

#[test]
fn payments_must_be_chosen_and_match_the_stripe_keys() {
    let unset = config(&[DATABASE]).expect_err("must fail");
    assert!(
        unset.to_string().starts_with("PAYMENTS is not set"),
        "{unset}"
    );
    let keys = [
        ("STRIPE_SECRET_KEY", "sk_test_1"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
    ];
    assert!(config(&[DATABASE, ("PAYMENTS", "stripe")]).is_err());
    assert!(config(&[DATABASE, TEST_PAYMENTS, keys[0], keys[1]]).is_err());
    let stripe = config(&[DATABASE, ("PAYMENTS", "stripe"), keys[0], keys[1]]).expect("valid");
    assert!(stripe.stripe.is_some());
}

#[test]
fn test_settings_are_refused_behind_https_unless_overridden() {
    let public = ("PUBLIC_URL", "https://tenantry.example");
    let test_payments = config(&[DATABASE, TEST_PAYMENTS, public]).expect_err("refused");
    assert!(test_payments
        .to_string()
        .starts_with("PAYMENTS=test behind https://tenantry.example"));
    let keys = [
        ("PAYMENTS", "stripe"),
        ("STRIPE_SECRET_KEY", "sk_live_1"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
    ];
    let mailbox = config(&[
        DATABASE,
        public,
        keys[0],
        keys[1],
        keys[2],
        ("DEV_MAILBOX", "true"),
    ])
    .expect_err("refused");
    assert!(mailbox.to_string().starts_with("DEV_MAILBOX=true behind"));
    assert!(config(&[DATABASE, public, keys[0], keys[1], keys[2]]).is_ok());
    assert!(config(&[DATABASE, TEST_PAYMENTS, public, (OVERRIDE, "true")]).is_ok());
    assert!(config(&[
        DATABASE,
        TEST_PAYMENTS,
        ("PUBLIC_URL", "http://127.0.0.1:3000"),
        ("DEV_MAILBOX", "true")
    ])
    .is_ok());
}
