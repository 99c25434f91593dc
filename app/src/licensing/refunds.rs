//! Refunds of paid orders that could not be applied (someone else became the admin first, or the
//! seats would pass the plan's cap): through Stripe's refund API, or recorded the same way in the
//! offline test mode, where nothing was charged.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::stripe::{self, StripeSettings};
use crate::core::audit;
use crate::core::error::AppError;

/// Refunds every order that is due one and returns how many were refunded. Any server may run
/// it at any time, several at once: Stripe refunds each order once (the idempotency key is the
/// order's), and only the first to record it changes the order. An order whose refund fails
/// (Stripe unreachable, say) stays due for the next run.
pub async fn refund_due(
    pool: &PgPool,
    stripe: Option<&StripeSettings>,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let due = sqlx::query!(
        "select id, organization_id, member_id, payment_reference from orders
          where status = 'refund_due' order by paid_at limit 100"
    )
    .fetch_all(pool)
    .await?;
    let mut refunded = 0;
    for order in due {
        let reference = match stripe {
            Some(stripe) => {
                match stripe::refund(stripe, &order.payment_reference, order.id).await {
                    Ok(reference) => reference,
                    Err(error) => {
                        tracing::warn!(?error, order_id = %order.id, "refund not made yet; will retry");
                        continue;
                    }
                }
            }
            None => format!("test_refund_{}", order.id.simple()),
        };
        let mut tx = pool.begin().await?;
        let recorded = sqlx::query!(
            "update orders set status = 'refunded', refund_reference = $2, refunded_at = $3
              where id = $1 and status = 'refund_due'",
            order.id,
            reference,
            now
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if recorded == 1 {
            audit::record(
                &mut tx,
                order.organization_id,
                Some(order.member_id),
                "order.refunded",
                json!({ "order": order.id, "refund": reference }),
                now,
            )
            .await?;
            refunded += 1;
        }
        tx.commit().await?;
    }
    Ok(refunded)
}
