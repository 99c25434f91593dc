//! Participant limits over time and across the upgrade, and personal meeting settings.

use crate::helpers::meetings::save;
use crate::helpers::orders::{purchase, PAYS, STANDARD};
use crate::helpers::wizard::{app_with_dns, verified_member};
use crate::helpers::TestApp;
use app::core::error::AppError;
use app::licensing::Billing::Monthly;
use app::meetings::{LimitReason, LoadMeetingsOverview, Lobby, MeetingSettings, MeetingsOverview};
use sqlx::PgPool;

async fn overview(app: &TestApp, member: &reqwest::Client) -> MeetingsOverview {
    app.invoke(member, LoadMeetingsOverview {})
        .await
        .expect("a member's overview")
}

async fn stored_settings(app: &TestApp) -> (String, bool, String) {
    sqlx::query_as("select lobby, muted_on_entry, room_name from meeting_settings")
        .fetch_one(&app.pool)
        .await
        .expect("stored")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_free_limit_is_ten_within_sixty_days_of_sign_up_then_three(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    assert_eq!(overview(&app, &rob).await.participant_limit, 10);
    for (day, limit) in [(59, 10), (60, 3), (61, 3)] {
        app.on_day(&rob, "rob@contoso.com", day).await;
        let seen = overview(&app, &rob).await;
        assert_eq!(seen.participant_limit, limit, "day {day}");
    }
    assert_eq!(overview(&app, &rob).await.reason, LimitReason::FreeLater);
}

#[sqlx::test(migrations = "../migrations")]
async fn settings_are_saved_and_carry_over_unchanged_when_the_organization_upgrades(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let expected = MeetingSettings {
        lobby: Lobby::Nobody,
        muted_on_entry: true,
        room_name: "Sara's café ☕".to_owned(),
    };
    assert_eq!(app.invoke(&sara, save(&expected)).await, Ok(()));
    let before = overview(&app, &sara).await;
    assert_eq!(before.settings, expected);
    assert_eq!(before.participant_limit, 10);
    let stored_before = stored_settings(&app).await;

    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    let order = purchase(STANDARD, Monthly, 2, PAYS, "meetings-upgrade-key");
    let paid = app.invoke(&rob, order).await;
    assert!(paid.is_ok(), "{paid:?}");

    let after = overview(&app, &sara).await;
    assert_eq!(after.participant_limit, 300);
    assert_eq!(
        after.reason,
        LimitReason::Plan {
            name: "Business Standard".to_owned()
        }
    );
    assert_eq!(after.settings, expected, "settings carried over");
    assert!(!after.can_upgrade);
    assert_eq!(stored_before, stored_settings(&app).await, "byte for byte");

    // Someone who signs up afterwards is on the free limits until the admin gives them a
    // license, and is told to ask for one rather than offered the upgrade.
    let tom = app.signed_up("tom@contoso.com", "Tom").await;
    let page = app.page(&tom, "/meetings").await;
    assert!(page.contains("Ask your admin for one"), "{page}");
    assert!(!page.contains("becomes the admin"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn settings_and_limits_are_for_signed_in_members_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(
        app.invoke(&app.client, LoadMeetingsOverview {}).await,
        Err(AppError::Unauthorized)
    );
    let refused = app
        .invoke(&app.client, save(&MeetingSettings::default()))
        .await;
    assert_eq!(refused, Err(AppError::Unauthorized));
}
