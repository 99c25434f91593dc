//! The people of an organization as admins see and change them. Every function is scoped to the
//! admin's own organization: a person of another organization is not found.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{invitations, mails, PersonStatus, ResetOutcome};
use crate::accounts::{self, passwords, session, Member};
use crate::core::clock;
use crate::core::error::AppError;
use crate::core::locale::locale_of_tag;
use crate::core::outbox;
use crate::core::secrets;
use crate::core::state::Core;
use crate::domain::Password;
use crate::licensing::seats;
use crate::organizations::{self, Role};

/// How long a removed person can be restored; after that their personal data is erased.
pub const RESTORE_WITHIN: Duration = Duration::days(30);
/// The target of an admin action, locked for the rest of the transaction.
pub(super) struct Target {
    pub(super) id: Uuid,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) status: PersonStatus,
    pub(super) locale: String,
}

/// Locks a person of the admin's organization and checks that the admin may act on them: a
/// user admin acts on people without an admin role only.
pub(super) async fn target(
    tx: &mut PgConnection,
    admin: &Member,
    id: Uuid,
) -> Result<Target, AppError> {
    let row = sqlx::query!(
        "select id, email, display_name, role, status, locale from members
          where id = $1 and organization_id = $2 for update",
        id,
        admin.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let target = Target {
        id: row.id,
        email: row.email,
        name: row.display_name,
        role: Role::stored(&row.role)?,
        status: PersonStatus::stored(&row.status)?,
        locale: row.locale,
    };
    if target.role.is_admin() && !admin.role.is_global_admin() {
        return Err(AppError::Forbidden);
    }
    Ok(target)
}

/// Refuses to leave the organization without an active global admin once `target` stops being
/// one. Locks the organization first, so two admins demoting each other at once cannot both
/// succeed.
async fn keep_a_global_admin(
    tx: &mut PgConnection,
    organization_id: Uuid,
    target: &Target,
) -> Result<(), AppError> {
    if !target.role.is_global_admin() {
        return Ok(());
    }
    organizations::service::lock(tx, organization_id).await?;
    let others = sqlx::query_scalar!(
        r#"select count(*) as "count!" from members
            where organization_id = $1 and role = $2 and status = 'active' and id <> $3"#,
        organization_id,
        Role::GlobalAdmin.as_str(),
        target.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if others == 0 {
        return Err(AppError::LastGlobalAdmin);
    }
    Ok(())
}

/// Removes a person: every session ends at once, their license is freed, the meetings they
/// organize are cancelled (people who joined them are told), and they cannot sign in. They can
/// be restored for 30 days. Removing someone already removed changes nothing.
pub async fn remove(core: &Core, admin: &Member, id: Uuid) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status == PersonStatus::Removed {
        return Ok(());
    }
    keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
    sqlx::query!(
        "update members set status = 'removed', status_before_removal = status, removed_at = $2
          where id = $1",
        id,
        now
    )
    .execute(&mut *tx)
    .await?;
    let licensed = seats::revoke(&mut tx, id, now).await?;
    session::end_all(&mut *tx, id).await?;
    invitations::revoke(&mut tx, id).await?;
    let cancelled = cancel_meetings(&mut tx, &target, now).await?;
    admin.audit_and_commit(tx, "person.removed",
            json!({ "member": id, "email": target.email, "license_freed": licensed, "meetings_cancelled": cancelled }), now).await?;
    Ok(())
}

/// Cancels the meetings `organizer` has not held yet, and their personal room, and mails the
/// colleagues who joined the organizer's meetings before; returns how many scheduled meetings
/// were cancelled.
async fn cancel_meetings(
    tx: &mut PgConnection,
    organizer: &Target,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    // Read before the meetings go: their participants go with them.
    let colleagues = sqlx::query!(
        "select distinct m.email, m.locale from participants p
           join meetings g on g.id = p.meeting_id
           join members m on m.id = p.member_id
          where g.organizer_id = $1 and m.id <> $1 and m.status = 'active'",
        organizer.id
    )
    .fetch_all(&mut *tx)
    .await?;
    let cancelled = sqlx::query!(
        "delete from meetings where organizer_id = $1 and (personal or starts_at > $2)
         returning title, starts_at, personal",
        organizer.id,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    let scheduled: Vec<_> = cancelled
        .iter()
        .filter(|meeting| !meeting.personal)
        .collect();
    for colleague in &colleagues {
        let locale = locale_of_tag(&colleague.locale);
        for meeting in &scheduled {
            let mail = mails::meeting_cancelled(
                locale,
                &colleague.email,
                &organizer.name,
                &meeting.title,
                &clock::minute(meeting.starts_at),
            );
            outbox::enqueue(&mut *tx, &mail, now).await?;
        }
    }
    Ok(scheduled.len())
}

/// Restores a person removed less than 30 days ago as they were (active, blocked, or invited
/// with a new invitation), with a license when one is free. Returns whether they got one.
pub async fn restore(core: &Core, admin: &Member, id: Uuid) -> Result<bool, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Removed {
        return Ok(false);
    }
    let restored = sqlx::query_scalar!(
        "update members set status = status_before_removal, status_before_removal = null,
                removed_at = null
          where id = $1 and removed_at > $2
         returning status",
        id,
        now - RESTORE_WITHIN
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    // Their invitation went with the removal; they get a new one.
    if PersonStatus::stored(&restored)? == PersonStatus::Invited {
        invitations::send(&mut tx, &core.settings, admin, id, now).await?;
    }
    let licensed = match seats::grant(&mut tx, admin.organization_id, id, now).await {
        Ok(granted) => granted,
        Err(AppError::NoLicenseAvailable) => false,
        Err(other) => return Err(other),
    };
    admin
        .audit_and_commit(
            tx,
            "person.restored",
            json!({ "member": id, "licensed": licensed }),
            now,
        )
        .await?;
    Ok(licensed)
}

/// Blocks or unblocks a person's sign-in; blocking ends their sessions at once.
pub async fn set_blocked(
    core: &Core,
    admin: &Member,
    id: Uuid,
    blocked: bool,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    let (from, to) = if blocked {
        (PersonStatus::Active, PersonStatus::Blocked)
    } else {
        (PersonStatus::Blocked, PersonStatus::Active)
    };
    if target.status == to {
        return Ok(());
    }
    if target.status != from {
        return Err(AppError::NotFound);
    }
    if blocked {
        if id == admin.id {
            return Err(AppError::Forbidden);
        }
        keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
        session::end_all(&mut *tx, id).await?;
    }
    sqlx::query!(
        "update members set status = $2 where id = $1",
        id,
        to.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let kind = if blocked {
        "person.blocked"
    } else {
        "person.unblocked"
    };
    admin
        .audit_and_commit(tx, kind, json!({ "member": id }), now)
        .await?;
    Ok(())
}

/// Gives a person another role (global admins only); the person is told by mail, and signed
/// out everywhere when the new role is an admin role.
pub async fn set_role(core: &Core, admin: &Member, id: Uuid, role: Role) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.role == role {
        return Ok(());
    }
    if target.status == PersonStatus::Removed {
        return Err(AppError::NotFound);
    }
    keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
    sqlx::query!(
        "update members set role = $2 where id = $1",
        id,
        role.as_str()
    )
    .execute(&mut *tx)
    .await?;
    // An admin role starts from a fresh sign-in: a session opened before it, perhaps by a phone
    // link a user admin made for the person, never gains it.
    if role.is_admin() {
        session::end_all(&mut *tx, id).await?;
    }
    let mail = mails::role_changed(
        &core.settings,
        locale_of_tag(&target.locale),
        &target.email,
        &admin.display_name,
        role,
    );
    outbox::enqueue(&mut tx, &mail, now).await?;
    admin
        .audit_and_commit(
            tx,
            "person.role_changed",
            json!({ "member": id, "from": target.role.as_str(), "to": role.as_str() }),
            now,
        )
        .await?;
    Ok(())
}

/// Resets a person's password: a mailed reset link, or a temporary password shown once to the
/// admin that the person must replace at their next sign-in. Either way their sessions end.
pub async fn reset_password(
    core: &Core,
    admin: &Member,
    id: Uuid,
    temporary: bool,
) -> Result<ResetOutcome, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Active && target.status != PersonStatus::Blocked {
        return Err(AppError::NotFound);
    }
    session::end_all(&mut *tx, id).await?;
    let outcome = if temporary {
        let password = secrets::temporary_password();
        let parsed = Password::parse(&password, &[]).map_err(|_| AppError::Internal)?;
        let hash = passwords::hash(&parsed).await?;
        sqlx::query!(
            "update members set password_hash = $2, must_change_password = true where id = $1",
            id,
            hash
        )
        .execute(&mut *tx)
        .await?;
        ResetOutcome::Temporary(password)
    } else {
        accounts::resets::mail_reset(
            &mut tx,
            &core.settings,
            locale_of_tag(&target.locale),
            &target.email,
            &admin.display_name,
            now,
        )
        .await?;
        ResetOutcome::Mailed
    };
    let how = if temporary { "temporary" } else { "mailed" };
    admin
        .audit_and_commit(
            tx,
            "person.password_reset",
            json!({ "member": id, "how": how }),
            now,
        )
        .await?;
    Ok(outcome)
}

/// Gives a person a license, or takes theirs back.
pub async fn set_licensed(
    core: &Core,
    admin: &Member,
    id: Uuid,
    licensed: bool,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status == PersonStatus::Removed {
        return Err(AppError::NotFound);
    }
    let changed = if licensed {
        seats::grant(&mut tx, admin.organization_id, id, now).await?
    } else {
        seats::revoke(&mut tx, id, now).await?
    };
    if changed {
        let kind = if licensed {
            "license.assigned"
        } else {
            "license.unassigned"
        };
        admin
            .audit(&mut tx, kind, json!({ "member": id }), now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Erases the personal data of people removed more than 30 days ago: their name, address and
/// password, and the mail sent to them. The audit trail is append-only and keeps what it
/// recorded (the address of someone added or removed, as an admin's action). Returns how many
/// were erased. Run on a schedule by every server.
pub async fn erase_removed(pool: &PgPool, now: OffsetDateTime) -> Result<u64, AppError> {
    let erased = sqlx::query_scalar!(
        r#"with due as (
             select id, email from members
              where status = 'removed' and removed_at <= $1 and email not like '%@erased.invalid'
              for update),
           erased as (
             update members m set email = m.id::text || '@erased.invalid',
                    display_name = 'Erased person', password_hash = '', last_sign_in_at = null
               from due where m.id = due.id
             returning m.id),
           mail as (delete from outbox o using due where o.recipient = due.email)
           select count(*) as "erased!" from erased"#,
        now - RESTORE_WITHIN
    )
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(erased).unwrap_or_default())
}
