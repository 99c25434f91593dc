//! The upgrade, above the wizard and licensing: once the domain is proven, pay for one license
//! per member and, in the same transaction, make the organization managed with the buyer its
//! admin. The wizard and licensing never call each other; this module puts them together.

use serde::{Deserialize, Serialize};

use crate::licensing::{Person, PlanOffer};

mod api;
pub mod service;
mod ui;
pub mod webhook;

pub use api::*;
pub use ui::UpgradePage;

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
