//! More seats for a plan the organization has: bought like the upgrade, once per idempotency key,
//! and applied at once or when the payment provider settles the order.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::checkout::{self, NewOrder, Paid, Payment, PendingOrder, PurchaseRequest};
use super::idempotency::{idempotent, PurchaseTurns};
use super::{catalogue, Billing, PurchaseOutcome};
use crate::accounts::Member;
use crate::core::audit;
use crate::core::error::AppError;
use crate::organizations::{self, OrganizationStatus};

use super::seats::{add_free_seats, note_day_start};

/// Buys more seats of a plan the organization already has, once per idempotency key.
pub async fn buy_more(
    pool: &PgPool,
    turns: &PurchaseTurns,
    now: OffsetDateTime,
    admin: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let hash = checkout::request_hash("add_seats", request, payment)?;
    idempotent(
        pool,
        turns,
        now,
        admin.id,
        hash,
        key,
        add_seats(pool, now, admin, request, payment),
    )
    .await
}

/// More seats on the organization's subscription of a plan, paid like the upgrade.
async fn add_seats(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<PurchaseOutcome, AppError> {
    if request.quantity < 1 {
        return Err(AppError::Invalid(crate::domain::Invalid::Quantity));
    }
    let mut tx = pool.begin().await?;
    let seats = sqlx::query!(
        "select s.id, s.purchased, s.billing, p.seat_cap, p.name from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and p.id = $2 for update of s",
        admin.organization_id,
        request.plan
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    // Compared as room left, so no quantity a form can carry overflows the sum.
    if request.quantity > seats.seat_cap - seats.purchased {
        return Err(AppError::SeatCapExceeded {
            cap: seats.seat_cap,
        });
    }
    let billing = Billing::stored(&seats.billing)?;
    let plan = catalogue::plan(&mut tx, &request.plan).await?;
    let amount = plan.total(billing, i64::from(request.quantity));
    let order = NewOrder {
        organization_id: admin.organization_id,
        member_id: admin.id,
        plan_id: &plan.id,
        billing,
        quantity: request.quantity,
        amount: &amount,
        kind: "add_seats",
    };
    match checkout::pay(pool, tx, now, &order, &plan.name, payment).await? {
        Paid::Now { mut tx, order_id } => {
            apply_add_seats(
                &mut tx,
                now,
                order_id,
                admin.organization_id,
                admin.id,
                seats.id,
                request.quantity,
            )
            .await?;
            tx.commit().await?;
            Ok(order.outcome(&plan.name, order_id, None))
        }
        Paid::Later {
            order_id,
            checkout_url,
        } => Ok(order.outcome(&plan.name, order_id, Some(checkout_url))),
    }
}

pub async fn apply_add_seats(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order_id: Uuid,
    organization_id: Uuid,
    buyer: Uuid,
    subscription_id: Uuid,
    quantity: i32,
) -> Result<(), AppError> {
    note_day_start(tx, organization_id, now).await?;
    let purchased = sqlx::query_scalar!(
        "update subscriptions set purchased = purchased + $2 where id = $1 returning purchased",
        subscription_id,
        quantity
    )
    .fetch_one(&mut *tx)
    .await?;
    add_free_seats(tx, subscription_id, quantity).await?;
    audit::record(
        &mut *tx,
        organization_id,
        Some(buyer),
        "licenses.added",
        json!({ "order": order_id, "subscription": subscription_id, "added": quantity, "purchased": purchased }),
        now,
    )
    .await?;
    Ok(())
}

/// Whether a paid order for more seats can still be applied: the organization is managed and
/// the plan's cap holds, counting what other orders added meanwhile. Locks the subscription.
pub async fn can_add(tx: &mut PgConnection, order: &PendingOrder) -> Result<bool, AppError> {
    let seats = sqlx::query!(
        "select s.purchased, p.seat_cap from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and s.plan_id = $2 for update of s",
        order.organization_id,
        order.plan_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let managed = organizations::service::status(&mut *tx, order.organization_id).await?
        == OrganizationStatus::Managed;
    Ok(managed && seats.is_some_and(|seats| order.quantity <= seats.seat_cap - seats.purchased))
}

/// Applies a paid order for more seats, settled by the payment provider.
pub async fn apply_paid_order(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order: &PendingOrder,
) -> Result<(), AppError> {
    let subscription = sqlx::query_scalar!(
        "select id from subscriptions where organization_id = $1 and plan_id = $2 for update",
        order.organization_id,
        order.plan_id
    )
    .fetch_one(&mut *tx)
    .await?;
    apply_add_seats(
        &mut *tx,
        now,
        order.id,
        order.organization_id,
        order.member_id,
        subscription,
        order.quantity,
    )
    .await
}
