//! Participant limits over time and across the upgrade, and personal meeting settings.

use crate::helpers::{
    bind::Bind,
    wizard::{app_with_dns, verified_member},
};
use app::meetings::{LimitReason, LoadMeetingsOverview, Lobby, MeetingSettings, MeetingsOverview};

use crate::helpers::{browser, TestApp};
use sqlx::PgPool;
use time::Duration;

async fn overview(app: &TestApp, member: &reqwest::Client) -> MeetingsOverview {
    app.invoke(member, LoadMeetingsOverview {})
        .await
        .expect("a member's overview")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_free_limit_is_ten_within_sixty_days_of_sign_up_then_three(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    assert_eq!(overview(&app, &rob).await.participant_limit, 10);
    for (day, limit) in [(59, 10), (60, 3), (61, 3)] {
        let elapsed = app.clock.now() - crate::helpers::START;
        app.clock.advance(Duration::days(day) - elapsed);
        app.sign_in(&rob, "rob@contoso.com").await;
        let seen = overview(&app, &rob).await;
        assert_eq!(seen.participant_limit, limit, "day {day}");
    }
    assert_eq!(overview(&app, &rob).await.reason, LimitReason::FreeLater);
}

#[sqlx::test(migrations = "../migrations")]
async fn settings_are_saved_and_carry_over_unchanged_when_the_organization_upgrades(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let saved = app
        .call_as(
            &sara,
            "save_meeting_settings",
            &[
                ("lobby", "nobody"),
                ("muted_on_entry", "on"),
                ("room_name", "Sara's café ☕"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let before = overview(&app, &sara).await;
    let expected = MeetingSettings {
        lobby: Lobby::Nobody,
        muted_on_entry: true,
        room_name: "Sara's café ☕".to_owned(),
    };
    assert_eq!(before.settings, expected);
    assert_eq!(before.participant_limit, 10);
    let stored_before: (String, bool, String) =
        sqlx::query_as("select lobby, muted_on_entry, room_name from meeting_settings")
            .fetch_one(&app.pool)
            .await
            .expect("stored");

    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    let paid = app
        .call_as(
            &rob,
            "purchase",
            &[
                ("plan", "business_standard"),
                ("billing", "Monthly"),
                ("quantity", "2"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
                ("idempotency_key", "meetings-upgrade-key"),
            ],
        )
        .await;
    assert!(paid.status().is_success() || paid.status().is_redirection());

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
    let stored_after: (String, bool, String) =
        sqlx::query_as("select lobby, muted_on_entry, room_name from meeting_settings")
            .fetch_one(&app.pool)
            .await
            .expect("stored");
    assert_eq!(stored_before, stored_after, "byte for byte");
}

#[sqlx::test(migrations = "../migrations")]
async fn settings_and_limits_are_for_signed_in_members_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(app.call("meetings_overview", &[]).await.status(), 401);
    let refused = app
        .call(
            "save_meeting_settings",
            &[("lobby", "nobody"), ("room_name", "x")],
        )
        .await;
    assert_eq!(refused.status(), 401);
}
