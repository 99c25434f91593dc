//! Domain types shared by the browser and the server. Each parses its input or says what is wrong.

mod email;
mod money;
mod password;

pub use email::{DomainName, EmailAddress};
pub use money::Money;
pub use password::{DisplayName, OneTimeCode, Password, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

use serde::{Deserialize, Serialize};

/// Why an input was refused. Each variant has one translated message (see `components::ErrorText`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    #[error("enter your email address")]
    EmailMissing,
    #[error("an email address has one @ between a name and a domain")]
    EmailShape,
    #[error("the part before the @ has characters an address cannot have")]
    EmailLocalPart,
    #[error("the part after the @ is not a valid domain")]
    EmailDomain,
    #[error("the address is too long")]
    EmailTooLong,
    #[error("use your work email")]
    ConsumerDomain,
    #[error("the domain is shared by many organizations")]
    PublicSuffix,
    #[error("enter your name")]
    NameMissing,
    #[error("the name is too long")]
    NameTooLong,
    #[error("the password is too short")]
    PasswordTooShort,
    #[error("the password is too long")]
    PasswordTooLong,
    #[error("the password is too common or easy to guess")]
    PasswordCommon,
    #[error("the code has 6 digits")]
    CodeShape,
    #[error("give the meeting a title of at most 120 characters")]
    MeetingTitle,
    #[error("choose a date and time from today on")]
    MeetingTime,
    #[error("enter a number of licenses of at least 1")]
    Quantity,
}
