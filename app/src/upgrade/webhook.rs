//! `POST /webhooks/stripe`: Stripe says an order was paid (or will not be), and the order is
//! settled once, whichever server process receives it and however often Stripe delivers it.

#![cfg(feature = "ssr")]

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use super::service::complete_order;
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::licensing::checkout::{self, PaymentSettings};
use crate::licensing::refunds;
use crate::licensing::stripe::{verify_signature, Event, Settlement};

/// Checks the signature, then applies the event once.
pub async fn stripe_webhook(
    State(core): State<Core>,
    State(payments): State<PaymentSettings>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(stripe) = &payments.stripe else {
        return (StatusCode::NOT_FOUND, "payments run in test mode").into_response();
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let now = core.now();
    if let Err(error) = verify_signature(header, &body, &stripe.webhook_secret, now) {
        tracing::warn!(%error, "stripe: webhook refused");
        return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
    }
    let Some(event) = Event::parse(&body) else {
        return (StatusCode::BAD_REQUEST, "not a Stripe event").into_response();
    };
    match apply(&core, now, &event).await {
        Ok(()) => {
            // A payment that could not be applied goes back at once, outside Stripe's wait.
            let (pool, stripe) = (core.pool.clone(), stripe.clone());
            tokio::spawn(async move {
                if let Err(error) = refunds::refund_due(&pool, Some(&stripe), now).await {
                    tracing::warn!(?error, "refunds not made yet; will retry");
                }
            });
            (StatusCode::OK, "ok").into_response()
        }
        // Stripe retries on anything but 2xx, which is what a passing failure needs.
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}

async fn apply(core: &Core, now: OffsetDateTime, event: &Event) -> Result<(), AppError> {
    let mut tx = core.pool.begin().await?;
    if !event.first_delivery(&mut tx, now).await? {
        tracing::info!(event = %event.id, "stripe: event already applied");
        return Ok(());
    }
    match event.settlement() {
        Settlement::Paid {
            session,
            paid,
            reference,
        } => {
            complete_order(&mut tx, now, &session, paid.as_ref(), &reference).await?;
        }
        Settlement::Failed { session } => checkout::abandon(&mut tx, &session).await?,
        Settlement::Ignored => {
            tracing::info!(event = %event.id, kind = %event.kind, "stripe: event ignored");
        }
    }
    tx.commit().await?;
    Ok(())
}
