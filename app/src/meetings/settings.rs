//! Each member's personal meeting settings, which carry over the upgrade unchanged.

#![cfg(feature = "ssr")]

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{limits, Lobby, MeetingSettings, MeetingsOverview};
use crate::accounts::Member;
use crate::core::error::AppError;
use crate::organizations::{self, OrganizationStatus};

/// The member's personal meeting settings, or the defaults, with the lobby their
/// organization's policy gives new members.
pub async fn settings(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
) -> Result<MeetingSettings, AppError> {
    let row = sqlx::query!(
        r#"select s.lobby as "lobby?", s.muted_on_entry as "muted_on_entry?", s.room_name as "room_name?",
                  p.default_lobby as "default_lobby?"
             from members m
             left join meeting_settings s on s.member_id = m.id
             left join organization_policies p on p.organization_id = m.organization_id
            where m.id = $1"#,
        member_id
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(MeetingSettings::default());
    };
    let default = MeetingSettings::default();
    Ok(MeetingSettings {
        lobby: match row.lobby.or(row.default_lobby) {
            Some(lobby) => Lobby::stored(&lobby)?,
            None => default.lobby,
        },
        muted_on_entry: row.muted_on_entry.unwrap_or(default.muted_on_entry),
        room_name: row.room_name.unwrap_or(default.room_name),
    })
}

/// What the Meetings page shows: the limit, why, and the settings.
pub async fn overview(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<MeetingsOverview, AppError> {
    let (participant_limit, reason) =
        limits::participant_limit(pool, now, member.id, member.signed_up_at).await?;
    let managed = organizations::service::status(pool, member.organization_id).await?
        == OrganizationStatus::Managed;
    Ok(MeetingsOverview {
        participant_limit,
        reason,
        settings: settings(pool, member.id).await?,
        can_upgrade: !managed,
    })
}

/// Saves the member's personal meeting settings.
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
