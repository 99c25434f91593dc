//! Becoming the admin: the stored wizard and domain checks against a real BIND server on
//! loopback, whose zones the tests edit with nsupdate as a person edits their DNS host.

use crate::helpers::bind::{silent_nameserver, Bind};
use crate::helpers::wizard::app_with_dns;
use crate::helpers::{browser, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;
use time::Duration;

/// Signs a member up in a new browser and starts the wizard from `entry`.
async fn member_with_wizard(app: &TestApp, email: &str, entry: &str) -> (reqwest::Client, Value) {
    let member = browser();
    app.sign_up(&member, email, "Member").await;
    let started = app
        .call_as(&member, "start_wizard", &[("entry", entry)])
        .await;
    assert!(
        started.status().is_success() || started.status().is_redirection(),
        "{}",
        started.status()
    );
    let wizard = current_wizard(app, &member).await;
    (member, wizard)
}

async fn current_wizard(app: &TestApp, member: &reqwest::Client) -> Value {
    let response = app.call_as(member, "current_wizard", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn check(app: &TestApp, member: &reqwest::Client, method: &str) -> Value {
    let response = app
        .call_as(member, "check_domain", &[("method", method)])
        .await;
    assert_eq!(response.status(), 200, "check answered");
    response.json().await.expect("json")
}

fn token_of(wizard: &Value) -> String {
    wizard["challenge"]["txt_value"]
        .as_str()
        .and_then(|value| value.strip_prefix("tenantry-verification="))
        .expect("a challenge value")
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_admin_tile_offers_a_txt_record_at_the_dedicated_label(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (_, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    assert_eq!(wizard["state"], "DomainPending");
    assert_eq!(wizard["entry"], "AdminTile");
    assert_eq!(
        wizard["challenge"]["txt_name"],
        "_tenantry-challenge.contoso.com"
    );
    let token = token_of(&wizard);
    assert!(
        token.len() >= 26
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c))
    );
    assert_eq!(wizard["challenge"]["mx_priority"], 65535);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_matching_txt_record_verifies_even_split_across_strings(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "meetings_upgrade").await;
    let token = token_of(&wizard);

    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "NoRecord": { "cached_for_secs": 60 } })
    );

    let (head, tail) = token.split_at(10);
    bind.add_txt(
        "contoso.com",
        "_tenantry-challenge.contoso.com",
        &[&format!("tenantry-verification={head}"), tail],
    )
    .await;
    let outcome = check(&app, &rob, "Txt").await;
    assert_eq!(outcome["state"], "DomainVerified");
    assert!(outcome["finding"]["Verified"].is_object());
    assert_eq!(current_wizard(&app, &rob).await["state"], "DomainVerified");

    let audit: Vec<(String, Value)> =
        sqlx::query_as("select kind, detail from audit_events order by id")
            .fetch_all(&app.pool)
            .await
            .expect("audit");
    let kinds: Vec<&str> = audit.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "wizard.started",
            "wizard.domain_pending",
            "domain.check",
            "domain.check",
            "wizard.domain_verified"
        ]
    );
    let verified_check = &audit[3].1;
    assert_eq!(verified_check["dns"]["nameservers"], bind.addr.to_string());
    assert_eq!(
        verified_check["dns"]["answers"][0]["answer"]["records"][0],
        format!("tenantry-verification={token}")
    );
    assert!(verified_check["checked_at"].as_str().is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_mx_alternative_verifies(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let host = wizard["challenge"]["mx_host"]
        .as_str()
        .expect("mx host")
        .to_owned();
    bind.update(
        "contoso.com",
        &[format!("update add contoso.com. 60 MX 65535 {host}.")],
    )
    .await;
    assert_eq!(check(&app, &rob, "Mx").await["state"], "DomainVerified");
}

#[sqlx::test(migrations = "../migrations")]
async fn each_wrong_record_gets_its_own_explanation_and_no_verification(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let token = token_of(&wizard);
    let label = "_tenantry-challenge.contoso.com";
    let expected = format!("tenantry-verification={token}");
    let wrong = "tenantry-verification=aaaaaaaaaaaaaaaaaaaaaaaaaa";

    bind.add_txt("contoso.com", "contoso.com", &[&expected])
        .await;
    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "OnApex": { "value": expected } })
    );

    bind.add_txt("contoso.com", &format!("{label}.contoso.com"), &[&expected])
        .await;
    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "ZoneAppended": { "name": format!("{label}.contoso.com") } })
    );

    bind.add_txt("contoso.com", label, &[wrong]).await;
    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "OtherValues": { "values": [wrong] } })
    );

    bind.add_txt("contoso.com", label, &[&token]).await;
    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "ContainsToken": { "value": token } })
    );

    let pasted = format!("\\\"{expected}\\\"");
    bind.update("contoso.com", &[format!("update delete {label}. TXT")])
        .await;
    bind.add_txt("contoso.com", label, &[&pasted]).await;
    assert_eq!(
        check(&app, &rob, "Txt").await["finding"],
        json!({ "QuotesOrSpaces": { "value": format!("\"{expected}\"") } })
    );

    assert_eq!(current_wizard(&app, &rob).await["state"], "DomainPending");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_domain_that_does_not_exist_or_fails_or_is_silent_is_named(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool.clone(), &bind).await;
    let (ghost, _) = member_with_wizard(&app, "kim@ghost.example", "admin_tile").await;
    assert_eq!(check(&app, &ghost, "Txt").await["finding"], "DomainMissing");

    let (broken, _) = member_with_wizard(&app, "lee@broken.test", "admin_tile").await;
    assert_eq!(
        check(&app, &broken, "Txt").await["finding"],
        json!({ "ServerFailure": { "detail": "SERVFAIL" } })
    );

    let (_socket, silent) = silent_nameserver();
    let deaf = TestApp::spawn_with(pool, app.clock.clone(), move |config| {
        config.dns_nameservers = vec![silent];
        config.dns_timeout = std::time::Duration::from_millis(800);
    })
    .await;
    let member = browser();
    let session = deaf
        .call_as(
            &member,
            "sign_in",
            &[
                ("email", "kim@ghost.example"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert!(session.status().is_success() || session.status().is_redirection());
    assert_eq!(check(&deaf, &member, "Txt").await["finding"], "Timeout");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_challenge_cannot_verify(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    bind.add_txt(
        "contoso.com",
        "_tenantry-challenge.contoso.com",
        &[&format!("tenantry-verification={}", token_of(&wizard))],
    )
    .await;
    app.clock.advance(Duration::days(7));
    // Sessions last 12 idle hours: sign in again after the week.
    app.call_as(
        &rob,
        "sign_in",
        &[
            ("email", "rob@contoso.com"),
            ("password", crate::helpers::PASSWORD),
        ],
    )
    .await;
    let late = app
        .call_as(&rob, "check_domain", &[("method", "Txt")])
        .await;
    assert_eq!(late.status(), 410);
    assert_eq!(
        late.json::<Value>().await.expect("json"),
        "ChallengeExpired"
    );
    assert_eq!(
        current_wizard(&app, &rob).await["challenge"]["expired"],
        true
    );

    app.call_as(&rob, "renew_challenge", &[]).await;
    let renewed = current_wizard(&app, &rob).await;
    assert_ne!(token_of(&renewed), token_of(&wizard), "a new token");
    assert_eq!(renewed["challenge"]["expired"], false);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_member_of_fabrikam_cannot_verify_contoso(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (_rob, contoso) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let (ann, fabrikam) = member_with_wizard(&app, "ann@fabrikam.com", "admin_tile").await;
    assert_eq!(
        fabrikam["challenge"]["txt_name"],
        "_tenantry-challenge.fabrikam.com"
    );
    let contoso_value = contoso["challenge"]["txt_value"]
        .as_str()
        .expect("value")
        .to_owned();
    // Ann controls fabrikam.com's DNS and copies Rob's value there: it is not her challenge.
    bind.add_txt(
        "fabrikam.com",
        "_tenantry-challenge.fabrikam.com",
        &[&contoso_value],
    )
    .await;
    let outcome = check(&app, &ann, "Txt").await;
    assert_eq!(outcome["state"], "DomainPending");
    assert_eq!(
        outcome["finding"],
        json!({ "OtherValues": { "values": [contoso_value] } })
    );
    let verified: i64 =
        sqlx::query_scalar("select count(*) from domain_challenges where verified_at is not null")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(verified, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn checks_are_rate_limited_per_organization(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, _) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let (sara, _) = member_with_wizard(&app, "sara@contoso.com", "admin_tile").await;
    for n in 0..120 {
        let member = if n % 2 == 0 { &rob } else { &sara };
        assert_eq!(
            app.call_as(member, "check_domain", &[("method", "Txt")])
                .await
                .status(),
            200,
            "check {n}"
        );
    }
    let over = app
        .call_as(&rob, "check_domain", &[("method", "Txt")])
        .await;
    assert_eq!(over.status(), 429);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_wizard_resumes_in_a_new_session_at_its_step(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    bind.add_txt(
        "contoso.com",
        "_tenantry-challenge.contoso.com",
        &[&format!("tenantry-verification={}", token_of(&wizard))],
    )
    .await;
    check(&app, &rob, "Txt").await;

    let elsewhere = browser();
    app.call_as(
        &elsewhere,
        "sign_in",
        &[
            ("email", "rob@contoso.com"),
            ("password", crate::helpers::PASSWORD),
        ],
    )
    .await;
    let resumed = current_wizard(&app, &elsewhere).await;
    assert_eq!(resumed["state"], "DomainVerified");
    assert_eq!(
        resumed["challenge"]["txt_value"],
        wizard["challenge"]["txt_value"]
    );

    // Starting again from Meetings resumes the same wizard, now offering both plans.
    app.call_as(&elsewhere, "start_wizard", &[("entry", "meetings_upgrade")])
        .await;
    let again = current_wizard(&app, &elsewhere).await;
    assert_eq!(again["state"], "DomainVerified");
    assert_eq!(again["entry"], "MeetingsUpgrade");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_managed_organization_cannot_be_taken_over(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = browser();
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    sqlx::query("update organizations set status = 'managed' where domain = 'contoso.com'")
        .execute(&app.pool)
        .await
        .expect("managed");
    let refused = app
        .call_as(&rob, "start_wizard", &[("entry", "admin_tile")])
        .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        refused.json::<Value>().await.expect("json"),
        json!({ "OrganizationManaged": { "admin": null } })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_out_callers_cannot_start_or_check(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    assert_eq!(
        app.call("start_wizard", &[("entry", "admin_tile")])
            .await
            .status(),
        401
    );
    assert_eq!(
        app.call("check_domain", &[("method", "Txt")])
            .await
            .status(),
        401
    );
    assert_eq!(app.call("current_wizard", &[]).await.status(), 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_cannot_be_changed(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let update = sqlx::query("update audit_events set kind = 'nothing'")
        .execute(&app.pool)
        .await;
    assert!(update.is_err());
    let delete = sqlx::query("delete from audit_events")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err());
}
