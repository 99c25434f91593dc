//! Licenses: the plans, paying for orders, seats and their assignment, invoices, and the
//! licensing page where the admin sees and changes them. The first purchase, which makes the
//! organization managed, is the `upgrade` feature's.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;

use crate::domain::Money;

mod api;
pub mod catalogue;
pub mod checkout;
pub mod idempotency;
pub mod invoices;
pub mod more_seats;
pub mod payments;
pub mod refunds;
pub mod seats;
pub mod stripe;
mod ui;

pub use api::*;
pub use ui::{CardFields, InvoicePage, LicensingPage};

stored_enum! {
    /// How often a subscription is billed.
    pub enum Billing { Monthly = "monthly", Annual = "annual" }
}

impl Billing {
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
    /// Where a purchase of it can start: `admin_tile`, `meetings_upgrade`.
    pub offered_from: Vec<String>,
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
    /// When it was placed, in UTC as `2030-01-15 09:00`.
    pub date: String,
    pub plan: String,
    pub quantity: i32,
    pub amount: Money,
    pub status: OrderStatus,
    pub invoice_number: Option<i64>,
    /// The payment provider's reference of the refund, once refunded.
    pub refund: Option<String>,
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
    /// Paid, could not be applied, and the money went back (`refund` names the refund).
    Refunded,
}

impl OrderStatus {
    pub fn parse(status: &str) -> Self {
        match status {
            "paid" => OrderStatus::Paid,
            "pending" => OrderStatus::Pending,
            "refund_due" => OrderStatus::RefundDue,
            "refunded" => OrderStatus::Refunded,
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
    /// For buying more: a fresh idempotency key, and whether payment continues at Stripe.
    pub idempotency_key: String,
    pub checkout: bool,
}
