//! Buying licenses: the atomic upgrade, idempotency, declines, races and the licensing page.

use crate::helpers::{
    bind::Bind,
    wizard::{app_with_dns, verified_member},
};
use crate::helpers::{browser, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;

fn purchase_form<'a>(
    plan: &'a str,
    quantity: &'a str,
    card: &'a str,
    key: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("plan", plan),
        ("billing", "Annual"),
        ("quantity", quantity),
        ("card_number", card),
        ("card_expiry", "12/30"),
        ("card_cvc", "123"),
        ("idempotency_key", key),
    ]
}

const PAYS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";

async fn status_of(app: &TestApp, domain: &str) -> String {
    sqlx::query_scalar("select status from organizations where domain = $1")
        .bind(domain)
        .fetch_one(&app.pool)
        .await
        .expect("organization")
}

#[sqlx::test(migrations = "../migrations")]
async fn paying_upgrades_the_organization_in_one_go(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;

    let preview: Value = app
        .call_as(&rob, "purchase_preview", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(preview["members"].as_array().map(Vec::len), Some(2));
    let plans: Vec<&str> = preview["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(plans, ["Business Basic", "Business Standard"]);
    assert_eq!(
        preview["plans"][1]["annual"],
        json!({ "minor": 1400, "currency": "USD" })
    );

    let paid = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_standard", "2", PAYS, "first-purchase-key"),
        )
        .await;
    assert!(
        paid.status().is_success() || paid.status().is_redirection(),
        "{}",
        paid.status()
    );

    assert_eq!(status_of(&app, "contoso.com").await, "managed");
    assert_eq!(app.scalar("select count(*) from members where role = 'global_admin' and email = 'rob@contoso.com'").await, 1);
    assert_eq!(app.scalar("select count(*) from licenses").await, 2);
    assert_eq!(
        app.scalar("select purchased::bigint from subscriptions")
            .await,
        2
    );
    assert_eq!(
        app.scalar("select assigned::bigint from subscriptions")
            .await,
        2
    );
    assert_eq!(
        app.scalar("select amount_minor from orders where status = 'paid'")
            .await,
        2 * 1400 * 12
    );
    assert_eq!(
        app.scalar(
            "select count(*) from outbox where subject = 'contoso.com is now managed on Tenantry'"
        )
        .await,
        2
    );
    assert_eq!(
        app.scalar("select count(*) from wizards where state = 'completed'")
            .await,
        1
    );

    let seen: Value = app
        .call_as(&rob, "licensing", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seen["seats"][0]["purchased"], 2);
    assert_eq!(seen["seats"][0]["assigned"], 2);
    assert_eq!(
        app.call_as(&sara, "licensing", &[]).await.status(),
        403,
        "members who are not admin"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn fewer_licenses_than_members_or_more_than_the_cap_are_refused(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    app.sign_up(&browser(), "sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let few = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "1", PAYS, "too-few-key"),
        )
        .await;
    assert_eq!(few.status(), 422);
    assert_eq!(
        few.json::<Value>().await.expect("json"),
        json!({ "QuantityBelowMembers": { "members": 2 } })
    );
    let many = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "301", PAYS, "too-many-key"),
        )
        .await;
    assert_eq!(
        many.json::<Value>().await.expect("json"),
        json!({ "SeatCapExceeded": { "cap": 300 } })
    );
    let standard = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_standard", "2", PAYS, "not-offered-key"),
        )
        .await;
    assert_eq!(
        standard.status(),
        404,
        "the Admin tile offers Business Basic only"
    );
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_changes_nothing(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let declined = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "1", DECLINED, "declined-key"),
        )
        .await;
    assert_eq!(declined.status(), 402);
    assert_eq!(
        declined.json::<Value>().await.expect("json"),
        json!({ "PaymentDeclined": "Declined" })
    );
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
    assert_eq!(app.scalar("select count(*) from subscriptions").await, 0);
    assert_eq!(app.scalar("select count(*) from licenses").await, 0);
    assert_eq!(
        app.scalar("select count(*) from orders where status = 'declined'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from orders where payment_reference like '%4000000000000002%'")
            .await,
        0,
        "no card number stored"
    );
    // The wizard is still at the purchase step: another card works.
    let paid = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "1", PAYS, "second-try-key"),
        )
        .await;
    assert!(paid.status().is_success() || paid.status().is_redirection());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_replayed_purchase_returns_the_first_order_and_charges_once(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let form = purchase_form("business_basic", "1", PAYS, "replayed-key-1");
    let first: Value = app
        .call_as(&rob, "purchase", &form)
        .await
        .json()
        .await
        .expect("json");
    // A second server, as after a restart, answers the replay from the database.
    let restarted = app.another_server().await;
    let replay_body: Value = restarted
        .call_as(&rob, "purchase", &form)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["order_id"], replay_body["order_id"]);
    assert_eq!(app.scalar("select count(*) from orders").await, 1);

    let different = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "3", PAYS, "replayed-key-1"),
        )
        .await;
    assert_eq!(different.status(), 422);
    assert_eq!(
        different.json::<Value>().await.expect("json"),
        "IdempotencyMismatch"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn of_two_members_paying_at_once_exactly_one_upgrades(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let sara = verified_member(&app, &bind, "sara@contoso.com", "admin_tile").await;
    let rob_form = purchase_form("business_basic", "2", PAYS, "race-rob-key");
    let sara_form = purchase_form("business_basic", "2", PAYS, "race-sara-key");
    let (a, b) = tokio::join!(
        app.call_as(&rob, "purchase", &rob_form),
        app.call_as(&sara, "purchase", &sara_form),
    );
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(statuses.contains(&409), "one loses: {statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        1,
        "{statuses:?}"
    );
    let loser = if a.status() == 409 { a } else { b };
    let told: Value = loser.json().await.expect("json");
    let admin = told["OrganizationManaged"]["admin"]
        .as_str()
        .expect("the admin is named");
    assert!(admin == "rob" || admin == "sara", "{told}");
    assert_eq!(
        app.scalar("select count(*) from orders").await,
        1,
        "the loser is not charged"
    );
    assert_eq!(
        app.scalar("select count(*) from members where role = 'global_admin'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from wizards where state = 'superseded'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failure_mid_upgrade_leaves_the_organization_as_it_was(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    sqlx::raw_sql(
        "create function fail_licenses() returns trigger language plpgsql as $$ begin raise exception 'injected'; end; $$;
         create trigger fail_licenses before insert on licenses for each statement execute function fail_licenses();",
    )
    .execute(&app.pool)
    .await
    .expect("failure injected");
    let failed = app
        .call_as(
            &rob,
            "purchase",
            &purchase_form("business_basic", "1", PAYS, "failing-key"),
        )
        .await;
    assert_eq!(failed.status(), 500);
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
    for table in ["orders", "subscriptions", "licenses"] {
        assert_eq!(
            app.scalar(&format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.scalar("select count(*) from members where role = 'global_admin'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("select count(*) from wizards where state = 'domain_verified'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn licenses_in_use_cannot_be_removed_and_other_organizations_are_out_of_reach(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    app.call_as(
        &rob,
        "purchase",
        &purchase_form("business_basic", "5", PAYS, "contoso-key"),
    )
    .await;
    let ann = verified_member(&app, &bind, "ann@fabrikam.com", "admin_tile").await;
    app.call_as(
        &ann,
        "purchase",
        &purchase_form("business_basic", "3", PAYS, "fabrikam-key"),
    )
    .await;

    let too_many = app
        .call_as(
            &rob,
            "remove_licenses",
            &[("plan", "business_basic"), ("quantity", "5")],
        )
        .await;
    assert_eq!(too_many.status(), 409);
    assert_eq!(
        too_many.json::<Value>().await.expect("json"),
        json!({ "LicensesInUse": { "unassign_first": 1 } })
    );
    let ok = app
        .call_as(
            &rob,
            "remove_licenses",
            &[("plan", "business_basic"), ("quantity", "4")],
        )
        .await;
    assert_eq!(ok.status(), 200);

    let fabrikam: Value = app
        .call_as(&ann, "licensing", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        fabrikam["seats"][0]["purchased"], 3,
        "fabrikam untouched by contoso's admin"
    );
    assert_eq!(
        fabrikam["people"].as_array().map(Vec::len),
        Some(1),
        "only fabrikam's people"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_hundred_concurrent_assignments_never_exceed_twenty_seats(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    app.call_as(
        &rob,
        "purchase",
        &purchase_form("business_basic", "20", PAYS, "twenty-seats-key"),
    )
    .await;
    // 200 colleagues join after the upgrade, straight into the table as sign-up would place them.
    sqlx::query(
        "insert into members (email, display_name, password_hash, organization_id, created_at)
         select 'user' || n || '@contoso.com', 'User ' || n, 'x', o.id, now()
           from generate_series(1, 200) n, organizations o where o.domain = 'contoso.com'",
    )
    .execute(&app.pool)
    .await
    .expect("colleagues");

    let attempts = (1..=200).map(|n| {
        let email = format!("user{n}@contoso.com");
        let app = &app;
        let rob = &rob;
        async move {
            app.call_as(rob, "assign_license", &[("email", &email)])
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        19,
        "20 seats, one already Rob's"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "no 5xx: {statuses:?}"
    );
    assert_eq!(
        app.scalar("select assigned::bigint from subscriptions")
            .await,
        20
    );
    assert_eq!(app.scalar("select count(*) from licenses").await, 20);

    let freed = app
        .call_as(&rob, "unassign_license", &[("email", "user1@contoso.com")])
        .await;
    assert_eq!(freed.status(), 200);
    assert_eq!(
        app.scalar("select assigned::bigint from subscriptions")
            .await,
        19
    );
    let stranger = app
        .call_as(&rob, "assign_license", &[("email", "ann@fabrikam.com")])
        .await;
    assert_eq!(
        stranger.status(),
        404,
        "members of other organizations are not found"
    );
}
