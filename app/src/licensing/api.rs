//! The licensing page's server functions; global and billing admins only.

use leptos::prelude::*;

use super::{InvoiceView, LicensingView, OrderStatus, OrderView, PurchaseOutcome};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{checkout, invoices, more_seats, payments, seats, Billing},
    crate::accounts::Member,
    crate::core::api::serve,
    crate::core::state::provided,
    crate::organizations::BillingAdmin,
};

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
    let settings = provided::<checkout::PaymentSettings>();
    serve(|core, admin: BillingAdmin| async move {
        let settings = settings?;
        let card = payments::Card::from_form(card_number, card_expiry, card_cvc);
        // The subscription's own billing period applies; this field only fills the request.
        let request = checkout::PurchaseRequest {
            plan,
            billing: Billing::Annual,
            quantity,
        };
        let outcome = more_seats::buy_more(
            &core.pool,
            &settings.turns,
            core.now(),
            &admin,
            &request,
            &checkout::Payment::of(&settings, &core.settings.public_url, &card),
            &idempotency_key,
        )
        .await?;
        if let Some(url) = &outcome.checkout_url {
            leptos_axum::redirect(url);
        }
        Ok(outcome)
    })
    .await
}

/// One paid order's invoice; admins of its organization only.
#[server(name = LoadInvoice, prefix = "/api", endpoint = "invoice")]
pub async fn invoice(id: String) -> Result<InvoiceView, AppError> {
    serve(|core, admin: BillingAdmin| async move {
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        invoices::invoice(&core.pool, &admin, id).await
    })
    .await
}

/// Where the signed-in member's own order stands: the page Stripe sends a buyer back to waits on it.
#[server(name = LoadOrderStatus, prefix = "/api", endpoint = "order_status")]
pub async fn order_status(id: String) -> Result<OrderStatus, AppError> {
    serve(|core, member: Member| async move {
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        invoices::own_order_status(&core.pool, &member, id).await
    })
    .await
}

/// The orders of the admin's organization, newest first.
#[server(name = LoadOrders, prefix = "/api", endpoint = "orders")]
pub async fn orders() -> Result<Vec<OrderView>, AppError> {
    serve(|core, admin: BillingAdmin| async move { invoices::orders(&core.pool, &admin).await })
        .await
}

/// Seats and people of the admin's organization.
#[server(prefix = "/api", endpoint = "licensing")]
pub async fn licensing() -> Result<LicensingView, AppError> {
    let settings = provided::<checkout::PaymentSettings>();
    serve(|core, admin: BillingAdmin| async move {
        let checkout = settings?.stripe.is_some();
        invoices::overview(&core.pool, &admin, checkout).await
    })
    .await
}

/// Gives `email` a license from the organization's subscription.
#[server(prefix = "/api", endpoint = "assign_license")]
pub async fn assign_license(email: String) -> Result<(), AppError> {
    serve(|core, admin: BillingAdmin| async move {
        seats::assign(&core.pool, core.now(), &admin, &email).await
    })
    .await
}

/// Takes the license of `email` back; the seat stays purchased and available.
#[server(prefix = "/api", endpoint = "unassign_license")]
pub async fn unassign_license(email: String) -> Result<(), AppError> {
    serve(|core, admin: BillingAdmin| async move {
        seats::unassign(&core.pool, core.now(), &admin, &email).await
    })
    .await
}

/// Gives back unassigned seats of a plan.
#[server(prefix = "/api", endpoint = "remove_licenses")]
pub async fn remove_licenses(plan: String, quantity: i32) -> Result<(), AppError> {
    serve(|core, admin: BillingAdmin| async move {
        seats::remove(&core.pool, core.now(), &admin, &plan, quantity).await
    })
    .await
}
