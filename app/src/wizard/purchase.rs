//! The wizard from its proven domain to the upgrade: the proof looked up again before a charge
//! if it has aged, the purchase pending and paid, and the wizard completed. Every transition is
//! audited.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dns::DnsSettings;
use super::service::{
    look_up, set_state, store_state, Challenge, CHALLENGE_LIFETIME, PROOF_FRESH_FOR,
};
use super::{doctor, Entry, Finding, Method, WizardState};
use crate::accounts::Member;
use crate::core::audit;
use crate::core::error::AppError;

/// A wizard that has proven its domain, ready for the purchase.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    pub id: Uuid,
    pub entry: Entry,
    /// When the record was last found.
    pub proven_at: Option<OffsetDateTime>,
}

impl Verified {
    /// The proof is recent enough to charge on; see [`reconfirm`].
    pub fn is_fresh(&self, now: OffsetDateTime) -> bool {
        self.proven_at.is_some_and(|at| now - at < PROOF_FRESH_FOR)
    }
}

/// Before a purchase: a proof younger than [`PROOF_FRESH_FOR`] stands; an older one is looked up
/// again (within the check budgets). Found, it counts from now; gone, the wizard goes back to
/// the domain step with its challenge open another week, and nothing may be bought.
pub async fn reconfirm(
    pool: &PgPool,
    dns: &DnsSettings,
    now: OffsetDateTime,
    member: &Member,
) -> Result<(), AppError> {
    let proof = sqlx::query!(
        "select w.id, c.domain, c.token, c.verified_at, c.verified_by_method
           from wizards w join domain_challenges c on c.wizard_id = w.id
          where w.member_id = $1 and w.organization_id = $2
            and w.state in ('domain_verified', 'purchase_pending')",
        member.id,
        member.organization_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(proof) = proof else {
        // No proven wizard: the purchase itself says what is missing.
        return Ok(());
    };
    if proof
        .verified_at
        .is_some_and(|at| now - at < PROOF_FRESH_FOR)
    {
        return Ok(());
    }
    let method = match proof.verified_by_method.as_deref() {
        Some("mx") => Method::Mx,
        _ => Method::Txt,
    };
    let (finding, mut tx) = look_up(
        pool,
        dns,
        now,
        member,
        "domain.rechecked",
        Challenge {
            wizard: proof.id,
            domain: &proof.domain,
            token: &proof.token,
            method,
        },
    )
    .await?;
    let still_there = matches!(finding, Finding::Verified { .. });

    // Only onto the challenge looked up, of a wizard still proven: one abandoned during the
    // look-up stays abandoned, and the purchase then says the wizard is gone.
    let recorded = sqlx::query!(
        "update domain_challenges c
            set last_finding = $2, last_checked_at = $3::timestamptz,
                verified_at = case when $4::boolean then $3 end,
                verified_by_method = case when $4 then c.verified_by_method end,
                expires_at = case when $4 then c.expires_at else greatest(c.expires_at, $5) end
           from wizards w
          where c.wizard_id = $1 and c.token = $6 and w.id = c.wizard_id
            and w.state in ('domain_verified', 'purchase_pending')",
        proof.id,
        doctor::stored(&finding)?,
        now,
        still_there,
        now + CHALLENGE_LIFETIME,
        proof.token
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !recorded {
        tx.commit().await?;
        return Ok(());
    }
    if !still_there {
        set_state(&mut tx, member, proof.id, WizardState::DomainPending, now).await?;
    }
    tx.commit().await?;
    if still_there {
        Ok(())
    } else {
        Err(AppError::ProofStale)
    }
}

/// The member's wizard, which must have proven the domain.
pub async fn verified(
    db: &mut PgConnection,
    member_id: Uuid,
    organization_id: Uuid,
) -> Result<Verified, AppError> {
    let row = sqlx::query!(
        "select w.id, w.entry, c.verified_at
           from wizards w join domain_challenges c on c.wizard_id = w.id
          where w.member_id = $1 and w.organization_id = $2 and w.state in ('domain_verified', 'purchase_pending')",
        member_id,
        organization_id
    )
    .fetch_optional(&mut *db)
    .await?
    .ok_or(AppError::DomainNotVerified)?;
    Ok(Verified {
        id: row.id,
        entry: Entry::stored(&row.entry)?,
        proven_at: row.verified_at,
    })
}

/// The purchase has started: the wizard waits for its payment.
pub async fn purchase_pending(
    tx: &mut PgConnection,
    wizard: Verified,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    store_state(tx, wizard.id, WizardState::PurchasePending, now).await
}

/// The purchase was paid: recorded first among the events of the upgrade it causes.
pub async fn paid(
    tx: &mut PgConnection,
    wizard: Verified,
    organization_id: Uuid,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit::record(
        tx,
        organization_id,
        Some(member_id),
        "wizard.purchase_pending",
        json!({ "wizard": wizard.id }),
        now,
    )
    .await
}

/// The upgrade happened: this wizard is completed and every other open one of the organization
/// superseded, all audited.
pub async fn complete(
    tx: &mut PgConnection,
    wizard: Verified,
    organization_id: Uuid,
    member_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    store_state(&mut *tx, wizard.id, WizardState::Completed, now).await?;
    let superseded = sqlx::query_scalar!(
        "update wizards set state = 'superseded', updated_at = $3
          where organization_id = $1 and id <> $2 and state not in ('completed', 'abandoned', 'superseded')
          returning id",
        organization_id,
        wizard.id,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    for (kind, detail) in [
        ("wizard.completed", json!({ "wizard": wizard.id })),
        ("wizard.superseded", json!({ "wizards": superseded })),
    ] {
        audit::record(
            &mut *tx,
            organization_id,
            Some(member_id),
            kind,
            detail,
            now,
        )
        .await?;
    }
    Ok(())
}
