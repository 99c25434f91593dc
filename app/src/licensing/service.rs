//! The purchase and the upgrade it causes, in one transaction; seats and their changes.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::payments::{Card, TestMode};
use super::stripe;
use super::{
    Billing, InvoiceView, LicensingView, OrderStatus, OrderView, Person, PlanOffer,
    PurchaseOutcome, PurchasePreview, SeatsView,
};
use crate::accounts::Member;
use crate::audit;
use crate::domain::{DomainName, EmailAddress, Money};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::mail::outbox::{self, Mail};
use crate::state::StripeSettings;
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

/// Every plan, cheapest first.
async fn plans(db: &mut PgConnection) -> Result<Vec<PlanOffer>, AppError> {
    let rows = sqlx::query!(
        "select id, name, currency, monthly_price_minor, annual_price_minor, meeting_participant_limit, seat_cap
           from plans order by annual_price_minor"
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(rows
        .into_iter()
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

/// The plans a wizard started from `entry` offers.
async fn plan_offers(db: &mut PgConnection, entry: Entry) -> Result<Vec<PlanOffer>, AppError> {
    let offered: Vec<&str> = entry
        .plans()
        .iter()
        .map(|plan| match plan {
            crate::wizard::Plan::BusinessBasic => "business_basic",
            crate::wizard::Plan::BusinessStandard => "business_standard",
        })
        .collect();
    let mut plans = plans(db).await?;
    plans.retain(|plan| offered.contains(&plan.id.as_str()));
    Ok(plans)
}

async fn plan_by_id(db: &mut PgConnection, id: &str) -> Result<PlanOffer, AppError> {
    plans(db)
        .await?
        .into_iter()
        .find(|plan| plan.id == id)
        .ok_or(AppError::NotFound)
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
async fn verified_wizard(
    db: &mut PgConnection,
    member_id: Uuid,
    organization_id: Uuid,
) -> Result<ReadyWizard, AppError> {
    let row = sqlx::query!(
        "select id, entry from wizards
          where member_id = $1 and organization_id = $2 and state in ('domain_verified', 'purchase_pending')",
        member_id,
        organization_id
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
pub async fn preview(
    pool: &PgPool,
    member: &Member,
    checkout: bool,
) -> Result<PurchasePreview, AppError> {
    let mut db = pool.acquire().await?;
    let wizard = verified_wizard(&mut db, member.id, member.organization_id).await?;
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
        checkout,
    })
}

/// How an order is paid.
pub enum Payment<'a> {
    /// The offline test mode charges the card here and now.
    Card(&'a Card),
    /// Stripe Checkout: the order waits for the signed webhook that says it was paid.
    Checkout {
        stripe: &'a StripeSettings,
        public_url: &'a str,
    },
}

impl<'a> Payment<'a> {
    /// Stripe Checkout when it is configured, else the card in test mode.
    pub fn of(settings: &'a crate::state::Settings, card: &'a Card) -> Self {
        match &settings.stripe {
            Some(stripe) => Payment::Checkout {
                stripe,
                public_url: &settings.public_url,
            },
            None => Payment::Card(card),
        }
    }

    fn fingerprint(&self, hasher: &mut Sha256) {
        match self {
            Payment::Card(card) => {
                let digits: String = card.number.chars().filter(char::is_ascii_digit).collect();
                hasher.update(digits.as_bytes());
                hasher.update(card.expiry.trim().as_bytes());
            }
            Payment::Checkout { .. } => hasher.update(b"checkout"),
        }
    }
}

fn request_hash(
    purpose: &str,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<Vec<u8>, AppError> {
    let mut hasher = Sha256::new();
    hasher.update(purpose.as_bytes());
    hasher.update(serde_json::to_vec(request).map_err(|_| AppError::Internal)?);
    payment.fingerprint(&mut hasher);
    Ok(hasher.finalize().to_vec())
}

/// Buys licenses and upgrades the organization, once per idempotency key.
pub async fn purchase(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let hash = request_hash("upgrade", request, payment)?;
    idempotent(
        pool,
        now,
        member,
        hash,
        key,
        upgrade(pool, now, member, request, payment),
    )
    .await
}

/// Buys more seats of a plan the organization already has, once per idempotency key.
pub async fn buy_more(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
    key: &str,
) -> Result<PurchaseOutcome, AppError> {
    let hash = request_hash("add_seats", request, payment)?;
    idempotent(
        pool,
        now,
        admin,
        hash,
        key,
        add_seats(pool, now, admin, request, payment),
    )
    .await
}

/// Runs `purchase` once per key, as Stripe and the IETF Idempotency-Key draft do: a replay
/// returns the first outcome, the same key with another request is refused, and a retry while
/// the first is running is told so.
async fn idempotent(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request_hash: Vec<u8>,
    key: &str,
    purchase: impl std::future::Future<Output = Result<PurchaseOutcome, AppError>>,
) -> Result<PurchaseOutcome, AppError> {
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

    let outcome = purchase.await;
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

/// An order about to be stored.
struct NewOrder<'a> {
    organization_id: Uuid,
    member_id: Uuid,
    plan_id: &'a str,
    billing: Billing,
    quantity: i32,
    amount: &'a Money,
    kind: &'a str,
}

impl NewOrder<'_> {
    /// What the buyer is told about the order once stored.
    fn outcome(&self, plan: &str, order_id: Uuid, checkout_url: Option<String>) -> PurchaseOutcome {
        PurchaseOutcome {
            order_id: order_id.to_string(),
            plan: plan.to_owned(),
            quantity: self.quantity,
            amount: self.amount.clone(),
            checkout_url,
        }
    }
}

/// Stores an order; a paid one gets the next invoice number.
async fn insert_order(
    db: impl sqlx::PgExecutor<'_>,
    order: &NewOrder<'_>,
    status: &str,
    provider: &str,
    reference: &str,
    now: OffsetDateTime,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar!(
        "insert into orders (organization_id, member_id, plan_id, billing, quantity, amount_minor, currency,
                             status, payment_provider, payment_reference, kind, created_at, paid_at, invoice_number)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 case when $8 = 'paid' then $12::timestamptz end,
                 case when $8 = 'paid' then nextval('invoice_numbers') end)
         returning id",
        order.organization_id,
        order.member_id,
        order.plan_id,
        order.billing.as_str(),
        order.quantity,
        order.amount.minor,
        order.amount.currency,
        status,
        provider,
        reference,
        order.kind,
        now
    )
    .fetch_one(db)
    .await?)
}

/// Charges the card now, or opens a Stripe Checkout Session for a pending order. `tx` holds what
/// must happen with a card payment; with Checkout it is committed with the pending order.
async fn pay<'t>(
    pool: &PgPool,
    mut tx: sqlx::Transaction<'t, sqlx::Postgres>,
    now: OffsetDateTime,
    order: &NewOrder<'_>,
    plan_name: &str,
    payment: &Payment<'_>,
) -> Result<Paid<'t>, AppError> {
    match payment {
        Payment::Card(card) => match TestMode.charge(card, order.amount, now) {
            Ok(receipt) => {
                let id = insert_order(
                    &mut *tx,
                    order,
                    "paid",
                    receipt.provider,
                    &receipt.reference,
                    now,
                )
                .await?;
                Ok(Paid::Now { tx, order_id: id })
            }
            Err(decline) => {
                tx.rollback().await?;
                let reference = format!("{decline:?} ••{}", card.last4());
                insert_order(pool, order, "declined", "test_mode", &reference, now).await?;
                Err(AppError::PaymentDeclined(decline))
            }
        },
        Payment::Checkout { stripe, public_url } => {
            let id = insert_order(&mut *tx, order, "pending", "stripe", "", now).await?;
            tx.commit().await?;
            let unit = Money::new(
                order.amount.minor / i64::from(order.quantity.max(1)),
                &order.amount.currency,
            );
            let item = stripe::LineItem {
                name: plan_name,
                unit: &unit,
                quantity: order.quantity,
            };
            match stripe::create_checkout(stripe, public_url, id, &item).await {
                Ok(session) => {
                    sqlx::query!(
                        "update orders set checkout_session = $2, payment_reference = $2 where id = $1",
                        id,
                        session.id
                    )
                    .execute(pool)
                    .await?;
                    Ok(Paid::Later {
                        order_id: id,
                        checkout_url: session.url,
                    })
                }
                Err(error) => {
                    sqlx::query!("update orders set status = 'declined', payment_reference = 'checkout not created' where id = $1", id)
                        .execute(pool)
                        .await?;
                    Err(error)
                }
            }
        }
    }
}

/// What paying did.
enum Paid<'t> {
    /// Charged: the rest happens in this transaction.
    Now {
        tx: sqlx::Transaction<'t, sqlx::Postgres>,
        order_id: Uuid,
    },
    /// The payer finishes at Stripe; the webhook completes the order.
    Later {
        order_id: Uuid,
        checkout_url: String,
    },
}

/// The buyer of an order, as the upgrade needs them.
struct Buyer {
    id: Uuid,
    organization_id: Uuid,
    display_name: String,
    email: String,
}

impl From<&Member> for Buyer {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            organization_id: member.organization_id,
            display_name: member.display_name.clone(),
            email: member.email.clone(),
        }
    }
}

/// The upgrade: checks, payment, then [`apply_upgrade`] in the same transaction. The
/// organization row is locked first, so of two members buying at once exactly one is charged;
/// the other finds the organization managed.
async fn upgrade(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    request: &PurchaseRequest,
    payment: &Payment<'_>,
) -> Result<PurchaseOutcome, AppError> {
    let mut tx = pool.begin().await?;
    let organization = sqlx::query!(
        "select status from organizations where id = $1 for update",
        member.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if organization.status == "managed" {
        return Err(crate::wizard::service::already_managed(&mut tx, member.organization_id).await);
    }
    let wizard = verified_wizard(&mut tx, member.id, member.organization_id).await?;
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
    let order = NewOrder {
        organization_id: member.organization_id,
        member_id: member.id,
        plan_id: &plan.id,
        billing: request.billing,
        quantity: request.quantity,
        amount: &amount,
        kind: "upgrade",
    };
    match pay(pool, tx, now, &order, &plan.name, payment).await? {
        Paid::Now { mut tx, order_id } => {
            apply_upgrade(
                &mut tx,
                now,
                order_id,
                &Buyer::from(member),
                &plan,
                request.billing,
                request.quantity,
                &amount,
            )
            .await?;
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

/// Everything a paid upgrade order causes: subscription with N seats, a license for every member
/// (the buyer first, as far as the seats go), organization managed, the buyer global admin, other
/// wizards superseded, audit, mail. The caller holds the organization's row.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per payment path, all named"
)]
async fn apply_upgrade(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order_id: Uuid,
    buyer: &Buyer,
    plan: &PlanOffer,
    billing: Billing,
    quantity: i32,
    amount: &Money,
) -> Result<(), AppError> {
    let wizard = verified_wizard(&mut *tx, buyer.id, buyer.organization_id).await?;
    let subscription_id = sqlx::query_scalar!(
        "insert into subscriptions (organization_id, plan_id, billing, purchased, assigned, created_at)
         values ($1, $2, $3, $4, 0, $5) returning id",
        buyer.organization_id,
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
        buyer.organization_id,
        subscription_id,
        now,
        buyer.id,
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
    sqlx::query!(
        "update organizations set status = 'managed' where id = $1",
        buyer.organization_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update members set role = 'global_admin' where id = $1",
        buyer.id
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
        buyer.organization_id,
        wizard.id,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    for (kind, detail) in [
        ("wizard.purchase_pending", json!({ "wizard": wizard.id })),
        (
            "order.paid",
            json!({ "order": order_id, "plan": plan.id, "billing": billing.as_str(),
                    "quantity": quantity, "amount_minor": amount.minor, "currency": amount.currency }),
        ),
        (
            "licenses.assigned",
            json!({ "subscription": subscription_id, "count": licensed }),
        ),
        ("organization.managed", json!({ "admin": buyer.id })),
        ("wizard.completed", json!({ "wizard": wizard.id })),
        ("wizard.superseded", json!({ "wizards": superseded })),
    ] {
        audit::record(
            &mut *tx,
            buyer.organization_id,
            Some(buyer.id),
            kind,
            detail,
            now,
        )
        .await?;
    }
    let domain = sqlx::query_scalar!(
        "select domain from organizations where id = $1",
        buyer.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let domain = DomainName::display_stored(&domain);
    let recipients = sqlx::query!(
        "select email, locale from members where organization_id = $1",
        buyer.organization_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let admin_email = EmailAddress::display_stored(&buyer.email);
    let limit = plan.participant_limit.to_string();
    let values = [
        ("domain", domain.as_str()),
        ("admin", buyer.display_name.as_str()),
        ("admin_email", admin_email.as_str()),
        ("plan", plan.name.as_str()),
        ("limit", limit.as_str()),
    ];
    for recipient in recipients {
        let locale = outbox::locale_of_tag(&recipient.locale);
        let mail = Mail {
            to: recipient.email,
            subject: outbox::fill(td_string!(locale, mail.upgraded_subject), &values),
            body: outbox::fill(td_string!(locale, mail.upgraded_body), &values),
        };
        outbox::enqueue(&mut *tx, &mail, now).await?;
    }
    Ok(())
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
    if seats.purchased + request.quantity > seats.seat_cap {
        return Err(AppError::SeatCapExceeded {
            cap: seats.seat_cap,
        });
    }
    let billing = if seats.billing == "monthly" {
        Billing::Monthly
    } else {
        Billing::Annual
    };
    let plan = plan_by_id(&mut tx, &request.plan).await?;
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
    match pay(pool, tx, now, &order, &plan.name, payment).await? {
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

async fn apply_add_seats(
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
    Ok(())
}

/// Completes an order Stripe says is paid, inside the webhook's transaction. An order already
/// completed is left alone; one whose upgrade can no longer happen (someone else became the
/// admin meanwhile) is marked for refund rather than applied.
pub async fn complete_order(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    order_id: Uuid,
    reference: &str,
) -> Result<(), AppError> {
    let Some(order) = sqlx::query!(
        "select o.organization_id, o.member_id, o.plan_id, o.billing, o.quantity, o.amount_minor, o.currency, o.kind,
                m.display_name, m.email
           from orders o join members m on m.id = o.member_id
          where o.id = $1 and o.status = 'pending' for update of o",
        order_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    let organization = sqlx::query_scalar!(
        "select status from organizations where id = $1 for update",
        order.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let billing = if order.billing == "monthly" {
        Billing::Monthly
    } else {
        Billing::Annual
    };
    let amount = Money::new(order.amount_minor, &order.currency);
    let plan = plan_by_id(&mut *tx, &order.plan_id).await?;
    let applicable = match order.kind.as_str() {
        "upgrade" => {
            organization != "managed"
                && verified_wizard(&mut *tx, order.member_id, order.organization_id)
                    .await
                    .is_ok()
        }
        // More seats: still within the plan's cap, counting what other orders added meanwhile.
        _ => {
            let seats = sqlx::query!(
                "select s.purchased, p.seat_cap from subscriptions s join plans p on p.id = s.plan_id
                  where s.organization_id = $1 and s.plan_id = $2 for update of s",
                order.organization_id,
                order.plan_id
            )
            .fetch_optional(&mut *tx)
            .await?;
            organization == "managed"
                && seats.is_some_and(|seats| seats.purchased + order.quantity <= seats.seat_cap)
        }
    };
    let status = if applicable { "paid" } else { "refund_due" };
    sqlx::query!(
        "update orders set status = $2, payment_reference = $3, paid_at = $4,
                invoice_number = case when $2 = 'paid' then nextval('invoice_numbers') end
          where id = $1",
        order_id,
        status,
        reference,
        now
    )
    .execute(&mut *tx)
    .await?;
    if !applicable {
        tracing::warn!(%order_id, "stripe: paid order can no longer be applied; refund due");
        audit::record(
            &mut *tx,
            order.organization_id,
            Some(order.member_id),
            "order.refund_due",
            json!({ "order": order_id, "reference": reference }),
            now,
        )
        .await?;
        return Ok(());
    }
    let buyer = Buyer {
        id: order.member_id,
        organization_id: order.organization_id,
        display_name: order.display_name,
        email: order.email,
    };
    if order.kind == "upgrade" {
        apply_upgrade(
            &mut *tx,
            now,
            order_id,
            &buyer,
            &plan,
            billing,
            order.quantity,
            &amount,
        )
        .await
    } else {
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
            order_id,
            order.organization_id,
            buyer.id,
            subscription,
            order.quantity,
        )
        .await
    }
}

/// A Checkout Session that expired or failed: its pending order is declined.
pub async fn abandon_order(tx: &mut PgConnection, order_id: Uuid) -> Result<(), AppError> {
    sqlx::query!(
        "update orders set status = 'declined' where id = $1 and status = 'pending'",
        order_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Seats, people and orders of the admin's organization only.
pub async fn overview(
    pool: &PgPool,
    admin: &Member,
    checkout: bool,
) -> Result<LicensingView, AppError> {
    let mut db = pool.acquire().await?;
    let seats = sqlx::query!(
        "select p.id, p.name, p.seat_cap, p.currency, p.monthly_price_minor, p.annual_price_minor,
                s.billing, s.purchased, s.assigned
           from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 order by p.name",
        admin.organization_id
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|row| {
        let billing = if row.billing == "monthly" {
            Billing::Monthly
        } else {
            Billing::Annual
        };
        let monthly = match billing {
            Billing::Monthly => row.monthly_price_minor,
            Billing::Annual => row.annual_price_minor,
        };
        SeatsView {
            plan_id: row.id,
            plan: row.name,
            seat_cap: row.seat_cap,
            unit_price: Money::new(monthly * billing.months(), &row.currency),
            billing,
            purchased: row.purchased,
            assigned: row.assigned,
        }
    })
    .collect();
    let orders = sqlx::query!(
        "select o.id, o.created_at, p.name, o.quantity, o.amount_minor, o.currency, o.status, o.invoice_number
           from orders o join plans p on p.id = o.plan_id
          where o.organization_id = $1 order by o.created_at desc, o.invoice_number desc nulls last",
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
        status: OrderStatus::parse(&row.status),
        invoice_number: row.invoice_number,
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
        idempotency_key: Uuid::new_v4().to_string(),
        checkout,
    })
}

/// The invoice of a paid order of the admin's organization; any other order is not found.
pub async fn invoice(
    pool: &PgPool,
    admin: &Member,
    order_id: Uuid,
) -> Result<InvoiceView, AppError> {
    let row = sqlx::query!(
        r#"select o.invoice_number as "number!", o.paid_at as "paid_at!", o.billing, o.quantity,
                  o.amount_minor, o.currency, o.kind, o.payment_provider, o.payment_reference,
                  p.name as plan, org.domain, m.display_name, m.email
             from orders o
             join plans p on p.id = o.plan_id
             join organizations org on org.id = o.organization_id
             join members m on m.id = o.member_id
            where o.id = $1 and o.organization_id = $2 and o.status = 'paid'"#,
        order_id,
        admin.organization_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let billing = if row.billing == "monthly" {
        Billing::Monthly
    } else {
        Billing::Annual
    };
    let total = Money::new(row.amount_minor, &row.currency);
    let unit_price = Money::new(
        row.amount_minor / i64::from(row.quantity.max(1)),
        &row.currency,
    );
    Ok(InvoiceView {
        number: row.number,
        date: row
            .paid_at
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap_or_default(),
        organization: DomainName::display_stored(&row.domain),
        bill_to: row.display_name,
        bill_to_email: EmailAddress::display_stored(&row.email),
        plan: row.plan,
        additional: row.kind == "add_seats",
        billing,
        quantity: row.quantity,
        unit_price,
        total,
        test_mode: row.payment_provider == "test_mode",
        payment_reference: row.payment_reference,
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
