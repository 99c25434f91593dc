//! After the upgrade: buying more licenses, printable invoices, and Stripe Checkout with its
//! signed webhook.

use std::sync::{Arc, Mutex};

use crate::helpers::orders::{
    more_licenses, purchase, Pay, Pay::AtStripe, BASIC, DECLINED, PAYS, STANDARD,
};
use crate::helpers::wizard::{admin, app_with_dns, app_with_dns_and, verified_member};
use crate::helpers::{bind::Bind, wait_until, TestApp, START};
use app::core::error::{AppError, Decline};
use app::domain::Money;
use app::licensing::stripe::{StripeSettings, CHECKOUT_LIFETIME};
use app::licensing::Billing::{Annual, Monthly};
use app::licensing::{
    InvoiceView, Licensing, LicensingView, LoadInvoice, LoadOrderStatus, LoadOrders, OrderStatus,
    OrderView, PurchaseOutcome,
};
use app::upgrade::LoadPurchasePreview;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::PgPool;

const WEBHOOK_SECRET: &str = "whsec_test_secret";

/// Buys `quantity` more Business Basic licenses as `admin`.
async fn buy(
    app: &TestApp,
    admin: &reqwest::Client,
    quantity: i32,
    pay: Pay,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    app.invoke(admin, more_licenses(BASIC, quantity, pay, key))
        .await
}

async fn licensing(app: &TestApp, admin: &reqwest::Client) -> LicensingView {
    app.invoke(admin, Licensing {})
        .await
        .expect("an admin's page")
}

/// The orders on the admin's licensing page.
async fn orders_seen_by(app: &TestApp, admin: &reqwest::Client) -> Vec<OrderView> {
    app.invoke(admin, LoadOrders {})
        .await
        .expect("an admin's orders")
}

/// The invoice of order `id`, as `by` may see it.
async fn invoice(app: &TestApp, by: &reqwest::Client, id: &str) -> Result<InvoiceView, AppError> {
    let id = id.to_owned();
    app.invoke(by, LoadInvoice { id }).await
}

fn usd(minor: i64) -> Money {
    Money::new(minor, "USD")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_buys_more_licenses_once_per_key_and_gets_an_invoice_for_each_order(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;

    let declined = buy(&app, &rob, 3, DECLINED, "more-key-0").await;
    assert_eq!(declined, Err(AppError::PaymentDeclined(Decline::Declined)));
    assert_eq!(licensing(&app, &rob).await.seats[0].purchased, 1);

    let outcome = buy(&app, &rob, 3, PAYS, "more-key-1")
        .await
        .expect("bought");
    // Annual Business Basic: USD 7.00 a month, 12 months, 3 licenses.
    assert_eq!(outcome.amount, usd(25200));
    let replay = buy(&app, &rob, 3, PAYS, "more-key-1")
        .await
        .expect("replayed");
    assert_eq!(replay.order_id, outcome.order_id);
    assert_eq!(
        buy(&app, &rob, 4, PAYS, "more-key-1").await,
        Err(AppError::IdempotencyMismatch)
    );
    // A key is at least eight characters, not eight bytes.
    assert_eq!(
        buy(&app, &rob, 1, PAYS, "𞓸`'𖼿𑍴").await,
        Err(AppError::IdempotencyMismatch)
    );

    let view = licensing(&app, &rob).await;
    assert_eq!(view.seats[0].purchased, 4);
    assert_eq!(view.seats[0].assigned, 1);
    let orders = orders_seen_by(&app, &rob).await;
    let statuses: Vec<OrderStatus> = orders.iter().map(|order| order.status).collect();
    let with = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(with(OrderStatus::Paid), 2, "{statuses:?}");
    assert_eq!(with(OrderStatus::Declined), 1, "{statuses:?}");

    let invoice = invoice(&app, &rob, &outcome.order_id)
        .await
        .expect("an invoice");
    assert_eq!(invoice.quantity, 3);
    assert_eq!(invoice.unit_price, usd(8400));
    assert_eq!(invoice.total, usd(25200));
    assert_eq!(invoice.organization, "contoso.com");
    assert_eq!(invoice.plan, "Business Basic");
    assert!(invoice.additional);
    assert!(invoice.test_mode);
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
    let capped = buy(&app, &rob, 297, PAYS, "more-key-2").await;
    assert_eq!(capped, Err(AppError::SeatCapExceeded { cap: 300 }));
    // The largest number a form can carry is refused the same way, not overflowed.
    let huge = buy(&app, &rob, i32::MAX, PAYS, "more-key-3").await;
    assert_eq!(huge, Err(AppError::SeatCapExceeded { cap: 300 }));
    assert_eq!(licensing(&app, &rob).await.seats[0].purchased, 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn invoices_and_buying_are_for_the_organizations_admin_only(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let order: String = sqlx::query_scalar("select id::text from orders where status = 'paid'")
        .fetch_one(&app.pool)
        .await
        .expect("order");

    let bought = buy(&app, &sara, 1, PAYS, "sara-key-1").await;
    assert_eq!(bought, Err(AppError::Forbidden));
    assert_eq!(invoice(&app, &sara, &order).await, Err(AppError::Forbidden));
    assert_eq!(
        invoice(&app, &app.client, &order).await,
        Err(AppError::Unauthorized)
    );

    // The admin of fabrikam.com cannot see contoso's invoice: it does not exist for them.
    let eve = admin(&app, &bind, "eve@fabrikam.com", 1).await;
    assert_eq!(invoice(&app, &eve, &order).await, Err(AppError::NotFound));
    assert!(invoice(&app, &rob, &order).await.is_ok());
    assert_eq!(
        invoice(&app, &rob, "not-an-id").await,
        Err(AppError::NotFound)
    );
}

/// The form of each request of a kind, in order.
type Seen = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A stand-in for Stripe's API on loopback (Stripe itself cannot run here): records each Checkout
/// Session, each page closed and each refund request, with the idempotency key of each refund.
/// As at Stripe, only an open page can be closed, and a page says whether it is open, complete
/// or expired.
#[derive(Clone, Default)]
struct FakeStripe {
    base: String,
    sessions: Seen,
    refunds: Seen,
    closed: Seen,
    paid: Arc<Mutex<Vec<String>>>,
    ran_out: Arc<Mutex<Vec<String>>>,
    down: Arc<Mutex<bool>>,
}

impl FakeStripe {
    /// The buyer paid on page `session`; the webhook saying so is sent separately.
    fn mark_paid(&self, session: &str) {
        self.paid.lock().expect("lock").push(session.to_owned());
    }

    /// Page `session` closed by itself, its time up; the webhook saying so is sent separately.
    fn run_out(&self, session: &str) {
        self.ran_out.lock().expect("lock").push(session.to_owned());
    }

    /// Stripe answers every request with 503 while `down`.
    fn set_down(&self, down: bool) {
        *self.down.lock().expect("lock") = down;
    }

    fn status_of(&self, session: &str) -> &'static str {
        let is = |list: &Arc<Mutex<Vec<String>>>| {
            list.lock().expect("lock").iter().any(|s| s == session)
        };
        if is(&self.paid) {
            "complete"
        } else if is(&self.ran_out) || self.closed_pages().iter().any(|s| s == session) {
            "expired"
        } else {
            "open"
        }
    }

    fn closed_pages(&self) -> Vec<String> {
        let closed = self.closed.lock().expect("lock");
        closed.iter().map(|form| form[0].1.clone()).collect()
    }
}

async fn fake_stripe() -> FakeStripe {
    use axum::extract::{Path, State};
    use axum::{http::HeaderMap, http::StatusCode, routing::post, Form, Json, Router};
    fn authorized(stripe: &FakeStripe, headers: &HeaderMap) -> Result<(), StatusCode> {
        if *stripe.down.lock().expect("lock") {
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        match headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer sk_test_key") => Ok(()),
            _ => Err(StatusCode::UNAUTHORIZED),
        }
    }
    async fn create(
        State(stripe): State<FakeStripe>,
        headers: HeaderMap,
        Form(form): Form<Vec<(String, String)>>,
    ) -> Result<Json<Value>, StatusCode> {
        authorized(&stripe, &headers)?;
        let mut seen = stripe.sessions.lock().expect("lock");
        seen.push(form);
        let id = format!("cs_test_{}", seen.len());
        Ok(Json(
            json!({ "id": id, "url": format!("https://checkout.stripe.test/pay/{id}") }),
        ))
    }
    async fn expire(
        State(stripe): State<FakeStripe>,
        Path(id): Path<String>,
        headers: HeaderMap,
    ) -> Result<Json<Value>, StatusCode> {
        authorized(&stripe, &headers)?;
        if stripe.status_of(&id) != "open" {
            return Err(StatusCode::BAD_REQUEST);
        }
        let page = vec![("session".to_owned(), id.clone())];
        stripe.closed.lock().expect("lock").push(page);
        Ok(Json(json!({ "id": id, "status": "expired" })))
    }
    async fn page(
        State(stripe): State<FakeStripe>,
        Path(id): Path<String>,
        headers: HeaderMap,
    ) -> Result<Json<Value>, StatusCode> {
        authorized(&stripe, &headers)?;
        Ok(Json(json!({ "id": id, "status": stripe.status_of(&id) })))
    }
    async fn refund(
        State(stripe): State<FakeStripe>,
        headers: HeaderMap,
        Form(mut form): Form<Vec<(String, String)>>,
    ) -> Result<Json<Value>, StatusCode> {
        authorized(&stripe, &headers)?;
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        form.push(("Idempotency-Key".to_owned(), key.to_owned()));
        let mut seen = stripe.refunds.lock().expect("lock");
        seen.push(form);
        Ok(Json(
            json!({ "id": format!("re_test_{}", seen.len()), "status": "succeeded" }),
        ))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let stripe = FakeStripe {
        base: format!("http://{}", listener.local_addr().expect("addr")),
        ..FakeStripe::default()
    };
    let router = Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/v1/checkout/sessions/{id}", axum::routing::get(page))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .route("/v1/refunds", post(refund))
        .with_state(stripe.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serves") });
    stripe
}

async fn app_with_stripe(pool: PgPool, stripe: &FakeStripe) -> (TestApp, Bind) {
    let api_base = stripe.base.clone();
    app_with_dns_and(pool, move |config| {
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

/// What Stripe says about an order: its Checkout Session, what was paid, and the order the
/// session was made for.
struct Payment<'a> {
    session: &'a str,
    amount: i64,
    currency: &'a str,
    order: &'a str,
}

/// A `checkout.session.completed` event for `payment`.
fn completed(event: &str, payment: &Payment) -> String {
    json!({
        "id": event,
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": payment.session, "object": "checkout.session",
            "client_reference_id": payment.order, "payment_status": "paid",
            "payment_intent": format!("pi_for_{}", payment.session),
            "amount_total": payment.amount, "currency": payment.currency
        } }
    })
    .to_string()
}

/// The Checkout Session, amount and currency of order `order`, as Stripe would report its payment.
async fn payment_of(app: &TestApp, order: &str) -> (String, i64, String) {
    sqlx::query_as(
        "select checkout_session, amount_minor, lower(currency) from orders where id = $1::uuid",
    )
    .bind(order)
    .fetch_one(&app.pool)
    .await
    .expect("the order")
}

#[sqlx::test(migrations = "../migrations")]
async fn with_stripe_the_upgrade_waits_for_a_correctly_signed_webhook_and_applies_once(
    pool: PgPool,
) {
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    let preview = app
        .invoke(&rob, LoadPurchasePreview {})
        .await
        .expect("a preview");
    assert!(preview.checkout);

    let outcome = app
        .invoke(
            &rob,
            purchase(STANDARD, Monthly, 2, AtStripe, "stripe-key-1"),
        )
        .await
        .expect("on to Stripe");
    assert_eq!(
        outcome.checkout_url.as_deref(),
        Some("https://checkout.stripe.test/pay/cs_test_1")
    );
    let order = outcome.order_id.clone();
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
    let managed = "organizations where status = 'managed'";
    assert_eq!(
        app.count(managed).await,
        0,
        "nothing happens before Stripe says it is paid"
    );
    assert_eq!(app.count("orders where status = 'pending'").await, 1);

    let (session, amount, currency) = payment_of(&app, &order).await;
    let paid = Payment {
        session: &session,
        amount,
        currency: &currency,
        order: &order,
    };
    let body = completed("evt_1", &paid);
    let now = START.unix_timestamp();
    let other = Payment { amount: 1, ..paid };
    for (name, header) in [
        ("wrong secret", signature("whsec_other", now, &body)),
        (
            "other body",
            signature(WEBHOOK_SECRET, now, &completed("evt_1", &other)),
        ),
        ("too old", signature(WEBHOOK_SECRET, now - 301, &body)),
        ("no signature", String::new()),
    ] {
        assert_eq!(deliver(&app, &body, &header).await.status(), 400, "{name}");
    }
    assert_eq!(app.count(managed).await, 0);
    assert_eq!(app.count("stripe_events").await, 0);

    let signed = signature(WEBHOOK_SECRET, now - 20, &body);
    assert_eq!(deliver(&app, &body, &signed).await.status(), 200);
    assert_eq!(
        deliver(&app, &body, &signed).await.status(),
        200,
        "a redelivery is fine"
    );
    assert_eq!(pay(&app, &outcome, "evt_2").await, 200);

    assert_eq!(app.count(managed).await, 1);
    assert_eq!(app.count("subscriptions").await, 1);
    assert_eq!(app.count("licenses").await, 2);
    assert_eq!(app.count("audit_events where kind = 'order.paid'").await, 1);
    assert_eq!(app.count("stripe_events").await, 2);
    let paid: (String, String, Option<i64>) =
        sqlx::query_as("select status, payment_reference, invoice_number from orders")
            .fetch_one(&app.pool)
            .await
            .expect("order");
    assert_eq!(paid.0, "paid");
    assert_eq!(paid.1, "pi_for_cs_test_1");
    assert!(paid.2.is_some());
    let admins = "members where email = 'rob@contoso.com' and role = 'global_admin'";
    assert_eq!(app.count(admins).await, 1);
}

/// Rob, who proved contoso.com, sent on to Stripe to pay for the upgrade (key "rob-key-1").
async fn rob_at_stripe(pool: PgPool) -> (FakeStripe, TestApp, reqwest::Client, PurchaseOutcome) {
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let first = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-1"))
        .await
        .expect("on to Stripe");
    (stripe, app, rob, first)
}

#[sqlx::test(migrations = "../migrations")]
async fn paying_for_the_upgrade_in_two_tabs_charges_once(pool: PgPool) {
    let (stripe, app, rob, first) = rob_at_stripe(pool).await;
    // A second tab: the first page is closed at Stripe before the second is made.
    let second = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-2"))
        .await
        .expect("on to Stripe again");
    let (first_page, _, _) = payment_of(&app, &first.order_id).await;
    assert_eq!(stripe.closed_pages(), [first_page]);
    let declined = "orders where status = 'declined'";
    assert_eq!(app.count(declined).await, 1, "the first order is declined");

    // Rob pays the second page; before Stripe's webhook arrives, a third tab is refused,
    // because Stripe will not close a paid page.
    let (second_page, _, _) = payment_of(&app, &second.order_id).await;
    stripe.mark_paid(&second_page);
    let third = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-3"))
        .await;
    assert_eq!(third, Err(AppError::PurchaseInProgress));
    assert_eq!(pay(&app, &second, "evt_1").await, 200);

    let statuses: Vec<String> = sqlx::query_scalar("select status from orders order by status")
        .fetch_all(&app.pool)
        .await
        .expect("statuses");
    assert_eq!(statuses, ["declined", "paid"]);
    assert_eq!(stripe.sessions.lock().expect("lock").len(), 2);
    assert_eq!(app.count("members where role = 'global_admin'").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_page_whose_time_ran_out_at_stripe_does_not_hold_up_the_next_one(pool: PgPool) {
    let (stripe, app, rob, first) = rob_at_stripe(pool).await;
    let (first_page, _, _) = payment_of(&app, &first.order_id).await;

    // While Stripe cannot be reached, nothing says a purchase is under way: it is unavailable,
    // and no second page is made.
    stripe.set_down(true);
    let meanwhile = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-2"))
        .await;
    assert_eq!(meanwhile, Err(AppError::Unavailable));
    stripe.set_down(false);

    // Stripe closed the first page by itself before its webhook arrived: Rob may start again.
    stripe.run_out(&first_page);
    let again = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-3"))
        .await
        .expect("on to Stripe again");
    assert!(again.checkout_url.is_some());
    assert_eq!(app.count("orders where status = 'declined'").await, 1);
    assert_eq!(app.count("orders where status = 'pending'").await, 1);
    assert_eq!(stripe.sessions.lock().expect("lock").len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn while_one_member_pays_at_stripe_no_other_can_open_a_second_upgrade(pool: PgPool) {
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let sara = verified_member(&app, &bind, "sara@contoso.com", "admin_tile").await;
    app.invoke(&rob, purchase(BASIC, Annual, 2, AtStripe, "rob-key-1"))
        .await
        .expect("on to Stripe");
    let second = app
        .invoke(&sara, purchase(BASIC, Annual, 2, AtStripe, "sara-key-1"))
        .await;
    assert_eq!(second, Err(AppError::UpgradeInProgressElsewhere));
    assert_eq!(app.count("orders").await, 1, "Sara's order is never made");

    // Rob leaves Stripe's page unpaid; once Stripe says it closed, Sara may go.
    let session: String = sqlx::query_scalar("select checkout_session from orders")
        .fetch_one(&app.pool)
        .await
        .expect("Rob's session");
    let closed = json!({
        "id": "evt_expired", "type": "checkout.session.expired",
        "data": { "object": { "id": session, "object": "checkout.session", "payment_status": "unpaid" } }
    });
    assert_eq!(send_signed(&app, &closed.to_string()).await, 200);
    let later = app
        .invoke(&sara, purchase(BASIC, Annual, 2, AtStripe, "sara-key-2"))
        .await;
    assert!(later.is_ok_and(|outcome| outcome.checkout_url.is_some()));

    // Each page takes cards only and closes a little over Stripe's shortest lifetime from now.
    let pages = stripe.sessions.lock().expect("lock").clone();
    let field = |form: &Vec<(String, String)>, name: &str| {
        form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    assert!(CHECKOUT_LIFETIME > time::Duration::minutes(30));
    for form in &pages {
        let closes: i64 = field(form, "expires_at")
            .and_then(|at| at.parse().ok())
            .expect("a closing time");
        assert_eq!(closes, (START + CHECKOUT_LIFETIME).unix_timestamp());
        assert_eq!(
            field(form, "payment_method_types[0]").as_deref(),
            Some("card")
        );
    }
    assert_eq!(pages.len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn someone_who_signs_up_while_the_buyer_is_at_stripe_is_not_left_without_a_license(
    pool: PgPool,
) {
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let at_stripe = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "rob-key-1"))
        .await
        .expect("on to Stripe");
    let zed = app.signed_up("zed@contoso.com", "Zed").await;
    let status_for = |who| {
        let id = at_stripe.order_id.clone();
        app.invoke(who, LoadOrderStatus { id })
    };
    assert_eq!(status_for(&rob).await, Ok(OrderStatus::Pending));
    assert_eq!(pay(&app, &at_stripe, "evt_1").await, 200);

    assert_eq!(app.count("members where role = 'global_admin'").await, 0);
    assert_eq!(app.count("subscriptions").await, 0);
    // The money goes back through Stripe's refund API, once.
    let refunded = "orders where status = 'refunded' and refund_reference = 're_test_1'";
    wait_until(std::time::Duration::from_secs(10), || async {
        app.count(refunded).await == 1
    })
    .await;
    assert_eq!(app.count(refunded).await, 1);
    let refunds = stripe.refunds.lock().expect("lock").clone();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    let field = |name: &str| {
        refunds[0]
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (session, _, _) = payment_of(&app, &at_stripe.order_id).await;
    assert_eq!(field("payment_intent"), Some(format!("pi_for_{session}")));
    let key = format!("refund-{}", at_stripe.order_id);
    assert_eq!(field("Idempotency-Key"), Some(key));
    let refund_audits = "audit_events where kind = 'order.refunded'";
    assert_eq!(app.count(refund_audits).await, 1);
    // The page Stripe sends Rob back to says so; the order is nobody else's business.
    assert_eq!(status_for(&rob).await, Ok(OrderStatus::Refunded));
    assert_eq!(status_for(&zed).await, Err(AppError::NotFound));

    // Rob buys again, for both of them.
    let again = app
        .invoke(&rob, purchase(BASIC, Annual, 2, AtStripe, "rob-key-2"))
        .await
        .expect("on to Stripe again");
    assert_eq!(pay(&app, &again, "evt_2").await, 200);
    let licensed = "licenses l join members m on m.id = l.member_id
                    where m.email in ('rob@contoso.com', 'zed@contoso.com')";
    assert_eq!(app.count(licensed).await, 2);
    // The admin's orders show the refund; Zed sees none of them.
    assert!(orders_seen_by(&app, &rob)
        .await
        .iter()
        .any(|order| order.status == OrderStatus::Refunded
            && order.refund.as_deref() == Some("re_test_1")));
    assert!(app.invoke(&zed, LoadOrders {}).await.is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_upgrade_mail_speaks_each_members_language(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let mut dutch = reqwest::header::HeaderMap::new();
    dutch.insert("accept-language", "nl-NL,nl;q=0.9".parse().expect("header"));
    let sara = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(dutch)
        .build()
        .expect("client");
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    admin(&app, &bind, "rob@contoso.com", 2).await;

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
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let upgrade = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "stripe-upgrade"))
        .await
        .expect("on to Stripe");
    assert_eq!(pay(&app, &upgrade, "evt_upgrade").await, 200);

    let mut orders = Vec::new();
    for (quantity, key) in [(200, "more-200"), (150, "more-150")] {
        let outcome = buy(&app, &rob, quantity, AtStripe, key)
            .await
            .expect("on to Stripe");
        assert!(outcome.checkout_url.is_some(), "{outcome:?}");
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
    assert_eq!(
        app.count("orders where status in ('refund_due', 'refunded')")
            .await,
        1
    );
}

/// Stripe says the order of `outcome` is paid, in event `event`.
async fn pay(app: &TestApp, outcome: &PurchaseOutcome, event: &str) -> reqwest::StatusCode {
    let (session, amount, currency) = payment_of(app, &outcome.order_id).await;
    let payment = Payment {
        session: &session,
        amount,
        currency: &currency,
        order: &outcome.order_id,
    };
    send_signed(app, &completed(event, &payment)).await
}

async fn send_signed(app: &TestApp, body: &str) -> reqwest::StatusCode {
    let header = signature(WEBHOOK_SECRET, START.unix_timestamp(), body);
    deliver(app, body, &header).await.status()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_is_bound_to_its_own_checkout_session_amount_and_currency(pool: PgPool) {
    let stripe = fake_stripe().await;
    let (app, bind) = app_with_stripe(pool, &stripe).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let outcome = app
        .invoke(&rob, purchase(BASIC, Annual, 1, AtStripe, "bound-order"))
        .await
        .expect("on to Stripe");
    let order = outcome.order_id.as_str();
    let (session, amount, currency) = payment_of(&app, order).await;
    let managed = "organizations where status = 'managed'";
    for (event, wrong) in [
        // Someone else's cheap session, naming this order as its reference.
        (
            "evt_other_session",
            Payment {
                session: "cs_elsewhere",
                amount,
                currency: &currency,
                order,
            },
        ),
        (
            "evt_too_little",
            Payment {
                session: &session,
                amount: amount - 1,
                currency: &currency,
                order,
            },
        ),
        (
            "evt_other_currency",
            Payment {
                session: &session,
                amount,
                currency: "jpy",
                order,
            },
        ),
    ] {
        assert_eq!(
            send_signed(&app, &completed(event, &wrong)).await,
            200,
            "{event}"
        );
        assert_eq!(app.count(managed).await, 0, "{event} changes nothing");
    }
    assert_eq!(app.count("orders where status = 'pending'").await, 1);
    assert_eq!(
        app.count("audit_events where kind = 'order.payment_mismatch'")
            .await,
        2
    );

    assert_eq!(pay(&app, &outcome, "evt_right").await, 200);
    assert_eq!(app.count(managed).await, 1);
}
