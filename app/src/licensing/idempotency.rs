//! Idempotent purchases: a key from the page makes a retried purchase return the first outcome
//! instead of charging again.

#![cfg(feature = "ssr")]

use std::sync::Arc;

use sqlx::PgPool;
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::PurchaseOutcome;
use crate::core::error::AppError;

/// Turns for purchases in this process. A purchase holds two database connections at once (its
/// key's lock and its own transaction) and takes the second while holding the first; were every
/// connection of the pool held as someone's first, all would wait for a second until the pool
/// gave up. So purchases run at most as many at a time as leaves one connection for the rest,
/// and the others wait their turn here, holding none.
#[derive(Clone, Debug)]
pub struct PurchaseTurns(Arc<Semaphore>);

impl PurchaseTurns {
    pub fn for_pool(pool: &PgPool) -> Self {
        let connections = pool.options().get_max_connections() as usize;
        Self(Arc::new(Semaphore::new(
            (connections.saturating_sub(1) / 2).max(1),
        )))
    }
}

/// Runs `purchase` once per key, as Stripe and the IETF Idempotency-Key draft do: a replay
/// returns the first outcome, the same key with another request is refused, and a retry while
/// the first is running is told so. Only a purchase that went through is kept: after a failure
/// the key is free again.
///
/// "Running" is a transaction-scoped advisory lock on a connection of its own, held while the
/// purchase runs, not a mark in a row: a server killed midway drops its connection and with it
/// the lock, so a retry of a purchase that died is carried out instead of being told forever
/// that it is still in progress.
pub async fn idempotent(
    pool: &PgPool,
    turns: &PurchaseTurns,
    now: OffsetDateTime,
    member_id: Uuid,
    request_hash: Vec<u8>,
    key: &str,
    purchase: impl std::future::Future<Output = Result<PurchaseOutcome, AppError>>,
) -> Result<PurchaseOutcome, AppError> {
    let key = key.trim();
    // Counted in characters, as the table's check counts them.
    if !(8..=100).contains(&key.chars().count()) {
        return Err(AppError::IdempotencyMismatch);
    }
    let _turn = turns.0.acquire().await.map_err(|_| AppError::Internal)?;
    let mut running = pool.begin().await?;
    let held = sqlx::query_scalar!(
        r#"select pg_try_advisory_xact_lock($1) as "held!""#,
        lock_id(member_id, key)
    )
    .fetch_one(&mut *running)
    .await?;
    if !held {
        return Err(AppError::PurchaseInProgress);
    }
    let claimed = sqlx::query!(
        "insert into idempotency_keys (member_id, key, request_hash, created_at) values ($1, $2, $3, $4)
         on conflict do nothing",
        member_id,
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
            member_id,
            key
        )
        .fetch_one(pool)
        .await?;
        if earlier.request_hash != request_hash {
            return Err(AppError::IdempotencyMismatch);
        }
        if let Some(response) = earlier.response {
            return serde_json::from_value::<Result<PurchaseOutcome, AppError>>(response)
                .map_err(|_| AppError::Internal)?;
        }
        // Claimed, never answered, and nobody holds the lock: the attempt died midway. A card
        // payment died with its transaction; a Checkout order it left pending was never shown
        // to the buyer. Either way, carrying it out now charges once.
    }

    let outcome = purchase.await;
    if outcome.is_err() {
        // A purchase that failed charged nothing and changed nothing (a declined card leaves
        // only its declined order): the page's key may try again, with a corrected card or
        // quantity, rather than be told it once meant another request.
        sqlx::query!(
            "delete from idempotency_keys where member_id = $1 and key = $2",
            member_id,
            key
        )
        .execute(pool)
        .await?;
        return outcome;
    }
    // Only a purchase that went through is kept, so its answer is a success.
    let status: i16 = 200;
    sqlx::query!(
        "update idempotency_keys set response = $3, response_status = $4 where member_id = $1 and key = $2",
        member_id,
        key,
        serde_json::to_value(&outcome).map_err(|_| AppError::Internal)?,
        status
    )
    .execute(pool)
    .await?;
    running.commit().await?;
    outcome
}

/// The advisory lock standing for one member's key.
fn lock_id(member_id: Uuid, key: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(member_id.as_bytes())
        .chain_update(key.as_bytes())
        .finalize();
    let mut id = [0; 8];
    id.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(id)
}
