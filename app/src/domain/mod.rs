//! Domain types shared by the browser and the server. Each parses its input or says what is wrong.

mod email;
mod money;
mod password;
mod role;

pub use email::{DomainName, EmailAddress};
pub use money::Money;
pub use password::{DisplayName, OneTimeCode, Password, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use role::Role;

/// Why an input was refused; defined with the error type that carries it.
pub use crate::core::error::Invalid;
