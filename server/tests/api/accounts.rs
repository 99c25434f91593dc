//! Sign-up, verification, sign-in, sessions, throttling and password reset, against a real
//! database and through the real HTTP server.

use app::accounts::{
    ConfirmSignUp, CurrentMember, RequestPasswordReset, ResendCode, ResetPassword, SignIn,
};
use app::core::clock::Clock;
use app::core::error::AppError;
use app::domain::Invalid;
use app::organizations::{MyOrganization, OrganizationStatus, OrganizationView, Role};

use crate::helpers::{
    answer, browser, holding, pending_id, sign_in_with, sign_up_with, TestApp, PASSWORD,
};
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

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

/// Signs in from a new browser as `email` with `password`.
async fn sign_in_elsewhere(app: &TestApp, email: &str, password: &str) -> Result<(), AppError> {
    app.invoke(&browser(), sign_in_with(email, password)).await
}

/// Signs Rob in from `browser` and returns the session cookie the answer sets.
async fn session_cookie(app: &TestApp, browser: &reqwest::Client) -> String {
    let response = app
        .respond(browser, sign_in_with("rob@contoso.com", PASSWORD))
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

/// Rob, part-way through signing up in a new browser, and the id of his pending code.
async fn rob_signing_up(app: &TestApp) -> (reqwest::Client, Uuid) {
    let rob = browser();
    let id = app.start_sign_up(&rob, "rob@contoso.com", "Rob").await;
    (rob, id)
}

#[sqlx::test(migrations = "../migrations")]
async fn members_on_one_domain_share_an_organization_and_another_domain_does_not(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    let sara = app.signed_up("Sara@Contoso.com", "Sara").await;
    let ann = app.signed_up("ann@fabrikam.com", "Ann").await;

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
    // Signing up signs in: the admin's list shows when, not "Never".
    let signed_in = "members where last_sign_in_at is not null";
    assert_eq!(app.count(signed_in).await, 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_consumer_mail_address_is_refused_with_use_your_work_email(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let refused = app
        .invoke(&app.client, sign_up_with("rob@gmail.com", "Rob", PASSWORD))
        .await;
    assert_eq!(refused, Err(AppError::Invalid(Invalid::ConsumerDomain)));
    assert_eq!(app.count("outbox").await, 0, "nothing was mailed");
}

#[sqlx::test(migrations = "../migrations")]
async fn one_mailbox_signs_up_once_so_aliases_cannot_inflate_the_seats_to_buy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("bob@contoso.com", "Bob").await;
    for alias in [
        "bob+1@contoso.com",
        "Bob+meetings@Contoso.com",
        "+@contoso.com",
    ] {
        let refused = app
            .invoke(&browser(), sign_up_with(alias, "Bob", PASSWORD))
            .await;
        assert_eq!(
            refused,
            Err(AppError::Invalid(Invalid::SubAddress)),
            "{alias}"
        );
    }
    assert_eq!(app.count("members").await, 1, "only Bob's own address");
    assert_eq!(
        app.count("email_codes where email like '%+%'").await,
        0,
        "no code was mailed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_sign_up_input_says_what_is_wrong(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (email, name, password, problem) in [
        ("rob", "Rob", PASSWORD, Invalid::EmailShape),
        ("rob@contoso", "Rob", PASSWORD, Invalid::EmailDomain),
        ("rob@contoso.com", "  ", PASSWORD, Invalid::NameMissing),
        ("rob@contoso.com", "Rob", "short", Invalid::PasswordTooShort),
        (
            "rob@contoso.com",
            "Rob",
            "password1234",
            Invalid::PasswordCommon,
        ),
    ] {
        assert_eq!(
            app.invoke(&app.client, sign_up_with(email, name, password))
                .await,
            Err(AppError::Invalid(problem)),
            "{email} {name} {password}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_idn_domain_is_stored_as_punycode_and_shown_as_unicode(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let anna = app.signed_up("anna@bücher.example", "Anna").await;
    assert_eq!(
        organization_of(&app, "anna@xn--bcher-kva.example").await.0,
        "xn--bcher-kva.example"
    );
    let member = app
        .invoke(&anna, CurrentMember {})
        .await
        .expect("answered")
        .expect("signed in");
    assert_eq!(member.email, "anna@bücher.example");
    assert_eq!(member.organization_domain, "bücher.example");
    assert_eq!(
        organization_view(&app, &anna).await.domain,
        "bücher.example"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_up_again_with_a_registered_address_reveals_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;

    let stranger = browser();
    let again = app
        .respond(
            &stranger,
            sign_up_with("rob@contoso.com", "Not Rob", "another long passphrase"),
        )
        .await;
    let fresh = app
        .respond(
            &stranger,
            sign_up_with("new@contoso.com", "Payroll Locked Call Now", PASSWORD),
        )
        .await;
    assert_eq!(again.status(), fresh.status(), "same status for both");
    let id = pending_id(&again, "/signup/verify/");
    pending_id(&fresh, "/signup/verify/");

    let (subject, body) = app.latest_mail("rob@contoso.com").await.expect("a mail");
    assert_eq!(subject, "Someone tried to sign up with your address");
    assert!(body.contains("already has an account"));
    // The name is the form's, not yet the address owner's: the code mail does not repeat it.
    let (_, body) = app.latest_mail("new@contoso.com").await.expect("a code");
    assert!(body.starts_with("Hello,\n"), "{body}");
    assert!(!body.contains("Payroll"), "{body}");
    // Guessing codes for the registered address never creates a second account.
    let guess = app.confirm_sign_up(&stranger, id, "000000").await;
    assert_eq!(guess, Err(AppError::CodeWrong));
    assert_eq!(
        app.count("members where email = 'rob@contoso.com'").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_expires_after_fifteen_minutes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (rob, id) = rob_signing_up(&app).await;
    let code = app.latest_code("rob@contoso.com").await;
    app.clock.advance(Duration::minutes(15));
    let late = app.confirm_sign_up(&rob, id, &code).await;
    assert_eq!(late, Err(AppError::CodeExpired));

    // A new code works again.
    app.clock.advance(Duration::minutes(1));
    let resent = app.invoke(&rob, ResendCode { id: id.to_string() }).await;
    assert_eq!(resent, Ok(()));
    let fresh = app.latest_code("rob@contoso.com").await;
    assert_eq!(app.confirm_sign_up(&rob, id, &fresh).await, Ok(()));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_allows_five_wrong_guesses_then_none(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (rob, id) = rob_signing_up(&app).await;
    let code = app.latest_code("rob@contoso.com").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        let guess = app.confirm_sign_up(&rob, id, wrong).await;
        assert_eq!(guess, Err(AppError::CodeWrong));
    }
    let right_too_late = app.confirm_sign_up(&rob, id, &code).await;
    assert_eq!(right_too_late, Err(AppError::CodeAttemptsSpent));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_resend_waits_a_minute(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (rob, id) = rob_signing_up(&app).await;
    let early = app.invoke(&rob, ResendCode { id: id.to_string() }).await;
    assert_eq!(
        early,
        Err(AppError::ResendTooSoon {
            retry_after_secs: 60
        })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    let wrong = sign_in_elsewhere(&app, "rob@contoso.com", "not the password").await;
    let unknown = sign_in_elsewhere(&app, "nobody@contoso.com", "not the password").await;
    assert_eq!(wrong, Err(AppError::WrongCredentials));
    assert_eq!(unknown, wrong);
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_passwords_slow_an_account_down_but_never_lock_it_out(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    first.signed_up("rob@contoso.com", "Rob").await;
    for app in [&first, &second, &first, &second, &first, &second, &first] {
        let attempt = sign_in_elsewhere(app, "rob@contoso.com", "guess guess guess").await;
        assert_eq!(attempt, Err(AppError::WrongCredentials), "never a refusal");
    }
    assert_eq!(
        first
            .scalar("select attempts::bigint from throttles where key = 'sign-in:address:rob@contoso.com'")
            .await,
        7,
        "each failure counted, on either server"
    );
    let right = sign_in_elsewhere(&second, "rob@contoso.com", PASSWORD).await;
    assert_eq!(right, Ok(()), "the right password still signs in");
    assert_eq!(
        first
            .count("throttles where key = 'sign-in:address:rob@contoso.com'")
            .await,
        0,
        "a success forgets the failures"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn guesses_sent_at_once_past_the_limit_take_turns_instead_of_waiting_together(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    // Rob is signed in nowhere, so these sign-ins come from a network that is not his.
    sqlx::query("delete from sessions")
        .execute(&app.pool)
        .await
        .expect("signed out");
    // So many wrong passwords that each further sign-in comes ten seconds after the one before.
    sqlx::query(
        "insert into throttles (key, window_started_at, attempts)
         values ('sign-in:address:rob@contoso.com', $1, 500)",
    )
    .bind(app.clock.now())
    .execute(&app.pool)
    .await
    .expect("failures counted");

    let guesses = (0..3).map(|_| sign_in_elsewhere(&app, "rob@contoso.com", "guess guess guess"));
    let outcomes = futures_util::future::join_all(guesses).await;
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(AppError::TooManyAttempts { .. })))
        .count();
    let tried = outcomes
        .iter()
        .filter(|outcome| **outcome == Err(AppError::WrongCredentials))
        .count();
    assert_eq!(
        (tried, refused),
        (2, 1),
        "one now, one ten seconds later, and one refused rather than queued further: {outcomes:?}"
    );

    // From a network Rob is signed in from, he waits but does not queue behind the guesses.
    sqlx::query(
        "insert into sessions (token_hash, member_id, created_at, last_seen_at, network)
         select 'another device'::bytea, id, $1, $1, '127.0.0.x' from members where email = 'rob@contoso.com'",
    )
    .bind(app.clock.now())
    .execute(&app.pool)
    .await
    .expect("signed in on another device");
    assert_eq!(
        sign_in_elsewhere(&app, "rob@contoso.com", PASSWORD).await,
        Ok(())
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_network_counts_as_the_members_own_only_while_a_session_there_is_live(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    let network: String = sqlx::query_scalar("select network from sessions")
        .fetch_one(&app.pool)
        .await
        .expect("Rob's session");
    let own = || async {
        app::accounts::session::signed_in_from(
            &app.pool,
            "rob@contoso.com",
            &network,
            app.clock.now(),
        )
        .await
        .expect("answered")
    };
    assert!(own().await, "signed in from there");
    // A session left idle past the limit has ended, even before the sweep removes it.
    app.clock.advance(time::Duration::days(1));
    assert_eq!(app.count("sessions").await, 1, "not swept yet");
    assert!(!own().await, "no longer his own network");
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_is_still_limited_per_network(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    for n in 0..30 {
        let attempt =
            sign_in_elsewhere(&app, &format!("nobody{n}@contoso.com"), "guess guess guess").await;
        assert_eq!(attempt, Err(AppError::WrongCredentials));
    }
    assert!(matches!(
        sign_in_elsewhere(&app, "rob@contoso.com", PASSWORD).await,
        Err(AppError::TooManyAttempts { .. })
    ));
}

/// A wrong sign-in for `email` sent with `X-Forwarded-For: client`.
async fn wrong_sign_in_forwarded_for(
    app: &TestApp,
    client: &str,
    email: &str,
) -> Result<(), AppError> {
    let call = sign_in_with(email, "guess guess guess");
    let response = app
        .request(&browser(), &call)
        .header("X-Forwarded-For", client)
        .send()
        .await
        .expect("request is sent");
    answer::<SignIn>(response).await.map(|_| ())
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit(pool: PgPool) {
    let app = TestApp::spawn_with(pool, Clock::system(), |config| {
        config.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a CIDR")];
    })
    .await;
    for n in 0..30 {
        let attempt =
            wrong_sign_in_forwarded_for(&app, "198.51.100.1", &format!("nobody{n}@contoso.com"))
                .await;
        assert_eq!(attempt, Err(AppError::WrongCredentials));
    }
    assert!(matches!(
        wrong_sign_in_forwarded_for(&app, "198.51.100.1", "nobody@contoso.com").await,
        Err(AppError::TooManyAttempts { .. })
    ));
    // Another client behind the same proxy still gets an answer.
    assert_eq!(
        wrong_sign_in_forwarded_for(&app, "198.51.100.2", "nobody@contoso.com").await,
        Err(AppError::WrongCredentials)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forwarded_address_from_an_untrusted_client_changes_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // Every attempt claims another address; without a trusted proxy all count against the socket.
    for n in 0..30 {
        let attempt = wrong_sign_in_forwarded_for(
            &app,
            &format!("198.51.100.{n}"),
            &format!("nobody{n}@contoso.com"),
        )
        .await;
        assert_eq!(attempt, Err(AppError::WrongCredentials));
    }
    assert!(matches!(
        wrong_sign_in_forwarded_for(&app, "203.0.113.1", "nobody@contoso.com").await,
        Err(AppError::TooManyAttempts { .. })
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_made_on_one_server_is_valid_on_another(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    let rob = first.signed_up("rob@contoso.com", "Rob").await;
    // The cookie jar is per host and port; hand the cookie over as a load balancer would.
    let cookie = session_cookie(&first, &rob).await;
    let seen = second.invoke(&holding(&cookie), MyOrganization {}).await;
    assert!(seen.is_ok(), "{seen:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_rotates_the_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    let first = session_cookie(&app, &rob).await;
    let second = session_cookie(&app, &rob).await;
    assert_ne!(first, second);
    assert_eq!(
        app.invoke(&holding(&first), MyOrganization {}).await,
        Err(AppError::Unauthorized),
        "the session before sign-in is gone"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_after_twelve_idle_hours(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    app.clock.advance(Duration::hours(11));
    assert!(app.is_signed_in(&rob).await);
    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    let ended = app::accounts::session::end_expired(&app.pool, None, app.clock.now())
        .await
        .expect("cleared away");
    assert_eq!(ended, 1, "the hourly clean-up deletes the ended session");
    assert!(!app.is_signed_in(&rob).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_signed_out_caller_gets_401_and_no_data(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert!(!app.is_signed_in(&app.client).await);
    assert_eq!(
        app.invoke(&app.client, MyOrganization {}).await,
        Err(AppError::Unauthorized)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_reset_ends_every_other_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let laptop = app.signed_up("rob@contoso.com", "Rob").await;
    let (phone, stranger) = (browser(), browser());
    session_cookie(&app, &phone).await;
    assert!(app.is_signed_in(&phone).await);

    let email = "rob@contoso.com".to_owned();
    let request = app.respond(&stranger, RequestPasswordReset { email }).await;
    let id = pending_id(&request, "/password/reset/").to_string();
    let code = app.latest_code("rob@contoso.com").await;
    let password = "a brand new passphrase".to_owned();
    let reset = app
        .invoke(&stranger, ResetPassword { id, code, password })
        .await;
    assert_eq!(reset, Ok(()));

    assert!(!app.is_signed_in(&laptop).await);
    assert!(!app.is_signed_in(&phone).await);
    assert!(app.is_signed_in(&stranger).await);
    let old = sign_in_elsewhere(&app, "rob@contoso.com", PASSWORD).await;
    assert_eq!(old, Err(AppError::WrongCredentials));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_blocked_member_may_reset_their_password_but_stays_blocked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    sqlx::query("update members set status = 'blocked' where email = 'rob@contoso.com'")
        .execute(&app.pool)
        .await
        .expect("blocked");

    let rob = browser();
    let email = "rob@contoso.com".to_owned();
    let request = app.respond(&rob, RequestPasswordReset { email }).await;
    let id = pending_id(&request, "/password/reset/").to_string();
    let code = app.latest_code("rob@contoso.com").await;
    let password = "a brand new passphrase".to_owned();
    let reset = app
        .invoke(
            &rob,
            ResetPassword {
                id,
                code,
                password: password.clone(),
            },
        )
        .await;
    assert_eq!(reset, Err(AppError::SignInBlocked), "the code was right");
    assert!(!app.is_signed_in(&rob).await);
    assert_eq!(
        sign_in_elsewhere(&app, "rob@contoso.com", &password).await,
        Err(AppError::SignInBlocked),
        "the new password is his, the block still stands"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_password_may_not_be_built_from_the_address_it_signs_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob.vanderberg@contoso.com", "Rob").await;
    let rob = browser();
    let email = "rob.vanderberg@contoso.com".to_owned();
    let request = app.respond(&rob, RequestPasswordReset { email }).await;
    let id = pending_id(&request, "/password/reset/").to_string();
    let code = app.latest_code("rob.vanderberg@contoso.com").await;
    let reset = |password: &str| ResetPassword {
        id: id.clone(),
        code: code.clone(),
        password: password.to_owned(),
    };
    assert!(matches!(
        app.invoke(&rob, reset("rob.vanderberg@contoso.com")).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        app.invoke(&rob, reset("a brand new passphrase")).await,
        Ok(()),
        "the code still works after a refused password"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reset_for_an_unknown_address_looks_the_same_and_mails_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let email = "nobody@contoso.com".to_owned();
    let response = app
        .respond(&app.client, RequestPasswordReset { email })
        .await;
    pending_id(&response, "/password/reset/");
    assert!(app.latest_mail("nobody@contoso.com").await.is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_up_started_by_someone_else_never_gets_their_password(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (attacker, victim) = (browser(), browser());
    // The attacker starts a sign-up for the victim's address with a password of their choosing.
    let id = app
        .start_sign_up(&attacker, "victim@contoso.com", "Victim")
        .await;
    let code = app.latest_code("victim@contoso.com").await;

    // The victim follows the genuine mail in their own browser: the code alone is not enough.
    assert_eq!(
        app.confirm_sign_up(&victim, id, &code).await,
        Err(AppError::SignUpPasswordNeeded)
    );
    let chosen = ConfirmSignUp {
        id: id.to_string(),
        code: code.clone(),
        password: Some("the victim's own passphrase".into()),
    };
    assert_eq!(app.invoke(&victim, chosen).await, Ok(()));
    assert!(app.is_signed_in(&victim).await);

    assert_eq!(
        sign_in_elsewhere(&app, "victim@contoso.com", PASSWORD).await,
        Err(AppError::WrongCredentials),
        "the attacker's password does not sign in"
    );
    assert_eq!(
        sign_in_elsewhere(&app, "victim@contoso.com", "the victim's own passphrase").await,
        Ok(())
    );
    assert_eq!(
        app.confirm_sign_up(&attacker, id, &code).await,
        Err(AppError::CodeWrong),
        "the code is used up"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_address_gets_twenty_code_guesses_a_day_however_they_are_spread(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    let new_code = || async {
        let id = app.start_sign_up(&rob, "rob@contoso.com", "Rob").await;
        let code = app.latest_code("rob@contoso.com").await;
        let wrong = if code == "111111" { "222222" } else { "111111" };
        (id, code, wrong)
    };
    // Two hours of ten wrong guesses each, five to a code.
    for _ in 0..2 {
        for _ in 0..2 {
            let (id, _, wrong) = new_code().await;
            for _ in 0..5 {
                assert_eq!(
                    app.confirm_sign_up(&rob, id, wrong).await,
                    Err(AppError::CodeWrong)
                );
            }
        }
        app.clock.advance(Duration::minutes(61));
    }
    let (id, code, _) = new_code().await;
    assert!(
        matches!(
            app.confirm_sign_up(&rob, id, &code).await,
            Err(AppError::TooManyAttempts { .. })
        ),
        "the day's guesses are spent, even on the right code"
    );
    app.clock.advance(Duration::days(1));
    let (id, code, _) = new_code().await;
    assert_eq!(app.confirm_sign_up(&rob, id, &code).await, Ok(()));
}

#[sqlx::test(migrations = "../migrations")]
async fn one_code_lives_at_a_time_and_guesses_share_one_budget(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    let first = app.start_sign_up(&rob, "rob@contoso.com", "Rob").await;
    let first_code = app.latest_code("rob@contoso.com").await;
    let second = app.start_sign_up(&rob, "rob@contoso.com", "Rob").await;
    assert_eq!(
        app.confirm_sign_up(&rob, first, &first_code).await,
        Err(AppError::CodeWrong),
        "a new code replaces the old one"
    );

    // A resend brings a new code but not new guesses.
    let code = app.latest_code("rob@contoso.com").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..4 {
        assert_eq!(
            app.confirm_sign_up(&rob, second, wrong).await,
            Err(AppError::CodeWrong)
        );
    }
    app.clock.advance(Duration::minutes(1));
    app.invoke(
        &rob,
        ResendCode {
            id: second.to_string(),
        },
    )
    .await
    .expect("resent");
    let resent = app.latest_code("rob@contoso.com").await;
    let wrong = if resent == "111111" {
        "222222"
    } else {
        "111111"
    };
    assert_eq!(
        app.confirm_sign_up(&rob, second, wrong).await,
        Err(AppError::CodeWrong)
    );
    assert_eq!(
        app.confirm_sign_up(&rob, second, &resent).await,
        Err(AppError::CodeAttemptsSpent),
        "five guesses were spent before the resend"
    );

    // A fresh sign-up gets its own five guesses, but the address's budget of ten is shared.
    let third = app.start_sign_up(&rob, "rob@contoso.com", "Rob").await;
    let code = app.latest_code("rob@contoso.com").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    // Six guesses went to the second code; four more spend the ten.
    for _ in 0..4 {
        assert_eq!(
            app.confirm_sign_up(&rob, third, wrong).await,
            Err(AppError::CodeWrong)
        );
    }
    assert!(matches!(
        app.confirm_sign_up(&rob, third, &code).await,
        Err(AppError::TooManyAttempts { .. })
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_returns_to_the_page_that_asked_and_never_to_another_site(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.signed_up("rob@contoso.com", "Rob").await;
    let landing = |next: &str| {
        let app = &app;
        let next = next.to_owned();
        async move {
            let response = app
                .respond(
                    &browser(),
                    SignIn {
                        next: Some(next),
                        ..sign_in_with("rob@contoso.com", PASSWORD)
                    },
                )
                .await;
            response
                .headers()
                .get("location")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
                .expect("signed in, and sent on")
        }
    };
    assert_eq!(
        landing("/meetings/abc-defg-hij").await,
        "/meetings/abc-defg-hij"
    );
    assert_eq!(landing("https://evil.example/").await, "/");
    assert_eq!(landing("//evil.example/").await, "/");
}
