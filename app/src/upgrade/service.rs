//! The upgrade: pay for one license per member, then, in the payment's transaction, the
//! organization becomes managed with the buyer its admin, everyone is licensed, the wizard
//! finishes, and everyone is told. The test-mode card and the Stripe webhook both end here.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::PurchasePreview;
use crate::accounts::{self, Member};
use crate::core::audit;
use crate::core::error::AppError;
use crate::core::failpoint;
use crate::core::locale::locale_of_tag;
use crate::core::outbox::{self, Mail};
use crate::domain::{DomainName, EmailAddress, Money};
use crate::i18n::td_string;
use crate::licensing::checkout::{self, NewOrder, Paid, Payment, PendingOrder, PurchaseRequest};
use crate::licensing::idempotency::{idempotent, PurchaseTurns};
use crate::licensing::{catalogue, more_seats, seats, Billing, PlanOffer, PurchaseOutcome};
use crate::organizations::service::{lock, lock_unmanaged, make_managed};
use crate::organizations::OrganizationStatus;
use crate::wizard::purchase::{self as wizard, Verified};

/// Plans, prices and who the purchase covers, with a fresh idempotency key for the page.
pub async fn preview(
    pool: &PgPool,
    member: &Member,
    checkout: bool,
) -> Result<PurchasePreview, AppError> {
    let mut db = pool.acquire().await?;
    let wizard = wizard::verified(&mut db, member.id, member.organization_id).await?;
    let domain = sqlx::query_scalar!(
        "select domain from organizations where id = $1",
        member.organization_id
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(PurchasePreview {
        plans: catalogue::offered_from(&mut db, wizard.entry.as_str()).await?,
        members: seats::people(&mut db, member.organization_id)
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect(),
        buyer: member.display_name.clone(),
        domain: DomainName::display_stored(&domain),
        idempotency_key: Uuid::new_v4().to_string(),
        checkout,
    })
}

/// Buys licenses and upgrades the organization, once per idempotency key.
pub async fn purchase(
    pool: &PgPool,
    turns: &PurchaseTurns,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let hash = checkout::request_hash("upgrade", request, payment)?;
    idempotent(
        pool,
        turns,
        now,
        member.id,
        hash,
        key,
        upgrade(pool, now, member, request, payment),
    )
    .await
}

/// Checks, payment, then [`apply`] in the same transaction. The organization row is locked
/// first, so of two members buying at once exactly one is charged; the other finds the
/// organization managed.
async fn upgrade(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<PurchaseOutcome, AppError> {
    let mut tx = pool.begin().await?;
    lock_unmanaged(&mut tx, member.organization_id).await?;
    if checkout::upgrade_at_stripe_by_another(&mut tx, member, now).await? {
        return Err(AppError::UpgradeInProgressElsewhere);
    }
    let wizard = wizard::verified(&mut tx, member.id, member.organization_id).await?;
    if !wizard.is_fresh(now) {
        return Err(AppError::ProofStale);
    }
    let plan = catalogue::offered_from(&mut tx, wizard.entry.as_str())
        .await?
        .into_iter()
        .find(|plan| plan.id == request.plan)
        .ok_or(AppError::NotFound)?;
    let members = seats::people(&mut tx, member.organization_id).await?;
    let signed_up = i64::try_from(members.len()).unwrap_or(i64::MAX);
    if i64::from(request.quantity) < signed_up {
        return Err(AppError::QuantityBelowMembers { members: signed_up });
    }
    if request.quantity > plan.seat_cap {
        return Err(AppError::SeatCapExceeded { cap: plan.seat_cap });
    }
    let amount = plan.total(request.billing, i64::from(request.quantity));
    // Only a purchase that passed its checks closes the member's earlier page at Stripe.
    if let Payment::Checkout { stripe, .. } = payment {
        checkout::close_own_open_upgrades(&mut tx, stripe, member, now).await?;
    }
    wizard::purchase_pending(&mut tx, wizard, now).await?;
    let order = NewOrder {
        organization_id: member.organization_id,
        member_id: member.id,
        plan_id: &plan.id,
        billing: request.billing,
        quantity: request.quantity,
        amount: &amount,
        kind: "upgrade",
    };
    match checkout::pay(pool, tx, now, &order, &plan.name, payment).await? {
        Paid::Now { mut tx, order_id } => {
            failpoint::reach("upgrade.paid").await;
            let paid = PaidUpgrade {
                order_id,
                plan: &plan,
                billing: request.billing,
                quantity: request.quantity,
                amount: &amount,
            };
            apply(&mut tx, now, member, wizard, &paid).await?;
            tx.commit().await?;
            tracing::info!(organization = %member.organization_id, %order_id, "organization upgraded");
            Ok(order.outcome(&plan.name, order_id, None))
        }
        Paid::Later {
            order_id,
            checkout_url,
        } => Ok(order.outcome(&plan.name, order_id, Some(checkout_url))),
    }
}

/// A paid upgrade order.
struct PaidUpgrade<'a> {
    order_id: Uuid,
    plan: &'a PlanOffer,
    billing: Billing,
    quantity: i32,
    amount: &'a Money,
}

/// Everything a paid upgrade causes: a subscription with its seats and a license for every
/// member (the buyer first, as far as the seats go), the organization managed with the buyer
/// its admin, the wizard completed and others superseded, audit, mail. The caller holds the
/// organization's row.
async fn apply(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    buyer: &Member,
    wizard: Verified,
    paid: &PaidUpgrade<'_>,
) -> Result<(), AppError> {
    let organization_id = buyer.organization_id;
    wizard::paid(&mut *tx, wizard, organization_id, buyer.id, now).await?;
    audit::record(
        &mut *tx,
        organization_id,
        Some(buyer.id),
        "order.paid",
        json!({ "order": paid.order_id, "plan": paid.plan.id, "billing": paid.billing.as_str(),
                "quantity": paid.quantity, "amount_minor": paid.amount.minor,
                "currency": paid.amount.currency }),
        now,
    )
    .await?;
    let (subscription, licensed) = seats::subscribe(
        &mut *tx,
        now,
        organization_id,
        buyer.id,
        paid.plan,
        paid.billing,
        paid.quantity,
    )
    .await?;
    audit::record(
        &mut *tx,
        organization_id,
        Some(buyer.id),
        "licenses.assigned",
        json!({ "subscription": subscription, "count": licensed }),
        now,
    )
    .await?;
    make_managed(&mut *tx, now, organization_id, buyer.id).await?;
    wizard::complete(&mut *tx, wizard, organization_id, buyer.id, now).await?;
    tell_everyone(&mut *tx, now, buyer, paid.plan).await
}

/// Mails every member, in their language, that the organization is managed and by whom.
async fn tell_everyone(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    admin: &Member,
    plan: &PlanOffer,
) -> Result<(), AppError> {
    let domain = sqlx::query_scalar!(
        "select domain from organizations where id = $1",
        admin.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let domain = DomainName::display_stored(&domain);
    let recipients = sqlx::query!(
        "select email, locale from members where organization_id = $1",
        admin.organization_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let admin_email = EmailAddress::display_stored(&admin.email);
    let limit = plan.participant_limit.to_string();
    let values = [
        ("domain", domain.as_str()),
        ("admin", admin.display_name.as_str()),
        ("admin_email", admin_email.as_str()),
        ("plan", plan.name.as_str()),
        ("limit", limit.as_str()),
    ];
    let mails: Vec<Mail> = recipients
        .into_iter()
        .map(|recipient| {
            let locale = locale_of_tag(&recipient.locale);
            Mail::new(
                recipient.email,
                outbox::fill(td_string!(locale, mail.upgraded_subject), &values),
                outbox::fill(td_string!(locale, mail.upgraded_body), &values),
            )
        })
        .collect();
    outbox::enqueue_all(&mut *tx, &mails, now).await
}

/// Completes the order of Checkout Session `session`, which the payment provider says was paid
/// `paid`, inside its transaction. An order already settled is left alone, and so is one whose
/// amount or currency differs (recorded); one that can no longer be applied (someone else became
/// the admin meanwhile, someone signed up and would go without a license, or more seats would
/// pass the plan's cap) is marked for refund instead, and the buyer may buy again.
pub async fn complete_order(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    session: &str,
    paid: Option<&Money>,
    reference: &str,
) -> Result<(), AppError> {
    let Some(order) = checkout::pending(&mut *tx, session).await? else {
        return Ok(());
    };
    if paid != Some(&order.amount) {
        return checkout::record_mismatch(&mut *tx, now, &order, paid, reference).await;
    }
    if order.kind != "upgrade" {
        let applicable = more_seats::can_add(&mut *tx, &order).await?;
        checkout::settle(&mut *tx, now, &order, applicable, reference).await?;
        if applicable {
            more_seats::apply_paid_order(&mut *tx, now, &order).await?;
        }
        return Ok(());
    }
    let locked = lock(&mut *tx, order.organization_id).await?;
    let wizard = if locked.status == OrganizationStatus::Managed {
        None
    } else {
        wizard::verified(&mut *tx, order.member_id, order.organization_id)
            .await
            .ok()
    };
    // Someone who signed up while the buyer was at Stripe needs a license the order lacks.
    let members = seats::people(&mut *tx, order.organization_id).await?.len();
    let wizard = match wizard {
        Some(_) if members > usize::try_from(order.quantity).unwrap_or(0) => {
            tracing::warn!(order_id = %order.id, members, quantity = order.quantity,
                "stripe: more members than the paid order's licenses; refund due");
            None
        }
        wizard => wizard,
    };
    checkout::settle(&mut *tx, now, &order, wizard.is_some(), reference).await?;
    let Some(wizard) = wizard else {
        return Ok(());
    };
    let buyer = accounts::member(&mut *tx, order.member_id)
        .await?
        .ok_or(AppError::Internal)?;
    apply_paid(tx, now, &buyer, wizard, &order).await
}

async fn apply_paid(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    buyer: &Member,
    wizard: Verified,
    order: &PendingOrder,
) -> Result<(), AppError> {
    let plan = catalogue::plan(&mut *tx, &order.plan_id).await?;
    let paid = PaidUpgrade {
        order_id: order.id,
        plan: &plan,
        billing: order.billing,
        quantity: order.quantity,
        amount: &order.amount,
    };
    apply(tx, now, buyer, wizard, &paid).await
}
