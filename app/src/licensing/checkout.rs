//! Paying for an order: the test-mode card charged here and now, or a Stripe Checkout Session
//! whose signed webhook settles the order later. Orders are stored whatever the outcome.

#![cfg(feature = "ssr")]

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::idempotency::PurchaseTurns;
use super::payments::{Card, TestMode};
use super::stripe::{self, Closing, StripeSettings};
use super::{Billing, PurchaseOutcome};
use crate::accounts::Member;
use crate::core::audit;
use crate::core::error::AppError;
use crate::domain::Money;

/// How this deployment takes payments: Stripe Checkout when its keys are set, else the offline
/// test mode; and this process's turns for purchases.
#[derive(Clone, Debug)]
pub struct PaymentSettings {
    pub stripe: Option<StripeSettings>,
    pub turns: PurchaseTurns,
}

/// What is being bought; the card travels separately and is never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PurchaseRequest {
    pub plan: String,
    pub billing: Billing,
    pub quantity: i32,
}

/// How an order is paid.
pub enum Payment<'a> {
    /// The offline test mode charges the card here and now.
    Card(&'a Card),
    /// Stripe Checkout: the order waits for the signed webhook that says it was paid.
    Checkout {
        stripe: &'a StripeSettings,
        public_url: &'a str,
    },
}

impl<'a> Payment<'a> {
    /// Stripe Checkout when it is configured, else the card in test mode.
    pub fn of(settings: &'a PaymentSettings, public_url: &'a str, card: &'a Card) -> Self {
        match &settings.stripe {
            Some(stripe) => Payment::Checkout { stripe, public_url },
            None => Payment::Card(card),
        }
    }

    fn fingerprint(&self, hasher: &mut Sha256) {
        match self {
            Payment::Card(card) => {
                let digits: String = card.number.chars().filter(char::is_ascii_digit).collect();
                hasher.update(digits.as_bytes());
                hasher.update(card.expiry.trim().as_bytes());
            }
            Payment::Checkout { .. } => hasher.update(b"checkout"),
        }
    }
}

pub fn request_hash(
    purpose: &str,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<Vec<u8>, AppError> {
    let mut hasher = Sha256::new();
    hasher.update(purpose.as_bytes());
    hasher.update(serde_json::to_vec(request).map_err(|_| AppError::Internal)?);
    payment.fingerprint(&mut hasher);
    Ok(hasher.finalize().to_vec())
}

/// An order about to be stored.
pub struct NewOrder<'a> {
    pub organization_id: Uuid,
    pub member_id: Uuid,
    pub plan_id: &'a str,
    pub billing: Billing,
    pub quantity: i32,
    pub amount: &'a Money,
    pub kind: &'a str,
}

impl NewOrder<'_> {
    /// What the buyer is told about the order once stored.
    pub fn outcome(
        &self,
        plan: &str,
        order_id: Uuid,
        checkout_url: Option<String>,
    ) -> PurchaseOutcome {
        PurchaseOutcome {
            order_id: order_id.to_string(),
            plan: plan.to_owned(),
            quantity: self.quantity,
            amount: self.amount.clone(),
            checkout_url,
        }
    }
}

/// Stores an order; a paid one gets the next invoice number.
async fn insert_order(
    db: impl sqlx::PgExecutor<'_>,
    order: &NewOrder<'_>,
    status: &str,
    provider: &str,
    reference: &str,
    now: OffsetDateTime,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar!(
        "insert into orders (organization_id, member_id, plan_id, billing, quantity, amount_minor, currency,
                             status, payment_provider, payment_reference, kind, created_at, paid_at, invoice_number)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 case when $8 = 'paid' then $12::timestamptz end,
                 case when $8 = 'paid' then nextval('invoice_numbers') end)
         returning id",
        order.organization_id,
        order.member_id,
        order.plan_id,
        order.billing.as_str(),
        order.quantity,
        order.amount.minor,
        order.amount.currency,
        status,
        provider,
        reference,
        order.kind,
        now
    )
    .fetch_one(db)
    .await?)
}

/// Charges the card now, or opens a Stripe Checkout Session for a pending order. `tx` holds what
/// must happen with a card payment; with Checkout it is committed with the pending order.
pub async fn pay<'t>(
    pool: &PgPool,
    mut tx: sqlx::Transaction<'t, sqlx::Postgres>,
    now: OffsetDateTime,
    order: &NewOrder<'_>,
    plan_name: &str,
    payment: &Payment<'_>,
) -> Result<Paid<'t>, AppError> {
    match payment {
        Payment::Card(card) => match TestMode.charge(card, now) {
            Ok(receipt) => {
                let id = insert_order(
                    &mut *tx,
                    order,
                    "paid",
                    receipt.provider,
                    &receipt.reference,
                    now,
                )
                .await?;
                Ok(Paid::Now { tx, order_id: id })
            }
            Err(decline) => {
                tx.rollback().await?;
                // A mistyped card is a form to correct; only a bank's refusal is an order.
                if decline.is_bank_refusal() {
                    let reference = format!("{decline:?} ••{}", card.last4());
                    insert_order(pool, order, "declined", "test_mode", &reference, now).await?;
                }
                Err(AppError::PaymentDeclined(decline))
            }
        },
        Payment::Checkout { stripe, public_url } => {
            let id = insert_order(&mut *tx, order, "pending", "stripe", "", now).await?;
            tx.commit().await?;
            let unit = Money::new(
                order.amount.minor / i64::from(order.quantity.max(1)),
                &order.amount.currency,
            );
            let item = stripe::LineItem {
                name: plan_name,
                unit: &unit,
                quantity: order.quantity,
            };
            match stripe::create_checkout(stripe, public_url, id, &item, now).await {
                Ok(session) => {
                    sqlx::query!(
                        "update orders set checkout_session = $2, payment_reference = $2 where id = $1",
                        id,
                        session.id
                    )
                    .execute(pool)
                    .await?;
                    Ok(Paid::Later {
                        order_id: id,
                        checkout_url: session.url,
                    })
                }
                Err(error) => {
                    sqlx::query!("update orders set status = 'declined', payment_reference = 'checkout not created' where id = $1", id)
                        .execute(pool)
                        .await?;
                    Err(error)
                }
            }
        }
    }
}

/// How long an order at Stripe counts as open without word from Stripe. It stays open until
/// Stripe says how it ended (paid, or its page expired), which Stripe keeps retrying for days
/// while our webhook fails; after a day it is taken as abandoned, so that a lost webhook holds
/// nobody up for longer.
const OPEN_AT_STRIPE_FOR: time::Duration = time::Duration::days(1);

/// Whether another member of the organization has an upgrade open at Stripe: a second one
/// would be charged and then refunded. The caller holds the organization's row.
pub async fn upgrade_at_stripe_by_another(
    tx: &mut PgConnection,
    member: &Member,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let open_since = now - OPEN_AT_STRIPE_FOR;
    let open = sqlx::query_scalar!(
        r#"select exists (
             select 1 from orders
              where organization_id = $1 and member_id <> $2 and kind = 'upgrade'
                and status = 'pending' and payment_provider = 'stripe' and created_at > $3
           ) as "open!""#,
        member.organization_id,
        member.id,
        open_since
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(open)
}

/// Closes the member's own upgrade pages still open at Stripe before another is made, so that
/// paying in two tabs cannot charge twice; their orders are declined. A page Stripe will not
/// close was paid, or is being paid: the purchase is then still in progress.
pub async fn close_own_open_upgrades(
    tx: &mut PgConnection,
    stripe: &StripeSettings,
    member: &Member,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let open = sqlx::query!(
        r#"select id, checkout_session as "checkout_session!" from orders
            where organization_id = $1 and member_id = $2 and kind = 'upgrade' and status = 'pending'
              and payment_provider = 'stripe' and checkout_session is not null and created_at > $3"#,
        member.organization_id,
        member.id,
        now - OPEN_AT_STRIPE_FOR
    )
    .fetch_all(&mut *tx)
    .await?;
    for order in open {
        if stripe::expire_checkout(stripe, &order.checkout_session).await? == Closing::Paid {
            return Err(AppError::PurchaseInProgress);
        }
        sqlx::query!(
            "update orders set status = 'declined', payment_reference = 'closed for a newer checkout'
              where id = $1 and status = 'pending'",
            order.id
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// What paying did.
pub enum Paid<'t> {
    /// Charged: the rest happens in this transaction.
    Now {
        tx: sqlx::Transaction<'t, sqlx::Postgres>,
        order_id: Uuid,
    },
    /// The payer finishes at Stripe; the webhook completes the order.
    Later {
        order_id: Uuid,
        checkout_url: String,
    },
}

/// An order Stripe says is paid, still pending here, locked for the transaction.
#[derive(Debug)]
pub struct PendingOrder {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub member_id: Uuid,
    pub plan_id: String,
    pub billing: Billing,
    pub quantity: i32,
    pub amount: Money,
    /// `upgrade` or `add_seats`.
    pub kind: String,
}

/// The pending order paid through Checkout Session `session`; `None` once it was settled, so a
/// redelivery changes nothing.
pub async fn pending(
    tx: &mut PgConnection,
    session: &str,
) -> Result<Option<PendingOrder>, AppError> {
    let Some(row) = sqlx::query!(
        "select id, organization_id, member_id, plan_id, billing, quantity, amount_minor, currency, kind
           from orders where checkout_session = $1 and status = 'pending' for update",
        session
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(PendingOrder {
        id: row.id,
        organization_id: row.organization_id,
        member_id: row.member_id,
        plan_id: row.plan_id,
        billing: Billing::stored(&row.billing)?,
        quantity: row.quantity,
        amount: Money::new(row.amount_minor, &row.currency),
        kind: row.kind,
    }))
}

/// Records the payment of a pending order: paid (with the next invoice number) when it can still
/// be applied, else due for a refund (someone else became the admin meanwhile, say), audited.
pub async fn settle(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order: &PendingOrder,
    applicable: bool,
    reference: &str,
) -> Result<(), AppError> {
    let status = if applicable { "paid" } else { "refund_due" };
    sqlx::query!(
        "update orders set status = $2, payment_reference = $3, paid_at = $4,
                invoice_number = case when $2 = 'paid' then nextval('invoice_numbers') end
          where id = $1",
        order.id,
        status,
        reference,
        now
    )
    .execute(&mut *tx)
    .await?;
    if !applicable {
        tracing::warn!(order_id = %order.id, "stripe: paid order can no longer be applied; refund due");
        audit::record(
            &mut *tx,
            order.organization_id,
            Some(order.member_id),
            "order.refund_due",
            json!({ "order": order.id, "reference": reference }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// A payment whose amount or currency is not the order's: recorded for people to look into,
/// and nothing else changes (the order stays pending).
pub async fn record_mismatch(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order: &PendingOrder,
    paid: Option<&Money>,
    reference: &str,
) -> Result<(), AppError> {
    tracing::error!(order_id = %order.id, ?paid, expected = ?order.amount, reference, "stripe: paid amount is not the order's; nothing applied");
    audit::record(
        &mut *tx,
        order.organization_id,
        Some(order.member_id),
        "order.payment_mismatch",
        json!({ "order": order.id, "expected": order.amount, "paid": paid, "reference": reference }),
        now,
    )
    .await
}

/// A Checkout Session that expired or failed: its pending order is declined.
pub async fn abandon(tx: &mut PgConnection, session: &str) -> Result<(), AppError> {
    sqlx::query!(
        "update orders set status = 'declined' where checkout_session = $1 and status = 'pending'",
        session
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
