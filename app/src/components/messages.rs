//! The one place errors become messages: what a person reads for each error, in their language,
//! saying what to do next.

use leptos::prelude::*;

use super::SignInToContinue;
use crate::core::error::{AppError, Decline, Invalid, RowIssue};
use crate::domain::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::i18n::*;

/// The message a person sees for an error, in their language, saying what to do next.
#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Invalid(problem) => view! { <InvalidText problem /> }.into_any(),
        AppError::WrongCredentials => t!(i18n, errors.wrong_credentials).into_any(),
        AppError::CodeWrong => t!(i18n, errors.code_wrong).into_any(),
        AppError::CodeExpired => t!(i18n, errors.code_expired).into_any(),
        AppError::CodeAttemptsSpent => t!(i18n, errors.code_attempts_spent).into_any(),
        AppError::OrganizationManaged { admin: Some(admin) } => t!(
            i18n,
            errors.organization_managed_by,
            admin = move || admin.clone()
        )
        .into_any(),
        AppError::OrganizationManaged { admin: None } => {
            t!(i18n, errors.organization_managed).into_any()
        }
        AppError::ChallengeExpired => t!(i18n, errors.challenge_expired).into_any(),
        AppError::DomainNotVerified => t!(i18n, errors.domain_not_verified).into_any(),
        AppError::ProofStale => t!(i18n, errors.proof_stale).into_any(),
        AppError::QuantityBelowMembers { members } => {
            t!(i18n, errors.quantity_below_members, count = move || members).into_any()
        }
        AppError::SeatCapExceeded { cap } => {
            t!(i18n, errors.seat_cap, cap = move || cap).into_any()
        }
        AppError::PaymentDeclined(decline) => match decline {
            Decline::InvalidNumber => t!(i18n, errors.card_number).into_any(),
            Decline::Expired => t!(i18n, errors.card_expired).into_any(),
            Decline::InvalidCvc => t!(i18n, errors.card_cvc).into_any(),
            Decline::Declined => t!(i18n, errors.card_declined).into_any(),
            Decline::InsufficientFunds => t!(i18n, errors.card_funds).into_any(),
        },
        AppError::IdempotencyMismatch => t!(i18n, errors.idempotency_mismatch).into_any(),
        AppError::PurchaseInProgress => t!(i18n, errors.purchase_in_progress).into_any(),
        AppError::UpgradeInProgressElsewhere => {
            t!(i18n, errors.upgrade_in_progress_elsewhere).into_any()
        }
        AppError::NoLicenseAvailable => t!(i18n, errors.no_license_available).into_any(),
        AppError::LicensesInUse { unassign_first } => {
            t!(i18n, errors.licenses_in_use, count = move || i64::from(unassign_first)).into_any()
        }
        AppError::MeetingFull { limit } => {
            t!(i18n, errors.meeting_full, limit = move || limit).into_any()
        }
        AppError::SignInBlocked => t!(i18n, errors.sign_in_blocked).into_any(),
        AppError::PasswordChangeRequired => t!(i18n, errors.password_change_required).into_any(),
        AppError::SignUpPasswordNeeded => t!(i18n, errors.sign_up_password_needed).into_any(),
        AppError::DomainNotAllowed { domains } => {
            let domains = domains.join(", ");
            t!(
                i18n,
                errors.domain_not_allowed,
                domains = move || domains.clone()
            )
            .into_any()
        }
        AppError::AddressTaken => t!(i18n, errors.address_taken).into_any(),
        AppError::LastGlobalAdmin => t!(i18n, errors.last_global_admin).into_any(),
        AppError::InvitationInvalid => t!(i18n, errors.invitation_invalid).into_any(),
        AppError::PasswordBelowPolicy { min } => {
            t!(i18n, errors.password_below_policy, min = move || min).into_any()
        }
        AppError::SignUpClosed { admin: Some(admin) } => t!(
            i18n,
            errors.sign_up_closed_by,
            admin = move || admin.clone()
        )
        .into_any(),
        AppError::SignUpClosed { admin: None } => t!(i18n, errors.sign_up_closed).into_any(),
        AppError::GuestsNotAllowed => t!(i18n, errors.guests_not_allowed).into_any(),
        AppError::PolicyOutOfBounds { field, min, max } => {
            // The policies form has five number fields: say which one.
            let label = move || {
                let label = match field.as_str() {
                    "max_participants" => t_string!(i18n, policies.max_participants).to_string(),
                    "password_min_length" => t_string!(i18n, policies.password_min_length).to_string(),
                    "session_idle_minutes" => t_string!(i18n, policies.session_idle_minutes).to_string(),
                    "session_max_hours" => t_string!(i18n, policies.session_max_hours).to_string(),
                    "device_days" => t_string!(i18n, policies.device_days).to_string(),
                    _ => return String::new(),
                };
                format!("{label}: ")
            };
            view! {
                {label}
                {t!(
                    i18n,
                    errors.policy_out_of_bounds,
                    min = move || min,
                    max = move || max
                )}
            }
            .into_any()
        }
        AppError::PhoneLinkInvalid => t!(i18n, errors.phone_link_invalid).into_any(),
        AppError::DomainOwnedElsewhere => t!(i18n, errors.domain_owned_elsewhere).into_any(),
        AppError::RowsRefused { rows } => view! {
            {t!(i18n, errors.rows_refused)}
            <ul>
                {rows.into_iter().map(|row| view! {
                    <li>
                        {(row.line > 0).then(|| view! { {t!(i18n, errors.row_line, line = move || row.line)} " " })}
                        <RowIssueText issue=row.problem />
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        AppError::DomainInUse { people } => {
            t!(i18n, errors.domain_in_use, count = move || people).into_any()
        }
        AppError::Unauthorized => view! { <SignInToContinue /> }.into_any(),
        AppError::Forbidden => t!(i18n, errors.forbidden).into_any(),
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::TooManyAttempts { retry_after_secs } => t!(
            i18n,
            errors.too_many_attempts,
            seconds = move || retry_after_secs
        )
        .into_any(),
        AppError::ResendTooSoon { retry_after_secs } => t!(
            i18n,
            errors.resend_too_soon,
            seconds = move || retry_after_secs
        )
        .into_any(),
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::Internal => t!(i18n, errors.internal).into_any(),
        AppError::Request(_) => t!(i18n, errors.request).into_any(),
    }
}

/// What is wrong with a row of a bulk addition.
#[component]
fn RowIssueText(issue: RowIssue) -> impl IntoView {
    let i18n = use_i18n();
    match issue {
        RowIssue::Invalid(problem) => view! { <InvalidText problem /> }.into_any(),
        RowIssue::DomainNotAllowed => t!(i18n, errors.row_domain).into_any(),
        RowIssue::Repeated => t!(i18n, errors.row_repeated).into_any(),
        RowIssue::LicenseValue => t!(i18n, errors.row_license_value).into_any(),
        RowIssue::Taken => t!(i18n, errors.address_taken).into_any(),
        RowIssue::NotEnoughLicenses { wanted, free } => t!(
            i18n,
            errors.row_licenses,
            wanted = move || wanted,
            free = move || free
        )
        .into_any(),
    }
}

/// The message for a refused input.
#[component]
pub fn InvalidText(problem: Invalid) -> impl IntoView {
    let i18n = use_i18n();
    match problem {
        Invalid::EmailMissing => t!(i18n, invalid.email_missing).into_any(),
        Invalid::EmailShape => t!(i18n, invalid.email_shape).into_any(),
        Invalid::EmailLocalPart => t!(i18n, invalid.email_local_part).into_any(),
        Invalid::EmailDomain => t!(i18n, invalid.email_domain).into_any(),
        Invalid::EmailTooLong => t!(i18n, invalid.email_too_long).into_any(),
        Invalid::ConsumerDomain => t!(i18n, invalid.consumer_domain).into_any(),
        Invalid::PublicSuffix => t!(i18n, invalid.public_suffix).into_any(),
        Invalid::SubAddress => t!(i18n, invalid.sub_address).into_any(),
        Invalid::NameMissing => t!(i18n, invalid.name_missing).into_any(),
        Invalid::NameTooLong => t!(i18n, invalid.name_too_long).into_any(),
        Invalid::NameTaken => t!(i18n, invalid.name_taken).into_any(),
        Invalid::PasswordTooShort => t!(
            i18n,
            invalid.password_too_short,
            min = || PASSWORD_MIN_CHARS
        )
        .into_any(),
        Invalid::PasswordTooLong => {
            t!(i18n, invalid.password_too_long, max = || PASSWORD_MAX_CHARS).into_any()
        }
        Invalid::PasswordCommon => t!(i18n, invalid.password_common).into_any(),
        Invalid::CodeShape => t!(i18n, invalid.code_shape).into_any(),
        Invalid::MeetingTitle => t!(i18n, invalid.meeting_title).into_any(),
        Invalid::MeetingTime => t!(i18n, invalid.meeting_time).into_any(),
        Invalid::Quantity => t!(i18n, invalid.quantity).into_any(),
        Invalid::MessageSubject => t!(i18n, invalid.message_subject).into_any(),
        Invalid::MessageBody => t!(i18n, invalid.message_body).into_any(),
        Invalid::NoRecipients => t!(i18n, invalid.no_recipients).into_any(),
        Invalid::TooManyRows => t!(i18n, invalid.too_many_rows).into_any(),
        Invalid::NoRows => t!(i18n, invalid.no_rows).into_any(),
    }
}
