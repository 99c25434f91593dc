//! The append-only audit log of an organization's administration.

#![cfg(feature = "ssr")]

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::error::AppError;

/// Appends one event, inside the caller's transaction.
pub async fn record(
    tx: &mut PgConnection,
    organization_id: Uuid,
    member_id: Option<Uuid>,
    kind: &str,
    detail: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    sqlx::query!(
        "insert into audit_events (organization_id, member_id, kind, detail, created_at)
         values ($1, $2, $3, $4, $5)",
        organization_id,
        member_id,
        kind,
        detail,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records an event as the last step of the change it describes, and commits that change.
pub async fn record_and_commit(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    organization_id: Uuid,
    member_id: Option<Uuid>,
    kind: &str,
    detail: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    record(&mut tx, organization_id, member_id, kind, detail, now).await?;
    tx.commit().await?;
    Ok(())
}
