//! The admin center's home: counts, charts and the latest events, scoped to the admin's
//! organization. The audit log is in `events`, the policies in `policy_changes`.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime, Time};

use super::events;
use super::{AuditFilter, DayCount, Overview, PlanSeats};
use crate::accounts::Member;
use crate::core::clock;
use crate::core::error::AppError;
use crate::domain::DomainName;

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
    let latest = if viewer.is_global_admin() {
        events::page(pool, admin, &AuditFilter::default(), None, 5)
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
