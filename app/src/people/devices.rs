//! A person's devices as their admin sees them: signing them out, and links that sign a phone in.

use serde_json::json;
use uuid::Uuid;

use super::service::target;
use super::{mails, PersonDevices, PersonStatus};
use crate::accounts::{self, session, Member, PhoneLink, PhoneLinkState};
use crate::core::error::AppError;
use crate::core::locale::locale_of_tag;
use crate::core::outbox;
use crate::core::state::Core;

/// A person's signed-in devices and the phone links waiting for them.
pub async fn devices(core: &Core, admin: &Member, id: Uuid) -> Result<PersonDevices, AppError> {
    let now = core.now();
    let mut db = core.pool.begin().await?;
    target(&mut db, admin, id).await?;
    Ok(PersonDevices {
        devices: accounts::devices::list(&mut *db, id, None, now).await?,
        pending: accounts::phone::pending(&mut *db, id, now).await?,
    })
}

/// Signs one of a person's devices out, or all of them (`device` none), audited.
pub async fn sign_out_devices(
    core: &Core,
    admin: &Member,
    id: Uuid,
    device: Option<Uuid>,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    target(&mut tx, admin, id).await?;
    match device {
        Some(device) => accounts::devices::sign_out(&mut *tx, id, device).await?,
        None => session::end_all(&mut *tx, id).await?,
    }
    admin.audit_and_commit(tx, "device.signed_out",
            json!({ "member": id, "device": device.map(|device| device.to_string()).unwrap_or_else(|| "all".to_owned()) }), now).await?;
    Ok(())
}

/// A link that signs a phone in as the person, made by the admin; only for an active person, who
/// is told by mail.
pub async fn phone_link(core: &Core, admin: &Member, id: Uuid) -> Result<PhoneLink, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Active {
        return Err(AppError::NotFound);
    }
    let link =
        accounts::phone::issue(&mut tx, &core.settings.public_url, id, admin.id, now).await?;
    let notice = mails::phone_link_made(
        &core.settings,
        locale_of_tag(&target.locale),
        &target.email,
        &admin.display_name,
    );
    outbox::enqueue(&mut tx, &notice, now).await?;
    admin
        .audit_and_commit(
            tx,
            "device.phone_link_created",
            json!({ "member": id }),
            now,
        )
        .await?;
    Ok(link)
}

/// Whether a person's phone link has been used.
pub async fn phone_link_state(
    core: &Core,
    admin: &Member,
    id: Uuid,
    link: Uuid,
) -> Result<PhoneLinkState, AppError> {
    let mut db = core.pool.begin().await?;
    target(&mut db, admin, id).await?;
    accounts::phone::state(&mut *db, id, link, core.now()).await
}

/// Cancels a person's waiting phone link.
pub async fn cancel_phone_link(
    core: &Core,
    admin: &Member,
    id: Uuid,
    link: Uuid,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    target(&mut tx, admin, id).await?;
    accounts::phone::cancel(&mut *tx, id, link).await?;
    admin
        .audit_and_commit(
            tx,
            "device.phone_link_cancelled",
            json!({ "member": id }),
            now,
        )
        .await?;
    Ok(())
}
