//! Stripe: a Checkout Session for each order, and the signed webhook that says it was paid.
//!
//! Used when `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET` are set. The webhook's
//! `Stripe-Signature` is an HMAC-SHA256 of `"{timestamp}.{body}"` with the endpoint's secret;
//! events older than the tolerance are refused, so a captured request cannot be replayed later,
//! and each event id is stored in the transaction that applies it, so a redelivery changes nothing.

#![cfg(feature = "ssr")]

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::core::error::AppError;
use crate::domain::Money;

/// Stripe's keys and address.
#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// `https://api.stripe.com` unless changed.
    pub api_base: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// How far a webhook's timestamp may be from now, as Stripe's own libraries allow.
pub const TOLERANCE_SECS: i64 = 300;

/// How long a Checkout page takes payment: close to Stripe's shortest (30 minutes after it
/// makes the page, which is a little after the clock was read), so that a page left open holds up
/// the organization's upgrade for as little as possible.
pub const CHECKOUT_LIFETIME: time::Duration = time::Duration::minutes(35);

/// Why a webhook was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) against the raw body.
pub fn verify_signature(
    header: &str,
    body: &[u8],
    secret: &str,
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now.unix_timestamp() - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Constant-time comparison.
        mac.verify_slice(signature).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A Checkout Session to send the payer to.
#[derive(Debug, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// What the order is for, as the Checkout page shows it.
pub struct LineItem<'a> {
    pub name: &'a str,
    /// The price of one license for the whole billing period.
    pub unit: &'a Money,
    pub quantity: i32,
}

/// Creates a Checkout Session for an order; the webhook finds the order again by the session's id.
pub async fn create_checkout(
    stripe: &StripeSettings,
    public_url: &str,
    order_id: Uuid,
    item: &LineItem<'_>,
    now: OffsetDateTime,
) -> Result<CheckoutSession, AppError> {
    let order = order_id.to_string();
    let form = [
        ("mode", "payment".to_owned()),
        // Cards only: a method that settles days later would leave the order pending as long.
        ("payment_method_types[0]", "card".to_owned()),
        (
            "expires_at",
            (now + CHECKOUT_LIFETIME).unix_timestamp().to_string(),
        ),
        ("client_reference_id", order.clone()),
        ("metadata[order_id]", order.clone()),
        ("line_items[0][quantity]", item.quantity.to_string()),
        (
            "line_items[0][price_data][currency]",
            item.unit.currency.to_ascii_lowercase(),
        ),
        (
            "line_items[0][price_data][unit_amount]",
            item.unit.minor.to_string(),
        ),
        (
            "line_items[0][price_data][product_data][name]",
            item.name.to_owned(),
        ),
        (
            "success_url",
            format!("{public_url}/admin/licenses?order={order}"),
        ),
        ("cancel_url", format!("{public_url}/admin/wizard")),
    ];
    post(
        stripe,
        "checkout/sessions",
        &format!("checkout-{order}"),
        &form,
    )
    .await
}

/// Posts `form` to Stripe's API at `/v1/{path}` under `idempotency_key` and reads the answer:
/// Stripe unreachable or refusing is `Unavailable` (the caller may try again with the same key,
/// which Stripe applies once), an unreadable answer `Internal`.
async fn post<T: serde::de::DeserializeOwned>(
    stripe: &StripeSettings,
    path: &str,
    idempotency_key: &str,
    form: &[(&str, String)],
) -> Result<T, AppError> {
    let request = client(stripe, reqwest::Method::POST, path)
        .header("Idempotency-Key", idempotency_key)
        .form(form);
    read(
        accepted(send(request).await?, path, Some(idempotency_key)).await?,
        path,
    )
    .await
}

async fn get<T: serde::de::DeserializeOwned>(
    stripe: &StripeSettings,
    path: &str,
) -> Result<T, AppError> {
    let request = client(stripe, reqwest::Method::GET, path);
    read(accepted(send(request).await?, path, None).await?, path).await
}

fn client(stripe: &StripeSettings, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}/v1/{path}", stripe.api_base))
        .bearer_auth(&stripe.secret_key)
        .timeout(std::time::Duration::from_secs(20))
}

async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, AppError> {
    request.send().await.map_err(|error| {
        tracing::warn!(%error, "stripe: cannot reach the API");
        AppError::Unavailable
    })
}

/// The response when Stripe did what was asked; otherwise its answer is logged for operators,
/// with Stripe's id of the request and the idempotency key to look it up by, and the caller told
/// the service is unavailable.
async fn accepted(
    response: reqwest::Response,
    path: &str,
    idempotency_key: Option<&str>,
) -> Result<reqwest::Response, AppError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let stripe_request = response
        .headers()
        .get("request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    tracing::error!(
        %status,
        body,
        path,
        stripe_request,
        idempotency_key,
        "stripe: request refused"
    );
    Err(AppError::Unavailable)
}

async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    path: &str,
) -> Result<T, AppError> {
    response.json().await.map_err(|error| {
        tracing::error!(%error, path, "stripe: unreadable answer");
        AppError::Internal
    })
}

/// What became of a Checkout page asked to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// It can no longer be paid: closed now, or by Stripe when its time ran out.
    Closed,
    /// Stripe would not close it: it was paid, or is being paid.
    Paid,
}

/// Closes an open Checkout page so that it can no longer be paid.
pub async fn expire_checkout(stripe: &StripeSettings, session: &str) -> Result<Closing, AppError> {
    let path = format!("checkout/sessions/{session}/expire");
    let key = format!("expire-{session}");
    let request = client(stripe, reqwest::Method::POST, &path).header("Idempotency-Key", &key);
    let response = send(request).await?;
    if !response.status().is_client_error() {
        let accepted = accepted(response, &path, Some(&key)).await?;
        let _: serde::de::IgnoredAny = read(accepted, &path).await?;
        return Ok(Closing::Closed);
    }
    // Stripe closes only open pages. Whether this one ran out of time or was paid, only the page
    // itself says.
    #[derive(Deserialize)]
    struct Page {
        status: String,
    }
    let page: Page = get(stripe, &format!("checkout/sessions/{session}")).await?;
    Ok(if page.status == "expired" {
        Closing::Closed
    } else {
        Closing::Paid
    })
}

#[derive(Debug, Deserialize)]
struct Refund {
    id: String,
}

/// Refunds the whole payment `payment_intent` of order `order_id` and returns the refund's id.
/// The idempotency key is the order's, so however often this is tried, Stripe refunds once.
pub async fn refund(
    stripe: &StripeSettings,
    payment_intent: &str,
    order_id: Uuid,
) -> Result<String, AppError> {
    let form = [
        ("payment_intent", payment_intent.to_owned()),
        ("metadata[order_id]", order_id.to_string()),
    ];
    let refund: Refund = post(stripe, "refunds", &format!("refund-{order_id}"), &form).await?;
    Ok(refund.id)
}

/// A webhook event, as far as orders need it.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: SessionObject,
}

#[derive(Debug, Deserialize)]
struct SessionObject {
    id: Option<String>,
    payment_status: Option<String>,
    payment_intent: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
}

/// What a webhook event means for an order. Orders are found by their Checkout Session's id,
/// which only Stripe's answer to our own request gave us, never by what the event says the order is.
#[derive(Debug, PartialEq, Eq)]
pub enum Settlement {
    /// The session was paid `paid` (as far as the event says); `reference` is Stripe's payment id.
    Paid {
        session: String,
        paid: Option<Money>,
        reference: String,
    },
    /// The Checkout Session expired or its payment failed.
    Failed { session: String },
    /// Nothing to do with an order.
    Ignored,
}

impl Event {
    /// Reads a webhook body whose signature was checked.
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }

    pub fn settlement(&self) -> Settlement {
        let object = &self.data.object;
        let Some(session) = object.id.clone() else {
            return Settlement::Ignored;
        };
        match self.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded"
                if object.payment_status.as_deref() == Some("paid") =>
            {
                Settlement::Paid {
                    paid: object
                        .amount_total
                        .zip(object.currency.as_deref())
                        .map(|(minor, currency)| Money::new(minor, &currency.to_ascii_uppercase())),
                    reference: object
                        .payment_intent
                        .clone()
                        .unwrap_or_else(|| session.clone()),
                    session,
                }
            }
            "checkout.session.expired" | "checkout.session.async_payment_failed" => {
                Settlement::Failed { session }
            }
            _ => Settlement::Ignored,
        }
    }

    /// Stores the event's id in the transaction that applies it: `false` when it was applied
    /// before, so a redelivery changes nothing.
    pub async fn first_delivery(
        &self,
        tx: &mut PgConnection,
        now: OffsetDateTime,
    ) -> Result<bool, AppError> {
        let inserted = sqlx::query!(
            "insert into stripe_events (id, type, received_at) values ($1, $2, $3) on conflict do nothing",
            self.id,
            self.kind,
            now
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_signature_of_the_exact_body_within_the_tolerance_is_accepted() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let body = br#"{"id":"evt_1"}"#;
        let good = sign("whsec_test", 1_800_000_000 - 10, body);
        let header = format!("t={},v1=00ff,v1={good}", 1_800_000_000 - 10);
        assert_eq!(verify_signature(&header, body, "whsec_test", now), Ok(()));
        assert_eq!(
            verify_signature(&header, br#"{"id":"evt_2"}"#, "whsec_test", now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, body, "whsec_other", now),
            Err(SignatureError::Mismatch)
        );
        let later = now + time::Duration::seconds(TOLERANCE_SECS + 11);
        assert_eq!(
            verify_signature(&header, body, "whsec_test", later),
            Err(SignatureError::Stale)
        );
        for malformed in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1800000000",
            "t=1800000000,v1=zz",
        ] {
            assert_eq!(
                verify_signature(malformed, body, "whsec_test", now),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
    }
}
