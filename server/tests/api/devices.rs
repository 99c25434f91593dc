//! Devices: each sign-in is one, members and their admins sign them out, and a single-use link
//! signs a phone in.

use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{answer, browser, TestApp};
use app::accounts::{
    CheckPhoneLink, CurrentMember, LoadPhoneLink, MyDevices, NewPhoneLink, PhoneLinkState,
    SignOutDevice, SignOutOtherDevices, UsePhoneLink,
};
use app::admin::{ApplyToEveryoneElse, EveryoneElse};
use app::core::error::AppError;
use app::people::{
    CancelPersonPhoneLink, ChangeRole, LoadPersonDevices, NewPersonPhoneLink, SignOutPersonDevice,
};
use sqlx::PgPool;
use time::Duration;

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";

/// A browser that says it is a phone.
fn phone() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(PHONE)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().expect("a token").to_owned()
}

/// What a phone sends when its camera opens the link at `url`.
fn open_on_phone(url: &str) -> UsePhoneLink {
    UsePhoneLink {
        token: token_of(url),
    }
}

async fn signed_in_as(app: &TestApp, browser: &reqwest::Client) -> Option<String> {
    app.invoke(browser, CurrentMember {})
        .await
        .expect("answers")
        .map(|member| member.email)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_phone_link_signs_the_phone_in_once_as_its_member(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;

    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");
    assert!(link.qr_svg.starts_with("<svg"), "{}", &link.qr_svg[..40]);
    let token = token_of(&link.url);
    let state = || CheckPhoneLink {
        id: link.id.clone(),
    };
    assert_eq!(
        app.invoke(&sara, state()).await,
        Ok(PhoneLinkState::Waiting)
    );
    let seen = app
        .invoke(
            &browser(),
            LoadPhoneLink {
                token: token.clone(),
            },
        )
        .await
        .expect("the link works");
    assert_eq!(seen.name, "Sara");

    // Twenty phones use the link at once: exactly one is signed in.
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let phone = phone();
        let request = app.request(
            &phone,
            &UsePhoneLink {
                token: token.clone(),
            },
        );
        attempts.spawn(async move {
            let response = request.send().await.expect("answered");
            (phone, answer::<UsePhoneLink>(response).await)
        });
    }
    let outcomes = attempts.join_all().await;
    let winners: Vec<_> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_ok())
        .collect();
    assert_eq!(winners.len(), 1, "exactly one phone wins the link");
    for (_, outcome) in outcomes.iter().filter(|(_, outcome)| outcome.is_err()) {
        assert_eq!(outcome, &Err(AppError::PhoneLinkInvalid));
    }
    let signed_in_phone = &winners[0].0;
    assert_eq!(
        signed_in_as(&app, signed_in_phone).await.as_deref(),
        Some("sara@contoso.com")
    );
    assert_eq!(app.invoke(&sara, state()).await, Ok(PhoneLinkState::Used));

    let devices = app.invoke(&sara, MyDevices {}).await.expect("her devices");
    let names: Vec<(String, bool)> = devices
        .iter()
        .map(|device| (device.kind.to_string(), device.this_device))
        .collect();
    assert!(
        names.contains(&("Chrome on Android".to_owned(), false)),
        "{names:?}"
    );
    assert_eq!(
        devices.iter().filter(|device| device.this_device).count(),
        1
    );
    assert!(devices.iter().all(|device| device.network == "127.0.0.x"));

    // Signing the phone out from the computer signs it out on its next request.
    let phone_device = devices
        .iter()
        .find(|device| device.kind.to_string() == "Chrome on Android")
        .expect("the phone")
        .id
        .clone();
    app.invoke(&sara, SignOutDevice { id: phone_device })
        .await
        .expect("signed out");
    assert_eq!(signed_in_as(&app, signed_in_phone).await, None);
    assert!(signed_in_as(&app, &sara).await.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_phone_link_expires_after_ten_minutes_and_belongs_to_its_member(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let tom = app.signed_up("tom@contoso.com", "Tom").await;
    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");

    assert_eq!(
        app.invoke(
            &tom,
            CheckPhoneLink {
                id: link.id.clone()
            }
        )
        .await,
        Err(AppError::NotFound),
        "another member cannot follow Sara's link"
    );
    app.clock.advance(Duration::minutes(10));
    assert_eq!(
        app.invoke(&phone(), open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid)
    );
    assert_eq!(
        app.invoke(&sara, CheckPhoneLink { id: link.id }).await,
        Ok(PhoneLinkState::Expired)
    );

    // Signing out every other device keeps this one.
    let second = browser();
    app.sign_in(&second, "sara@contoso.com").await;
    app.invoke(&sara, SignOutOtherDevices {})
        .await
        .expect("signed out");
    assert_eq!(signed_in_as(&app, &second).await, None);
    assert!(signed_in_as(&app, &sara).await.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_set_up_phones_and_sign_devices_out_only_in_their_organization(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let eve = admin(&app, &bind, "eve@fabrikam.com", 1).await;
    let sara_id: uuid::Uuid =
        sqlx::query_scalar("select id from members where email = 'sara@contoso.com'")
            .fetch_one(&app.pool)
            .await
            .expect("Sara");
    let id = sara_id.to_string();

    let link = app
        .invoke(&rob, NewPersonPhoneLink { id: id.clone() })
        .await
        .expect("a link for Sara");
    // Sara is told, but the mail does not carry the link: that is for the phone being set up.
    let (subject, body) = app
        .latest_mail("sara@contoso.com")
        .await
        .expect("a mail to Sara");
    assert_eq!(
        subject,
        "rob made a link that signs a phone in to your Tenantry account"
    );
    assert!(body.contains("within 10 minutes"), "{body}");
    assert!(body.contains("/account/devices"), "{body}");
    assert!(!body.contains(&token_of(&link.url)), "{body}");
    let listed = app
        .invoke(&rob, LoadPersonDevices { id: id.clone() })
        .await
        .expect("her devices");
    assert_eq!(listed.pending.len(), 1);
    assert_eq!(listed.devices.len(), 1);
    assert_eq!(
        app.invoke(&eve, LoadPersonDevices { id: id.clone() }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        app.invoke(&eve, NewPersonPhoneLink { id: id.clone() })
            .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        app.invoke(&sara, NewPersonPhoneLink { id: id.clone() })
            .await,
        Err(AppError::Forbidden)
    );

    app.invoke(
        &rob,
        CancelPersonPhoneLink {
            id: id.clone(),
            link: link.id,
        },
    )
    .await
    .expect("cancelled");
    assert_eq!(
        app.invoke(&phone(), open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid)
    );

    app.invoke(
        &rob,
        SignOutPersonDevice {
            id,
            device: String::new(),
        },
    )
    .await
    .expect("signed out everywhere");
    assert_eq!(signed_in_as(&app, &sara).await, None);
    assert_eq!(
        app.count("audit_events where kind = 'device.signed_out'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn ending_someones_sessions_also_ends_their_waiting_phone_links(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let sara_id = sqlx::query_scalar::<_, uuid::Uuid>("select id from members where email = $1")
        .bind("sara@contoso.com")
        .fetch_one(&app.pool)
        .await
        .expect("Sara")
        .to_string();

    // Whoever holds one of Sara's sessions makes a link; the admin then signs everyone out.
    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");
    app.invoke(
        &rob,
        ApplyToEveryoneElse {
            what: EveryoneElse::SignOut,
        },
    )
    .await
    .expect("everyone signed out");
    assert_eq!(
        app.invoke(&phone(), open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid),
        "the link went with the sessions"
    );

    // Signing her other devices out, or a password reset, ends a waiting link too.
    app.sign_in(&sara, "sara@contoso.com").await;
    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");
    app.invoke(&sara, SignOutOtherDevices {})
        .await
        .expect("signed out");
    assert_eq!(
        app.invoke(&phone(), open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid)
    );
    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");
    app.invoke(
        &rob,
        app::people::ResetPersonPassword {
            id: sara_id,
            how: "temporary".into(),
        },
    )
    .await
    .expect("reset");
    assert_eq!(
        app.invoke(&phone(), open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid)
    );
    assert_eq!(
        app.count(
            "sessions s join members m on m.id = s.member_id where m.email = 'sara@contoso.com'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_phone_link_does_not_pass_by_a_password_that_must_be_changed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let link = app.invoke(&sara, NewPhoneLink {}).await.expect("a link");
    sqlx::query("update members set must_change_password = true where email = 'sara@contoso.com'")
        .execute(&app.pool)
        .await
        .expect("asked to choose a new password");

    assert_eq!(
        app.invoke(
            &browser(),
            LoadPhoneLink {
                token: token_of(&link.url)
            }
        )
        .await
        .map(|seen| seen.name),
        Err(AppError::PhoneLinkInvalid)
    );
    let phone = phone();
    assert_eq!(
        app.invoke(&phone, open_on_phone(&link.url)).await,
        Err(AppError::PhoneLinkInvalid)
    );
    assert_eq!(signed_in_as(&app, &phone).await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_opened_before_an_admin_role_was_given_does_not_carry_it(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let uma = app.signed_up("uma@contoso.com", "Uma").await;
    let tom = app.signed_up("tom@contoso.com", "Tom").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    let ids: Vec<(String, uuid::Uuid)> = sqlx::query_as("select email, id from members")
        .fetch_all(&app.pool)
        .await
        .expect("the members");
    let id = |email: &str| {
        ids.iter()
            .find(|(address, _)| address == email)
            .map(|(_, id)| id.to_string())
            .expect("a member")
    };
    let role = |email: &str, role: &str| ChangeRole {
        id: id(email),
        role: role.into(),
    };
    app.invoke(&rob, role("uma@contoso.com", "user_admin"))
        .await
        .expect("Uma is a user admin");
    assert_eq!(
        signed_in_as(&app, &uma).await,
        None,
        "signed out by the change"
    );
    app.sign_in(&uma, "uma@contoso.com").await;

    // Uma, a user admin, makes a phone link for Tom and opens it herself.
    let link = app
        .invoke(
            &uma,
            NewPersonPhoneLink {
                id: id("tom@contoso.com"),
            },
        )
        .await
        .expect("a link for Tom");
    let as_tom = phone();
    app.invoke(&as_tom, open_on_phone(&link.url))
        .await
        .expect("signed in as Tom");
    assert_eq!(
        signed_in_as(&app, &as_tom).await.as_deref(),
        Some("tom@contoso.com")
    );

    // Tom becomes a global admin: that session, and his own, end; only a new sign-in has the role.
    app.invoke(&rob, role("tom@contoso.com", "global_admin"))
        .await
        .expect("Tom is a global admin");
    assert_eq!(signed_in_as(&app, &as_tom).await, None);
    assert_eq!(signed_in_as(&app, &tom).await, None);
}
