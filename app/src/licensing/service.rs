//! The purchase and the upgrade it causes, in one transaction; seats and their changes.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::payments::{Card, TestMode};
use super::{
    Billing, LicensingView, OrderView, Person, PlanOffer, PurchaseOutcome, PurchasePreview,
    SeatsView,
};
use crate::accounts::Member;
use crate::audit;
use crate::domain::{DomainName, EmailAddress, Money};
use crate::error::AppError;
use crate::mail::outbox::{self, Mail};
use crate::wizard::{Entry, WizardState};

/// What is being bought; the card travels separately and is never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PurchaseRequest {
    pub plan: String,
    pub billing: Billing,
    pub quantity: i32,
}

/// The signed-in member, who must be a global admin: others get 403.
pub async fn require_admin() -> Result<Member, AppError> {
    let member = crate::accounts::require_member().await?;
    if member.role == "global_admin" {
        Ok(member)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn plan_offers(db: &mut PgConnection, entry: Entry) -> Result<Vec<PlanOffer>, AppError> {
    let rows = sqlx::query!(
        "select id, name, currency, monthly_price_minor, annual_price_minor, meeting_participant_limit, seat_cap
           from plans order by annual_price_minor"
    )
    .fetch_all(&mut *db)
    .await?;
    let offered: Vec<&str> = entry
        .plans()
        .iter()
        .map(|plan| match plan {
            crate::wizard::Plan::BusinessBasic => "business_basic",
            crate::wizard::Plan::BusinessStandard => "business_standard",
        })
        .collect();
    Ok(rows
        .into_iter()
        .filter(|row| offered.contains(&row.id.as_str()))
        .map(|row| PlanOffer {
            monthly: Money::new(row.monthly_price_minor, &row.currency),
            annual: Money::new(row.annual_price_minor, &row.currency),
            id: row.id,
            name: row.name,
            participant_limit: row.meeting_participant_limit,
            seat_cap: row.seat_cap,
        })
        .collect())
}

async fn people(
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

struct ReadyWizard {
    id: Uuid,
    entry: Entry,
}

/// The member's wizard, which must have proven the domain.
async fn verified_wizard(db: &mut PgConnection, member: &Member) -> Result<ReadyWizard, AppError> {
    let row = sqlx::query!(
        "select id, entry from wizards
          where member_id = $1 and organization_id = $2 and state in ('domain_verified', 'purchase_pending')",
        member.id,
        member.organization_id
    )
    .fetch_optional(&mut *db)
    .await?
    .ok_or(AppError::DomainNotVerified)?;
    Ok(ReadyWizard {
        id: row.id,
        entry: Entry::parse(&row.entry).unwrap_or(Entry::AdminTile),
    })
}

/// Plans, prices and who the purchase covers, with a fresh idempotency key for the page.
pub async fn preview(pool: &PgPool, member: &Member) -> Result<PurchasePreview, AppError> {
    let mut db = pool.acquire().await?;
    let wizard = verified_wizard(&mut db, member).await?;
    let domain = sqlx::query_scalar!(
        "select domain from organizations where id = $1",
        member.organization_id
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(PurchasePreview {
        plans: plan_offers(&mut db, wizard.entry).await?,
        members: people(&mut db, member.organization_id)
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect(),
        buyer: member.display_name.clone(),
        domain: DomainName::display_stored(&domain),
        idempotency_key: Uuid::new_v4().to_string(),
    })
}

/// Buys licenses and upgrades the organization, once per idempotency key: a replay returns the
/// first outcome, the same key with another purchase is refused, and a retry while the first is
/// running is told so.
pub async fn purchase(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    card: &Card,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(request).map_err(|_| AppError::Internal)?);
    hasher.update(
        card.number
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .as_bytes(),
    );
    hasher.update(card.expiry.trim().as_bytes());
    let request_hash = hasher.finalize().to_vec();
    let key = key.trim();
    if !(8..=100).contains(&key.len()) {
        return Err(AppError::IdempotencyMismatch);
    }

    let claimed = sqlx::query!(
        "insert into idempotency_keys (member_id, key, request_hash, created_at) values ($1, $2, $3, $4)
         on conflict do nothing",
        member.id,
        key,
        request_hash,
        now
    )
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        let earlier = sqlx::query!(
            "select request_hash, response from idempotency_keys where member_id = $1 and key = $2",
            member.id,
            key
        )
        .fetch_one(pool)
        .await?;
        if earlier.request_hash != request_hash {
            return Err(AppError::IdempotencyMismatch);
        }
        let Some(response) = earlier.response else {
            return Err(AppError::PurchaseInProgress);
        };
        return serde_json::from_value::<Result<PurchaseOutcome, AppError>>(response)
            .map_err(|_| AppError::Internal)?;
    }

    let outcome = upgrade(pool, now, member, request, card).await;
    if matches!(outcome, Err(AppError::Internal | AppError::Unavailable)) {
        // Nothing happened that a retry could repeat: let the same key try again.
        sqlx::query!(
            "delete from idempotency_keys where member_id = $1 and key = $2",
            member.id,
            key
        )
        .execute(pool)
        .await?;
        return outcome;
    }
    let status = match &outcome {
        Ok(_) => 200,
        Err(error) => i16::try_from(error.status_code()).unwrap_or(500),
    };
    sqlx::query!(
        "update idempotency_keys set response = $3, response_status = $4 where member_id = $1 and key = $2",
        member.id,
        key,
        serde_json::to_value(&outcome).map_err(|_| AppError::Internal)?,
        status
    )
    .execute(pool)
    .await?;
    outcome
}

/// The upgrade, in one transaction: order paid, subscription with N seats, a license for every
/// member, organization managed, the buyer global admin, other wizards superseded, audit, mail.
/// The organization row is locked first, so of two members buying at once exactly one is
/// charged; the other finds the organization managed.
async fn upgrade(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    card: &Card,
) -> Result<PurchaseOutcome, AppError> {
    let mut tx = pool.begin().await?;
    let organization = sqlx::query!(
        "select domain, status from organizations where id = $1 for update",
        member.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if organization.status == "managed" {
        return Err(crate::wizard::service::already_managed(&mut tx, member.organization_id).await);
    }
    let wizard = verified_wizard(&mut tx, member).await?;
    let plan = plan_offers(&mut tx, wizard.entry)
        .await?
        .into_iter()
        .find(|plan| plan.id == request.plan)
        .ok_or(AppError::NotFound)?;
    let members = people(&mut tx, member.organization_id).await?;
    let signed_up = i64::try_from(members.len()).unwrap_or(i64::MAX);
    if i64::from(request.quantity) < signed_up {
        return Err(AppError::QuantityBelowMembers { members: signed_up });
    }
    if request.quantity > plan.seat_cap {
        return Err(AppError::SeatCapExceeded { cap: plan.seat_cap });
    }
    let amount = plan.total(request.billing, i64::from(request.quantity));

    sqlx::query!(
        "update wizards set state = $2, updated_at = $3 where id = $1",
        wizard.id,
        WizardState::PurchasePending.as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    let receipt = match TestMode.charge(card, &amount, now) {
        Ok(receipt) => receipt,
        Err(decline) => {
            tx.rollback().await?;
            sqlx::query!(
                "insert into orders (organization_id, member_id, plan_id, billing, quantity, amount_minor, currency,
                                     status, payment_provider, payment_reference, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, 'declined', 'test_mode', $8, $9)",
                member.organization_id,
                member.id,
                plan.id,
                request.billing.as_str(),
                request.quantity,
                amount.minor,
                amount.currency,
                format!("{decline:?} ••{}", card.last4()),
                now
            )
            .execute(pool)
            .await?;
            return Err(AppError::PaymentDeclined(decline));
        }
    };

    let order_id = sqlx::query_scalar!(
        "insert into orders (organization_id, member_id, plan_id, billing, quantity, amount_minor, currency,
                             status, payment_provider, payment_reference, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, 'paid', $8, $9, $10) returning id",
        member.organization_id,
        member.id,
        plan.id,
        request.billing.as_str(),
        request.quantity,
        amount.minor,
        amount.currency,
        receipt.provider,
        receipt.reference,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let subscription_id = sqlx::query_scalar!(
        "insert into subscriptions (organization_id, plan_id, billing, purchased, assigned, created_at)
         values ($1, $2, $3, $4, $5, $6) returning id",
        member.organization_id,
        plan.id,
        request.billing.as_str(),
        request.quantity,
        i32::try_from(signed_up).unwrap_or(i32::MAX),
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into licenses (member_id, subscription_id, assigned_at)
         select id, $2, $3 from members where organization_id = $1",
        member.organization_id,
        subscription_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update organizations set status = 'managed' where id = $1",
        member.organization_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update members set role = 'global_admin' where id = $1",
        member.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update wizards set state = 'completed', updated_at = $2 where id = $1",
        wizard.id,
        now
    )
    .execute(&mut *tx)
    .await?;
    let superseded = sqlx::query_scalar!(
        "update wizards set state = 'superseded', updated_at = $3
          where organization_id = $1 and id <> $2 and state not in ('completed', 'abandoned', 'superseded')
          returning id",
        member.organization_id,
        wizard.id,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    for (kind, detail) in [
        ("wizard.purchase_pending", json!({ "wizard": wizard.id })),
        (
            "order.paid",
            json!({ "order": order_id, "plan": plan.id, "billing": request.billing.as_str(),
                    "quantity": request.quantity, "amount_minor": amount.minor, "currency": amount.currency }),
        ),
        (
            "licenses.assigned",
            json!({ "subscription": subscription_id, "count": signed_up }),
        ),
        ("organization.managed", json!({ "admin": member.id })),
        ("wizard.completed", json!({ "wizard": wizard.id })),
        ("wizard.superseded", json!({ "wizards": superseded })),
    ] {
        audit::record(
            &mut tx,
            member.organization_id,
            Some(member.id),
            kind,
            detail,
            now,
        )
        .await?;
    }
    let domain = DomainName::display_stored(&organization.domain);
    let recipients = sqlx::query_scalar!(
        "select email from members where organization_id = $1",
        member.organization_id
    )
    .fetch_all(&mut *tx)
    .await?;
    for recipient in recipients {
        let mail = Mail {
            to: recipient,
            subject: format!("{domain} is now managed on Tenantry"),
            body: format!(
                "Hello,\n\n{admin} ({admin_email}) became the admin of {domain} and bought {plan} for everyone who \
                 signed up. You now hold a license: meetings admit up to {limit} participants, and your personal \
                 meeting settings are kept.\n\nQuestions about your account? Contact {admin}.",
                admin = member.display_name,
                admin_email = EmailAddress::display_stored(&member.email),
                plan = plan.name,
                limit = plan.participant_limit,
            ),
        };
        outbox::enqueue(&mut tx, &mail, now).await?;
    }
    tx.commit().await?;
    tracing::info!(organization = %member.organization_id, %order_id, "organization upgraded");
    Ok(PurchaseOutcome {
        order_id: order_id.to_string(),
        plan: plan.name,
        quantity: request.quantity,
        amount,
    })
}

/// Seats, people and orders of the admin's organization only.
pub async fn overview(pool: &PgPool, admin: &Member) -> Result<LicensingView, AppError> {
    let mut db = pool.acquire().await?;
    let seats = sqlx::query!(
        "select p.name, s.billing, s.purchased, s.assigned from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 order by p.name",
        admin.organization_id
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|row| SeatsView {
        plan: row.name,
        billing: if row.billing == "monthly" { Billing::Monthly } else { Billing::Annual },
        purchased: row.purchased,
        assigned: row.assigned,
    })
    .collect();
    let orders = sqlx::query!(
        "select o.id, o.created_at, p.name, o.quantity, o.amount_minor, o.currency, o.status
           from orders o join plans p on p.id = o.plan_id
          where o.organization_id = $1 order by o.created_at desc",
        admin.organization_id
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|row| OrderView {
        id: row.id.to_string(),
        date: row.created_at.format(&Rfc3339).unwrap_or_default(),
        plan: row.name,
        quantity: row.quantity,
        amount: Money::new(row.amount_minor, &row.currency),
        paid: row.status == "paid",
    })
    .collect();
    Ok(LicensingView {
        seats,
        people: people(&mut db, admin.organization_id)
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect(),
        orders,
    })
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
    audit::record(
        &mut tx,
        admin.organization_id,
        Some(admin.id),
        "licenses.removed",
        json!({ "subscription": seats.id, "removed": quantity, "purchased": remaining }),
        now,
    )
    .await?;
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

/// Assigns a license to a colleague. The seat count and the assignment change in one statement
/// each, guarded by `CHECK (assigned <= purchased)` and one license per member, so concurrent
/// assignments can never oversell.
pub async fn assign(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    email: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let member_id = colleague(&mut tx, admin, email).await?;
    let subscription = sqlx::query_scalar!(
        "update subscriptions set assigned = assigned + 1
          where id = (select id from subscriptions where organization_id = $1 and assigned < purchased
                      order by created_at limit 1)
            and assigned < purchased
          returning id",
        admin.organization_id
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
        // Already licensed: nothing to change.
        return Ok(());
    }
    audit::record(
        &mut tx,
        admin.organization_id,
        Some(admin.id),
        "license.assigned",
        json!({ "member": member_id }),
        now,
    )
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
    let Some(subscription) = sqlx::query_scalar!(
        "delete from licenses where member_id = $1 returning subscription_id",
        member_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    sqlx::query!(
        "update subscriptions set assigned = assigned - 1 where id = $1",
        subscription
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        admin.organization_id,
        Some(admin.id),
        "license.unassigned",
        json!({ "member": member_id }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
