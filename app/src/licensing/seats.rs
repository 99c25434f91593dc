//! Seats: buying more, giving unused ones back, assigning and unassigning them, and the first
//! subscription an upgrade creates. Every change is audited.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::checkout::{self, NewOrder, Paid, Payment, PendingOrder, PurchaseRequest};
use super::idempotency::{idempotent, PurchaseTurns};
use super::{catalogue, Billing, Person, PlanOffer, PurchaseOutcome};
use crate::accounts::Member;
use crate::core::audit;
use crate::core::error::AppError;
use crate::domain::EmailAddress;
use crate::organizations::{self, OrganizationStatus};

/// Everyone in the organization with whether they hold a license, by name.
pub async fn people(
    db: &mut PgConnection,
    organization_id: Uuid,
) -> Result<Vec<(Uuid, Person)>, AppError> {
    let rows = sqlx::query!(
        r#"select m.id, m.display_name, m.email, l.member_id is not null as "licensed!"
             from members m left join licenses l on l.member_id = m.id
            where m.organization_id = $1 order by m.display_name, m.email"#,
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

/// Buys more seats of a plan the organization already has, once per idempotency key.
pub async fn buy_more(
    pool: &PgPool,
    turns: &PurchaseTurns,
    now: OffsetDateTime,
    admin: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let hash = checkout::request_hash("add_seats", request, payment)?;
    idempotent(
        pool,
        turns,
        now,
        admin.id,
        hash,
        key,
        add_seats(pool, now, admin, request, payment),
    )
    .await
}

/// More seats on the organization's subscription of a plan, paid like the upgrade.
async fn add_seats(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<PurchaseOutcome, AppError> {
    if request.quantity < 1 {
        return Err(AppError::Invalid(crate::domain::Invalid::Quantity));
    }
    let mut tx = pool.begin().await?;
    let seats = sqlx::query!(
        "select s.id, s.purchased, s.billing, p.seat_cap, p.name from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and p.id = $2 for update of s",
        admin.organization_id,
        request.plan
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    // Compared as room left, so no quantity a form can carry overflows the sum.
    if request.quantity > seats.seat_cap - seats.purchased {
        return Err(AppError::SeatCapExceeded {
            cap: seats.seat_cap,
        });
    }
    let billing = Billing::stored(&seats.billing)?;
    let plan = catalogue::plan(&mut tx, &request.plan).await?;
    let amount = plan.total(billing, i64::from(request.quantity));
    let order = NewOrder {
        organization_id: admin.organization_id,
        member_id: admin.id,
        plan_id: &plan.id,
        billing,
        quantity: request.quantity,
        amount: &amount,
        kind: "add_seats",
    };
    match checkout::pay(pool, tx, now, &order, &plan.name, payment).await? {
        Paid::Now { mut tx, order_id } => {
            apply_add_seats(
                &mut tx,
                now,
                order_id,
                admin.organization_id,
                admin.id,
                seats.id,
                request.quantity,
            )
            .await?;
            tx.commit().await?;
            Ok(order.outcome(&plan.name, order_id, None))
        }
        Paid::Later {
            order_id,
            checkout_url,
        } => Ok(order.outcome(&plan.name, order_id, Some(checkout_url))),
    }
}

pub async fn apply_add_seats(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order_id: Uuid,
    organization_id: Uuid,
    buyer: Uuid,
    subscription_id: Uuid,
    quantity: i32,
) -> Result<(), AppError> {
    let purchased = sqlx::query_scalar!(
        "update subscriptions set purchased = purchased + $2 where id = $1 returning purchased",
        subscription_id,
        quantity
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        organization_id,
        Some(buyer),
        "licenses.added",
        json!({ "order": order_id, "subscription": subscription_id, "added": quantity, "purchased": purchased }),
        now,
    )
    .await?;
    record_usage(tx, organization_id, now).await
}

/// Removes `quantity` unassigned seats of `plan`; never below the assigned ones.
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
    let seats = sqlx::query!(
        "select s.id, s.purchased, s.assigned from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and (p.id = $2 or p.name = $2) for update of s",
        admin.organization_id,
        plan
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let remaining = seats.purchased - quantity;
    if remaining < seats.assigned {
        return Err(AppError::LicensesInUse {
            unassign_first: seats.assigned - remaining,
        });
    }
    sqlx::query!(
        "update subscriptions set purchased = $2 where id = $1",
        seats.id,
        remaining
    )
    .execute(&mut *tx)
    .await?;
    admin
        .audit(
            &mut tx,
            "licenses.removed",
            json!({ "subscription": seats.id, "removed": quantity, "purchased": remaining }),
            now,
        )
        .await?;
    record_usage(&mut tx, admin.organization_id, now).await?;
    tx.commit().await?;
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

/// Assigns a license to a colleague.
pub async fn assign(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    email: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let member_id = colleague(&mut tx, admin, email).await?;
    if !grant(&mut tx, admin.organization_id, member_id, now).await? {
        // Already licensed: nothing to change.
        return Ok(());
    }
    license_changed(tx, admin, "license.assigned", member_id, now).await
}

/// Gives `member_id` a license from the first subscription with one free, inside the caller's
/// transaction; false when they already hold one. The seat count and the assignment change in
/// one statement each, guarded by `CHECK (assigned <= purchased)` and one license per member,
/// so concurrent assignments can never oversell.
pub async fn grant(
    tx: &mut PgConnection,
    organization_id: Uuid,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let held = sqlx::query_scalar!(
        r#"select exists(select 1 from licenses where member_id = $1) as "held!""#,
        member_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if held {
        return Ok(false);
    }
    let subscription = sqlx::query_scalar!(
        "update subscriptions set assigned = assigned + 1
          where id = (select id from subscriptions where organization_id = $1 and assigned < purchased
                      order by created_at limit 1)
            and assigned < purchased
          returning id",
        organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NoLicenseAvailable)?;
    let inserted = sqlx::query!(
        "insert into licenses (member_id, subscription_id, assigned_at) values ($1, $2, $3)
         on conflict (member_id) do nothing",
        member_id,
        subscription,
        now
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Licensed by a concurrent request meanwhile: the seat taken above goes back.
        sqlx::query!(
            "update subscriptions set assigned = assigned - 1 where id = $1",
            subscription
        )
        .execute(&mut *tx)
        .await?;
    }
    record_usage(tx, organization_id, now).await?;
    Ok(inserted == 1)
}

/// Takes `member_id`'s license back inside the caller's transaction; false when they held none.
pub async fn revoke(
    tx: &mut PgConnection,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let Some(subscription) = sqlx::query_scalar!(
        "delete from licenses where member_id = $1 returning subscription_id",
        member_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let organization_id = sqlx::query_scalar!(
        "update subscriptions set assigned = assigned - 1 where id = $1 returning organization_id",
        subscription
    )
    .fetch_one(&mut *tx)
    .await?;
    record_usage(tx, organization_id, now).await?;
    Ok(true)
}

/// Notes the organization's licenses purchased and in use today, after a change, inside its
/// transaction: the day's last change leaves the day's figures.
pub async fn record_usage(
    tx: &mut PgConnection,
    organization_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"insert into license_usage (organization_id, day, purchased, assigned)
           select $1, $2, coalesce(sum(purchased), 0)::int, coalesce(sum(assigned), 0)::int
             from subscriptions where organization_id = $1
           on conflict (organization_id, day) do update
              set purchased = excluded.purchased, assigned = excluded.assigned"#,
        organization_id,
        now.date()
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Audits a change of a colleague's license and commits it.
async fn license_changed(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    admin: &Member,
    kind: &str,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    admin
        .audit(&mut tx, kind, json!({ "member": member_id }), now)
        .await?;
    tx.commit().await?;
    Ok(())
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
    license_changed(tx, admin, "license.unassigned", member_id, now).await
}

/// Whether a paid order for more seats can still be applied: the organization is managed and
/// the plan's cap holds, counting what other orders added meanwhile. Locks the subscription.
pub async fn can_add(tx: &mut PgConnection, order: &PendingOrder) -> Result<bool, AppError> {
    let seats = sqlx::query!(
        "select s.purchased, p.seat_cap from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 and s.plan_id = $2 for update of s",
        order.organization_id,
        order.plan_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let managed = organizations::service::status(&mut *tx, order.organization_id).await?
        == OrganizationStatus::Managed;
    Ok(managed && seats.is_some_and(|seats| order.quantity <= seats.seat_cap - seats.purchased))
}

/// Applies a paid order for more seats, settled by the payment provider.
pub async fn apply_paid_order(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order: &PendingOrder,
) -> Result<(), AppError> {
    let subscription = sqlx::query_scalar!(
        "select id from subscriptions where organization_id = $1 and plan_id = $2 for update",
        order.organization_id,
        order.plan_id
    )
    .fetch_one(&mut *tx)
    .await?;
    apply_add_seats(
        &mut *tx,
        now,
        order.id,
        order.organization_id,
        order.member_id,
        subscription,
        order.quantity,
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
    let subscription_id = sqlx::query_scalar!(
        "insert into subscriptions (organization_id, plan_id, billing, purchased, assigned, created_at)
         values ($1, $2, $3, $4, 0, $5) returning id",
        organization_id,
        plan.id,
        billing.as_str(),
        quantity,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let licensed = sqlx::query!(
        "insert into licenses (member_id, subscription_id, assigned_at)
         select id, $2, $3 from members where organization_id = $1
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
    sqlx::query!(
        "update subscriptions set assigned = $2 where id = $1",
        subscription_id,
        licensed
    )
    .execute(&mut *tx)
    .await?;
    record_usage(tx, organization_id, now).await?;
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
