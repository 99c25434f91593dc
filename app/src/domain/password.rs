//! Passwords (OWASP ASVS 5: length, no composition rules, common ones refused), names and codes.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted, in characters: long passphrases are welcome.
pub const PASSWORD_MAX_CHARS: usize = 128;
const NAME_MAX_CHARS: usize = 100;

/// A password that meets the policy. It never appears in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Password(String);

impl Password {
    /// Checks length; on the server also that the password is not common or built from the
    /// person's own name or address (`context`).
    pub fn parse(input: &str, context: &[&str]) -> Result<Self, Invalid> {
        let length = input.chars().count();
        if length < PASSWORD_MIN_CHARS {
            return Err(Invalid::PasswordTooShort);
        }
        if length > PASSWORD_MAX_CHARS {
            return Err(Invalid::PasswordTooLong);
        }
        if is_common(input, context) {
            return Err(Invalid::PasswordCommon);
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// zxcvbn's dictionaries hold the most common passwords, names and words; a score of 0 or 1
/// means the password is one of them or a trivial variation (`password1234`, `aaaaaaaaaaaa`).
#[cfg(feature = "ssr")]
fn is_common(password: &str, context: &[&str]) -> bool {
    zxcvbn::zxcvbn(password, context).score() <= zxcvbn::Score::One
}

/// The dictionaries are too large for the browser; the server checks this.
#[cfg(not(feature = "ssr"))]
fn is_common(_password: &str, _context: &[&str]) -> bool {
    false
}

/// The name a member is shown by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

/// Characters that change how text around them is shown without being seen themselves:
/// direction overrides and isolates, zero-width characters, the byte-order mark. In a name they
/// only serve to pass one name off as another.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' // zero-width space, joiners, direction marks
        | '\u{202A}'..='\u{202E}' // direction embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // direction isolates
        | '\u{FEFF}' // byte-order mark
        | '\u{180E}' // Mongolian vowel separator
    )
}

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let visible: String = input
            .chars()
            .filter(|c| !c.is_control() && !is_invisible_format(*c))
            .collect();
        let name = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Invalid::NameMissing);
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(Invalid::NameTooLong);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A six-digit code mailed to prove control of an address. Spaces and dashes are ignored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(Invalid::CodeShape)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_invisible_and_direction_changing_characters() {
        let parsed = |input: &str| DisplayName::parse(input).map(|name| name.as_str().to_owned());
        assert_eq!(parsed("Rob\u{202E}nimda"), Ok("Robnimda".to_owned()));
        assert_eq!(
            parsed("R\u{200B}o\u{200D}b \u{2066}Admin\u{2069}"),
            Ok("Rob Admin".to_owned())
        );
        assert_eq!(parsed("\u{FEFF}\u{200B}"), Err(Invalid::NameMissing));
        assert_eq!(parsed("  Zoë   de  Vries "), Ok("Zoë de Vries".to_owned()));
    }

    #[test]
    fn passwords_between_12_and_128_characters_are_accepted() {
        assert!(Password::parse("violet kettle harbor", &[]).is_ok());
        // Characters count, not bytes: eleven two-byte letters are still too short.
        assert_eq!(
            Password::parse(&"é".repeat(11), &[]),
            Err(Invalid::PasswordTooShort)
        );
        assert_eq!(
            Password::parse("short", &[]),
            Err(Invalid::PasswordTooShort)
        );
        assert_eq!(
            Password::parse(&"x".repeat(129), &[]),
            Err(Invalid::PasswordTooLong)
        );
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("violet kettle harbor", &[]).expect("valid");
        assert!(!format!("{password:?}").contains("violet"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_passwords_are_refused_on_the_server() {
        for common in [
            "password1234",
            "123456789012",
            "qwertyuiop123",
            "aaaaaaaaaaaa",
        ] {
            assert_eq!(
                Password::parse(common, &[]),
                Err(Invalid::PasswordCommon),
                "{common}"
            );
        }
        assert_eq!(
            Password::parse("rob.smith@contoso.com", &["rob.smith@contoso.com"]),
            Err(Invalid::PasswordCommon)
        );
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_empty() {
        assert_eq!(
            DisplayName::parse("  Sara   de Vries ").map(|n| n.as_str().to_owned()),
            Ok("Sara de Vries".to_owned())
        );
        assert_eq!(DisplayName::parse(" \t "), Err(Invalid::NameMissing));
        assert_eq!(
            DisplayName::parse(&"n".repeat(101)),
            Err(Invalid::NameTooLong)
        );
    }

    #[test]
    fn codes_are_six_digits_and_forgive_spaces() {
        assert_eq!(
            OneTimeCode::parse(" 123 456 ").map(|c| c.as_str().to_owned()),
            Ok("123456".to_owned())
        );
        for bad in ["", "12345", "1234567", "12a456"] {
            assert_eq!(OneTimeCode::parse(bad), Err(Invalid::CodeShape), "{bad}");
        }
    }
}
