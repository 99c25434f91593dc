//! After the upgrade: buying more licenses, printable invoices, and Stripe Checkout with its
//! signed webhook.

use std::sync::{Arc, Mutex};

use crate::helpers::{
    bind::Bind,
    wizard::{app_with_dns, verified_member},
};
use crate::helpers::{browser, TestApp, START};
use app::{core::clock::Clock, licensing::stripe::StripeSettings};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::PgPool;

const PAYS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";
const WEBHOOK_SECRET: &str = "whsec_test_secret";

/// Rob of contoso.com, admin after buying `quantity` Business Basic licenses in test mode.
async fn admin_of_contoso(app: &TestApp, bind: &Bind, quantity: &str) -> reqwest::Client {
    let rob = verified_member(app, bind, "rob@contoso.com", "admin_tile").await;
    let paid = app
        .call_as(
            &rob,
            "purchase",
            &[
                ("plan", "business_basic"),
                ("billing", "Annual"),
                ("quantity", quantity),
                ("card_number", PAYS),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
                ("idempotency_key", "upgrade-key-1"),
            ],
        )
        .await;
    assert!(paid.status().is_success() || paid.status().is_redirection());
    rob
}

async fn buy(
    app: &TestApp,
    admin: &reqwest::Client,
    quantity: &str,
    card: &str,
    key: &str,
) -> reqwest::Response {
    app.call_as(
        admin,
        "buy_licenses",
        &[
            ("plan", "business_basic"),
            ("quantity", quantity),
            ("card_number", card),
            ("card_expiry", "12/30"),
            ("card_cvc", "123"),
            ("idempotency_key", key),
        ],
    )
    .await
}

async fn licensing(app: &TestApp, admin: &reqwest::Client) -> Value {
    let response = app.call_as(admin, "licensing", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_buys_more_licenses_once_per_key_and_gets_an_invoice_for_each_order(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = admin_of_contoso(&app, &bind, "1").await;

    let declined = buy(&app, &rob, "3", DECLINED, "more-key-0").await;
    assert_eq!(declined.status(), 402);
    assert_eq!(licensing(&app, &rob).await["seats"][0]["purchased"], 1);

    let bought = buy(&app, &rob, "3", PAYS, "more-key-1").await;
    assert_eq!(bought.status(), 200);
    let outcome: Value = bought.json().await.expect("json");
    // Annual Business Basic: USD 7.00 a month, 12 months, 3 licenses.
    assert_eq!(
        outcome["amount"],
        json!({ "minor": 25200, "currency": "USD" })
    );
    let replay = buy(&app, &rob, "3", PAYS, "more-key-1").await;
    assert_eq!(replay.status(), 200);
    assert_eq!(
        replay.json::<Value>().await.expect("json")["order_id"],
        outcome["order_id"]
    );
    assert_eq!(buy(&app, &rob, "4", PAYS, "more-key-1").await.status(), 422);

    let view = licensing(&app, &rob).await;
    assert_eq!(view["seats"][0]["purchased"], 4);
    assert_eq!(view["seats"][0]["assigned"], 1);
    let statuses: Vec<&str> = view["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter_map(|o| o["status"].as_str())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "Paid").count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == "Declined").count(),
        1,
        "{statuses:?}"
    );

    let invoice = app
        .call_as(
            &rob,
            "invoice",
            &[("id", outcome["order_id"].as_str().expect("id"))],
        )
        .await;
    assert_eq!(invoice.status(), 200);
    let invoice: Value = invoice.json().await.expect("json");
    assert_eq!(invoice["quantity"], 3);
    assert_eq!(
        invoice["unit_price"],
        json!({ "minor": 8400, "currency": "USD" })
    );
    assert_eq!(
        invoice["total"],
        json!({ "minor": 25200, "currency": "USD" })
    );
    assert_eq!(invoice["organization"], "contoso.com");
    assert_eq!(invoice["plan"], "Business Basic");
    assert_eq!(invoice["additional"], true);
    assert_eq!(invoice["test_mode"], true);
    let numbers: Vec<i64> = sqlx::query_scalar(
        "select invoice_number from orders where status = 'paid' order by invoice_number",
    )
    .fetch_all(&app.pool)
    .await
    .expect("numbers");
    assert_eq!(numbers.len(), 2);
    assert_eq!(
        numbers[1],
        numbers[0] + 1,
        "invoice numbers follow each other"
    );

    // Past the plan's cap of 300 is refused; the count stays.
    let capped = buy(&app, &rob, "297", PAYS, "more-key-2").await;
    assert_eq!(capped.status(), 422);
    assert_eq!(
        capped.json::<Value>().await.expect("json"),
        json!({ "SeatCapExceeded": { "cap": 300 } })
    );
    assert_eq!(licensing(&app, &rob).await["seats"][0]["purchased"], 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn invoices_and_buying_are_for_the_organizations_admin_only(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = admin_of_contoso(&app, &bind, "2").await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let order: String = sqlx::query_scalar("select id::text from orders where status = 'paid'")
        .fetch_one(&app.pool)
        .await
        .expect("order");

    assert_eq!(
        buy(&app, &sara, "1", PAYS, "sara-key-1").await.status(),
        403
    );
    assert_eq!(
        app.call_as(&sara, "invoice", &[("id", &order)])
            .await
            .status(),
        403
    );
    assert_eq!(app.call("invoice", &[("id", &order)]).await.status(), 401);

    // The admin of fabrikam.com cannot see contoso's invoice: it does not exist for them.
    let eve = verified_member(&app, &bind, "eve@fabrikam.com", "admin_tile").await;
    let paid = app
        .call_as(
            &eve,
            "purchase",
            &[
                ("plan", "business_basic"),
                ("billing", "Monthly"),
                ("quantity", "1"),
                ("card_number", PAYS),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
                ("idempotency_key", "eve-upgrade-1"),
            ],
        )
        .await;
    assert!(paid.status().is_success() || paid.status().is_redirection());
    assert_eq!(
        app.call_as(&eve, "invoice", &[("id", &order)])
            .await
            .status(),
        404
    );
    assert_eq!(
        app.call_as(&rob, "invoice", &[("id", &order)])
            .await
            .status(),
        200
    );
    assert_eq!(
        app.call_as(&rob, "invoice", &[("id", "not-an-id")])
            .await
            .status(),
        404
    );
}

/// The form of each Checkout Session request, in order.
type Seen = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A stand-in for Stripe's API on loopback: records each Checkout Session request.
struct FakeStripe {
    base: String,
    sessions: Seen,
}

async fn fake_stripe() -> FakeStripe {
    use axum::{extract::State, http::HeaderMap, routing::post, Form, Json, Router};
    async fn create(
        State(seen): State<Seen>,
        headers: HeaderMap,
        Form(form): Form<Vec<(String, String)>>,
    ) -> Result<Json<Value>, axum::http::StatusCode> {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sk_test_key")
        {
            return Err(axum::http::StatusCode::UNAUTHORIZED);
        }
        let mut seen = seen.lock().expect("lock");
        seen.push(form);
        let id = format!("cs_test_{}", seen.len());
        Ok(Json(
            json!({ "id": id, "url": format!("https://checkout.stripe.test/pay/{id}") }),
        ))
    }
    let sessions: Seen = Arc::default();
    let router = Router::new()
        .route("/v1/checkout/sessions", post(create))
        .with_state(sessions.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serves") });
    FakeStripe { base, sessions }
}

async fn app_with_stripe(pool: PgPool, bind: &Bind, stripe: &FakeStripe) -> TestApp {
    let nameserver = bind.addr;
    let api_base = stripe.base.clone();
    TestApp::spawn_with(pool, Clock::manual(START), move |config| {
        config.dns_nameservers = vec![nameserver];
        config.dns_timeout = std::time::Duration::from_secs(2);
        config.stripe = Some(StripeSettings {
            secret_key: "sk_test_key".to_owned(),
            webhook_secret: WEBHOOK_SECRET.to_owned(),
            api_base,
        });
    })
    .await
}

fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

async fn deliver(app: &TestApp, body: &str, signature: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/webhooks/stripe"))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("sent")
}

fn completed(event: &str, order: &str) -> String {
    json!({
        "id": event,
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": "cs_test_1", "object": "checkout.session", "client_reference_id": order,
            "payment_status": "paid", "payment_intent": "pi_test_1"
        } }
    })
    .to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn with_stripe_the_upgrade_waits_for_a_correctly_signed_webhook_and_applies_once(
    pool: PgPool,
) {
    let bind = Bind::start().await;
    let stripe = fake_stripe().await;
    let app = app_with_stripe(pool, &bind, &stripe).await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    let preview: Value = app
        .call_as(&rob, "purchase_preview", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(preview["checkout"], true);

    let started = app
        .call_as(
            &rob,
            "purchase",
            &[
                ("plan", "business_standard"),
                ("billing", "Monthly"),
                ("quantity", "2"),
                ("idempotency_key", "stripe-key-1"),
            ],
        )
        .await;
    let outcome: Value = started.json().await.expect("json");
    assert_eq!(
        outcome["checkout_url"],
        "https://checkout.stripe.test/pay/cs_test_1"
    );
    let order = outcome["order_id"].as_str().expect("order").to_owned();
    {
        let sessions = stripe.sessions.lock().expect("lock");
        let form = &sessions[0];
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(field("client_reference_id"), Some(order.as_str()));
        assert_eq!(field("line_items[0][quantity]"), Some("2"));
        // Business Standard monthly: USD 14.70 per license for one month.
        assert_eq!(
            field("line_items[0][price_data][unit_amount]"),
            Some("1470")
        );
        assert_eq!(field("line_items[0][price_data][currency]"), Some("usd"));
    }
    let managed = "select count(*) from organizations where status = 'managed'";
    assert_eq!(
        app.scalar(managed).await,
        0,
        "nothing happens before Stripe says it is paid"
    );
    assert_eq!(
        app.scalar("select count(*) from orders where status = 'pending'")
            .await,
        1
    );

    let body = completed("evt_1", &order);
    let now = START.unix_timestamp();
    for (name, header) in [
        ("wrong secret", signature("whsec_other", now, &body)),
        (
            "other body",
            signature(
                WEBHOOK_SECRET,
                now,
                &completed("evt_1", "00000000-0000-0000-0000-000000000000"),
            ),
        ),
        ("too old", signature(WEBHOOK_SECRET, now - 301, &body)),
        ("no signature", String::new()),
    ] {
        assert_eq!(deliver(&app, &body, &header).await.status(), 400, "{name}");
    }
    assert_eq!(app.scalar(managed).await, 0);
    assert_eq!(app.scalar("select count(*) from stripe_events").await, 0);

    let signed = signature(WEBHOOK_SECRET, now - 20, &body);
    assert_eq!(deliver(&app, &body, &signed).await.status(), 200);
    assert_eq!(
        deliver(&app, &body, &signed).await.status(),
        200,
        "a redelivery is fine"
    );
    let again = completed("evt_2", &order);
    assert_eq!(
        deliver(&app, &again, &signature(WEBHOOK_SECRET, now, &again))
            .await
            .status(),
        200
    );

    assert_eq!(app.scalar(managed).await, 1);
    assert_eq!(app.scalar("select count(*) from subscriptions").await, 1);
    assert_eq!(app.scalar("select count(*) from licenses").await, 2);
    assert_eq!(
        app.scalar("select count(*) from audit_events where kind = 'order.paid'")
            .await,
        1
    );
    assert_eq!(app.scalar("select count(*) from stripe_events").await, 2);
    let paid: (String, String, Option<i64>) =
        sqlx::query_as("select status, payment_reference, invoice_number from orders")
            .fetch_one(&app.pool)
            .await
            .expect("order");
    assert_eq!(paid.0, "paid");
    assert_eq!(paid.1, "pi_test_1");
    assert!(paid.2.is_some());
    let role: String =
        sqlx::query_scalar("select role from members where email = 'rob@contoso.com'")
            .fetch_one(&app.pool)
            .await
            .expect("role");
    assert_eq!(role, "global_admin");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_paid_checkout_that_lost_the_race_is_marked_for_refund_not_applied(pool: PgPool) {
    let bind = Bind::start().await;
    let stripe = fake_stripe().await;
    let app = app_with_stripe(pool, &bind, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let sara = verified_member(&app, &bind, "sara@contoso.com", "admin_tile").await;
    let mut orders = Vec::new();
    for (member, key) in [(&rob, "rob-key-1"), (&sara, "sara-key-1")] {
        let outcome: Value = app
            .call_as(
                member,
                "purchase",
                &[
                    ("plan", "business_basic"),
                    ("billing", "Annual"),
                    ("quantity", "2"),
                    ("idempotency_key", key),
                ],
            )
            .await
            .json()
            .await
            .expect("json");
        orders.push(outcome["order_id"].as_str().expect("order").to_owned());
    }
    let now = START.unix_timestamp();
    for (n, order) in orders.iter().enumerate() {
        let body = completed(&format!("evt_{n}"), order);
        assert_eq!(
            deliver(&app, &body, &signature(WEBHOOK_SECRET, now, &body))
                .await
                .status(),
            200
        );
    }
    let statuses: Vec<String> =
        sqlx::query_scalar("select status from orders order by created_at, status")
            .fetch_all(&app.pool)
            .await
            .expect("statuses");
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, ["paid", "refund_due"]);
    assert_eq!(app.scalar("select count(*) from subscriptions").await, 1);
    assert_eq!(
        app.scalar("select count(*) from members where role = 'global_admin'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_upgrade_mail_speaks_each_members_language(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let mut dutch = reqwest::header::HeaderMap::new();
    dutch.insert("accept-language", "nl-NL,nl;q=0.9".parse().expect("header"));
    let sara = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(dutch)
        .build()
        .expect("client");
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    admin_of_contoso(&app, &bind, "2").await;

    let (subject, body) = app
        .latest_mail("sara@contoso.com")
        .await
        .expect("mail to Sara");
    assert_eq!(subject, "contoso.com wordt nu beheerd in Tenantry");
    assert!(
        body.contains("vergaderingen laten tot 300 deelnemers toe"),
        "{body}"
    );
    let (subject, _) = app
        .latest_mail("rob@contoso.com")
        .await
        .expect("mail to Rob");
    assert_eq!(subject, "contoso.com is now managed on Tenantry");
}

#[sqlx::test(migrations = "../migrations")]
async fn more_licenses_through_stripe_are_added_when_paid_and_never_past_the_cap(pool: PgPool) {
    let bind = Bind::start().await;
    let stripe = fake_stripe().await;
    let app = app_with_stripe(pool, &bind, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let upgrade: Value = app
        .call_as(
            &rob,
            "purchase",
            &[
                ("plan", "business_basic"),
                ("billing", "Annual"),
                ("quantity", "1"),
                ("idempotency_key", "stripe-upgrade"),
            ],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pay(&app, &upgrade, "evt_upgrade").await, 200);

    let mut orders = Vec::new();
    for (quantity, key) in [("200", "more-200"), ("150", "more-150")] {
        let response = app
            .call_as(
                &rob,
                "buy_licenses",
                &[
                    ("plan", "business_basic"),
                    ("quantity", quantity),
                    ("idempotency_key", key),
                ],
            )
            .await;
        let outcome: Value = response.json().await.expect("json");
        assert!(outcome["checkout_url"].is_string(), "{outcome}");
        orders.push(outcome);
    }
    let purchased = "select purchased::bigint from subscriptions";
    assert_eq!(
        app.scalar(purchased).await,
        1,
        "nothing added before payment"
    );
    assert_eq!(pay(&app, &orders[0], "evt_more_200").await, 200);
    assert_eq!(app.scalar(purchased).await, 201);
    // Paid too, but 201 + 150 is past the plan's cap of 300: refunded, not added.
    assert_eq!(pay(&app, &orders[1], "evt_more_150").await, 200);
    assert_eq!(app.scalar(purchased).await, 201);
    let refund_due = "select count(*) from orders where status = 'refund_due'";
    assert_eq!(app.scalar(refund_due).await, 1);
}

/// Stripe says the order of `outcome` is paid, in event `event`.
async fn pay(app: &TestApp, outcome: &Value, event: &str) -> reqwest::StatusCode {
    let body = completed(event, outcome["order_id"].as_str().expect("order"));
    let header = signature(WEBHOOK_SECRET, START.unix_timestamp(), &body);
    deliver(app, &body, &header).await.status()
}
