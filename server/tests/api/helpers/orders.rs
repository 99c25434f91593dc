//! Orders as the upgrade and licensing pages send them: the plans, the test cards and Stripe
//! Checkout.

use app::licensing::{Billing, BuyLicenses};
use app::upgrade::Purchase;

pub const BASIC: &str = "business_basic";
pub const STANDARD: &str = "business_standard";

/// How an order is paid: a card in the offline test mode, or at Stripe Checkout, where the page
/// sends no card fields.
#[derive(Debug, Clone, Copy)]
pub enum Pay {
    Card(&'static str),
    AtStripe,
}

/// The test card that pays.
pub const PAYS: Pay = Pay::Card("4242 4242 4242 4242");
/// The test card the bank declines.
pub const DECLINED: Pay = Pay::Card("4000 0000 0000 0002");

impl Pay {
    /// The card fields: number, expiry and CVC.
    fn card_fields(self) -> [Option<String>; 3] {
        match self {
            Pay::Card(number) => [number, "12/30", "123"].map(|field| Some(field.to_owned())),
            Pay::AtStripe => [None, None, None],
        }
    }
}

/// The upgrade's purchase of `quantity` licenses of `plan`, sent with the idempotency key `key`.
pub fn purchase(plan: &str, billing: Billing, quantity: i32, pay: Pay, key: &str) -> Purchase {
    let [card_number, card_expiry, card_cvc] = pay.card_fields();
    Purchase {
        plan: plan.to_owned(),
        billing,
        quantity,
        card_number,
        card_expiry,
        card_cvc,
        idempotency_key: key.to_owned(),
    }
}

/// The smallest upgrade: one Business Basic license, billed yearly, paid with the card that pays.
pub fn one_basic_license(key: &str) -> Purchase {
    purchase(BASIC, Billing::Annual, 1, PAYS, key)
}

/// Buying `quantity` more licenses of a plan the organization has.
pub fn more_licenses(plan: &str, quantity: i32, pay: Pay, key: &str) -> BuyLicenses {
    let [card_number, card_expiry, card_cvc] = pay.card_fields();
    BuyLicenses {
        plan: plan.to_owned(),
        quantity,
        card_number,
        card_expiry,
        card_cvc,
        idempotency_key: key.to_owned(),
    }
}
