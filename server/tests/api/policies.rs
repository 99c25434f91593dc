//! Organization policies, each set through one server process and enforced by another on the
//! same database from the next request on.

use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{
    browser, pending_id, sign_in_choosing, sign_in_with, sign_up_with, TestApp, PASSWORD,
};
use app::accounts::{RequestPasswordReset, ResetPassword};
use app::admin::{ApplyToEveryoneElse, EveryoneElse, LoadPolicies, SavePolicies};
use app::core::error::AppError;
use app::meetings::{CreateMeeting, JoinMeeting, LoadMeetingsOverview, Lobby};
use app::policies::Policies;
use sqlx::PgPool;
use time::Duration;

/// The policies form as the page sends it.
fn form(policies: &Policies) -> SavePolicies {
    let tick = |on: bool| on.then(|| "on".to_owned());
    let number = |value: Option<i32>| value.map(|n| n.to_string()).unwrap_or_default();
    SavePolicies {
        admins_add_people: tick(policies.admins_add_people),
        guests_allowed: tick(policies.guests_allowed),
        default_lobby: policies.default_lobby.as_str().to_owned(),
        max_participants: number(policies.max_participants),
        password_min_length: policies.password_min_length.to_string(),
        session_idle_minutes: policies.session_idle_minutes.to_string(),
        session_max_hours: policies.session_max_hours.to_string(),
        device_days: number(policies.device_days),
    }
}

async fn set(app: &TestApp, admin: &reqwest::Client, policies: Policies) {
    app.invoke(admin, form(&policies))
        .await
        .expect("policies saved");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_people_an_admin_adds_may_join_when_the_admin_says_so(pool: PgPool) {
    let (first, bind) = app_with_dns(pool).await;
    let second = first.another_server().await;
    let rob = admin(&first, &bind, "rob@contoso.com", 1).await;

    set(
        &first,
        &rob,
        Policies {
            admins_add_people: true,
            ..Policies::default()
        },
    )
    .await;
    let refused = second
        .invoke(&browser(), sign_up_with("ann@contoso.com", "Ann", PASSWORD))
        .await;
    assert_eq!(
        refused,
        Err(AppError::SignUpClosed {
            admin: Some("rob".into())
        })
    );
    assert_eq!(second.count("email_codes").await, 0, "nothing is stored");
    assert_eq!(
        second
            .count("outbox where recipient = 'ann@contoso.com'")
            .await,
        0
    );
    // Other domains are untouched.
    second.signed_up("ann@fabrikam.com", "Ann").await;
    assert_eq!(
        second
            .count("audit_events where kind = 'policy.changed'")
            .await,
        1
    );
    // The answer names the admin, so asking it is limited as sign-ups are: one network cannot
    // list the admins of many domains.
    let prober = browser();
    let mut asked = 0;
    let limited = loop {
        asked += 1;
        let address = format!("probe{asked}@contoso.com");
        match second
            .invoke(&prober, sign_up_with(&address, "P", PASSWORD))
            .await
        {
            Err(AppError::SignUpClosed { .. }) if asked <= 40 => continue,
            other => break other,
        }
    };
    assert!(
        matches!(limited, Err(AppError::TooManyAttempts { .. })),
        "{limited:?}"
    );
    assert!(asked <= 31, "limited after {asked}");
}

#[sqlx::test(migrations = "../migrations")]
async fn guests_and_meeting_sizes_follow_the_policy_from_the_next_join(pool: PgPool) {
    let (first, bind) = app_with_dns(pool).await;
    let second = first.another_server().await;
    let rob = admin(&first, &bind, "rob@contoso.com", 1).await;
    let code = first
        .invoke(
            &rob,
            CreateMeeting {
                title: "Planning".into(),
                starts_at: "2027-03-01T10:00".into(),
                utc_offset_minutes: Some("0".into()),
                allow_guests: Some("on".into()),
            },
        )
        .await
        .expect("a meeting");
    let join = |name: &str| JoinMeeting {
        code: code.clone(),
        name: Some(name.to_owned()),
    };
    assert!(second.invoke(&browser(), join("Guest one")).await.is_ok());

    set(
        &first,
        &rob,
        Policies {
            guests_allowed: false,
            max_participants: Some(50),
            default_lobby: Lobby::Nobody,
            ..Policies::default()
        },
    )
    .await;
    assert_eq!(
        second.invoke(&browser(), join("Guest two")).await,
        Err(AppError::GuestsNotAllowed)
    );
    let overview = second
        .invoke(&rob, LoadMeetingsOverview {})
        .await
        .expect("the overview");
    assert_eq!(overview.participant_limit, 50);
    assert_eq!(overview.settings.lobby, Lobby::Nobody, "new members' lobby");

    let above_the_plan = Policies {
        max_participants: Some(301),
        ..Policies::default()
    };
    assert_eq!(
        first.invoke(&rob, form(&above_the_plan)).await,
        Err(AppError::PolicyOutOfBounds {
            field: "max_participants".into(),
            min: 1,
            max: 300
        })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_minimum_password_length_applies_to_resets(pool: PgPool) {
    let (first, bind) = app_with_dns(pool).await;
    let second = first.another_server().await;
    first.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&first, &bind, "rob@contoso.com", 2).await;
    set(
        &first,
        &rob,
        Policies {
            password_min_length: 16,
            ..Policies::default()
        },
    )
    .await;
    let policies = second.invoke(&rob, LoadPolicies {}).await.expect("read");
    assert_eq!(policies.policies.password_min_length, 16);

    let stranger = browser();
    let request = second
        .respond(
            &stranger,
            RequestPasswordReset {
                email: "sara@contoso.com".into(),
            },
        )
        .await;
    let id = pending_id(&request, "/password/reset/").to_string();
    let code = second.latest_code("sara@contoso.com").await;
    let reset = |password: &str| ResetPassword {
        id: id.clone(),
        code: code.clone(),
        password: password.to_owned(),
    };
    assert_eq!(
        second.invoke(&stranger, reset("twelve chars")).await,
        Err(AppError::PasswordBelowPolicy { min: 16 })
    );
    assert_eq!(
        second.invoke(&stranger, reset("sixteen characters")).await,
        Ok(())
    );
    assert_eq!(
        first
            .invoke(
                &rob,
                form(&Policies {
                    password_min_length: 11,
                    ..Policies::default()
                })
            )
            .await,
        Err(AppError::PolicyOutOfBounds {
            field: "password_min_length".into(),
            min: 12,
            max: 64
        })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn session_policies_sign_people_out_on_every_server(pool: PgPool) {
    let (first, bind) = app_with_dns(pool).await;
    let second = first.another_server().await;
    let sara = first.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&first, &bind, "rob@contoso.com", 2).await;

    set(
        &first,
        &rob,
        Policies {
            session_idle_minutes: 30,
            ..Policies::default()
        },
    )
    .await;
    second.clock.advance(Duration::minutes(31));
    assert!(
        !second.is_signed_in(&sara).await,
        "idle past the policy's 30 minutes"
    );
    assert!(!second.is_signed_in(&rob).await);

    second.sign_in(&rob, "rob@contoso.com").await;
    second.sign_in(&sara, "sara@contoso.com").await;
    set(
        &second,
        &rob,
        Policies {
            session_idle_minutes: 30,
            device_days: Some(1),
            ..Policies::default()
        },
    )
    .await;
    // Active every 20 minutes, so never idle: signed in for the whole first day.
    for _ in 0..71 {
        second.clock.advance(Duration::minutes(20));
        assert!(first.is_signed_in(&sara).await, "active, within a day");
        assert!(first.is_signed_in(&rob).await);
    }
    second.clock.advance(Duration::minutes(20));
    assert!(
        !first.is_signed_in(&sara).await,
        "a day after signing in, sign in again"
    );

    first.sign_in(&rob, "rob@contoso.com").await;
    first.sign_in(&sara, "sara@contoso.com").await;
    let ended = second
        .invoke(
            &rob,
            ApplyToEveryoneElse {
                what: EveryoneElse::SignOut,
            },
        )
        .await
        .expect("signed out");
    assert!(ended >= 1, "Sara's session, and any that had timed out");
    assert!(!first.is_signed_in(&sara).await);
    assert!(first.is_signed_in(&rob).await, "the admin stays signed in");

    let asked = first
        .invoke(
            &rob,
            ApplyToEveryoneElse {
                what: EveryoneElse::ChooseNewPassword,
            },
        )
        .await
        .expect("asked");
    assert_eq!(asked, 1);
    assert_eq!(
        second
            .invoke(&sara, sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::PasswordChangeRequired)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn requiring_new_passwords_signs_everyone_else_out_until_they_choose_one(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let saras_phone = browser();
    app.sign_in(&saras_phone, "sara@contoso.com").await;

    let asked = app
        .invoke(
            &rob,
            ApplyToEveryoneElse {
                what: EveryoneElse::ChooseNewPassword,
            },
        )
        .await
        .expect("asked");
    assert_eq!(asked, 1, "Sara, not the admin asking");
    assert!(!app.is_signed_in(&sara).await, "her laptop is signed out");
    assert!(!app.is_signed_in(&saras_phone).await, "and her phone");
    assert!(app.is_signed_in(&rob).await, "the admin stays signed in");

    assert_eq!(
        app.invoke(&sara, sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::PasswordChangeRequired)
    );
    let choose = sign_in_choosing("sara@contoso.com", PASSWORD, "amber lantern meadow");
    app.invoke(&sara, choose).await.expect("signed in");
    assert!(app.is_signed_in(&sara).await);
    assert_eq!(
        app.invoke(&browser(), sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::WrongCredentials),
        "the old password is gone"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_a_policy_ended_stays_ended_when_the_policy_is_relaxed(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let short = Policies {
        session_idle_minutes: 30,
        ..Policies::default()
    };
    let saras_sessions =
        "sessions where member_id = (select id from members where email = 'sara@contoso.com')";

    set(&app, &rob, short.clone()).await;
    app.clock.advance(Duration::minutes(31));
    assert!(!app.is_signed_in(&sara).await, "idle past 30 minutes");
    assert_eq!(
        app.count(saras_sessions).await,
        0,
        "deleted once seen ended"
    );

    // Sara leaves a desk signed in and goes idle; nobody uses that session again before the
    // admin, back at work, relaxes the policy.
    app.sign_in(&sara, "sara@contoso.com").await;
    app.clock.advance(Duration::minutes(31));
    app.sign_in(&rob, "rob@contoso.com").await;
    set(&app, &rob, Policies::default()).await;
    assert!(
        !app.is_signed_in(&sara).await,
        "the session that ended at 30 minutes does not come back under the 12 hours now allowed"
    );
    assert!(
        app.is_signed_in(&rob).await,
        "the admin's own session is live"
    );
}
