//! Becoming the admin: the stored wizard and domain checks against a real BIND server on
//! loopback, whose zones the tests edit with nsupdate as a person edits their DNS host.

use crate::helpers::bind::{silent_nameserver, Bind};
use crate::helpers::orders::one_basic_license;
use crate::helpers::wizard::{app_with_dns, check, current_wizard, member_with_wizard};
use crate::helpers::{browser, wait_until, TestApp};
use app::core::error::AppError;
use app::wizard::Method::{Mx, Txt};
use app::wizard::{
    AbandonWizard, CheckDomain, CurrentWizard, Entry, Finding, RenewChallenge, StartWizard,
    WizardState, WizardView,
};
use leptos::server_fn::ServerFn;
use serde_json::Value;
use sqlx::PgPool;
use time::Duration;

fn token_of(wizard: &WizardView) -> String {
    wizard
        .challenge
        .txt_value
        .strip_prefix("tenantry-verification=")
        .expect("a challenge value")
        .to_owned()
}

/// Adds the TXT record the wizard asks for at contoso.com's DNS host.
async fn add_challenge_record(bind: &Bind, wizard: &WizardView) {
    bind.add_txt(
        "contoso.com",
        "_tenantry-challenge.contoso.com",
        &[&wizard.challenge.txt_value],
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn the_admin_tile_offers_a_txt_record_at_the_dedicated_label(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
    let (_, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    assert_eq!(wizard.state, WizardState::DomainPending);
    assert_eq!(wizard.entry, Entry::AdminTile);
    assert_eq!(wizard.challenge.txt_name, "_tenantry-challenge.contoso.com");
    let token = token_of(&wizard);
    assert!(
        token.len() >= 26
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c))
    );
    assert_eq!(wizard.challenge.mx_priority, 65535);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_matching_txt_record_verifies_even_split_across_strings(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "meetings_upgrade").await;
    let token = token_of(&wizard);

    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::NoRecord {
            cached_for_secs: Some(60)
        }
    );

    let (head, tail) = token.split_at(10);
    bind.add_txt(
        "contoso.com",
        "_tenantry-challenge.contoso.com",
        &[&format!("tenantry-verification={head}"), tail],
    )
    .await;
    let outcome = check(&app, &rob, Txt).await;
    assert_eq!(outcome.state, WizardState::DomainVerified);
    assert!(matches!(outcome.finding, Finding::Verified { .. }));
    assert_eq!(
        current_wizard(&app, &rob).await.state,
        WizardState::DomainVerified
    );

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
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let host = wizard.challenge.mx_host;
    // At a priority that could take the domain's mail, it does not count.
    bind.update(
        "contoso.com",
        &[format!("update add contoso.com. 60 MX 10 {host}.")],
    )
    .await;
    let early = check(&app, &rob, Mx).await;
    assert_ne!(early.state, WizardState::DomainVerified);
    assert_eq!(
        early.finding,
        Finding::MxPriority {
            record: format!("10 {host}.")
        }
    );
    bind.update(
        "contoso.com",
        &[format!("update add contoso.com. 60 MX 65535 {host}.")],
    )
    .await;
    assert_eq!(
        check(&app, &rob, Mx).await.state,
        WizardState::DomainVerified
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn each_wrong_record_gets_its_own_explanation_and_no_verification(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let token = token_of(&wizard);
    let label = "_tenantry-challenge.contoso.com";
    let expected = format!("tenantry-verification={token}");
    let wrong = "tenantry-verification=aaaaaaaaaaaaaaaaaaaaaaaaaa";

    bind.add_txt("contoso.com", "contoso.com", &[&expected])
        .await;
    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::OnApex {
            value: expected.clone()
        }
    );

    bind.add_txt("contoso.com", &format!("{label}.contoso.com"), &[&expected])
        .await;
    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::ZoneAppended {
            name: format!("{label}.contoso.com")
        }
    );

    bind.add_txt("contoso.com", label, &[wrong]).await;
    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::OtherValues {
            values: vec![wrong.to_owned()]
        }
    );

    bind.add_txt("contoso.com", label, &[&token]).await;
    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::ContainsToken {
            value: token.clone()
        }
    );

    let pasted = format!("\\\"{expected}\\\"");
    bind.update("contoso.com", &[format!("update delete {label}. TXT")])
        .await;
    bind.add_txt("contoso.com", label, &[&pasted]).await;
    assert_eq!(
        check(&app, &rob, Txt).await.finding,
        Finding::QuotesOrSpaces {
            value: format!("\"{expected}\"")
        }
    );

    assert_eq!(
        current_wizard(&app, &rob).await.state,
        WizardState::DomainPending
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_domain_that_does_not_exist_or_fails_or_is_silent_is_named(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool.clone()).await;
    let (ghost, _) = member_with_wizard(&app, "kim@ghost.example", "admin_tile").await;
    assert_eq!(
        check(&app, &ghost, Txt).await.finding,
        Finding::DomainMissing
    );

    let (broken, _) = member_with_wizard(&app, "lee@broken.test", "admin_tile").await;
    assert_eq!(
        check(&app, &broken, Txt).await.finding,
        Finding::ServerFailure {
            detail: "SERVFAIL".to_owned()
        }
    );

    let (_socket, silent) = silent_nameserver();
    let deaf = TestApp::spawn_with(pool, app.clock.clone(), move |config| {
        config.dns_nameservers = vec![silent];
        config.dns_timeout = std::time::Duration::from_millis(800);
    })
    .await;
    let member = browser();
    deaf.sign_in(&member, "kim@ghost.example").await;
    assert_eq!(check(&deaf, &member, Txt).await.finding, Finding::Timeout);
}

#[sqlx::test(migrations = "../migrations")]
async fn while_dns_is_down_the_wizard_explains_keeps_its_step_and_verifies_once_it_is_back(
    pool: PgPool,
) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let (name, value) = (&wizard.challenge.txt_name, &wizard.challenge.txt_value);
    bind.add_txt("contoso.com", name, &[value]).await;

    bind.pause().await;
    let outcome = check(&app, &rob, Txt).await;
    assert_eq!(
        outcome.finding,
        Finding::Timeout,
        "the doctor says DNS did not answer"
    );
    assert_eq!(outcome.state, wizard.state, "the wizard stays at its step");
    let kept = current_wizard(&app, &rob).await.challenge;
    assert_eq!(
        (kept.txt_value, kept.expires_at),
        (value.clone(), wizard.challenge.expires_at.clone()),
        "with the same challenge"
    );
    let shown = kept.last_check.map(|last| last.finding);
    assert_eq!(shown, Some(Finding::Timeout), "and says so after a reload");

    bind.resume().await;
    let outcome = check(&app, &rob, Txt).await;
    assert_eq!(outcome.state, WizardState::DomainVerified, "{outcome:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_alias_at_the_challenge_name_is_named_and_not_followed(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    // As a wildcard CNAME into a shared zone would: the name points elsewhere, and the record
    // with our value sits there, where someone else may control it.
    let name = &wizard.challenge.txt_name;
    let value = &wizard.challenge.txt_value;
    bind.update(
        "contoso.com",
        &[
            format!("update add {name}. 60 CNAME shared.contoso.com."),
            format!("update add shared.contoso.com. 60 TXT \"{value}\""),
        ],
    )
    .await;
    let outcome = check(&app, &rob, Txt).await;
    assert_eq!(
        outcome.finding,
        Finding::Alias {
            target: "shared.contoso.com".to_owned()
        }
    );
    assert_eq!(outcome.state, WizardState::DomainPending);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_challenge_cannot_verify(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    add_challenge_record(&bind, &wizard).await;
    app.clock.advance(Duration::days(7));
    // Sessions last 12 idle hours: sign in again after the week.
    app.sign_in(&rob, "rob@contoso.com").await;
    let late = app.invoke(&rob, CheckDomain { method: Txt }).await;
    assert_eq!(late, Err(AppError::ChallengeExpired));
    assert!(current_wizard(&app, &rob).await.challenge.expired);

    app.invoke(&rob, RenewChallenge {})
        .await
        .expect("a new challenge");
    let renewed = current_wizard(&app, &rob).await;
    assert_ne!(token_of(&renewed), token_of(&wizard), "a new token");
    assert!(!renewed.challenge.expired);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_member_of_fabrikam_cannot_verify_contoso(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (_rob, contoso) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let (ann, fabrikam) = member_with_wizard(&app, "ann@fabrikam.com", "admin_tile").await;
    assert_eq!(
        fabrikam.challenge.txt_name,
        "_tenantry-challenge.fabrikam.com"
    );
    let contoso_value = contoso.challenge.txt_value;
    // Ann controls fabrikam.com's DNS and copies Rob's value there: it is not her challenge.
    bind.add_txt(
        "fabrikam.com",
        "_tenantry-challenge.fabrikam.com",
        &[&contoso_value],
    )
    .await;
    let outcome = check(&app, &ann, Txt).await;
    assert_eq!(outcome.state, WizardState::DomainPending);
    assert_eq!(
        outcome.finding,
        Finding::OtherValues {
            values: vec![contoso_value]
        }
    );
    let verified = "domain_challenges where verified_at is not null";
    assert_eq!(app.count(verified).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_member_spending_their_checks_leaves_the_others_theirs(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
    let (rob, _) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    let (sara, _) = member_with_wizard(&app, "sara@contoso.com", "admin_tile").await;
    for n in 0..40 {
        let answered = app.invoke(&rob, CheckDomain { method: Txt }).await;
        assert!(answered.is_ok(), "check {n}: {answered:?}");
    }
    let over = app.invoke(&rob, CheckDomain { method: Txt }).await;
    assert!(
        matches!(over, Err(AppError::TooManyAttempts { .. })),
        "{over:?}"
    );
    let sara_checks = app.invoke(&sara, CheckDomain { method: Txt }).await;
    assert!(sara_checks.is_ok(), "{sara_checks:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_organization_has_a_budget_of_checks_too(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
    let mut members = Vec::new();
    for name in ["rob", "sara", "ann", "bob", "kim", "lee"] {
        members.push(
            member_with_wizard(&app, &format!("{name}@contoso.com"), "admin_tile")
                .await
                .0,
        );
    }
    // Five members spend 40 checks each: the organization's 200.
    for (n, member) in members.iter().take(5).cycle().take(200).enumerate() {
        let answered = app.invoke(member, CheckDomain { method: Txt }).await;
        assert!(answered.is_ok(), "check {n}: {answered:?}");
    }
    let lee = &members[5];
    let over = app.invoke(lee, CheckDomain { method: Txt }).await;
    assert!(
        matches!(over, Err(AppError::TooManyAttempts { .. })),
        "{over:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_proof_over_a_day_old_is_looked_up_again_before_anyone_is_charged(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    add_challenge_record(&bind, &wizard).await;
    assert_eq!(
        check(&app, &rob, Txt).await.state,
        WizardState::DomainVerified
    );

    // A day later the record is gone: nothing is charged and the wizard is back at the domain.
    app.clock.advance(Duration::hours(25));
    app.sign_in(&rob, "rob@contoso.com").await;
    let name = &wizard.challenge.txt_name;
    bind.update("contoso.com", &[format!("update delete {name}. TXT")])
        .await;
    let refused = app.invoke(&rob, one_basic_license("stale-proof")).await;
    assert_eq!(refused, Err(AppError::ProofStale));
    assert_eq!(app.count("orders").await, 0, "nothing charged");
    assert_eq!(
        current_wizard(&app, &rob).await.state,
        WizardState::DomainPending
    );

    // Put back, it proves the domain again and the purchase goes through.
    add_challenge_record(&bind, &wizard).await;
    assert_eq!(
        check(&app, &rob, Txt).await.state,
        WizardState::DomainVerified
    );
    let bought = app.invoke(&rob, one_basic_license("fresh-proof")).await;
    assert!(bought.is_ok(), "{bought:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wizard_abandoned_while_its_old_proof_is_looked_up_again_buys_nothing(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    add_challenge_record(&bind, &wizard).await;
    check(&app, &rob, Txt).await;
    let last_look_up = || async {
        sqlx::query_scalar::<_, String>("select last_checked_at::text from domain_challenges")
            .fetch_one(&app.pool)
            .await
            .expect("the challenge")
    };
    let proven = last_look_up().await;
    app.clock.advance(Duration::days(3));
    app.sign_in(&rob, "rob@contoso.com").await;

    // The purchase looks the old proof up again; DNS holds its answer while Rob abandons.
    bind.pause().await;
    let buying = tokio::spawn({
        let (app, rob) = (app.clone(), rob.clone());
        async move {
            app.invoke(&rob, one_basic_license("abandoned-meanwhile"))
                .await
        }
    });
    let counted = format!(
        "throttles where key like 'domain-check:member:%' and window_started_at > '{proven}'"
    );
    wait_until(std::time::Duration::from_secs(5), || async {
        app.count(&counted).await == 1
    })
    .await;
    app.invoke(&rob, AbandonWizard {}).await.expect("abandoned");
    bind.resume().await;

    let answer = buying.await.expect("the purchase ends");
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(app.count("orders").await, 0, "nothing charged");
    let abandoned = "wizards where state = 'abandoned'";
    assert_eq!(app.count(abandoned).await, 1, "the wizard stays abandoned");
    assert_eq!(
        last_look_up().await,
        proven,
        "the look-up that ended after the abandon is not written onto its challenge"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_old_proof_whose_record_is_still_there_counts_from_the_new_look_up(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    add_challenge_record(&bind, &wizard).await;
    check(&app, &rob, Txt).await;
    app.clock.advance(Duration::days(3));
    app.sign_in(&rob, "rob@contoso.com").await;
    let bought = app.invoke(&rob, one_basic_license("late-purchase")).await;
    assert!(bought.is_ok(), "{bought:?}");
    let rechecks =
        "audit_events where kind = 'domain.rechecked' and detail->'finding' ? 'Verified'";
    assert_eq!(app.count(rechecks).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_wizard_resumes_in_a_new_session_at_its_step(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    add_challenge_record(&bind, &wizard).await;
    check(&app, &rob, Txt).await;

    let elsewhere = browser();
    app.sign_in(&elsewhere, "rob@contoso.com").await;
    let resumed = current_wizard(&app, &elsewhere).await;
    assert_eq!(resumed.state, WizardState::DomainVerified);
    assert_eq!(resumed.challenge.txt_value, wizard.challenge.txt_value);

    // Starting again from Meetings resumes the same wizard, now offering both plans.
    let entry = "meetings_upgrade".to_owned();
    app.invoke(&elsewhere, StartWizard { entry })
        .await
        .expect("resumed");
    let again = current_wizard(&app, &elsewhere).await;
    assert_eq!(again.state, WizardState::DomainVerified);
    assert_eq!(again.entry, Entry::MeetingsUpgrade);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_managed_organization_cannot_be_taken_over(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    sqlx::query("update organizations set status = 'managed' where domain = 'contoso.com'")
        .execute(&app.pool)
        .await
        .expect("managed");
    let entry = "admin_tile".to_owned();
    assert_eq!(
        app.invoke(&rob, StartWizard { entry }).await,
        Err(AppError::OrganizationManaged { admin: None })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_out_callers_cannot_start_or_check(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
    let entry = "admin_tile".to_owned();
    assert_eq!(
        app.invoke(&app.client, StartWizard { entry }).await,
        Err(AppError::Unauthorized)
    );
    assert_eq!(
        app.invoke(&app.client, CheckDomain { method: Txt }).await,
        Err(AppError::Unauthorized)
    );
    assert_eq!(
        app.invoke(&app.client, CurrentWizard {}).await,
        Err(AppError::Unauthorized)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_cannot_be_changed(pool: PgPool) {
    let (app, _bind) = app_with_dns(pool).await;
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

#[sqlx::test(migrations = "../migrations")]
async fn the_page_says_what_the_last_look_up_found_also_after_a_verify_sent_without_script(
    pool: PgPool,
) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    assert_eq!(wizard.challenge.last_check, None);

    // Verify pressed before the page's script ran: a plain form post, answered by a redirect.
    let sent = rob
        .post(app.url(CheckDomain::PATH))
        .header("Accept", "text/html")
        .header("Referer", app.url("/admin/wizard"))
        .form(&[("method", "Txt")])
        .send()
        .await
        .expect("answered");
    assert!(sent.status().is_redirection(), "{}", sent.status());
    let last = current_wizard(&app, &rob).await.challenge.last_check;
    let last = last.expect("the look-up is kept");
    assert_eq!(
        last.finding,
        Finding::NoRecord {
            cached_for_secs: Some(60)
        }
    );
    let page = rob
        .get(app.url("/admin/wizard"))
        .send()
        .await
        .expect("a page")
        .text()
        .await
        .expect("its text");
    assert!(page.contains("Last looked up:"), "{page}");
    assert!(page.contains(&last.checked_at), "{page}");
    assert!(page.contains("We did not find the record yet."), "{page}");

    add_challenge_record(&bind, &wizard).await;
    check(&app, &rob, Txt).await;
    let last = current_wizard(&app, &rob).await.challenge.last_check;
    assert!(matches!(
        last.map(|last| last.finding),
        Some(Finding::Verified { .. })
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wizard_abandoned_during_a_look_up_stays_abandoned(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let (rob, wizard) = member_with_wizard(&app, "rob@contoso.com", "admin_tile").await;
    bind.add_txt(
        "contoso.com",
        &wizard.challenge.txt_name,
        &[&wizard.challenge.txt_value],
    )
    .await;
    bind.pause().await;
    let looking = tokio::spawn({
        let (app, rob) = (app.clone(), rob.clone());
        async move { app.invoke(&rob, CheckDomain { method: Txt }).await }
    });
    // The check has counted itself and is waiting for DNS, which does not answer.
    wait_until(std::time::Duration::from_secs(5), || async {
        app.count("throttles where key like 'domain-check:member:%'")
            .await
            == 1
    })
    .await;
    app.invoke(&rob, AbandonWizard {}).await.expect("abandoned");
    bind.resume().await;

    let answer = looking.await.expect("the check ends");
    assert_eq!(
        answer,
        Err(AppError::NotFound),
        "no wizard is open any more"
    );
    let states = "wizards where state = 'abandoned'";
    assert_eq!(app.count(states).await, 1, "the wizard stays abandoned");
    assert!(app
        .invoke(&rob, CurrentWizard {})
        .await
        .expect("answered")
        .is_none());
}
