//! Extreme input: every server function, called with values at and past the edges of what its
//! arguments can hold, answers with a refusal, never a server error (5xx) or a dropped connection.
//!
//! The arguments are found by asking: a call missing one is refused naming it, so the test learns
//! each function's required fields from the server itself, and a new function is covered without
//! being listed. Optional arguments are added from the names the app uses for them. A 503 with
//! `Retry-After` (the database did not answer in time) is the server's deliberate answer under
//! load, not a fault.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sqlx::PgPool;

use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{browser, TestApp};

/// Arguments marked `#[server(default)]` somewhere in the app: never named as missing.
const OPTIONAL: &[&str] = &[
    "admins_add_people",
    "after",
    "allow_guests",
    "before",
    "card_cvc",
    "card_expiry",
    "card_number",
    "device",
    "device_days",
    "from",
    "guests_allowed",
    "kind",
    "license",
    "max_participants",
    "muted_on_entry",
    "name",
    "new_password",
    "password",
    "person",
    "role",
    "search",
    "sort",
    "status",
    "to",
    "utc_offset_minutes",
];

/// Values at the edges: of integers, of time, of text and of what a form can carry.
fn extreme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("2147483647".to_owned()),
        Just("2147483648".to_owned()),
        Just("-2147483649".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("184467440737095516160".to_owned()),
        Just("1e308".to_owned()),
        Just("NaN".to_owned()),
        Just("9999-12-31T23:59".to_owned()),
        Just("-9999-01-01T00:00".to_owned()),
        Just("840".to_owned()),
        Just("-840".to_owned()),
        Just("00000000-0000-0000-0000-000000000000".to_owned()),
        Just("\u{202e}\u{200b}\u{0}".to_owned()),
        Just("a@b".to_owned()),
        Just(format!("{}@contoso.com", "x".repeat(300))),
        Just("x".repeat(100_000)),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "\\PC{0,64}",
    ]
}

/// The required arguments of the server function at `path`, as its refusals name them.
async fn required_fields(app: &TestApp, who: &reqwest::Client, path: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for _ in 0..20 {
        let form: Vec<(&str, &str)> = fields.iter().map(|field| (field.as_str(), "1")).collect();
        let response = who
            .post(app.url(path))
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .expect("answered");
        let body = response.text().await.unwrap_or_default();
        let Some(missing) = body
            .split("missing field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
        else {
            break;
        };
        fields.push(missing.to_owned());
    }
    fields
}

fn is_retry_later(response: &reqwest::Response) -> bool {
    response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE
        && response
            .headers()
            .contains_key(reqwest::header::RETRY_AFTER)
}

/// Calls every server function as `who` with `cases` sets of extreme arguments each; returns
/// every call answered with a 5xx or not answered at all.
async fn failures(app: &TestApp, who: &reqwest::Client, cases: usize) -> Vec<String> {
    let paths: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    // Deterministic: the same values every run, so a failure reproduces.
    let mut runner = TestRunner::new(Config {
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    let mut failures = Vec::new();
    for path in paths {
        let fields: BTreeSet<String> = required_fields(app, who, path)
            .await
            .into_iter()
            .chain(OPTIONAL.iter().map(|name| (*name).to_owned()))
            .collect();
        for _ in 0..cases {
            let form: Vec<(String, String)> = fields
                .iter()
                .map(|field| {
                    let value = extreme().new_tree(&mut runner).expect("a value").current();
                    (field.clone(), value)
                })
                .collect();
            let answer = who
                .post(app.url(path))
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await;
            match answer {
                // The deliberate "busy, try again" of a database that did not answer in time (a
                // loaded machine running many tests at once) is not a fault; any other 5xx is.
                Ok(response) if is_retry_later(&response) => {}
                Ok(response) if response.status().is_server_error() => {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    let shown: Vec<String> = form
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.chars().take(40).collect::<String>()))
                        .collect();
                    failures.push(format!("{path} {status} {body} with {shown:?}"));
                }
                Ok(_) => {}
                Err(error) => failures.push(format!("{path}: no answer ({error})")),
            }
        }
    }
    failures
}

#[sqlx::test(migrations = "../migrations")]
async fn no_server_function_fails_on_extreme_arguments(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let admin = admin(&app, &bind, "rob@contoso.com", 2).await;
    let signed_out = browser();
    let mut failed = failures(&app, &signed_out, 12).await;
    failed.extend(failures(&app, &admin, 12).await);
    assert!(
        failed.is_empty(),
        "{} failures:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
