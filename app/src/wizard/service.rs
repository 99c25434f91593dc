//! The wizard's state machine up to the proven domain, stored in PostgreSQL; every transition is
//! audited. The purchase's steps are in `purchase`.

#![cfg(feature = "ssr")]

use serde_json::json;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};
use uuid::Uuid;

use super::dns::DnsSettings;
use super::{
    doctor, ChallengeView, CheckOutcome, Entry, Finding, LastCheck, Method, WizardState, WizardView,
};
use crate::accounts::Member;
use crate::core::audit;
use crate::core::error::AppError;
use crate::core::throttle;
use crate::domain::DomainName;
use crate::organizations::service::lock_unmanaged;

/// How long a challenge can be answered.
pub const CHALLENGE_LIFETIME: Duration = Duration::days(7);
/// Domain checks per member, page re-checks included: one member's clicking leaves the rest
/// of the organization's budget to the others.
const CHECKS_PER_MEMBER: throttle::Limit = throttle::Limit::new(40, Duration::hours(1));
/// Domain checks per organization, so that many members together cannot flood a nameserver.
const CHECKS_PER_ORGANIZATION: throttle::Limit = throttle::Limit::new(200, Duration::hours(1));
/// A proof older than this is looked up again before anyone is charged: records are removed
/// and domains change hands.
pub const PROOF_FRESH_FOR: Duration = Duration::hours(24);

/// Counts one domain check against the member's and the organization's budgets.
pub(super) async fn spend_check(
    pool: &PgPool,
    member: &Member,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    throttle::hit(
        pool,
        &format!("domain-check:member:{}", member.id),
        CHECKS_PER_MEMBER,
        now,
    )
    .await?;
    throttle::hit(
        pool,
        &format!("domain-check:organization:{}", member.organization_id),
        CHECKS_PER_ORGANIZATION,
        now,
    )
    .await
}

/// Moves a wizard to `state`, unaudited; see [`set_state`].
pub(super) async fn store_state(
    tx: &mut PgConnection,
    wizard_id: Uuid,
    state: WizardState,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    sqlx::query!(
        "update wizards set state = $2, updated_at = $3 where id = $1",
        wizard_id,
        state.as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Moves a wizard to `state` and audits it as `wizard.<state>`.
pub(super) async fn set_state(
    tx: &mut PgConnection,
    member: &Member,
    wizard_id: Uuid,
    state: WizardState,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    store_state(tx, wizard_id, state, now).await?;
    audit::record(
        tx,
        member.organization_id,
        Some(member.id),
        &format!("wizard.{}", state.as_str()),
        json!({ "wizard": wizard_id }),
        now,
    )
    .await
}

pub(super) async fn issue_challenge(
    tx: &mut PgConnection,
    member: &Member,
    wizard_id: Uuid,
    domain: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    sqlx::query!(
        "insert into domain_challenges (wizard_id, organization_id, domain, token, expires_at, created_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (wizard_id) do update set token = excluded.token, expires_at = excluded.expires_at,
             created_at = excluded.created_at, domain = excluded.domain,
             last_finding = null, last_checked_at = null",
        wizard_id,
        member.organization_id,
        domain,
        crate::core::secrets::short_token(),
        now + CHALLENGE_LIFETIME,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Starts a wizard for the member, or resumes their open one (recording the newer entry point).
pub async fn start(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    entry: Entry,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let domain = lock_unmanaged(&mut tx, member.organization_id).await?;
    let parsed = DomainName::parse(&domain).map_err(|_| AppError::Internal)?;
    if parsed.is_consumer_mail() || parsed.is_public_suffix() {
        return Err(AppError::Invalid(crate::domain::Invalid::PublicSuffix));
    }
    let open = sqlx::query_scalar!(
        "select id from wizards where member_id = $1
           and state not in ('completed', 'abandoned', 'superseded')",
        member.id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(wizard_id) = open {
        sqlx::query!(
            "update wizards set entry = $2, updated_at = $3 where id = $1",
            wizard_id,
            entry.as_str(),
            now
        )
        .execute(&mut *tx)
        .await?;
        member
            .audit(
                &mut tx,
                "wizard.resumed",
                json!({ "wizard": wizard_id, "entry": entry.as_str() }),
                now,
            )
            .await?;
    } else {
        let wizard_id = sqlx::query_scalar!(
            "insert into wizards (organization_id, member_id, entry, state, created_at, updated_at)
             values ($1, $2, $3, 'started', $4, $4) returning id",
            member.organization_id,
            member.id,
            entry.as_str(),
            now
        )
        .fetch_one(&mut *tx)
        .await?;
        member
            .audit(
                &mut tx,
                "wizard.started",
                json!({ "wizard": wizard_id, "entry": entry.as_str() }),
                now,
            )
            .await?;
        issue_challenge(&mut tx, member, wizard_id, &domain, now).await?;
        set_state(&mut tx, member, wizard_id, WizardState::DomainPending, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) struct OpenWizard {
    id: Uuid,
    entry: Entry,
    state: WizardState,
    domain: String,
    token: String,
    expires_at: OffsetDateTime,
    last_finding: Option<serde_json::Value>,
    last_checked_at: Option<OffsetDateTime>,
}

pub(super) async fn open_wizard(
    db: &mut PgConnection,
    member: &Member,
) -> Result<Option<OpenWizard>, AppError> {
    let row = sqlx::query!(
        "select w.id, w.entry, w.state, c.domain, c.token, c.expires_at, c.last_finding,
                c.last_checked_at
           from wizards w join domain_challenges c on c.wizard_id = w.id
          where w.member_id = $1 and w.organization_id = $2
            and w.state not in ('completed', 'abandoned', 'superseded')",
        member.id,
        member.organization_id
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(OpenWizard {
        id: row.id,
        entry: Entry::stored(&row.entry)?,
        state: WizardState::stored(&row.state)?,
        domain: row.domain,
        token: row.token,
        expires_at: row.expires_at,
        last_finding: row.last_finding,
        last_checked_at: row.last_checked_at,
    }))
}

/// The member's open wizard as its page shows it.
pub async fn current(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<Option<WizardView>, AppError> {
    let mut db = pool.acquire().await?;
    let Some(wizard) = open_wizard(&mut db, member).await? else {
        return Ok(None);
    };
    let display = DomainName::display_stored(&wizard.domain);
    let last_check = match (wizard.last_finding, wizard.last_checked_at) {
        // A finding stored by an older version that no longer reads is as good as none.
        (Some(finding), Some(at)) => {
            serde_json::from_value(finding)
                .ok()
                .map(|finding| LastCheck {
                    finding,
                    checked_at: minutes_utc(at),
                })
        }
        _ => None,
    };
    Ok(Some(WizardView {
        state: wizard.state,
        entry: wizard.entry,
        challenge: ChallengeView {
            txt_name: doctor::txt_name(&wizard.domain),
            txt_value: doctor::txt_value(&wizard.token),
            mx_host: doctor::mx_host(&wizard.token),
            mx_priority: doctor::MX_PRIORITY,
            expires_at: minutes_utc(wizard.expires_at),
            expired: wizard.expires_at <= now,
            last_check,
        },
        domain: display,
    }))
}

/// `2026-12-02 14:40 UTC`.
fn minutes_utc(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// A challenge of a member's wizard, to look up in DNS.
pub(super) struct Challenge<'a> {
    pub wizard: Uuid,
    pub domain: &'a str,
    pub token: &'a str,
    pub method: Method,
}

/// Spends one check of the budgets and looks the challenge up. Returns what was found and the
/// transaction that records it, with the organization locked (still unmanaged) and the attempt
/// audited as `event` with the raw answers, the nameservers asked and the time.
pub(super) async fn look_up(
    pool: &PgPool,
    dns: &DnsSettings,
    now: OffsetDateTime,
    member: &Member,
    event: &str,
    challenge: Challenge<'_>,
) -> Result<(Finding, Transaction<'static, Postgres>), AppError> {
    spend_check(pool, member, now).await?;
    let (finding, raw) =
        doctor::check(dns, challenge.method, challenge.domain, challenge.token).await;
    let mut tx = pool.begin().await?;
    lock_unmanaged(&mut tx, member.organization_id).await?;
    member
        .audit(
            &mut tx,
            event,
            json!({
                "wizard": challenge.wizard,
                "domain": challenge.domain,
                "method": challenge.method,
                "finding": finding,
                "dns": raw,
                "checked_at": now.format(&Rfc3339).unwrap_or_default(),
            }),
            now,
        )
        .await?;
    Ok((finding, tx))
}

/// Looks the member's challenge up in DNS. A match moves the wizard to `domain_verified`; every
/// attempt is audited with the raw answers, the nameservers asked and the time.
pub async fn check(
    pool: &PgPool,
    dns: &DnsSettings,
    now: OffsetDateTime,
    member: &Member,
    method: Method,
) -> Result<CheckOutcome, AppError> {
    let wizard = {
        let mut db = pool.acquire().await?;
        open_wizard(&mut db, member)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if wizard.state != WizardState::DomainPending {
        return Ok(CheckOutcome {
            method,
            finding: Finding::Verified {
                record: String::new(),
            },
            state: wizard.state,
        });
    }
    if wizard.expires_at <= now {
        return Err(AppError::ChallengeExpired);
    }
    let (finding, mut tx) = look_up(
        pool,
        dns,
        now,
        member,
        "domain.check",
        Challenge {
            wizard: wizard.id,
            domain: &wizard.domain,
            token: &wizard.token,
            method,
        },
    )
    .await?;
    let verified = matches!(finding, Finding::Verified { .. });

    // Only onto the challenge that was looked up, of a wizard still waiting for it: one abandoned
    // or given a new challenge during the look-up stays as it is now.
    let recorded = sqlx::query!(
        "update domain_challenges c
            set last_finding = $2, last_checked_at = $3::timestamptz,
                verified_at = case when $4::boolean then $3 else verified_at end,
                verified_by_method = case when $4 then $5 else verified_by_method end
           from wizards w
          where c.wizard_id = $1 and c.token = $6 and w.id = c.wizard_id and w.state = 'domain_pending'",
        wizard.id,
        doctor::stored(&finding)?,
        now,
        verified,
        match method {
            Method::Txt => "txt",
            Method::Mx => "mx",
        },
        wizard.token
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !recorded {
        tx.commit().await?;
        let mut db = pool.acquire().await?;
        let now_open = open_wizard(&mut db, member).await?;
        let state = now_open.ok_or(AppError::NotFound)?.state;
        return Ok(CheckOutcome {
            method,
            finding,
            state,
        });
    }
    let state = if verified {
        set_state(&mut tx, member, wizard.id, WizardState::DomainVerified, now).await?;
        WizardState::DomainVerified
    } else {
        WizardState::DomainPending
    };
    tx.commit().await?;
    Ok(CheckOutcome {
        method,
        finding,
        state,
    })
}

/// Gives an expired challenge a new token and a new week.
pub async fn renew_challenge(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let domain = lock_unmanaged(&mut tx, member.organization_id).await?;
    let wizard = open_wizard(&mut tx, member)
        .await?
        .ok_or(AppError::NotFound)?;
    if wizard.state == WizardState::DomainPending && wizard.expires_at <= now {
        issue_challenge(&mut tx, member, wizard.id, &domain, now).await?;
        member
            .audit(
                &mut tx,
                "domain.challenge_renewed",
                json!({ "wizard": wizard.id }),
                now,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends the member's open wizard.
pub async fn abandon(pool: &PgPool, now: OffsetDateTime, member: &Member) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    if let Some(wizard) = open_wizard(&mut tx, member).await? {
        set_state(&mut tx, member, wizard.id, WizardState::Abandoned, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
