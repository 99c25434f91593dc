//! A member whose wizard has proven their domain, through the real pages' server functions and a
//! record added at the BIND test server.

use app::core::clock::Clock;
use sqlx::PgPool;

use super::bind::Bind;
use super::{browser, TestApp, START};

/// The application with domain checks asking `bind`, its clock at the start of the tests.
pub async fn app_with_dns(pool: PgPool, bind: &Bind) -> TestApp {
    let nameserver = bind.addr;
    TestApp::spawn_with(pool, Clock::manual(START), move |config| {
        config.dns_nameservers = vec![nameserver];
        config.dns_timeout = std::time::Duration::from_secs(2);
    })
    .await
}

/// Signs `email` up in a new browser, starts the wizard from `entry`, adds the TXT record at
/// `bind` and verifies it.
pub async fn verified_member(
    app: &TestApp,
    bind: &Bind,
    email: &str,
    entry: &str,
) -> reqwest::Client {
    let member = browser();
    app.sign_up(&member, email, email.split('@').next().unwrap_or("member"))
        .await;
    app.call_as(&member, "start_wizard", &[("entry", entry)])
        .await;
    let wizard: serde_json::Value = app
        .call_as(&member, "current_wizard", &[])
        .await
        .json()
        .await
        .expect("json");
    let name = wizard["challenge"]["txt_name"]
        .as_str()
        .expect("name")
        .to_owned();
    let value = wizard["challenge"]["txt_value"]
        .as_str()
        .expect("value")
        .to_owned();
    let zone = email.split('@').nth(1).expect("domain");
    bind.update(
        zone,
        &[
            format!("update delete {name}. TXT"),
            format!("update add {name}. 60 TXT \"{value}\""),
        ],
    )
    .await;
    let outcome: serde_json::Value = app
        .call_as(&member, "check_domain", &[("method", "Txt")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(outcome["state"], "DomainVerified", "{outcome}");
    member
}
