//! Meetings in PostgreSQL: creating them, each member's personal room, the organizer's list, and
//! finding one by its join link.

#![cfg(feature = "ssr")]

use sqlx::{PgConnection, PgPool};
use time::{macros::format_description, Duration, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::{settings, MeetingSummary, PRESENCE_TIMEOUT_SECS};
use crate::accounts::Member;
use crate::core::error::AppError;
use crate::core::secrets;
use crate::domain::Invalid;
use crate::organizations::OrganizationStatus;

const TITLE_MAX_CHARS: usize = 120;
/// A participant whose page has been silent this long has left.
pub const PRESENCE_TIMEOUT: Duration = Duration::seconds(PRESENCE_TIMEOUT_SECS);

/// A meeting as a member asked for it, parsed from the form.
#[derive(Debug)]
pub struct NewMeeting {
    title: String,
    starts_at: OffsetDateTime,
    allow_guests: bool,
}

impl NewMeeting {
    pub fn parse(
        title: &str,
        starts_at: &str,
        utc_offset_minutes: Option<&str>,
        allow_guests: bool,
        now: OffsetDateTime,
    ) -> Result<Self, AppError> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
            return Err(AppError::Invalid(Invalid::MeetingTitle));
        }
        let local = PrimitiveDateTime::parse(
            starts_at.trim(),
            format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        )
        .or_else(|_| {
            PrimitiveDateTime::parse(
                starts_at.trim(),
                format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
            )
        })
        .map_err(|_| AppError::Invalid(Invalid::MeetingTime))?;
        // Date.getTimezoneOffset(): minutes to add to local time to get UTC (-840..=720).
        let offset = utc_offset_minutes
            .and_then(|minutes| minutes.trim().parse::<i64>().ok())
            .filter(|minutes| (-840..=840).contains(minutes))
            .unwrap_or(0);
        // Checked: the far ends of what the date format can hold overflow when moved.
        let starts_at = local
            .assume_utc()
            .checked_add(Duration::minutes(offset))
            .ok_or(AppError::Invalid(Invalid::MeetingTime))?;
        let today = now.replace_time(time::Time::MIDNIGHT) - Duration::days(1);
        if starts_at < today || starts_at > now + Duration::days(5 * 365) {
            return Err(AppError::Invalid(Invalid::MeetingTime));
        }
        Ok(Self {
            title,
            starts_at,
            allow_guests,
        })
    }
}

pub fn format_start(at: OffsetDateTime) -> String {
    crate::core::clock::minute(at)
}

pub async fn create(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
    new: &NewMeeting,
) -> Result<String, AppError> {
    let code = secrets::short_token();
    sqlx::query!(
        "insert into meetings (id, organization_id, organizer_id, code, title, starts_at, allow_guests, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::new_v4(),
        member.organization_id,
        member.id,
        code,
        new.title,
        new.starts_at,
        new.allow_guests,
        now
    )
    .execute(pool)
    .await?;
    Ok(code)
}

/// The member's personal room, made on first use; its title follows their room name.
pub async fn personal_room(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<String, AppError> {
    let settings = settings::settings(pool, member.id).await?;
    let title = if settings.room_name.trim().is_empty() {
        member.display_name.clone()
    } else {
        settings.room_name
    };
    let title: String = title.chars().take(TITLE_MAX_CHARS).collect();
    Ok(sqlx::query_scalar!(
        "insert into meetings (id, organization_id, organizer_id, code, title, starts_at, allow_guests, created_at, personal)
         values ($1, $2, $3, $4, $5, $6, true, $6, true)
         on conflict (organizer_id) where personal do update set title = excluded.title
         returning code",
        Uuid::new_v4(),
        member.organization_id,
        member.id,
        secrets::short_token(),
        title,
        now
    )
    .fetch_one(pool)
    .await?)
}

pub async fn list(
    pool: &PgPool,
    now: OffsetDateTime,
    member: &Member,
) -> Result<Vec<MeetingSummary>, AppError> {
    let rows = sqlx::query!(
        r#"select m.code, m.title, m.starts_at, m.allow_guests,
                  (select count(*) from participants p
                    where p.meeting_id = m.id and p.left_at is null and p.state = 'admitted'
                      and p.last_seen_at > $2) as "present!"
             from meetings m
            where m.organizer_id = $1 and not m.personal
            order by m.starts_at, m.created_at"#,
        member.id,
        now - PRESENCE_TIMEOUT
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| MeetingSummary {
            code: row.code,
            title: row.title,
            starts_at: format_start(row.starts_at),
            allow_guests: row.allow_guests,
            present: row.present,
        })
        .collect())
}

/// A meeting with what deciding about it needs.
#[derive(Debug)]
pub struct Meeting {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organizer_id: Uuid,
    pub organizer_name: String,
    pub organizer_signed_up_at: OffsetDateTime,
    pub organization_managed: bool,
    pub code: String,
    pub title: String,
    pub starts_at: OffsetDateTime,
    /// The organizer lets guests in, and the organization's policy allows them.
    pub allow_guests: bool,
    /// The organizer would let guests in, but the organization's policy does not.
    pub guests_forbidden: bool,
}

/// Finds a meeting by its join link code; `lock` holds its row until the transaction ends.
pub async fn find(db: &mut PgConnection, code: &str, lock: bool) -> Result<Meeting, AppError> {
    // Codes are short ASCII tokens; anything else names no meeting and never reaches the database.
    if !super::is_code(code) {
        return Err(AppError::NotFound);
    }
    let id = if lock {
        sqlx::query_scalar!("select id from meetings where code = $1 for update", code)
            .fetch_optional(&mut *db)
            .await?
    } else {
        sqlx::query_scalar!("select id from meetings where code = $1", code)
            .fetch_optional(&mut *db)
            .await?
    };
    let id = id.ok_or(AppError::NotFound)?;
    by_id(db, id).await
}

pub async fn by_id(db: &mut PgConnection, id: Uuid) -> Result<Meeting, AppError> {
    let row = sqlx::query!(
        r#"select m.id, m.organization_id, m.organizer_id, m.code, m.title, m.starts_at, m.allow_guests,
                  coalesce(p.guests_allowed, true) as "guests_allowed!",
                  o.display_name as organizer_name, o.created_at as organizer_signed_up_at,
                  org.status = $2 as "organization_managed!"
             from meetings m
             join members o on o.id = m.organizer_id
             join organizations org on org.id = m.organization_id
             left join organization_policies p on p.organization_id = m.organization_id
            where m.id = $1"#,
        id,
        OrganizationStatus::Managed.as_str()
    )
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Meeting {
        id: row.id,
        organization_id: row.organization_id,
        organizer_id: row.organizer_id,
        organizer_name: row.organizer_name,
        organizer_signed_up_at: row.organizer_signed_up_at,
        organization_managed: row.organization_managed,
        code: row.code,
        title: row.title,
        starts_at: row.starts_at,
        allow_guests: row.allow_guests && row.guests_allowed,
        guests_forbidden: row.allow_guests && !row.guests_allowed,
    })
}
