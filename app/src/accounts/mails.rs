//! The texts of account mail, in the language the person used, to the stored address `to`.

#![cfg(feature = "ssr")]

use uuid::Uuid;

use crate::core::outbox::{fill, Mail};
use crate::core::state::Settings;
use crate::domain::EmailAddress;
use crate::i18n::{td_string, Locale};

/// Greets no one by name: the name is the sign-up form's, typed before the address is proven,
/// and would let anyone put words of theirs into a Tenantry mail to any work address.
pub fn sign_up_code(settings: &Settings, locale: Locale, to: &str, id: Uuid, code: &str) -> Mail {
    let link = format!("{}/signup/verify/{id}?code={code}", settings.public_url);
    Mail::new(
        to.to_owned(),
        fill(td_string!(locale, mail.sign_up_subject), &[("code", code)]),
        fill(
            td_string!(locale, mail.sign_up_body),
            &[("code", code), ("link", &link)],
        ),
    )
}

/// To a removed person whose address someone tried to sign up with: only an admin can bring the
/// account back (until it is erased, 30 days after the removal).
pub fn removed_account(locale: Locale, to: &str) -> Mail {
    let email = EmailAddress::display_stored(to);
    Mail::new(
        to.to_owned(),
        td_string!(locale, mail.registered_subject).to_string(),
        fill(td_string!(locale, mail.removed_body), &[("email", &email)]),
    )
}

pub fn already_registered(settings: &Settings, locale: Locale, to: &str) -> Mail {
    let link = format!("{}/signin", settings.public_url);
    let reset = format!("{}/password/forgot", settings.public_url);
    let email = EmailAddress::display_stored(to);
    Mail::new(
        to.to_owned(),
        td_string!(locale, mail.registered_subject).to_string(),
        fill(
            td_string!(locale, mail.registered_body),
            &[("email", &email), ("link", &link), ("reset", &reset)],
        ),
    )
}

/// The reset an admin chose: it says who, that the person was signed out, and where to ask for
/// a new code once this one has expired.
pub fn admin_reset_code(
    settings: &Settings,
    locale: Locale,
    to: &str,
    id: Uuid,
    code: &str,
    admin: &str,
) -> Mail {
    let link = format!("{}/password/reset/{id}?code={code}", settings.public_url);
    let forgot = format!("{}/password/forgot", settings.public_url);
    Mail::new(
        to.to_owned(),
        fill(
            td_string!(locale, mail.admin_reset_subject),
            &[("code", code)],
        ),
        fill(
            td_string!(locale, mail.admin_reset_body),
            &[
                ("admin", admin),
                ("code", code),
                ("link", &link),
                ("forgot", &forgot),
            ],
        ),
    )
}

pub fn reset_code(settings: &Settings, locale: Locale, to: &str, id: Uuid, code: &str) -> Mail {
    let link = format!("{}/password/reset/{id}?code={code}", settings.public_url);
    Mail::new(
        to.to_owned(),
        fill(td_string!(locale, mail.reset_subject), &[("code", code)]),
        fill(
            td_string!(locale, mail.reset_body),
            &[("code", code), ("link", &link)],
        ),
    )
}
