//! Sign-up, verification, sign-in, sessions, throttling and password reset, against a real
//! database and through the real HTTP server.

use app::accounts::CurrentMember;
use app::organizations::{MyOrganization, OrganizationStatus, OrganizationView, Role};

use crate::helpers::{browser, pending_id, TestApp, PASSWORD};
use sqlx::PgPool;
use time::Duration;

async fn organization_of(app: &TestApp, email: &str) -> (String, String) {
    sqlx::query_as::<_, (String, String)>(
        "select o.domain, o.status from members m join organizations o on o.id = m.organization_id
         where m.email = $1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .expect("the member has an organization")
}

/// What the launcher shows a signed-in member of their organization.
async fn organization_view(app: &TestApp, browser: &reqwest::Client) -> OrganizationView {
    app.invoke(browser, MyOrganization {})
        .await
        .expect("signed in")
}

async fn is_signed_in(app: &TestApp, browser: &reqwest::Client) -> bool {
    app.invoke(browser, CurrentMember {})
        .await
        .expect("answered")
        .is_some()
}

#[sqlx::test(migrations = "../migrations")]
async fn members_on_one_domain_share_an_organization_and_another_domain_does_not(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (rob, sara, ann) = (browser(), browser(), browser());
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    app.sign_up(&sara, "Sara@Contoso.com", "Sara").await;
    app.sign_up(&ann, "ann@fabrikam.com", "Ann").await;

    assert_eq!(
        organization_of(&app, "rob@contoso.com").await,
        ("contoso.com".to_owned(), "unmanaged".to_owned())
    );
    assert_eq!(
        organization_of(&app, "sara@contoso.com").await.0,
        "contoso.com"
    );
    assert_eq!(
        organization_of(&app, "ann@fabrikam.com").await.0,
        "fabrikam.com"
    );

    let sara_sees = organization_view(&app, &sara).await;
    assert_eq!(sara_sees.domain, "contoso.com");
    assert_eq!(sara_sees.member_count, 2);
    assert_eq!(sara_sees.status, OrganizationStatus::Unmanaged);
    assert_eq!(sara_sees.role, Role::Member);
    assert_eq!(organization_view(&app, &ann).await.member_count, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_consumer_mail_address_is_refused_with_use_your_work_email(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app
        .call(
            "sign_up",
            &[
                ("email", "rob@gmail.com"),
                ("display_name", "Rob"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "Invalid": "ConsumerDomain" }));
    let queued: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(queued, 0, "nothing was mailed");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_sign_up_input_says_what_is_wrong(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (email, name, password, problem) in [
        ("rob", "Rob", PASSWORD, "EmailShape"),
        ("rob@contoso", "Rob", PASSWORD, "EmailDomain"),
        ("rob@contoso.com", "  ", PASSWORD, "NameMissing"),
        ("rob@contoso.com", "Rob", "short", "PasswordTooShort"),
        ("rob@contoso.com", "Rob", "password1234", "PasswordCommon"),
    ] {
        let response = app
            .call(
                "sign_up",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{email} {name} {password}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["Invalid"], problem, "{email} {name} {password}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_idn_domain_is_stored_as_punycode_and_shown_as_unicode(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let anna = browser();
    app.sign_up(&anna, "anna@bücher.example", "Anna").await;
    assert_eq!(
        organization_of(&app, "anna@xn--bcher-kva.example").await.0,
        "xn--bcher-kva.example"
    );
    let member = app.call_as(&anna, "current_member", &[]).await;
    let member: serde_json::Value = member.json().await.expect("json");
    assert_eq!(member["email"], "anna@bücher.example");
    assert_eq!(member["organization_domain"], "bücher.example");
    assert_eq!(
        organization_view(&app, &anna).await.domain,
        "bücher.example"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_up_again_with_a_registered_address_reveals_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.sign_up(&browser(), "rob@contoso.com", "Rob").await;

    let stranger = browser();
    let again = app
        .call_as(
            &stranger,
            "sign_up",
            &[
                ("email", "rob@contoso.com"),
                ("display_name", "Not Rob"),
                ("password", "another long passphrase"),
            ],
        )
        .await;
    let fresh = app
        .call_as(
            &stranger,
            "sign_up",
            &[
                ("email", "new@contoso.com"),
                ("display_name", "New"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status(), fresh.status(), "same status for both");
    pending_id(&again, "/signup/verify/");
    pending_id(&fresh, "/signup/verify/");

    let (subject, body) = app.latest_mail("rob@contoso.com").await.expect("a mail");
    assert_eq!(subject, "Someone tried to sign up with your address");
    assert!(body.contains("already has an account"));
    // Guessing codes for the registered address never creates a second account.
    let id = pending_id(&again, "/signup/verify/").to_string();
    let guess = app
        .call_as(
            &stranger,
            "confirm_sign_up",
            &[("id", &id), ("code", "000000")],
        )
        .await;
    assert_eq!(guess.status(), 422);
    let members: i64 =
        sqlx::query_scalar("select count(*) from members where email = 'rob@contoso.com'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(members, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_expires_after_fifteen_minutes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    let id = app
        .start_sign_up(&rob, "rob@contoso.com", "Rob")
        .await
        .to_string();
    let code = app.latest_code("rob@contoso.com").await;
    app.clock.advance(Duration::minutes(15));
    let late = app
        .call_as(&rob, "confirm_sign_up", &[("id", &id), ("code", &code)])
        .await;
    assert_eq!(late.status(), 422);
    assert_eq!(
        late.json::<serde_json::Value>().await.expect("json"),
        "CodeExpired"
    );

    // A new code works again.
    app.clock.advance(Duration::minutes(1));
    assert!(app
        .call_as(&rob, "resend_code", &[("id", &id)])
        .await
        .status()
        .is_success());
    let fresh = app.latest_code("rob@contoso.com").await;
    let on_time = app
        .call_as(&rob, "confirm_sign_up", &[("id", &id), ("code", &fresh)])
        .await;
    assert!(on_time.status().is_success() || on_time.status().is_redirection());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_allows_five_wrong_guesses_then_none(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    let id = app
        .start_sign_up(&rob, "rob@contoso.com", "Rob")
        .await
        .to_string();
    let code = app.latest_code("rob@contoso.com").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        let guess = app
            .call_as(&rob, "confirm_sign_up", &[("id", &id), ("code", wrong)])
            .await;
        assert_eq!(
            guess.json::<serde_json::Value>().await.expect("json"),
            "CodeWrong"
        );
    }
    let right_too_late = app
        .call_as(&rob, "confirm_sign_up", &[("id", &id), ("code", &code)])
        .await;
    assert_eq!(
        right_too_late
            .json::<serde_json::Value>()
            .await
            .expect("json"),
        "CodeAttemptsSpent"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_resend_waits_a_minute(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    let id = app
        .start_sign_up(&rob, "rob@contoso.com", "Rob")
        .await
        .to_string();
    let early = app.call_as(&rob, "resend_code", &[("id", &id)]).await;
    assert_eq!(early.status(), 429);
    assert_eq!(
        early.json::<serde_json::Value>().await.expect("json"),
        serde_json::json!({ "TooManyAttempts": { "retry_after_secs": 60 } })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.sign_up(&browser(), "rob@contoso.com", "Rob").await;
    let wrong = app
        .call_as(
            &browser(),
            "sign_in",
            &[
                ("email", "rob@contoso.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown = app
        .call_as(
            &browser(),
            "sign_in",
            &[
                ("email", "nobody@contoso.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong.text().await.expect("body"),
        unknown.text().await.expect("body")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_is_throttled_per_account_across_two_servers(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    first.sign_up(&browser(), "rob@contoso.com", "Rob").await;
    for app in [&first, &second, &first, &second, &first] {
        let attempt = app
            .call_as(
                &browser(),
                "sign_in",
                &[
                    ("email", "rob@contoso.com"),
                    ("password", "guess guess guess"),
                ],
            )
            .await;
        assert_eq!(attempt.status(), 401);
    }
    let sixth = second
        .call_as(
            &browser(),
            "sign_in",
            &[("email", "rob@contoso.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(sixth.status(), 429, "even the right password waits");
    assert_eq!(
        sixth.json::<serde_json::Value>().await.expect("json"),
        serde_json::json!({ "TooManyAttempts": { "retry_after_secs": 900 } })
    );
    first.clock.advance(Duration::minutes(15));
    let later = second
        .call_as(
            &browser(),
            "sign_in",
            &[("email", "rob@contoso.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(later.status().is_success() || later.status().is_redirection());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_made_on_one_server_is_valid_on_another(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    let rob = browser();
    first.sign_up(&rob, "rob@contoso.com", "Rob").await;
    // The cookie jar is per host and port; hand the cookie over as a load balancer would.
    let cookie = session_cookie(&first, &rob).await;
    let response = reqwest::Client::new()
        .post(second.url("/api/my_organization"))
        .header("Cookie", cookie)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

async fn session_cookie(app: &TestApp, browser: &reqwest::Client) -> String {
    let response = app
        .call_as(
            browser,
            "sign_in",
            &[("email", "rob@contoso.com"), ("password", PASSWORD)],
        )
        .await;
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("tenantry_session="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_rotates_the_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    let first = session_cookie(&app, &rob).await;
    let second = session_cookie(&app, &rob).await;
    assert_ne!(first, second);
    let with_old = reqwest::Client::new()
        .post(app.url("/api/my_organization"))
        .header("Cookie", first)
        .send()
        .await
        .expect("sent");
    assert_eq!(with_old.status(), 401, "the session before sign-in is gone");
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_after_twelve_idle_hours(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    app.clock.advance(Duration::hours(11));
    assert!(is_signed_in(&app, &rob).await);
    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    assert!(!is_signed_in(&app, &rob).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_signed_out_caller_gets_401_and_no_data(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert!(!is_signed_in(&app, &app.client).await);
    let response = app.call("my_organization", &[]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<serde_json::Value>().await.expect("json"),
        "Unauthorized"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_reset_ends_every_other_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (laptop, phone, stranger) = (browser(), browser(), browser());
    app.sign_up(&laptop, "rob@contoso.com", "Rob").await;
    session_cookie(&app, &phone).await;
    assert!(is_signed_in(&app, &phone).await);

    let request = app
        .call_as(
            &stranger,
            "request_password_reset",
            &[("email", "rob@contoso.com")],
        )
        .await;
    let id = pending_id(&request, "/password/reset/").to_string();
    let code = app.latest_code("rob@contoso.com").await;
    let reset = app
        .call_as(
            &stranger,
            "reset_password",
            &[
                ("id", &id),
                ("code", &code),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert!(reset.status().is_success() || reset.status().is_redirection());

    assert!(!is_signed_in(&app, &laptop).await);
    assert!(!is_signed_in(&app, &phone).await);
    assert!(is_signed_in(&app, &stranger).await);
    let old = app
        .call_as(
            &browser(),
            "sign_in",
            &[("email", "rob@contoso.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status(), 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reset_for_an_unknown_address_looks_the_same_and_mails_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app
        .call("request_password_reset", &[("email", "nobody@contoso.com")])
        .await;
    pending_id(&response, "/password/reset/");
    assert!(app.latest_mail("nobody@contoso.com").await.is_none());
}
