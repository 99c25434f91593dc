//! Property tests: the parsers of untrusted input never panic, and what they accept is stable.

use app::domain::{DisplayName, DomainName, EmailAddress, OneTimeCode, Password};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn email_parsing_never_panics(input in "\\PC*") {
        let _ = EmailAddress::parse(&input);
    }

    #[test]
    fn email_like_input_never_panics(local in "[a-zA-Z0-9._%+-]{0,70}", domain in "[a-zA-Z0-9.ü-]{0,70}") {
        let _ = EmailAddress::parse(&format!("{local}@{domain}"));
    }

    #[test]
    fn a_parsed_address_parses_again_to_itself(local in "[a-z0-9]{1,20}", label in "[a-z]{1,20}", tld in "[a-z]{2,6}") {
        if let Ok(email) = EmailAddress::parse(&format!("{local}@{label}.{tld}")) {
            prop_assert_eq!(EmailAddress::parse(&email.as_ascii()), Ok(email));
        }
    }

    #[test]
    fn domain_parsing_never_panics(input in "\\PC*") {
        let _ = DomainName::parse(&input);
    }

    #[test]
    fn other_inputs_never_panic(input in "\\PC*") {
        let _ = DisplayName::parse(&input);
        let _ = OneTimeCode::parse(&input);
        let _ = Password::parse(&input, &[&input]);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn txt_judging_never_panics_and_verifies_only_exact_values(
        token in "[a-z2-7]{26}",
        records in proptest::collection::vec("\\PC{0,80}", 0..5),
    ) {
        let expected = format!("tenantry-verification={token}");
        let finding = app::wizard::doctor::classify_txt(&expected, &token, &records);
        if let app::wizard::Finding::Verified { record } = finding {
            prop_assert_eq!(record, expected);
        }
    }
}
