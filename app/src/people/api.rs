//! The people pages' server functions. Managing people takes a global or user admin; changing
//! roles a global admin; accepting an invitation only its link.

use leptos::prelude::*;

use super::{
    Added, ContactView, InvitationView, PeoplePage, PersonDevices, PersonView, ResetOutcome,
};
use crate::accounts::{PhoneLink, PhoneLinkState};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{
        adding, contact, devices, directory, invitations, service, PeopleFilter,
        INVITATION_CANCELLED,
    },
    crate::core::api::{serve, Public},
    crate::core::request::requester,
    crate::domain::Invalid,
    crate::organizations::{Admin, Role, UserAdmin},
    uuid::Uuid,
};

/// A person's id from a form or address; anything else names nobody.
#[cfg(feature = "ssr")]
fn person_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn parse<T>(result: Result<T, Invalid>) -> Result<T, AppError> {
    result.map_err(AppError::Invalid)
}

/// One page of the people list, filtered as the page's address says.
#[server(name = ListPeople, prefix = "/api", endpoint = "people")]
pub async fn people(
    #[server(default)] search: String,
    #[server(default)] license: String,
    #[server(default)] role: String,
    #[server(default)] status: String,
    #[server(default)] sort: String,
    #[server(default)] after: String,
) -> Result<PeoplePage, AppError> {
    serve(|core, admin: UserAdmin| async move {
        let fields = [
            ("search", search),
            ("license", license),
            ("role", role),
            ("status", status),
            ("sort", sort),
        ];
        let filter = PeopleFilter::from_query(|key| {
            fields
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value.clone())
        });
        directory::list(&core.pool, core.now(), &admin, &filter, Some(&after)).await
    })
    .await
}

/// One person of the admin's organization.
#[server(name = LoadPerson, prefix = "/api", endpoint = "person")]
pub async fn person(id: String) -> Result<PersonView, AppError> {
    serve(|core, admin: UserAdmin| async move {
        directory::person(&core.pool, core.now(), &admin, person_id(&id)?).await
    })
    .await
}

/// Adds a person and mails them an invitation; optionally licensed, in a role.
#[server(prefix = "/api", endpoint = "add_person")]
pub async fn add_person(
    display_name: String,
    email: String,
    #[server(default)] license: Option<String>,
    #[server(default)] role: Option<String>,
) -> Result<Added, AppError> {
    use crate::domain::{DisplayName, EmailAddress};
    serve(|core, admin: UserAdmin| async move {
        let name = parse(DisplayName::parse(&display_name))?;
        let email = parse(EmailAddress::parse(&email))?;
        let role = match role.as_deref().filter(|role| !role.is_empty()) {
            Some(role) => Role::parse(role).ok_or(AppError::Forbidden)?,
            None => Role::Member,
        };
        let licensed = license.is_some_and(|value| !value.is_empty());
        adding::add(
            &core,
            &requester().await?,
            &admin,
            &name,
            &email,
            licensed,
            role,
        )
        .await
    })
    .await
}

/// Adds everyone in a CSV of `name,email[,license]` rows and invites them; all rows or none.
#[server(prefix = "/api", endpoint = "add_people")]
pub async fn add_people(csv: String) -> Result<usize, AppError> {
    serve(|core, admin: UserAdmin| async move {
        adding::add_many(&core, &requester().await?, &admin, &csv).await
    })
    .await
}

/// Mails an invited person a new invitation link.
#[server(prefix = "/api", endpoint = "reinvite_person")]
pub async fn reinvite_person(id: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        adding::reinvite(&core, &admin, person_id(&id)?).await
    })
    .await
}

/// Cancels a pending invitation.
#[server(prefix = "/api", endpoint = "cancel_invitation")]
pub async fn cancel_invitation(id: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        adding::cancel_invitation(&core, &admin, person_id(&id)?).await?;
        leptos_axum::redirect(&format!("/admin/people?{INVITATION_CANCELLED}"));
        Ok(())
    })
    .await
}

/// Removes a person from the organization (restorable for 30 days).
#[server(prefix = "/api", endpoint = "remove_person")]
pub async fn remove_person(id: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        service::remove(&core, &admin, person_id(&id)?).await
    })
    .await
}

/// Restores a removed person; says whether they got a license back.
#[server(prefix = "/api", endpoint = "restore_person")]
pub async fn restore_person(id: String) -> Result<bool, AppError> {
    serve(|core, admin: UserAdmin| async move {
        service::restore(&core, &admin, person_id(&id)?).await
    })
    .await
}

/// Blocks (`blocked` = "true") or unblocks a person's sign-in.
#[server(prefix = "/api", endpoint = "block_person")]
pub async fn block_person(id: String, blocked: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        service::set_blocked(&core, &admin, person_id(&id)?, blocked == "true").await
    })
    .await
}

/// Gives (`licensed` = "true") or takes back a person's license.
#[server(prefix = "/api", endpoint = "license_person")]
pub async fn license_person(id: String, licensed: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        service::set_licensed(&core, &admin, person_id(&id)?, licensed == "true").await
    })
    .await
}

/// Resets a person's password: `how` is "mail" for a mailed link, "temporary" for a password
/// shown once.
#[server(prefix = "/api", endpoint = "reset_person_password")]
pub async fn reset_person_password(id: String, how: String) -> Result<ResetOutcome, AppError> {
    serve(|core, admin: UserAdmin| async move {
        let temporary = match how.as_str() {
            "temporary" => true,
            "mail" => false,
            _ => return Err(AppError::NotFound),
        };
        service::reset_password(&core, &admin, person_id(&id)?, temporary).await
    })
    .await
}

/// Gives a person another role; global admins only.
#[server(prefix = "/api", endpoint = "change_role")]
pub async fn change_role(id: String, role: String) -> Result<(), AppError> {
    serve(|core, admin: Admin| async move {
        let role = Role::parse(&role).ok_or(AppError::NotFound)?;
        service::set_role(&core, &admin, person_id(&id)?, role).await
    })
    .await
}

/// The people a message will go to: `to` lists ids, separated by commas; none means everyone.
#[server(prefix = "/api", endpoint = "message_recipients")]
pub async fn message_recipients(#[server(default)] to: String) -> Result<ContactView, AppError> {
    serve(|core, admin: UserAdmin| async move {
        let ids = recipient_ids(&to)?;
        directory::recipients(&core.pool, core.now(), &admin, &ids).await
    })
    .await
}

/// Sends an admin's message to the people `to` names (comma-separated ids), or to everyone when
/// it is empty. Returns how many it was sent to.
#[server(prefix = "/api", endpoint = "send_message")]
pub async fn send_message(
    #[server(default)] to: String,
    subject: String,
    body: String,
) -> Result<usize, AppError> {
    serve(|core, admin: UserAdmin| async move {
        let message = parse(contact::Message::parse(&subject, &body))?;
        let ids = recipient_ids(&to)?;
        let recipients = if ids.is_empty() {
            contact::Recipients::Everyone
        } else {
            contact::Recipients::Chosen(ids)
        };
        contact::send(&core, &admin, &message, &recipients).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn recipient_ids(to: &str) -> Result<Vec<Uuid>, AppError> {
    to.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(person_id)
        .collect()
}

/// Whom an invitation link is for, while it works.
#[server(name = LoadInvitation, prefix = "/api", endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    serve(|core, _: Public| async move { invitations::view(&core, &token).await }).await
}

/// Accepts an invitation with the password the person chose, and signs them in.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    use crate::domain::Password;
    serve(|core, _: Public| async move {
        let invited = invitations::view(&core, &token).await?;
        let password = parse(Password::parse(&password, &[&invited.email, &invited.name]))?;
        let cookie = invitations::accept(&core, &requester().await?, &token, &password).await?;
        crate::accounts::home_signed_in(cookie)
    })
    .await
}

/// A person's devices and waiting phone links.
#[server(name = LoadPersonDevices, prefix = "/api", endpoint = "person_devices")]
pub async fn person_devices(id: String) -> Result<PersonDevices, AppError> {
    serve(|core, admin: UserAdmin| async move {
        devices::devices(&core, &admin, person_id(&id)?).await
    })
    .await
}

/// Signs one of a person's devices out; with no `device`, all of them.
#[server(prefix = "/api", endpoint = "sign_out_person_device")]
pub async fn sign_out_person_device(
    id: String,
    #[server(default)] device: String,
) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        let device = match device.trim() {
            "" => None,
            device => Some(Uuid::parse_str(device).map_err(|_| AppError::NotFound)?),
        };
        devices::sign_out_devices(&core, &admin, person_id(&id)?, device).await
    })
    .await
}

/// A link, with its QR code, that signs a phone in as the person.
#[server(prefix = "/api", endpoint = "new_person_phone_link")]
pub async fn new_person_phone_link(id: String) -> Result<PhoneLink, AppError> {
    serve(|core, admin: UserAdmin| async move {
        devices::phone_link(&core, &admin, person_id(&id)?).await
    })
    .await
}

/// Whether the person's phone link has been used.
#[server(name = CheckPersonPhoneLink, prefix = "/api", endpoint = "person_phone_link_state")]
pub async fn person_phone_link_state(id: String, link: String) -> Result<PhoneLinkState, AppError> {
    serve(|core, admin: UserAdmin| async move {
        let link = Uuid::parse_str(link.trim()).map_err(|_| AppError::NotFound)?;
        devices::phone_link_state(&core, &admin, person_id(&id)?, link).await
    })
    .await
}

/// Cancels one of the person's waiting phone links.
#[server(prefix = "/api", endpoint = "cancel_person_phone_link")]
pub async fn cancel_person_phone_link(id: String, link: String) -> Result<(), AppError> {
    serve(|core, admin: UserAdmin| async move {
        let link = Uuid::parse_str(link.trim()).map_err(|_| AppError::NotFound)?;
        devices::cancel_phone_link(&core, &admin, person_id(&id)?, link).await
    })
    .await
}
