//! What the admin sees of their licenses and orders, and the printable invoice of each paid one.

#![cfg(feature = "ssr")]

use sqlx::PgPool;
use uuid::Uuid;

use super::seats::people;
use super::{Billing, InvoiceView, LicensingView, OrderStatus, OrderView, SeatsView};
use crate::accounts::Member;
use crate::core::clock;
use crate::core::error::AppError;
use crate::domain::{DomainName, EmailAddress, Money};

/// Seats and people of the admin's organization only.
pub async fn overview(
    pool: &PgPool,
    admin: &Member,
    checkout: bool,
) -> Result<LicensingView, AppError> {
    let mut db = pool.acquire().await?;
    let seats = sqlx::query!(
        r#"select p.id, p.name, p.seat_cap, p.currency, p.monthly_price_minor, p.annual_price_minor,
                s.billing, s.purchased,
                (select count(*)::int from licenses l where l.subscription_id = s.id) as "assigned!"
           from subscriptions s join plans p on p.id = s.plan_id
          where s.organization_id = $1 order by p.name"#,
        admin.organization_id
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|row| {
        let billing = Billing::stored(&row.billing)?;
        let monthly = match billing {
            Billing::Monthly => row.monthly_price_minor,
            Billing::Annual => row.annual_price_minor,
        };
        Ok(SeatsView {
            plan_id: row.id,
            plan: row.name,
            seat_cap: row.seat_cap,
            unit_price: Money::new(monthly * billing.months(), &row.currency),
            billing,
            purchased: row.purchased,
            assigned: row.assigned,
        })
    })
    .collect::<Result<_, AppError>>()?;
    Ok(LicensingView {
        seats,
        people: people(&mut db, admin.organization_id)
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect(),
        idempotency_key: Uuid::new_v4().to_string(),
        checkout,
    })
}

/// The orders of the admin's organization, newest first, declined and refunded ones included.
pub async fn orders(pool: &PgPool, admin: &Member) -> Result<Vec<OrderView>, AppError> {
    let orders = sqlx::query!(
        "select o.id, o.created_at, p.name, o.quantity, o.amount_minor, o.currency, o.status, o.invoice_number,
                o.refund_reference
           from orders o join plans p on p.id = o.plan_id
          where o.organization_id = $1 order by o.created_at desc, o.invoice_number desc nulls last",
        admin.organization_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| OrderView {
        id: row.id.to_string(),
        date: clock::minute(row.created_at),
        plan: row.name,
        quantity: row.quantity,
        amount: Money::new(row.amount_minor, &row.currency),
        status: OrderStatus::parse(&row.status),
        invoice_number: row.invoice_number,
        refund: row.refund_reference,
    })
    .collect();
    Ok(orders)
}

/// Where an order of the member's own stands, for the page Stripe sends them back to; another's
/// order is not found.
pub async fn own_order_status(
    pool: &PgPool,
    member: &Member,
    order_id: Uuid,
) -> Result<OrderStatus, AppError> {
    let status = sqlx::query_scalar!(
        "select status from orders where id = $1 and member_id = $2",
        order_id,
        member.id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(OrderStatus::parse(&status))
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
    let billing = Billing::stored(&row.billing)?;
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
