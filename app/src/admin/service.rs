//! The admin center's counts and the audit log, scoped to the admin's organization.

use serde_json::Value;
use sqlx::{PgPool, Postgres, QueryBuilder};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use super::{
    AuditEntry, AuditFilter, AuditLog, DayCount, EveryoneElse, Overview, PlanSeats, PoliciesView,
};
use crate::accounts::{session, Member};
use crate::core::clock;
use crate::core::error::AppError;
use crate::domain::{DomainName, EmailAddress, Money};
use crate::organizations::{self, Role};
use crate::policies::{self, Policies};

/// Events per page of the audit log.
pub const PAGE_SIZE: i64 = 50;
/// Days the sign-in chart covers.
const CHART_DAYS: i64 = 30;

/// The home page's counts, chart and latest events.
pub async fn overview(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
) -> Result<Overview, AppError> {
    let viewer = admin.role;
    let counts = sqlx::query!(
        r#"select o.domain,
                  count(m.id) filter (where m.status <> 'removed') as "people!",
                  count(m.id) filter (where m.status = 'invited') as "invited!",
                  count(m.id) filter (where m.status in ('active', 'invited')
                      and not exists (select 1 from licenses l where l.member_id = m.id)) as "unlicensed!"
             from organizations o left join members m on m.organization_id = o.id
            where o.id = $1 group by o.domain"#,
        admin.organization_id
    )
    .fetch_one(pool)
    .await?;
    let seats = sqlx::query_as!(
        PlanSeats,
        r#"select p.name as plan, s.purchased,
                  (select count(*)::int from licenses l where l.subscription_id = s.id) as "assigned!"
             from subscriptions s join plans p on p.id = s.plan_id
            where s.organization_id = $1 order by s.created_at"#,
        admin.organization_id
    )
    .fetch_all(pool)
    .await?;
    let first_day = now.date() - Duration::days(CHART_DAYS - 1);
    let counted = sqlx::query!(
        r#"select (created_at at time zone 'UTC')::date as "day!", count(*) as "count!"
             from audit_events
            where organization_id = $1 and kind = 'sign_in' and created_at >= $2
            group by 1"#,
        admin.organization_id,
        first_day.with_time(Time::MIDNIGHT).assume_utc()
    )
    .fetch_all(pool)
    .await?;
    let sign_ins = (0..CHART_DAYS)
        .map(|offset| {
            let day = first_day + Duration::days(offset);
            DayCount {
                day: clock::day(day.with_time(Time::MIDNIGHT).assume_utc()),
                count: counted
                    .iter()
                    .find(|row| row.day == day)
                    .map_or(0, |row| row.count),
            }
        })
        .collect();
    // A day ended with what the next noted day began with; the days since the last noted one
    // end with today's count.
    let began = sqlx::query!(
        "select day, assigned from license_usage
          where organization_id = $1 and day > $2 order by day",
        admin.organization_id,
        first_day
    )
    .fetch_all(pool)
    .await?;
    let in_use_now: i64 = seats.iter().map(|plan| i64::from(plan.assigned)).sum();
    let licenses_in_use = (0..CHART_DAYS)
        .map(|offset| {
            let day = first_day + Duration::days(offset);
            DayCount {
                day: clock::day(day.with_time(Time::MIDNIGHT).assume_utc()),
                count: began
                    .iter()
                    .find(|row| row.day > day)
                    .map_or(in_use_now, |row| i64::from(row.assigned)),
            }
        })
        .collect();
    let latest = if viewer == Role::GlobalAdmin {
        audit_log(pool, admin, &AuditFilter::default(), None, 5)
            .await?
            .events
    } else {
        Vec::new()
    };
    let domains = sqlx::query_scalar!(
        r#"select 1 + count(*) as "count!" from organization_domains
            where organization_id = $1 and status = 'verified'"#,
        admin.organization_id
    )
    .fetch_one(pool)
    .await?;
    Ok(Overview {
        domain: DomainName::display_stored(&counts.domain),
        domains,
        people: counts.people,
        invited: counts.invited,
        unlicensed: counts.unlicensed,
        seats,
        sign_ins,
        licenses_in_use,
        latest,
        viewer,
    })
}

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
                s.display_name as subject_name, s.email as subject_email
           from audit_events e
           left join members a on a.id = e.member_id
           left join members s on s.id = case when e.detail ? 'member'
                and e.detail->>'member' ~ '^[0-9a-f-]{36}$' then (e.detail->>'member')::uuid end
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
                .map(|(key, value)| format!("{key}: {}", readable(value)))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
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
pub async fn audit_log(
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

/// The organization's policies, and the most participants its plans allow (the ceiling of the
/// meetings policy).
pub async fn policies(pool: &PgPool, admin: &Member) -> Result<PoliciesView, AppError> {
    Ok(PoliciesView {
        policies: policies::store::of_organization(pool, admin.organization_id).await?,
        plan_limit: plan_limit(pool, admin.organization_id).await?,
    })
}

async fn plan_limit(db: impl sqlx::PgExecutor<'_>, organization_id: Uuid) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce(max(p.meeting_participant_limit), 0) as "limit!" from subscriptions s
             join plans p on p.id = s.plan_id where s.organization_id = $1"#,
        organization_id
    )
    .fetch_one(db)
    .await?)
}

/// Saves new policies: each change audited with its old and new value, in effect on the next
/// request on every server.
pub async fn save_policies(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    new: &Policies,
) -> Result<(), AppError> {
    new.check().map_err(|bounds| AppError::PolicyOutOfBounds {
        field: bounds.field.to_owned(),
        min: bounds.min,
        max: bounds.max,
    })?;
    let mut tx = pool.begin().await?;
    organizations::service::lock(&mut tx, admin.organization_id).await?;
    let ceiling = plan_limit(&mut *tx, admin.organization_id).await?;
    if new.max_participants.is_some_and(|max| max > ceiling) {
        return Err(AppError::PolicyOutOfBounds {
            field: "max_participants".to_owned(),
            min: 1,
            max: ceiling,
        });
    }
    // Sessions the policies have already ended stay ended, however the limits change.
    session::end_expired(&mut *tx, Some(admin.organization_id), now).await?;
    let old = policies::store::save(&mut tx, admin.organization_id, new, now).await?;
    for (policy, from, to) in new.changes_from(&old) {
        admin
            .audit(
                &mut tx,
                "policy.changed",
                serde_json::json!({ "policy": policy, "from": from, "to": to }),
                now,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Applies `what` to everyone in the organization but the admin asking, and records it; returns
/// how many sessions ended (timed-out ones included, which go with them) or people were asked.
pub async fn apply_to_everyone_else(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    what: EveryoneElse,
) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let (organization, asking) = (admin.organization_id, admin.id);
    let (count, kind, counted) = match what {
        EveryoneElse::SignOut => (
            sqlx::query!(
                "with links as (
                     delete from device_links l using members m
                      where m.id = l.member_id and m.organization_id = $1 and m.id <> $2
                        and l.used_at is null)
                 delete from sessions s using members m
                  where m.id = s.member_id and m.organization_id = $1 and m.id <> $2",
                organization,
                asking
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            "policy.signed_everyone_out",
            "sessions",
        ),
        // Asked at their next sign-in, which comes at once: a session they kept would put it off
        // for as long as the session lasts, and one held by whoever knew the old password too.
        EveryoneElse::ChooseNewPassword => (
            sqlx::query_scalar!(
                r#"with asked as (
                     update members set must_change_password = true
                      where organization_id = $1 and id <> $2 and status in ('active', 'blocked')
                      returning id),
                 links as (
                     delete from device_links l using asked a
                      where l.member_id = a.id and l.used_at is null),
                 sessions as (delete from sessions s using asked a where s.member_id = a.id)
                 select count(*) as "asked!" from asked"#,
                organization,
                asking
            )
            .fetch_one(&mut *tx)
            .await?
            .try_into()
            .unwrap_or_default(),
            "policy.new_passwords_required",
            "people",
        ),
    };
    admin
        .audit_and_commit(tx, kind, serde_json::json!({ counted: count }), now)
        .await?;
    Ok(count)
}
