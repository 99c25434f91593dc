//! The texts of the admin center's mail, in the recipient's language, to the stored address `to`.

use crate::accounts::Member;
use crate::core::outbox::{fill, Mail, OnBehalfOf};
use crate::core::state::Settings;
use crate::domain::EmailAddress;
use crate::i18n::{td_string, Locale};
use crate::organizations::Role;

pub fn invitation(
    locale: Locale,
    to: &str,
    name: &str,
    admin: &Member,
    organization: &str,
    link: &str,
) -> Mail {
    let values = [
        ("name", name),
        ("admin", admin.display_name.as_str()),
        ("organization", organization),
        ("link", link),
    ];
    Mail::new(
        to,
        fill(td_string!(locale, mail.invitation_subject), &values),
        fill(td_string!(locale, mail.invitation_body), &values),
    )
}

pub fn role_changed(
    settings: &Settings,
    locale: Locale,
    to: &str,
    admin: &str,
    role: Role,
) -> Mail {
    let role_name = match role {
        Role::Member => td_string!(locale, people.role_member),
        Role::GlobalAdmin => td_string!(locale, people.role_global_admin),
        Role::BillingAdmin => td_string!(locale, people.role_billing_admin),
        Role::UserAdmin => td_string!(locale, people.role_user_admin),
    };
    // A member no longer reaches the admin center: point them at the apps instead.
    let (place, path) = match role {
        Role::Member => (td_string!(locale, mail.role_place_apps), "/"),
        _ => (td_string!(locale, mail.role_place_admin), "/admin"),
    };
    let link = format!("{}{path}", settings.public_url);
    let values = [
        ("role", role_name),
        ("admin", admin),
        ("place", place),
        ("link", link.as_str()),
    ];
    Mail::new(
        to,
        fill(td_string!(locale, mail.role_subject), &values),
        fill(td_string!(locale, mail.role_body), &values),
    )
}

/// Tells a person that an admin made a link signing a phone in as them, so one they did not ask
/// for does not go unnoticed; the link itself is not in it.
pub fn phone_link_made(settings: &Settings, locale: Locale, to: &str, admin: &str) -> Mail {
    let link = format!("{}/account/devices", settings.public_url);
    let minutes = crate::accounts::phone::LIFETIME.whole_minutes().to_string();
    let values = [
        ("admin", admin),
        ("minutes", minutes.as_str()),
        ("link", link.as_str()),
    ];
    Mail::new(
        to,
        fill(td_string!(locale, mail.phone_link_subject), &values),
        fill(td_string!(locale, mail.phone_link_body), &values),
    )
}

pub fn meeting_cancelled(
    locale: Locale,
    to: &str,
    organizer: &str,
    title: &str,
    starts: &str,
) -> Mail {
    let values = [
        ("organizer", organizer),
        ("title", title),
        ("starts", starts),
    ];
    Mail::new(
        to,
        fill(td_string!(locale, mail.meeting_cancelled_subject), &values),
        fill(td_string!(locale, mail.meeting_cancelled_body), &values),
    )
}

/// An admin's message to a colleague, framed so the recipient knows who wrote it and how it
/// reached them; replies go to the admin.
pub fn message(
    locale: Locale,
    to: &str,
    admin: &Member,
    organization: &str,
    subject: &str,
    body: &str,
) -> Mail {
    let admin_email = EmailAddress::display_stored(&admin.email);
    let values = [
        ("admin", admin.display_name.as_str()),
        ("admin_email", admin_email.as_str()),
        ("organization", organization),
    ];
    let mut mail = Mail::new(
        to,
        subject,
        format!(
            "{}\n\n{body}\n\n-- \n{}",
            fill(td_string!(locale, mail.message_intro), &values),
            fill(td_string!(locale, mail.message_footer), &values)
        ),
    );
    mail.on_behalf_of = Some(OnBehalfOf {
        name: admin.display_name.clone(),
        reply_to: admin.email.clone(),
    });
    mail
}
