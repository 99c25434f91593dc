//! The plans and their prices, as the `plans` table holds them: the one place plans are defined.

#![cfg(feature = "ssr")]

use sqlx::PgConnection;

use super::PlanOffer;
use crate::core::error::AppError;
use crate::domain::Money;

/// Every plan, cheapest first.
pub async fn plans(db: &mut PgConnection) -> Result<Vec<PlanOffer>, AppError> {
    let rows = sqlx::query!(
        "select id, name, currency, monthly_price_minor, annual_price_minor, meeting_participant_limit,
                seat_cap, offered_from
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
            offered_from: row.offered_from,
        })
        .collect())
}

/// The plans offered where a purchase was started from (`admin_tile`, `meetings_upgrade`).
pub async fn offered_from(db: &mut PgConnection, entry: &str) -> Result<Vec<PlanOffer>, AppError> {
    let mut plans = plans(db).await?;
    plans.retain(|plan| plan.offered_from.iter().any(|from| from == entry));
    Ok(plans)
}

/// One plan by its id; an unknown one is not found.
pub async fn plan(db: &mut PgConnection, id: &str) -> Result<PlanOffer, AppError> {
    plans(db)
        .await?
        .into_iter()
        .find(|plan| plan.id == id)
        .ok_or(AppError::NotFound)
}
