//! The one error type every server function returns, and its mapping to HTTP statuses.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
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
    #[error("sign up without a +tag in the address")]
    SubAddress,
    #[error("enter your name")]
    NameMissing,
    #[error("the name is too long")]
    NameTooLong,
    #[error("the name is the organizer's")]
    NameTaken,
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
    #[error("give the message a subject of at most 200 characters")]
    MessageSubject,
    #[error("write a message of at most 20,000 characters")]
    MessageBody,
    #[error("choose at least one person")]
    NoRecipients,
    #[error("add at most 1,000 people at once")]
    TooManyRows,
    #[error("give at least one row: name,email")]
    NoRows,
}

/// What is wrong with one row of a bulk addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowIssue {
    Invalid(Invalid),
    /// The address is not on one of the organization's verified domains.
    DomainNotAllowed,
    /// The address is on an earlier row too.
    Repeated,
    /// The license column says neither yes nor no.
    LicenseValue,
    /// Someone with the address is already in Tenantry.
    Taken,
    /// More rows ask for a license than are free.
    NotEnoughLicenses {
        wanted: i64,
        free: i64,
    },
}

/// A problem on a line of a bulk addition (line 0: the file as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: usize,
    pub problem: RowIssue,
}

/// Why a payment did not go through, in terms the payer can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decline {
    /// The number fails its check digit or has the wrong length.
    InvalidNumber,
    /// The expiry date is malformed or past.
    Expired,
    InvalidCvc,
    /// The bank declined the charge.
    Declined,
    InsufficientFunds,
}

impl Decline {
    /// Whether the bank refused the charge, rather than the card's details being mistyped.
    pub fn is_bank_refusal(&self) -> bool {
        matches!(self, Decline::Declined | Decline::InsufficientFunds)
    }
}

/// What went wrong, as far as the person using the page needs to know.
///
/// Details of internal failures are logged on the server and never sent to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(Invalid),
    #[error("the email address or password is wrong")]
    WrongCredentials,
    #[error("the code is wrong")]
    CodeWrong,
    #[error("the code has expired")]
    CodeExpired,
    #[error("too many wrong codes")]
    CodeAttemptsSpent,
    #[error("the organization already has an admin")]
    OrganizationManaged {
        /// Who to contact, when known.
        admin: Option<String>,
    },
    #[error("the domain challenge has expired")]
    ChallengeExpired,
    #[error("prove the domain first")]
    DomainNotVerified,
    #[error("the domain's proof is over a day old and its record is gone")]
    ProofStale,
    #[error("buy at least one license per signed-up member ({members})")]
    QuantityBelowMembers { members: i64 },
    #[error("a plan holds at most {cap} licenses")]
    SeatCapExceeded { cap: i32 },
    #[error("the payment did not go through: {0:?}")]
    PaymentDeclined(Decline),
    #[error("this purchase key was used for a different purchase")]
    IdempotencyMismatch,
    #[error("this purchase is still being processed")]
    PurchaseInProgress,
    #[error("another member of the organization is paying for the upgrade")]
    UpgradeInProgressElsewhere,
    #[error("unassign {unassign_first} licenses first")]
    LicensesInUse { unassign_first: i32 },
    #[error("no license is available")]
    NoLicenseAvailable,
    #[error("the meeting is full: it admits at most {limit} participants")]
    MeetingFull { limit: i32 },
    #[error("your organization's admin has blocked sign-in to this account")]
    SignInBlocked,
    #[error("choose a new password to finish signing in")]
    PasswordChangeRequired,
    #[error("choose a password: this browser did not start the sign-up")]
    SignUpPasswordNeeded,
    #[error("the address must be on one of the organization's domains: {domains:?}")]
    DomainNotAllowed { domains: Vec<String> },
    #[error("someone with this address is already in Tenantry")]
    AddressTaken,
    #[error("the organization needs at least one global admin")]
    LastGlobalAdmin,
    #[error("the invitation link is no longer valid")]
    InvitationInvalid,
    #[error("the organization's policy asks for passwords of at least {min} characters")]
    PasswordBelowPolicy { min: i32 },
    #[error("the organization only admits people its admin adds")]
    SignUpClosed {
        /// Who to contact, when known.
        admin: Option<String>,
    },
    #[error("the organization does not allow guests in its meetings")]
    GuestsNotAllowed,
    #[error("{field} must be between {min} and {max}")]
    PolicyOutOfBounds { field: String, min: i32, max: i32 },
    #[error("the phone sign-in link is no longer valid")]
    PhoneLinkInvalid,
    #[error("another organization holds this domain")]
    DomainOwnedElsewhere,
    #[error("some rows cannot be added: {rows:?}")]
    RowsRefused { rows: Vec<RowProblem> },
    #[error("{people} people use this domain")]
    DomainInUse { people: i64 },
    #[error("sign in to continue")]
    Unauthorized,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("too many attempts; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// A new code was asked for within a minute of the last one, which still works.
    #[error("a new code can be sent in {retry_after_secs} s")]
    ResendTooSoon { retry_after_secs: u64 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("something went wrong on our side")]
    Internal,
    /// The request never reached the server function or its answer could not be read.
    #[error("the request failed: {0}")]
    Request(String),
}

impl AppError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::WrongCredentials => 401,
            AppError::CodeWrong | AppError::CodeExpired | AppError::CodeAttemptsSpent => 422,
            AppError::OrganizationManaged { .. } => 409,
            AppError::ChallengeExpired => 410,
            AppError::DomainNotVerified | AppError::ProofStale => 409,
            AppError::QuantityBelowMembers { .. } | AppError::SeatCapExceeded { .. } => 422,
            AppError::PaymentDeclined(_) => 402,
            AppError::IdempotencyMismatch => 422,
            AppError::PurchaseInProgress | AppError::UpgradeInProgressElsewhere => 409,
            AppError::LicensesInUse { .. } | AppError::NoLicenseAvailable => 409,
            AppError::MeetingFull { .. } => 409,
            AppError::SignInBlocked => 403,
            AppError::PasswordChangeRequired | AppError::SignUpPasswordNeeded => 409,
            AppError::DomainNotAllowed { .. } => 422,
            AppError::AddressTaken | AppError::LastGlobalAdmin => 409,
            AppError::InvitationInvalid | AppError::PhoneLinkInvalid => 410,
            AppError::PasswordBelowPolicy { .. } | AppError::PolicyOutOfBounds { .. } => 422,
            AppError::SignUpClosed { .. } | AppError::GuestsNotAllowed => 403,
            AppError::DomainOwnedElsewhere | AppError::DomainInUse { .. } => 409,
            AppError::RowsRefused { .. } => 422,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::TooManyAttempts { .. } | AppError::ResendTooSoon { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Request(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %error, "database unreachable");
                AppError::Unavailable
            }
            // Text PostgreSQL cannot hold (a NUL character): the input's fault, not the server's.
            sqlx::Error::Database(database) if database.code().as_deref() == Some("22021") => {
                AppError::Request("the text holds a character that cannot be stored".to_owned())
            }
            other => {
                tracing::error!(error = ?other, "database error");
                AppError::Internal
            }
        }
    }
}

impl AppError {
    /// When a client may try again, in seconds, for `Retry-After`: a limit's reopening, or a
    /// short wait while the database cannot be reached.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::ResendTooSoon { retry_after_secs } => Some(*retry_after_secs),
            AppError::Unavailable => Some(5),
            _ => None,
        }
    }

    /// A purchase refused because the domain must be proven (again) first: the wizard went
    /// back to its domain step.
    pub fn needs_fresh_proof(&self) -> bool {
        matches!(
            self,
            AppError::ProofStale | AppError::DomainNotVerified | AppError::ChallengeExpired
        )
    }
}

/// Handlers outside Leptos (downloads, webhooks) answer a failure with its status and message.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status_code())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after_secs().map(|secs| secs.to_string());
        let mut response = (status, self.to_string()).into_response();
        if let Some(Ok(value)) = retry_after.map(|secs| http::HeaderValue::from_str(&secs)) {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
        response
    }
}
