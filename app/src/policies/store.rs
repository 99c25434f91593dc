//! Reading and saving policies. Every server process reads them from PostgreSQL when it acts, so
//! a change takes effect on the next request everywhere.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Lobby, Policies};
use crate::core::error::AppError;

/// The policies of an organization.
pub async fn of_organization(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
) -> Result<Policies, AppError> {
    let row = sqlx::query!(
        "select admins_add_people, guests_allowed, default_lobby, max_participants,
                password_min_length, session_idle_minutes, session_max_hours, device_days
           from organization_policies where organization_id = $1",
        organization_id
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(Policies::default());
    };
    Ok(Policies {
        admins_add_people: row.admins_add_people,
        guests_allowed: row.guests_allowed,
        default_lobby: Lobby::stored(&row.default_lobby)?,
        max_participants: row.max_participants,
        password_min_length: row.password_min_length,
        session_idle_minutes: row.session_idle_minutes,
        session_max_hours: row.session_max_hours,
        device_days: row.device_days,
    })
}

/// The policies that apply to an address: those of the managed organization of its domain, or
/// the defaults. Also who to contact there.
pub async fn of_address_domain(
    db: &mut PgConnection,
    domain: &str,
) -> Result<(Policies, Option<String>), AppError> {
    let organization = sqlx::query!(
        "select o.id,
                (select m.display_name from members m where m.organization_id = o.id
                    and m.role = 'global_admin' and m.status = 'active' order by m.created_at limit 1) as admin
           from organizations o
          where o.id = coalesce(
                    (select organization_id from organization_domains where domain = $1 and status = 'verified'),
                    (select id from organizations where domain = $1))
            and o.status = 'managed'",
        domain
    )
    .fetch_optional(&mut *db)
    .await?;
    match organization {
        Some(organization) => Ok((
            of_organization(&mut *db, organization.id).await?,
            organization.admin,
        )),
        None => Ok((Policies::default(), None)),
    }
}

/// Saves an organization's policies inside the caller's transaction, which holds the
/// organization's row; returns the ones they replace.
pub async fn save(
    tx: &mut PgConnection,
    organization_id: Uuid,
    policies: &Policies,
    now: OffsetDateTime,
) -> Result<Policies, AppError> {
    let old = of_organization(&mut *tx, organization_id).await?;
    sqlx::query!(
        "insert into organization_policies
            (organization_id, admins_add_people, guests_allowed, default_lobby, max_participants,
             password_min_length, session_idle_minutes, session_max_hours, device_days, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (organization_id) do update set
            admins_add_people = excluded.admins_add_people, guests_allowed = excluded.guests_allowed,
            default_lobby = excluded.default_lobby, max_participants = excluded.max_participants,
            password_min_length = excluded.password_min_length,
            session_idle_minutes = excluded.session_idle_minutes,
            session_max_hours = excluded.session_max_hours, device_days = excluded.device_days,
            updated_at = excluded.updated_at",
        organization_id,
        policies.admins_add_people,
        policies.guests_allowed,
        policies.default_lobby.as_str(),
        policies.max_participants,
        policies.password_min_length,
        policies.session_idle_minutes,
        policies.session_max_hours,
        policies.device_days,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(old)
}

/// Refuses a password shorter than the policy's minimum.
pub fn check_password(
    password: &crate::domain::Password,
    policies: &Policies,
) -> Result<(), AppError> {
    let min = policies.password_min_length;
    if i32::try_from(password.expose().chars().count()).unwrap_or(i32::MAX) < min {
        return Err(AppError::PasswordBelowPolicy { min });
    }
    Ok(())
}
