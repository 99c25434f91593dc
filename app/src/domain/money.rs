//! Amounts of money: integer minor units and a currency, formatted per language.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// An amount in minor units (cents) of `currency` (ISO 4217).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(minor: i64, currency: &str) -> Self {
        Self {
            minor,
            currency: currency.to_owned(),
        }
    }

    /// `€1,234.56` in English, `€ 1.234,56` in Dutch.
    pub fn format(&self, locale: Locale) -> String {
        let (thousands, decimal, space) = match locale {
            Locale::nl => ('.', ',', " "),
            Locale::en => (',', '.', ""),
        };
        let symbol = match (self.currency.as_str(), locale) {
            ("EUR", _) => "€".to_owned(),
            ("USD", Locale::en) => "$".to_owned(),
            ("USD", Locale::nl) => "US$".to_owned(),
            ("GBP", _) => "£".to_owned(),
            (other, _) => format!("{other} "),
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        let units = (self.minor.unsigned_abs() / 100).to_string();
        let cents = self.minor.unsigned_abs() % 100;
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push(thousands);
            }
            grouped.push(digit);
        }
        format!(
            "{sign}{}{space}{grouped}{decimal}{cents:02}",
            symbol.trim_end()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_formatted_per_language() {
        let amount = Money::new(123_456, "EUR");
        assert_eq!(amount.format(Locale::en), "€1,234.56");
        assert_eq!(amount.format(Locale::nl), "€ 1.234,56");
        assert_eq!(Money::new(700, "USD").format(Locale::en), "$7.00");
        assert_eq!(Money::new(700, "USD").format(Locale::nl), "US$ 7,00");
        assert_eq!(
            Money::new(123_456_789, "USD").format(Locale::en),
            "$1,234,567.89"
        );
        assert_eq!(Money::new(5, "EUR").format(Locale::en), "€0.05");
    }
}
