//! Buying licenses: plans, the purchase that upgrades the organization in one transaction, and
//! the licensing page where the admin sees and changes seats.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Money;
use crate::error::AppError;

mod pages;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod stripe;

pub use pages::{InvoicePage, LicensingPage, PurchaseForm};

/// How often a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billing {
    Monthly,
    Annual,
}

impl Billing {
    pub fn as_str(self) -> &'static str {
        match self {
            Billing::Monthly => "monthly",
            Billing::Annual => "annual",
        }
    }

    /// Months charged at once.
    pub fn months(self) -> i64 {
        match self {
            Billing::Monthly => 1,
            Billing::Annual => 12,
        }
    }
}

/// A plan offered to this organization, with its prices per user per month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOffer {
    pub id: String,
    pub name: String,
    pub monthly: Money,
    pub annual: Money,
    pub participant_limit: i32,
    pub seat_cap: i32,
}

impl PlanOffer {
    pub fn price(&self, billing: Billing) -> &Money {
        match billing {
            Billing::Monthly => &self.monthly,
            Billing::Annual => &self.annual,
        }
    }

    /// What is charged now for `quantity` users.
    pub fn total(&self, billing: Billing, quantity: i64) -> Money {
        let price = self.price(billing);
        Money::new(price.minor * quantity * billing.months(), &price.currency)
    }
}

/// A person of the organization, as the preview and the licensing page list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub licensed: bool,
}

/// What the purchase step shows before paying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchasePreview {
    pub plans: Vec<PlanOffer>,
    /// Everyone signed up on the domain: each gets a license and joins the managed organization.
    pub members: Vec<Person>,
    pub buyer: String,
    pub domain: String,
    /// Sent back with the purchase, so a retry never charges twice.
    pub idempotency_key: String,
    /// Payment continues at Stripe Checkout; otherwise the card is taken here in test mode.
    pub checkout: bool,
}

/// A paid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOutcome {
    pub order_id: String,
    pub plan: String,
    pub quantity: i32,
    pub amount: Money,
    /// Where the payer finishes paying, when the order waits for Stripe.
    pub checkout_url: Option<String>,
}

/// Why a payment did not go through, in terms the payer can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decline {
    /// The number fails its check digit or has the wrong length.
    InvalidNumber,
    /// The expiry date is malformed or past.
    Expired,
    InvalidCvc,
    /// The bank declined the charge.
    Declined,
    InsufficientFunds,
}

/// Seats of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatsView {
    pub plan_id: String,
    pub plan: String,
    pub seat_cap: i32,
    /// One more license for the subscription's billing period.
    pub unit_price: Money,
    pub billing: Billing,
    pub purchased: i32,
    pub assigned: i32,
}

/// One order, for the invoices list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub date: String,
    pub plan: String,
    pub quantity: i32,
    pub amount: Money,
    pub status: OrderStatus,
    pub invoice_number: Option<i64>,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Waiting for the payment provider.
    Pending,
    Paid,
    Declined,
    /// Paid, but could not be applied; the money goes back.
    RefundDue,
}

impl OrderStatus {
    pub fn parse(status: &str) -> Self {
        match status {
            "paid" => OrderStatus::Paid,
            "pending" => OrderStatus::Pending,
            "refund_due" => OrderStatus::RefundDue,
            _ => OrderStatus::Declined,
        }
    }
}

/// A printable invoice for one paid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub number: i64,
    pub date: String,
    pub organization: String,
    pub bill_to: String,
    pub bill_to_email: String,
    pub plan: String,
    /// Licenses added to a subscription, rather than the upgrade's first ones.
    pub additional: bool,
    pub billing: Billing,
    pub quantity: i32,
    pub unit_price: Money,
    pub total: Money,
    /// Paid in the offline test mode rather than through Stripe.
    pub test_mode: bool,
    /// The payment's reference: the test card's summary, or Stripe's payment id.
    pub payment_reference: String,
}

/// The licensing page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensingView {
    pub seats: Vec<SeatsView>,
    pub people: Vec<Person>,
    pub orders: Vec<OrderView>,
    /// For buying more: a fresh idempotency key, and whether payment continues at Stripe.
    pub idempotency_key: String,
    pub checkout: bool,
}

/// Plans, prices and the people the purchase will cover.
#[server(name = LoadPurchasePreview, prefix = "/api", endpoint = "purchase_preview")]
pub async fn purchase_preview() -> Result<PurchasePreview, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            service::preview(&state.pool, &member, state.settings.stripe.is_some()).await
        }
        .await,
    )
}

/// Pays and upgrades: the organization becomes managed with the buyer as its admin. With Stripe
/// configured the card fields are absent and the browser goes on to Stripe Checkout.
#[server(prefix = "/api", endpoint = "purchase")]
pub async fn purchase(
    plan: String,
    billing: Billing,
    quantity: i32,
    #[server(default)] card_number: Option<String>,
    #[server(default)] card_expiry: Option<String>,
    #[server(default)] card_cvc: Option<String>,
    idempotency_key: String,
) -> Result<PurchaseOutcome, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = crate::accounts::require_member().await?;
            let card = payments::Card::from_form(card_number, card_expiry, card_cvc);
            let request = service::PurchaseRequest {
                plan,
                billing,
                quantity,
            };
            let outcome = service::purchase(
                &state.pool,
                state.clock.now(),
                &member,
                &request,
                &service::Payment::of(&state.settings, &card),
                &idempotency_key,
            )
            .await?;
            leptos_axum::redirect(outcome.checkout_url.as_deref().unwrap_or("/admin/licenses"));
            Ok(outcome)
        }
        .await,
    )
}

/// Buys more licenses of a plan the organization has; admins only.
#[server(prefix = "/api", endpoint = "buy_licenses")]
pub async fn buy_licenses(
    plan: String,
    quantity: i32,
    #[server(default)] card_number: Option<String>,
    #[server(default)] card_expiry: Option<String>,
    #[server(default)] card_cvc: Option<String>,
    idempotency_key: String,
) -> Result<PurchaseOutcome, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            let card = payments::Card::from_form(card_number, card_expiry, card_cvc);
            // The subscription's own billing period applies; this field only fills the request.
            let request = service::PurchaseRequest {
                plan,
                billing: Billing::Annual,
                quantity,
            };
            let outcome = service::buy_more(
                &state.pool,
                state.clock.now(),
                &admin,
                &request,
                &service::Payment::of(&state.settings, &card),
                &idempotency_key,
            )
            .await?;
            if let Some(url) = &outcome.checkout_url {
                leptos_axum::redirect(url);
            }
            Ok(outcome)
        }
        .await,
    )
}

/// One paid order's invoice; admins of its organization only.
#[server(name = LoadInvoice, prefix = "/api", endpoint = "invoice")]
pub async fn invoice(id: String) -> Result<InvoiceView, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
            service::invoice(&state.pool, &admin, id).await
        }
        .await,
    )
}

/// Seats, people and orders of the admin's organization.
#[server(prefix = "/api", endpoint = "licensing")]
pub async fn licensing() -> Result<LicensingView, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            service::overview(&state.pool, &admin, state.settings.stripe.is_some()).await
        }
        .await,
    )
}

/// Gives `email` a license from the organization's subscription.
#[server(prefix = "/api", endpoint = "assign_license")]
pub async fn assign_license(email: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            service::assign(&state.pool, state.clock.now(), &admin, &email).await
        }
        .await,
    )
}

/// Takes the license of `email` back; the seat stays purchased and available.
#[server(prefix = "/api", endpoint = "unassign_license")]
pub async fn unassign_license(email: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            service::unassign(&state.pool, state.clock.now(), &admin, &email).await
        }
        .await,
    )
}

/// Gives back unassigned seats of a plan.
#[server(prefix = "/api", endpoint = "remove_licenses")]
pub async fn remove_licenses(plan: String, quantity: i32) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let admin = service::require_admin().await?;
            service::remove(&state.pool, state.clock.now(), &admin, &plan, quantity).await
        }
        .await,
    )
}
