//! The organization's policies as admins change them: each change audited, in effect on the
//! next request on every server; and the actions on everyone else at once.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{EveryoneElse, PoliciesView};
use crate::accounts::{session, Member};
use crate::core::error::AppError;
use crate::organizations;
use crate::policies::{self, Policies};

/// The organization's policies, and the most participants its plans allow (the ceiling of the
/// meetings policy).
pub async fn policies(pool: &PgPool, admin: &Member) -> Result<PoliciesView, AppError> {
    Ok(PoliciesView {
        policies: policies::store::of_organization(pool, admin.organization_id).await?,
        plan_limit: plan_limit(pool, admin.organization_id).await?,
    })
}

async fn plan_limit(db: impl sqlx::PgExecutor<'_>, organization_id: Uuid) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce(max(p.meeting_participant_limit), 0) as "limit!" from subscriptions s
             join plans p on p.id = s.plan_id where s.organization_id = $1"#,
        organization_id
    )
    .fetch_one(db)
    .await?)
}

/// Saves new policies: each change audited with its old and new value, in effect on the next
/// request on every server.
pub async fn save_policies(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    new: &Policies,
) -> Result<(), AppError> {
    new.check().map_err(|bounds| AppError::PolicyOutOfBounds {
        field: bounds.field.to_owned(),
        min: bounds.min,
        max: bounds.max,
    })?;
    let mut tx = pool.begin().await?;
    organizations::service::lock(&mut tx, admin.organization_id).await?;
    let ceiling = plan_limit(&mut *tx, admin.organization_id).await?;
    if new.max_participants.is_some_and(|max| max > ceiling) {
        return Err(AppError::PolicyOutOfBounds {
            field: "max_participants".to_owned(),
            min: 1,
            max: ceiling,
        });
    }
    // Sessions the policies have already ended stay ended, however the limits change.
    session::end_expired(&mut *tx, Some(admin.organization_id), now).await?;
    let old = policies::store::save(&mut tx, admin.organization_id, new, now).await?;
    for (policy, from, to) in new.changes_from(&old) {
        admin
            .audit(
                &mut tx,
                "policy.changed",
                serde_json::json!({ "policy": policy, "from": from, "to": to }),
                now,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Applies `what` to everyone in the organization but the admin asking, and records it; returns
/// how many sessions ended (timed-out ones included, which go with them) or people were asked.
pub async fn apply_to_everyone_else(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    what: EveryoneElse,
) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let (organization, asking) = (admin.organization_id, admin.id);
    let (count, kind, counted) = match what {
        EveryoneElse::SignOut => (
            sqlx::query!(
                "with links as (
                     delete from device_links l using members m
                      where m.id = l.member_id and m.organization_id = $1 and m.id <> $2
                        and l.used_at is null)
                 delete from sessions s using members m
                  where m.id = s.member_id and m.organization_id = $1 and m.id <> $2",
                organization,
                asking
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            "policy.signed_everyone_out",
            "sessions",
        ),
        // Asked at their next sign-in, which comes at once: a session they kept would put it off
        // for as long as the session lasts, and one held by whoever knew the old password too.
        EveryoneElse::ChooseNewPassword => (
            sqlx::query_scalar!(
                r#"with asked as (
                     update members set must_change_password = true
                      where organization_id = $1 and id <> $2 and status in ('active', 'blocked')
                      returning id),
                 links as (
                     delete from device_links l using asked a
                      where l.member_id = a.id and l.used_at is null),
                 sessions as (delete from sessions s using asked a where s.member_id = a.id)
                 select count(*) as "asked!" from asked"#,
                organization,
                asking
            )
            .fetch_one(&mut *tx)
            .await?
            .try_into()
            .unwrap_or_default(),
            "policy.new_passwords_required",
            "people",
        ),
    };
    admin
        .audit_and_commit(tx, kind, serde_json::json!({ counted: count }), now)
        .await?;
    Ok(count)
}
