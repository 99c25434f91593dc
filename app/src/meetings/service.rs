//! Participant limits and personal settings, from the database.

use sqlx::{PgExecutor, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    LimitReason, Lobby, MeetingSettings, MeetingsOverview, FREE_LIMIT_LATER, FREE_LIMIT_NEW,
    FREE_NEW_DAYS,
};
use crate::accounts::Member;
use crate::error::AppError;

/// The most participants a meeting organized by `organizer` (who signed up at `signed_up_at`)
/// admits at `now`: the plan's limit for a licensed member of a managed organization; otherwise 10
/// within 60 days of signing up, then 3.
pub async fn participant_limit(
    db: impl PgExecutor<'_>,
    now: OffsetDateTime,
    organizer: Uuid,
    signed_up_at: OffsetDateTime,
) -> Result<(i32, LimitReason), AppError> {
    let plan = sqlx::query!(
        "select p.name, p.meeting_participant_limit from licenses l
           join subscriptions s on s.id = l.subscription_id
           join plans p on p.id = s.plan_id
           join organizations o on o.id = s.organization_id
          where l.member_id = $1 and o.status = 'managed'",
        organizer
    )
    .fetch_optional(db)
    .await?;
    if let Some(plan) = plan {
        return Ok((
            plan.meeting_participant_limit,
            LimitReason::Plan { name: plan.name },
        ));
    }
    let age = now - signed_up_at;
    if age < Duration::days(FREE_NEW_DAYS) {
        let days_left = FREE_NEW_DAYS - age.whole_days();
        Ok((FREE_LIMIT_NEW, LimitReason::FreeNew { days_left }))
    } else {
        Ok((FREE_LIMIT_LATER, LimitReason::FreeLater))
    }
}

pub async fn settings(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
) -> Result<MeetingSettings, AppError> {
    let row = sqlx::query!(
        "select lobby, muted_on_entry, room_name from meeting_settings where member_id = $1",
        member_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|row| MeetingSettings {
            lobby: Lobby::parse(&row.lobby).unwrap_or(Lobby::OutsideOrganization),
            muted_on_entry: row.muted_on_entry,
            room_name: row.room_name,
        })
        .unwrap_or_default())
}

pub async fn overview(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<MeetingsOverview, AppError> {
    let (participant_limit, reason) =
        participant_limit(pool, now, member.id, member.signed_up_at).await?;
    let managed = sqlx::query_scalar!(
        r#"select status = 'managed' as "managed!" from organizations where id = $1"#,
        member.organization_id
    )
    .fetch_one(pool)
    .await?;
    Ok(MeetingsOverview {
        participant_limit,
        reason,
        settings: settings(pool, member.id).await?,
        can_upgrade: !managed,
    })
}

pub async fn save(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    settings: &MeetingSettings,
) -> Result<(), AppError> {
    sqlx::query!(
        "insert into meeting_settings (member_id, lobby, muted_on_entry, room_name, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (member_id) do update set lobby = excluded.lobby, muted_on_entry = excluded.muted_on_entry,
             room_name = excluded.room_name, updated_at = excluded.updated_at",
        member.id,
        settings.lobby.as_str(),
        settings.muted_on_entry,
        settings.room_name,
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}
