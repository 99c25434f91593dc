//! The upgrade's server functions.

use leptos::prelude::*;

use super::PurchasePreview;
use crate::core::error::AppError;
use crate::licensing::{Billing, PurchaseOutcome};
#[cfg(feature = "ssr")]
use {
    super::service,
    crate::accounts::Member,
    crate::core::api::serve,
    crate::core::state::provided,
    crate::licensing::checkout::{Payment, PaymentSettings, PurchaseRequest},
    crate::licensing::payments::Card,
    crate::wizard::dns::DnsSettings,
};

/// Plans, prices and the people the purchase will cover.
#[server(name = LoadPurchasePreview, prefix = "/api", endpoint = "purchase_preview")]
pub async fn purchase_preview() -> Result<PurchasePreview, AppError> {
    let payments = provided::<PaymentSettings>();
    serve(|core, member: Member| async move {
        let checkout = payments?.stripe.is_some();
        service::preview(&core.pool, &member, checkout).await
    })
    .await
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
    let payments = provided::<PaymentSettings>();
    let dns = provided::<DnsSettings>();
    serve(|core, member: Member| async move {
        // An old proof is looked up again before anything is charged.
        crate::wizard::purchase::reconfirm(&core.pool, &dns?, core.now(), &member).await?;
        let card = Card::from_form(card_number, card_expiry, card_cvc);
        let request = PurchaseRequest {
            plan,
            billing,
            quantity,
        };
        let payments = payments?;
        let outcome = service::purchase(
            &core.pool,
            &payments.turns,
            core.now(),
            &member,
            &request,
            &Payment::of(&payments, &core.settings.public_url, &card),
            &idempotency_key,
        )
        .await?;
        leptos_axum::redirect(
            outcome
                .checkout_url
                .as_deref()
                .unwrap_or("/admin/licenses?upgraded"),
        );
        Ok(outcome)
    })
    .await
}
