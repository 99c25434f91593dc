//! Seats: giving unused ones back, assigning and unassigning them, and the first subscription
//! an upgrade creates. Every change is audited.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Billing, Person, PlanOffer};
use crate::accounts::Member;
use crate::core::error::AppError;
use crate::domain::EmailAddress;
use crate::organizations::OrganizationStatus;

/// Everyone in the organization but those removed, with whether they hold a license, by name.
pub async fn people(
    db: &mut PgConnection,
    organization_id: Uuid,
) -> Result<Vec<(Uuid, Person)>, AppError> {
    let rows = sqlx::query!(
        r#"select m.id, m.display_name, m.email, l.member_id is not null as "licensed!"
             from members m left join licenses l on l.member_id = m.id
            where m.organization_id = $1 and m.status <> 'removed'
            order by m.display_name, m.email"#,
        organization_id
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.id,
                Person {
                    name: row.display_name,
                    email: EmailAddress::display_stored(&row.email),
                    licensed: row.licensed,
                },
            )
        })
        .collect())
}

/// `quantity` more seats on the subscription, nobody's yet.
pub(super) async fn add_free_seats(
    tx: &mut PgConnection,
    subscription_id: Uuid,
    quantity: i32,
) -> Result<(), AppError> {
    sqlx::query!(
        "insert into seats (subscription_id) select $1 from generate_series(1, $2)",
        subscription_id,
        quantity
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Removes `quantity` unassigned seats of `plan`; never one that someone holds, or that an
/// assignment is taking at this moment.
pub async fn remove(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    plan: &str,
    quantity: i32,
) -> Result<(), AppError> {
    if quantity <= 0 {
        return Err(AppError::NotFound);
    }
    let mut tx = pool.begin().await?;
    let subscription = sqlx::query_scalar!(
        "select s.id from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and (p.id = $2 or p.name = $2) for update of s",
        admin.organization_id,
        plan
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    note_day_start(&mut tx, admin.organization_id, now).await?;
    let removed = sqlx::query_scalar!(
        r#"with free as (
               select id from seats where subscription_id = $1 and member_id is null
                order by id desc limit $2 for update skip locked
           ), gone as (delete from seats where id in (select id from free) returning 1)
           select count(*)::int as "removed!" from gone"#,
        subscription,
        i64::from(quantity)
    )
    .fetch_one(&mut *tx)
    .await?;
    if removed < quantity {
        return Err(AppError::LicensesInUse {
            unassign_first: quantity - removed,
        });
    }
    let remaining = sqlx::query_scalar!(
        "update subscriptions set purchased = purchased - $2 where id = $1 returning purchased",
        subscription,
        quantity
    )
    .fetch_one(&mut *tx)
    .await?;
    admin
        .audit_and_commit(
            tx,
            "licenses.removed",
            json!({ "subscription": subscription, "removed": quantity, "purchased": remaining }),
            now,
        )
        .await?;
    Ok(())
}

/// Assigns a license to a colleague. One statement: the seat and its audit event commit
/// together in a single round trip, the busiest change an admin makes.
pub async fn assign(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    email: &str,
) -> Result<(), AppError> {
    let address = EmailAddress::parse(email)
        .map_err(AppError::Invalid)?
        .as_ascii();
    let outcome = sqlx::query_scalar!(
        r#"with seat as (select * from grant_seat($1, null::uuid, $2, $3)),
                audited as (
                    insert into audit_events (organization_id, member_id, kind, detail, created_at)
                    select $1, $4, 'license.assigned', jsonb_build_object('member', seat.member_id), $3
                      from seat where seat.outcome = 'granted')
           select outcome as "outcome!" from seat"#,
        admin.organization_id,
        address,
        now,
        admin.id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    granted(&outcome)?;
    Ok(())
}

/// What `grant_seat` answered: whether a seat was given now (false when one was held already).
fn granted(outcome: &str) -> Result<bool, AppError> {
    match outcome {
        "granted" => Ok(true),
        "held" => Ok(false),
        "none_free" => Err(AppError::NoLicenseAvailable),
        unknown => {
            tracing::error!(
                outcome = unknown,
                "grant_seat answered what it never should"
            );
            Err(AppError::Internal)
        }
    }
}

/// Gives `member_id`, a member of the organization (else not found), a license from the first
/// subscription with a seat free, inside the caller's transaction; false when they already hold
/// one. One call of `grant_seat` (see its migration): their row is locked first, so two
/// assignments of one person queue, and whether they hold a seat is read after that lock;
/// assignments of different people take different free seats and never wait on each other. A
/// seat is a row, so none can be given twice.
pub async fn grant(
    tx: &mut PgConnection,
    organization_id: Uuid,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let outcome = sqlx::query_scalar!(
        r#"select outcome as "outcome!" from grant_seat($1, $2, null::text, $3)"#,
        organization_id,
        member_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    granted(&outcome)
}

/// Takes `member_id`'s license back inside the caller's transaction; false when they held none.
/// The seat stays purchased and free.
pub async fn revoke(
    tx: &mut PgConnection,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let Some(organization_id) = sqlx::query_scalar!(
        "select s.organization_id from seats se join subscriptions s on s.id = se.subscription_id
          where se.member_id = $1 for update of se",
        member_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    note_day_start(tx, organization_id, now).await?;
    sqlx::query!(
        "update seats set member_id = null, assigned_at = null where member_id = $1",
        member_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

/// Notes the organization's licenses purchased and in use as the day began, before the day's
/// first change, inside that change's transaction: later changes of the day find the row there
/// and write nothing, so they never queue on it. What a day ended with is what the next noted
/// day began with.
pub(super) async fn note_day_start(
    tx: &mut PgConnection,
    organization_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    sqlx::query!(
        "select note_license_day_start($1, $2)",
        organization_id,
        now.date()
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The member of the admin's organization with address `email`; anyone else is not found.
async fn colleague(db: &mut PgConnection, admin: &Member, email: &str) -> Result<Uuid, AppError> {
    let address = EmailAddress::parse(email)
        .map_err(AppError::Invalid)?
        .as_ascii();
    sqlx::query_scalar!(
        "select id from members where email = $1 and organization_id = $2",
        address,
        admin.organization_id
    )
    .fetch_optional(&mut *db)
    .await?
    .ok_or(AppError::NotFound)
}

/// Takes a colleague's license back.
pub async fn unassign(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    email: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let member_id = colleague(&mut tx, admin, email).await?;
    if !revoke(&mut tx, member_id, now).await? {
        return Ok(());
    }
    admin
        .audit_and_commit(
            tx,
            "license.unassigned",
            json!({ "member": member_id }),
            now,
        )
        .await
}

/// The first subscription of a newly managed organization: `quantity` seats, and a license for
/// every member as far as they go, `first` before the others. Returns the subscription and how
/// many licenses were assigned.
pub async fn subscribe(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    organization_id: Uuid,
    first: Uuid,
    plan: &PlanOffer,
    billing: Billing,
    quantity: i32,
) -> Result<(Uuid, i32), AppError> {
    note_day_start(tx, organization_id, now).await?;
    let subscription_id = sqlx::query_scalar!(
        "insert into subscriptions (organization_id, plan_id, billing, purchased, created_at)
         values ($1, $2, $3, $4, $5) returning id",
        organization_id,
        plan.id,
        billing.as_str(),
        quantity,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let licensed = sqlx::query!(
        "insert into seats (subscription_id, member_id, assigned_at)
         select $2, id, $3 from members where organization_id = $1
          order by id = $4 desc, created_at limit $5",
        organization_id,
        subscription_id,
        now,
        first,
        i64::from(quantity)
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let licensed = i32::try_from(licensed).unwrap_or(quantity);
    add_free_seats(tx, subscription_id, quantity - licensed).await?;
    Ok((subscription_id, licensed))
}

/// The most participants a meeting organized by `member` may admit under a plan: the plan's
/// limit (or the organization's lower policy maximum) and the plan's name while they hold a
/// license in a managed organization, else `None`.
pub async fn plan_participant_limit(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
) -> Result<Option<(i32, String)>, AppError> {
    let plan = sqlx::query!(
        r#"select p.name,
                  least(p.meeting_participant_limit, coalesce(pol.max_participants, p.meeting_participant_limit))
                      as "meeting_participant_limit!"
             from licenses l
             join subscriptions s on s.id = l.subscription_id
             join plans p on p.id = s.plan_id
             join organizations o on o.id = s.organization_id
             left join organization_policies pol on pol.organization_id = o.id
            where l.member_id = $1 and o.status = $2"#,
        member_id,
        OrganizationStatus::Managed.as_str()
    )
    .fetch_optional(db)
    .await?;
    Ok(plan.map(|plan| (plan.meeting_participant_limit, plan.name)))
}

#[cfg(test)]
mod tests {
    use super::granted;
    use crate::core::error::AppError;

    #[test]
    fn each_answer_of_grant_seat_has_one_meaning_and_a_strange_one_is_not_a_full_plan() {
        assert_eq!(granted("granted"), Ok(true));
        assert_eq!(granted("held"), Ok(false));
        assert_eq!(granted("none_free"), Err(AppError::NoLicenseAvailable));
        assert_eq!(granted("sold_out"), Err(AppError::Internal));
    }
}
