//! Payment providers. The default is an offline test mode that follows Stripe's documented test
//! cards; a card number is checked and charged here and never stored.

#![cfg(feature = "ssr")]

use time::OffsetDateTime;

pub use crate::core::error::Decline;

/// Card details as typed on the purchase page.
#[derive(Clone)]
pub struct Card {
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    pub cvc: String,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card(…{})", self.last4())
    }
}

impl Card {
    /// The card as the form sent it; absent fields are empty (and declined in test mode).
    pub fn from_form(number: Option<String>, expiry: Option<String>, cvc: Option<String>) -> Self {
        Self {
            number: number.unwrap_or_default(),
            expiry: expiry.unwrap_or_default(),
            cvc: cvc.unwrap_or_default(),
        }
    }

    fn digits(&self) -> String {
        self.number.chars().filter(char::is_ascii_digit).collect()
    }

    pub fn last4(&self) -> String {
        let digits = self.digits();
        digits[digits.len().saturating_sub(4)..].to_owned()
    }
}

/// A successful charge.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub provider: &'static str,
    /// Brand and last digits, e.g. `visa ••4242`, and the provider's charge id.
    pub reference: String,
}

/// The offline test mode: Stripe's test card numbers, no network.
pub struct TestMode;

impl TestMode {
    pub fn charge(&self, card: &Card, now: OffsetDateTime) -> Result<Receipt, Decline> {
        let digits = card.digits();
        if !(12..=19).contains(&digits.len()) || !luhn(&digits) {
            return Err(Decline::InvalidNumber);
        }
        if !expiry_in_future(&card.expiry, now) {
            return Err(Decline::Expired);
        }
        let cvc_ok = (3..=4).contains(&card.cvc.trim().len())
            && card.cvc.trim().chars().all(|c| c.is_ascii_digit());
        if !cvc_ok {
            return Err(Decline::InvalidCvc);
        }
        let brand = match digits.as_str() {
            "4242424242424242" | "4000056655665556" => "visa",
            "5555555555554444" => "mastercard",
            "378282246310005" => "amex",
            "4000000000009995" => return Err(Decline::InsufficientFunds),
            // 4000 0000 0000 0002 and any card that is not a test card: declined, as in Stripe's test mode.
            _ => return Err(Decline::Declined),
        };
        Ok(Receipt {
            provider: "test_mode",
            // The invoice states the amount, formatted for its reader; the reference names the card.
            reference: format!("{brand} ••{}", card.last4()),
        })
    }
}

/// The Luhn check digit.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `MM/YY` not before the current month.
fn expiry_in_future(expiry: &str, now: OffsetDateTime) -> bool {
    let Some((month, year)) = expiry.trim().split_once('/') else {
        return false;
    };
    let (Ok(month), Ok(year)) = (month.trim().parse::<u8>(), year.trim().parse::<i32>()) else {
        return false;
    };
    let year = if year < 100 { 2000 + year } else { year };
    (1..=12).contains(&month) && (year, month) >= (now.year(), u8::from(now.month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    fn card(number: &str, expiry: &str) -> Card {
        Card {
            number: number.into(),
            expiry: expiry.into(),
            cvc: "123".into(),
        }
    }

    /// What charging `number`, expiring `expiry`, gives: `Ok(())` when it pays.
    fn outcome(number: &str, expiry: &str) -> Result<(), Decline> {
        TestMode.charge(&card(number, expiry), NOW).map(|_| ())
    }

    #[test]
    fn stripe_test_cards_behave_as_documented() {
        let paid = TestMode
            .charge(&card("4242 4242 4242 4242", "12/30"), NOW)
            .expect("paid");
        assert_eq!(paid.reference, "visa ••4242");
        assert_eq!(
            outcome("4000 0000 0000 0002", "12/30"),
            Err(Decline::Declined)
        );
        assert_eq!(
            outcome("4000000000009995", "12/30"),
            Err(Decline::InsufficientFunds)
        );
    }

    #[test]
    fn bad_numbers_dates_and_codes_are_named() {
        for (number, expiry, expected) in [
            ("4242 4242 4242 4241", "12/30", Err(Decline::InvalidNumber)),
            ("4242", "12/30", Err(Decline::InvalidNumber)),
            ("4242424242424242", "10/26", Err(Decline::Expired)),
            ("4242424242424242", "13/30", Err(Decline::Expired)),
            // This month still counts.
            ("4242424242424242", "11/26", Ok(())),
        ] {
            assert_eq!(outcome(number, expiry), expected, "{number} {expiry}");
        }
        let mut no_cvc = card("4242424242424242", "12/30");
        no_cvc.cvc = "1".into();
        assert_eq!(
            TestMode.charge(&no_cvc, NOW).map(|_| ()),
            Err(Decline::InvalidCvc)
        );
    }
}
