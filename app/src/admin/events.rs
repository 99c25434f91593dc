//! The audit log's events: every admin action and security event of the admin's organization, filtered,
//! paged and read as words, with what was recorded kept as it is.

use serde_json::Value;
use sqlx::{PgPool, Postgres, QueryBuilder};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use super::{AuditEntry, AuditFilter, AuditLog};
use crate::accounts::Member;
use crate::core::clock;
use crate::core::error::AppError;
use crate::domain::{EmailAddress, Money};

/// Events per page of the audit log.
pub const PAGE_SIZE: i64 = 50;

/// A day from a filter, or `Invalid`-free absence: an unreadable day is ignored.
fn day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// The organization's events matching `filter`, newest first, older than `before`.
pub(super) fn select_events(
    organization_id: Uuid,
    person: Option<Uuid>,
    filter: &AuditFilter,
) -> QueryBuilder<'static, Postgres> {
    let mut query = QueryBuilder::new(
        "select e.id, e.created_at, e.kind, e.detail, a.display_name as actor_name, a.email as actor_email,
                s.display_name as subject_name, s.email as subject_email, pl.name as plan_name
           from audit_events e
           left join members a on a.id = e.member_id
           left join members s on s.id = case when e.detail ? 'member'
                and e.detail->>'member' ~ '^[0-9a-f-]{36}$' then (e.detail->>'member')::uuid end
           left join plans pl on pl.id = e.detail->>'plan'
          where e.organization_id = ",
    );
    query.push_bind(organization_id);
    if let Some(person) = person {
        query
            .push(" and (e.member_id = ")
            .push_bind(person)
            .push(" or e.detail->>'member' = ")
            .push_bind(person.to_string())
            .push(")");
    }
    if !filter.kind.is_empty() {
        query.push(" and e.kind = ").push_bind(filter.kind.clone());
    }
    if let Some(from) = day(&filter.from) {
        query
            .push(" and e.created_at >= ")
            .push_bind(from.with_time(Time::MIDNIGHT).assume_utc());
    }
    if let Some(to) = day(&filter.to) {
        query.push(" and e.created_at < ").push_bind(
            (to + Duration::days(1))
                .with_time(Time::MIDNIGHT)
                .assume_utc(),
        );
    }
    query
}

/// What events record for evidence and for those who look into one, not for the summary a
/// person reads: ids, raw DNS answers, the amount's parts (shown as one amount).
const TECHNICAL: &[&str] = &[
    "member",
    "admin",
    "wizard",
    "wizards",
    "invited_by",
    "order",
    "subscription",
    "dns",
    "answers",
    "checked_at",
    "amount_minor",
    "currency",
];

/// A recorded value in words: text as it is, an outcome such as `{"NoRecord": {…}}` by its name.
fn readable(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(fields) if fields.len() == 1 => fields.keys().cloned().collect(),
        other => other.to_string(),
    }
}

/// An event as the query reads it.
#[derive(sqlx::FromRow)]
pub(super) struct Event {
    id: i64,
    created_at: OffsetDateTime,
    kind: String,
    detail: Value,
    actor_name: Option<String>,
    actor_email: Option<String>,
    subject_name: Option<String>,
    subject_email: Option<String>,
    /// The name of the plan the event names, if it names one.
    plan_name: Option<String>,
}

impl Event {
    pub(super) fn into_entry(self) -> AuditEntry {
        let person = |name: Option<String>, email: Option<String>| {
            name.zip(email)
                .map(|(name, email)| format!("{name} <{}>", EmailAddress::display_stored(&email)))
        };
        let detail = match &self.detail {
            Value::Object(fields) => fields
                .iter()
                .filter(|(key, _)| !TECHNICAL.contains(&key.as_str()))
                .map(|(key, value)| {
                    let value = match (key.as_str(), &self.plan_name) {
                        ("plan", Some(name)) => name.clone(),
                        _ => readable(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
            other => vec![(String::new(), other.to_string())],
        };
        let field = |key: &str| self.detail.get(key);
        let amount = field("amount_minor")
            .and_then(Value::as_i64)
            .zip(field("currency").and_then(Value::as_str))
            .map(|(minor, currency)| Money::new(minor, currency));
        // The people an event names are its actor and subject; its amount is shown as one.
        let shown_elsewhere = |key: &str| {
            matches!(key, "member" | "admin")
                || (amount.is_some() && matches!(key, "amount_minor" | "currency"))
        };
        let more_recorded = match &self.detail {
            Value::Object(fields) => fields.iter().any(|(key, value)| {
                (TECHNICAL.contains(&key.as_str()) && !shown_elsewhere(key))
                    || !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
            }),
            _ => false,
        };
        AuditEntry {
            id: self.id,
            at: clock::minute(self.created_at),
            actor: person(self.actor_name, self.actor_email),
            subject: person(self.subject_name, self.subject_email),
            kind: self.kind,
            detail,
            amount,
            more_recorded,
            technical: self.detail.to_string(),
        }
    }
}

/// The person of the admin's organization a filter names by address; none when the filter
/// names nobody there.
pub(super) async fn filtered_person(
    pool: &PgPool,
    admin: &Member,
    filter: &AuditFilter,
) -> Result<Option<Option<Uuid>>, AppError> {
    if filter.person.is_empty() {
        return Ok(Some(None));
    }
    let Ok(email) = EmailAddress::parse(&filter.person) else {
        return Ok(None);
    };
    let id = sqlx::query_scalar!(
        "select id from members where organization_id = $1 and email = $2",
        admin.organization_id,
        email.as_ascii()
    )
    .fetch_optional(pool)
    .await?;
    Ok(id.map(Some))
}

/// One page of the audit log, newest first, before event `before`.
pub async fn page(
    pool: &PgPool,
    admin: &Member,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<AuditLog, AppError> {
    let kinds = sqlx::query_scalar!(
        "select distinct kind from audit_events where organization_id = $1 order by kind",
        admin.organization_id
    )
    .fetch_all(pool)
    .await?;
    let Some(person) = filtered_person(pool, admin, filter).await? else {
        return Ok(AuditLog {
            events: Vec::new(),
            next: None,
            kinds,
        });
    };
    let mut query = select_events(admin.organization_id, person, filter);
    if let Some(before) = before {
        query.push(" and e.id < ").push_bind(before);
    }
    query
        .push(" order by e.id desc limit ")
        .push_bind(limit + 1);
    let mut events: Vec<Event> = query.build_query_as().fetch_all(pool).await?;
    let more = events.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = more.then(|| events.last().map(|event| event.id)).flatten();
    Ok(AuditLog {
        events: events.into_iter().map(Event::into_entry).collect(),
        next,
        kinds,
    })
}
