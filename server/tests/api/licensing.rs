//! Buying licenses: the atomic upgrade, idempotency, declines, races and the licensing page.

use crate::helpers::orders::{one_basic_license, purchase, Pay, BASIC, DECLINED, PAYS, STANDARD};
use crate::helpers::wizard::{admin, app_with_dns, verified_member};
use crate::helpers::TestApp;
use app::core::error::{AppError, Decline};
use app::domain::Money;
use app::licensing::Billing::Annual;
use app::licensing::{AssignLicense, Licensing, RemoveLicenses, UnassignLicense};
use app::upgrade::LoadPurchasePreview;
use sqlx::PgPool;

async fn status_of(app: &TestApp, domain: &str) -> String {
    app.value_for("select status from organizations where domain = $1", domain)
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn paying_upgrades_the_organization_in_one_go(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;

    let preview = app
        .invoke(&rob, LoadPurchasePreview {})
        .await
        .expect("a preview");
    assert_eq!(preview.members.len(), 2);
    let plans: Vec<&str> = preview.plans.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(plans, ["Business Basic", "Business Standard"]);
    assert_eq!(preview.plans[1].annual, Money::new(1400, "USD"));

    let order = purchase(STANDARD, Annual, 2, PAYS, "first-purchase-key");
    let paid = app.invoke(&rob, order).await;
    assert!(paid.is_ok(), "{paid:?}");

    assert_eq!(status_of(&app, "contoso.com").await, "managed");
    let rob_admin = "members where role = 'global_admin' and email = 'rob@contoso.com'";
    assert_eq!(app.count(rob_admin).await, 1);
    assert_eq!(app.count("licenses").await, 2);
    assert_eq!(
        app.scalar("select purchased::bigint from subscriptions")
            .await,
        2
    );
    assert_eq!(app.count("seats where member_id is null").await, 0);
    assert_eq!(
        app.scalar("select amount_minor from orders where status = 'paid'")
            .await,
        2 * 1400 * 12
    );
    let managed_mail = "outbox where subject = 'contoso.com is now managed on Tenantry'";
    assert_eq!(app.count(managed_mail).await, 2);
    assert_eq!(app.count("wizards where state = 'completed'").await, 1);

    let seen = app
        .invoke(&rob, Licensing {})
        .await
        .expect("the admin's page");
    assert_eq!(seen.seats[0].purchased, 2);
    assert_eq!(seen.seats[0].assigned, 2);
    assert_eq!(
        app.invoke(&sara, Licensing {}).await,
        Err(AppError::Forbidden),
        "members who are not admin"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn fewer_licenses_than_members_or_more_than_the_cap_are_refused(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let few = app.invoke(&rob, one_basic_license("too-few-key")).await;
    assert_eq!(few, Err(AppError::QuantityBelowMembers { members: 2 }));
    let many = app
        .invoke(&rob, purchase(BASIC, Annual, 301, PAYS, "too-many-key"))
        .await;
    assert_eq!(many, Err(AppError::SeatCapExceeded { cap: 300 }));
    let standard = app
        .invoke(&rob, purchase(STANDARD, Annual, 2, PAYS, "not-offered-key"))
        .await;
    assert_eq!(
        standard,
        Err(AppError::NotFound),
        "the Admin tile offers Business Basic only"
    );
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_changes_nothing(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let declined = app
        .invoke(&rob, purchase(BASIC, Annual, 1, DECLINED, "declined-key"))
        .await;
    assert_eq!(declined, Err(AppError::PaymentDeclined(Decline::Declined)));
    // A mistyped number is the form's to correct, not an order.
    let mistyped = Pay::Card("4242 4242 4242 4241");
    let refused = app
        .invoke(&rob, purchase(BASIC, Annual, 1, mistyped, "declined-key"))
        .await;
    assert_eq!(
        refused,
        Err(AppError::PaymentDeclined(Decline::InvalidNumber))
    );
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
    assert_eq!(app.count("subscriptions").await, 0);
    assert_eq!(app.count("licenses").await, 0);
    assert_eq!(app.count("orders where status = 'declined'").await, 1);
    assert_eq!(
        app.count("orders where payment_reference like '%4000000000000002%'")
            .await,
        0,
        "no card number stored"
    );
    // The wizard is still at the purchase step: another card works, sent with the page's same
    // key.
    let paid = app.invoke(&rob, one_basic_license("declined-key")).await;
    assert!(paid.is_ok(), "{paid:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_replayed_purchase_returns_the_first_order_and_charges_once(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let order = || one_basic_license("replayed-key-1");
    let first = app.invoke(&rob, order()).await.expect("paid");
    // A second server, as after a restart, answers the replay from the database.
    let restarted = app.another_server().await;
    let replay = restarted.invoke(&rob, order()).await.expect("replayed");
    assert_eq!(first.order_id, replay.order_id);
    assert_eq!(app.count("orders").await, 1);

    let different = app
        .invoke(&rob, purchase(BASIC, Annual, 3, PAYS, "replayed-key-1"))
        .await;
    assert_eq!(different, Err(AppError::IdempotencyMismatch));
}

#[sqlx::test(migrations = "../migrations")]
async fn of_two_members_paying_at_once_exactly_one_upgrades(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let sara = verified_member(&app, &bind, "sara@contoso.com", "admin_tile").await;
    let outcomes = tokio::join!(
        app.invoke(&rob, purchase(BASIC, Annual, 2, PAYS, "race-rob-key")),
        app.invoke(&sara, purchase(BASIC, Annual, 2, PAYS, "race-sara-key")),
    );
    let admins_named: Vec<&Option<String>> = [&outcomes.0, &outcomes.1]
        .into_iter()
        .filter_map(|outcome| match outcome {
            Err(AppError::OrganizationManaged { admin }) => Some(admin),
            _ => None,
        })
        .collect();
    assert_eq!(admins_named.len(), 1, "one loses: {outcomes:?}");
    let admin = admins_named[0].as_deref().expect("the admin is named");
    assert!(admin == "rob" || admin == "sara", "{outcomes:?}");
    assert_eq!(app.count("orders").await, 1, "the loser is not charged");
    assert_eq!(app.count("members where role = 'global_admin'").await, 1);
    assert_eq!(app.count("wizards where state = 'superseded'").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failure_mid_upgrade_leaves_the_organization_as_it_was(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    sqlx::raw_sql(
        "create function fail_licenses() returns trigger language plpgsql as $$ begin raise exception 'injected'; end; $$;
         create trigger fail_licenses before insert on seats for each statement execute function fail_licenses();",
    )
    .execute(&app.pool)
    .await
    .expect("failure injected");
    let failed = app.invoke(&rob, one_basic_license("failing-key")).await;
    assert_eq!(failed, Err(AppError::Internal));
    assert_eq!(status_of(&app, "contoso.com").await, "unmanaged");
    for table in ["orders", "subscriptions", "seats"] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
    assert_eq!(app.count("members where role = 'global_admin'").await, 0);
    assert_eq!(
        app.count("wizards where state = 'domain_verified'").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn licenses_in_use_cannot_be_removed_and_other_organizations_are_out_of_reach(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 5).await;
    let ann = admin(&app, &bind, "ann@fabrikam.com", 3).await;

    let remove = |quantity| RemoveLicenses {
        plan: BASIC.to_owned(),
        quantity,
    };
    assert_eq!(
        app.invoke(&rob, remove(5)).await,
        Err(AppError::LicensesInUse { unassign_first: 1 })
    );
    assert_eq!(app.invoke(&rob, remove(4)).await, Ok(()));

    let fabrikam = app.invoke(&ann, Licensing {}).await.expect("Ann's page");
    assert_eq!(
        fabrikam.seats[0].purchased, 3,
        "fabrikam untouched by contoso's admin"
    );
    assert_eq!(fabrikam.people.len(), 1, "only fabrikam's people");
}

/// Rob, admin of contoso.com with `seats` seats (one of them his), and `colleagues` colleagues
/// `user1` … who join after the upgrade, straight into the table as sign-up would place them.
async fn rob_with_colleagues(
    pool: PgPool,
    seats: i32,
    colleagues: i64,
) -> (TestApp, reqwest::Client) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", seats).await;
    app.colleagues("contoso.com", colleagues).await;
    (app, rob)
}

/// `admin` assigns licenses to `user1` … `user<colleagues>` of contoso.com, all at once; each
/// outcome in that order.
fn assign_at_once<'a>(
    app: &'a TestApp,
    admin: &'a reqwest::Client,
    colleagues: usize,
) -> impl std::future::Future<Output = Vec<Result<(), AppError>>> + 'a {
    futures_util::future::join_all((1..=colleagues).map(move |n| {
        let email = format!("user{n}@contoso.com");
        app.invoke(admin, AssignLicense { email })
    }))
}

#[sqlx::test(migrations = "../migrations")]
async fn two_hundred_concurrent_assignments_never_exceed_twenty_seats(pool: PgPool) {
    let (app, rob) = rob_with_colleagues(pool, 20, 200).await;

    let outcomes = assign_at_once(&app, &rob, 200).await;
    assert_eq!(
        outcomes.iter().filter(|outcome| outcome.is_ok()).count(),
        19,
        "20 seats, one already Rob's"
    );
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(AppError::NoLicenseAvailable))),
        "no 5xx: {outcomes:?}"
    );
    assert_eq!(app.count("licenses").await, 20);
    assert_eq!(app.count("seats").await, 20, "no seat added or lost");

    // Someone who won a seat gives it back.
    let winner = outcomes.iter().position(Result::is_ok).expect("a winner");
    let email = format!("user{}@contoso.com", winner + 1);
    assert_eq!(app.invoke(&rob, UnassignLicense { email }).await, Ok(()));
    assert_eq!(app.count("licenses").await, 19);
    assert_eq!(app.count("seats where member_id is null").await, 1);
    let email = "ann@fabrikam.com".to_owned();
    assert_eq!(
        app.invoke(&rob, AssignLicense { email }).await,
        Err(AppError::NotFound),
        "members of other organizations are not found"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn one_colleague_assigned_ten_times_at_once_holds_one_license(pool: PgPool) {
    let (app, rob) = rob_with_colleagues(pool, 5, 1).await;

    let outcomes = futures_util::future::join_all((0..10).map(|_| {
        let email = "user1@contoso.com".to_owned();
        app.invoke(&rob, AssignLicense { email })
    }))
    .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(app.count("licenses").await, 2, "Rob's and user1's");
    assert_eq!(
        app.count("audit_events where kind = 'license.assigned'")
            .await,
        1,
        "one of the ten changed anything"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn seats_given_back_while_others_are_assigned_are_never_ones_someone_holds(pool: PgPool) {
    let (app, rob) = rob_with_colleagues(pool, 10, 9).await;

    let assignments = assign_at_once(&app, &rob, 9);
    let removal = app.invoke(
        &rob,
        RemoveLicenses {
            plan: BASIC.to_owned(),
            quantity: 5,
        },
    );
    let (assigned, removed) = tokio::join!(assignments, removal);

    let won = assigned.iter().filter(|outcome| outcome.is_ok()).count() as i64;
    assert!(
        assigned
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(AppError::NoLicenseAvailable))),
        "{assigned:?}"
    );
    let purchased = app
        .scalar("select purchased::bigint from subscriptions")
        .await;
    match removed {
        Ok(()) => assert_eq!(purchased, 5),
        Err(AppError::LicensesInUse { .. }) => assert_eq!(purchased, 10),
        other => panic!("the removal answered {other:?}"),
    }
    let held = 1 + won;
    assert_eq!(app.count("licenses").await, held, "Rob's and the winners'");
    assert!(held <= purchased, "{held} held of {purchased} seats");
    assert_eq!(app.count("seats").await, purchased, "a row for every seat");
}

/// A purchase keeps a connection for its idempotency key while it pays and upgrades: more buyers
/// at once than the server has database connections are served in turn, none refused for want
/// of a connection.
#[sqlx::test(migrations = "../migrations")]
async fn more_buyers_at_once_than_database_connections_all_get_their_upgrade(pool: PgPool) {
    let three_connections = sqlx::postgres::PgPoolOptions::new()
        .max_connections(3)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("a pool of three connections");
    let (app, bind) = app_with_dns(three_connections).await;
    let domains = [
        "contoso.com",
        "fabrikam.com",
        "northwind.com",
        "tailspin.com",
        "litware.com",
    ];
    let mut buyers = Vec::new();
    for domain in domains {
        buyers.push(verified_member(&app, &bind, &format!("buyer@{domain}"), "admin_tile").await);
    }

    let purchases = buyers.iter().zip(domains).map(|(buyer, domain)| {
        app.invoke(
            buyer,
            purchase(BASIC, Annual, 1, PAYS, &format!("upgrade-{domain}")),
        )
    });
    let outcomes = futures_util::future::join_all(purchases).await;
    for (domain, outcome) in domains.iter().zip(&outcomes) {
        assert!(outcome.is_ok(), "{domain}: {outcome:?}");
        assert_eq!(status_of(&app, domain).await, "managed");
    }
}

/// How a page the server rendered carries the data of a part that failed to load.
const FAILED_PART: &str = r#"{\"Err\":"#;

/// The purchase step and the licensing page as the server renders them, with every part of their
/// data loaded: it comes from server functions that read the request's payment settings after the
/// member is known.
#[sqlx::test(migrations = "../migrations")]
async fn the_purchase_step_and_the_licensing_page_render_on_the_server(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    let page = |path: &'static str| {
        let request = rob.get(app.url(path));
        async move {
            let response = request.send().await.expect("the page answers");
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.expect("a page")
        }
    };

    let step = page("/admin/wizard").await;
    assert!(
        step.contains("Pay and upgrade"),
        "the purchase form is rendered"
    );
    assert!(
        !step.contains(FAILED_PART),
        "no part of the page failed: {step}"
    );

    app.invoke(&rob, one_basic_license("render-key"))
        .await
        .expect("paid");
    let licenses = page("/admin/licenses").await;
    assert!(
        licenses.contains("Business Basic"),
        "the seats are rendered"
    );
    assert!(
        !licenses.contains(FAILED_PART),
        "no part of the page failed: {licenses}"
    );
}
