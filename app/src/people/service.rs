//! The people of an organization as admins see and change them. Every function is scoped to the
//! admin's own organization: a person of another organization is not found.

use serde_json::json;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    invitations, mails, Added, ContactView, PeopleFilter, PeoplePage, PeopleSort, PersonDevices,
    PersonRow, PersonStatus, PersonView, ResetOutcome,
};
use crate::accounts::{self, passwords, session, Member, PhoneLink, PhoneLinkState};
use crate::core::clock;
use crate::core::error::{AppError, RowIssue, RowProblem};
use crate::core::locale::locale_of_tag;
use crate::core::outbox;
use crate::core::request::Requester;
use crate::core::secrets;
use crate::core::state::Core;
use crate::domain::{DisplayName, EmailAddress, Password};
use crate::licensing::seats;
use crate::organizations::{self, Role};

/// People per page of the list.
pub const PAGE_SIZE: i64 = 50;
/// How long a removed person can be restored; after that their personal data is erased.
pub const RESTORE_WITHIN: Duration = Duration::days(30);

/// A person as the list query reads them.
#[derive(sqlx::FromRow)]
pub(super) struct Record {
    id: Uuid,
    display_name: String,
    email: String,
    role: String,
    status: String,
    last_sign_in_at: Option<OffsetDateTime>,
    removed_at: Option<OffsetDateTime>,
    plan: Option<String>,
    devices: i64,
}

impl Record {
    pub(super) fn into_row(self) -> Result<PersonRow, AppError> {
        Ok(PersonRow {
            id: self.id.to_string(),
            name: self.display_name,
            email: EmailAddress::display_stored(&self.email),
            license: self.plan,
            role: Role::stored(&self.role)?,
            status: PersonStatus::stored(&self.status)?,
            last_sign_in: self.last_sign_in_at.map(clock::minute),
            devices: self.devices,
        })
    }
}

/// The people of one organization, with their license and how many devices are signed in now;
/// callers add conditions and the order.
pub(super) fn select_people(
    organization_id: Uuid,
    now: OffsetDateTime,
) -> QueryBuilder<'static, Postgres> {
    let mut query = QueryBuilder::new(
        "select m.id, m.display_name, m.email, m.role, m.status, m.last_sign_in_at, m.removed_at,
                p.name as plan,
                (select count(*) from sessions s where s.member_id = m.id and s.last_seen_at > ",
    );
    query
        .push_bind(now - session::IDLE_TIMEOUT)
        .push(" and s.created_at > ")
        .push_bind(now - session::ABSOLUTE_TIMEOUT)
        .push(
            ") as devices
               from members m
               left join licenses l on l.member_id = m.id
               left join subscriptions su on su.id = l.subscription_id
               left join plans p on p.id = su.plan_id
              where m.organization_id = ",
        )
        .push_bind(organization_id);
    query
}

/// `text` as the start of a LIKE pattern: its own `%`, `_` and `\` match only themselves.
fn like_prefix(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// Where a page of the list starts: the sort key and id of the last person on the one before.
struct Cursor {
    key: String,
    id: Uuid,
}

impl Cursor {
    const SEPARATOR: char = '\u{1f}';

    fn parse(text: &str) -> Result<Self, AppError> {
        let (key, id) = text
            .rsplit_once(Self::SEPARATOR)
            .ok_or(AppError::NotFound)?;
        let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        Ok(Cursor {
            key: key.to_owned(),
            id,
        })
    }

    fn after(record: &Record, sort: PeopleSort) -> String {
        let key = match sort {
            PeopleSort::Name => record.display_name.to_lowercase(),
            PeopleSort::Email => record.email.clone(),
            PeopleSort::LastSignIn => record
                .last_sign_in_at
                .and_then(|at| at.format(&Rfc3339).ok())
                .unwrap_or_default(),
        };
        format!("{key}{}{}", Self::SEPARATOR, record.id)
    }
}

/// One page of the people list: filtered, sorted, and continued after `after` (keyset paging,
/// so a page deep in a long list costs what the first one does).
pub async fn list(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    filter: &PeopleFilter,
    after: Option<&str>,
) -> Result<PeoplePage, AppError> {
    let sort = filter.sort.unwrap_or(PeopleSort::Name);
    let mut query = select_people(admin.organization_id, now);
    push_filter(&mut query, admin.organization_id, filter);
    if let Some(after) = after.filter(|after| !after.is_empty()) {
        let cursor = Cursor::parse(after)?;
        push_after(&mut query, admin.organization_id, sort, cursor)?;
    }
    query.push(match sort {
        PeopleSort::Name => " order by lower(m.display_name), m.id",
        PeopleSort::Email => " order by m.email, m.id",
        PeopleSort::LastSignIn => " order by m.last_sign_in_at desc nulls last, m.id",
    });
    query.push(" limit ").push_bind(PAGE_SIZE + 1);
    // Planned for each search's own prefix: a plan kept for any prefix could not use the
    // prefix indexes.
    let mut records: Vec<Record> = query
        .build_query_as()
        .persistent(filter.search.is_empty())
        .fetch_all(pool)
        .await?;
    let next = if records.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
        records.pop();
        records.last().map(|last| Cursor::after(last, sort))
    } else {
        None
    };
    // Counted with the first page only: the task it feeds is shown above the list.
    let unlicensed = if after.is_none_or(str::is_empty) {
        Some(
            sqlx::query_scalar!(
                r#"select count(*) as "count!" from members m
                    where m.organization_id = $1 and m.status in ('active', 'invited')
                      and not exists (select 1 from licenses l where l.member_id = m.id)"#,
                admin.organization_id
            )
            .fetch_one(pool)
            .await?,
        )
    } else {
        None
    };
    Ok(PeoplePage {
        people: records
            .into_iter()
            .map(Record::into_row)
            .collect::<Result<_, _>>()?,
        next,
        unlicensed,
        viewer: admin.role,
    })
}

/// Adds the filter's conditions. The search is a case-insensitive prefix of name or address:
/// the matching ids are found first through the two prefix indexes, so a rare prefix never
/// walks the whole sorted list looking for matches.
pub(super) fn push_filter(
    query: &mut QueryBuilder<'static, Postgres>,
    organization_id: Uuid,
    filter: &PeopleFilter,
) {
    if !filter.search.is_empty() {
        let prefix = like_prefix(&filter.search.to_lowercase());
        query
            .push(
                " and m.id = any(array(select id from members
                    where organization_id = ",
            )
            .push_bind(organization_id)
            .push(" and (lower(display_name) like ")
            .push_bind(prefix.clone())
            .push(" or email like ")
            .push_bind(prefix)
            .push(")))");
    }
    if let Some(licensed) = filter.licensed {
        query
            .push(" and (l.member_id is not null) = ")
            .push_bind(licensed);
    }
    if let Some(role) = filter.role {
        query.push(" and m.role = ").push_bind(role.as_str());
    }
    if let Some(status) = filter.status {
        query.push(" and m.status = ").push_bind(status.as_str());
    }
}

/// Continues the list after `cursor` in `sort` order, as a row comparison the index serves.
fn push_after(
    query: &mut QueryBuilder<'static, Postgres>,
    organization_id: Uuid,
    sort: PeopleSort,
    cursor: Cursor,
) -> Result<(), AppError> {
    match sort {
        PeopleSort::Name | PeopleSort::Email => {
            let column = if sort == PeopleSort::Name {
                "lower(m.display_name)"
            } else {
                "m.email"
            };
            query
                .push(format!(" and (m.organization_id, {column}, m.id) > ("))
                .push_bind(organization_id)
                .push(", ")
                .push_bind(cursor.key)
                .push(", ")
                .push_bind(cursor.id)
                .push(")");
        }
        PeopleSort::LastSignIn if cursor.key.is_empty() => {
            query
                .push(" and m.last_sign_in_at is null and m.id > ")
                .push_bind(cursor.id);
        }
        PeopleSort::LastSignIn => {
            let at =
                OffsetDateTime::parse(&cursor.key, &Rfc3339).map_err(|_| AppError::NotFound)?;
            query
                .push(" and (m.last_sign_in_at < ")
                .push_bind(at)
                .push(" or (m.last_sign_in_at = ")
                .push_bind(at)
                .push(" and m.id > ")
                .push_bind(cursor.id)
                .push(") or m.last_sign_in_at is null)");
        }
    }
    Ok(())
}

/// One person of the admin's organization, or `NotFound`.
async fn record(
    db: &mut PgConnection,
    now: OffsetDateTime,
    admin: &Member,
    id: Uuid,
) -> Result<Record, AppError> {
    let mut query = select_people(admin.organization_id, now);
    query.push(" and m.id = ").push_bind(id);
    query
        .build_query_as()
        .fetch_optional(&mut *db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A person's page.
pub async fn person(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    id: Uuid,
) -> Result<PersonView, AppError> {
    let mut db = pool.acquire().await?;
    let record = record(&mut db, now, admin, id).await?;
    let restorable_until = record
        .removed_at
        .map(|removed| clock::day(removed + RESTORE_WITHIN));
    let invitation_expires = invitations::expiry(&mut db, id).await?.map(clock::minute);
    Ok(PersonView {
        person: record.into_row()?,
        restorable_until,
        invitation_expires,
        viewer: organizations::service::role(&mut *db, admin.id).await?,
        is_viewer: id == admin.id,
    })
}

/// The people a message will go to: the chosen active people, or, when none were chosen, how
/// many everyone is.
pub async fn recipients(
    pool: &PgPool,
    now: OffsetDateTime,
    admin: &Member,
    ids: &[Uuid],
) -> Result<ContactView, AppError> {
    if ids.is_empty() {
        let everyone = sqlx::query_scalar!(
            r#"select count(*) as "count!" from members where organization_id = $1 and status = 'active'"#,
            admin.organization_id
        )
        .fetch_one(pool)
        .await?;
        return Ok(ContactView {
            recipients: Vec::new(),
            everyone: Some(everyone),
        });
    }
    let mut query = select_people(admin.organization_id, now);
    query
        .push(" and m.status = 'active' and m.id = any(")
        .push_bind(ids.to_vec())
        .push(") order by lower(m.display_name), m.id");
    let records: Vec<Record> = query.build_query_as().fetch_all(pool).await?;
    Ok(ContactView {
        recipients: records
            .into_iter()
            .map(Record::into_row)
            .collect::<Result<_, _>>()?,
        everyone: None,
    })
}

/// The target of an admin action, locked for the rest of the transaction.
struct Target {
    id: Uuid,
    email: String,
    name: String,
    role: Role,
    status: PersonStatus,
    locale: String,
}

/// Locks a person of the admin's organization and checks that the admin may act on them: a
/// user admin acts on people without an admin role only.
async fn target(tx: &mut PgConnection, admin: &Member, id: Uuid) -> Result<Target, AppError> {
    let row = sqlx::query!(
        "select id, email, display_name, role, status, locale from members
          where id = $1 and organization_id = $2 for update",
        id,
        admin.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let target = Target {
        id: row.id,
        email: row.email,
        name: row.display_name,
        role: Role::stored(&row.role)?,
        status: PersonStatus::stored(&row.status)?,
        locale: row.locale,
    };
    let viewer = organizations::service::role(&mut *tx, admin.id).await?;
    if target.role.is_admin() && viewer != Role::GlobalAdmin {
        return Err(AppError::Forbidden);
    }
    Ok(target)
}

/// Refuses to leave the organization without an active global admin once `target` stops being
/// one. Locks the organization first, so two admins demoting each other at once cannot both
/// succeed.
async fn keep_a_global_admin(
    tx: &mut PgConnection,
    organization_id: Uuid,
    target: &Target,
) -> Result<(), AppError> {
    if target.role != Role::GlobalAdmin {
        return Ok(());
    }
    organizations::service::lock(tx, organization_id).await?;
    let others = sqlx::query_scalar!(
        r#"select count(*) as "count!" from members
            where organization_id = $1 and role = $2 and status = 'active' and id <> $3"#,
        organization_id,
        Role::GlobalAdmin.as_str(),
        target.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if others == 0 {
        return Err(AppError::LastGlobalAdmin);
    }
    Ok(())
}

/// Adds a person with an address on the organization's domain and mails them an invitation to
/// choose their password, optionally with a license. A retry of the same addition (same address
/// and name, still invited) answers as the first did.
pub async fn add(
    core: &Core,
    who: &Requester,
    admin: &Member,
    name: &DisplayName,
    email: &EmailAddress,
    license: bool,
    role: Role,
) -> Result<Added, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    organizations::service::lock(&mut tx, admin.organization_id).await?;
    let domains = organizations::service::verified_domains(&mut tx, admin.organization_id).await?;
    if !domains
        .iter()
        .any(|domain| domain == email.domain().as_str())
    {
        return Err(AppError::DomainNotAllowed {
            domains: domains
                .iter()
                .map(|domain| crate::domain::DomainName::display_stored(domain))
                .collect(),
        });
    }
    let viewer = organizations::service::role(&mut *tx, admin.id).await?;
    if role.is_admin() && viewer != Role::GlobalAdmin {
        return Err(AppError::Forbidden);
    }
    let address = email.as_ascii();
    let inserted = sqlx::query_scalar!(
        "insert into members (email, display_name, password_hash, organization_id, created_at, locale, role, status)
         values ($1, $2, '', $3, $4, $5, $6, 'invited')
         on conflict (email) do nothing
         returning id",
        address,
        name.as_str(),
        admin.organization_id,
        now,
        crate::core::locale::locale_tag(who.locale),
        role.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        return already_added(&mut tx, admin, &address, name).await;
    };
    let licensed = license && seats::grant(&mut tx, admin.organization_id, id, now).await?;
    invitations::send(&mut tx, &core.settings, admin, id, now).await?;
    admin
        .audit(
            &mut tx,
            "person.added",
            json!({ "member": id, "email": address, "role": role.as_str(), "licensed": licensed }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(Added {
        id: id.to_string(),
        licensed,
    })
}

/// The answer to adding an address that is taken: the same person still invited under the same
/// name is the first addition, retried; anyone else is a clear refusal.
async fn already_added(
    tx: &mut PgConnection,
    admin: &Member,
    address: &str,
    name: &DisplayName,
) -> Result<Added, AppError> {
    let existing = sqlx::query!(
        r#"select m.id, m.display_name, m.status, m.organization_id,
                  exists(select 1 from licenses l where l.member_id = m.id) as "licensed!"
             from members m where m.email = $1"#,
        address
    )
    .fetch_one(&mut *tx)
    .await?;
    if existing.organization_id == admin.organization_id
        && existing.status == PersonStatus::Invited.as_str()
        && existing.display_name == name.as_str()
    {
        return Ok(Added {
            id: existing.id.to_string(),
            licensed: existing.licensed,
        });
    }
    Err(AppError::AddressTaken)
}

/// Rows a bulk addition may hold.
pub const BULK_MAX_ROWS: usize = 1000;

/// One row of a bulk addition, checked.
struct BulkRow {
    line: usize,
    name: DisplayName,
    email: EmailAddress,
    license: bool,
}

/// Splits one CSV line into fields; double quotes group a field that holds commas.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(field) = fields.last_mut() {
                    field.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
        .into_iter()
        .map(|field| field.trim().to_owned())
        .collect()
}

/// Reads `name,email[,license]` rows (a header line is skipped) and checks every one against the
/// organization: each row's problems, or the rows when all are good.
async fn bulk_rows(
    tx: &mut PgConnection,
    organization_id: Uuid,
    csv: &str,
) -> Result<Result<Vec<BulkRow>, Vec<RowProblem>>, AppError> {
    let domains = organizations::service::verified_domains(tx, organization_id).await?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let lines = csv
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .filter(|(index, line)| !(*index == 0 && line.to_lowercase().starts_with("name,")));
    for (index, line) in lines {
        let line_number = index + 1;
        let fields = csv_fields(line);
        let field = |n: usize| fields.get(n).map(String::as_str).unwrap_or_default();
        let name = match DisplayName::parse(field(0)) {
            Ok(name) => name,
            Err(problem) => {
                problems.push(RowProblem {
                    line: line_number,
                    problem: RowIssue::Invalid(problem),
                });
                continue;
            }
        };
        let email = match EmailAddress::parse(field(1)) {
            Ok(email) => email,
            Err(problem) => {
                problems.push(RowProblem {
                    line: line_number,
                    problem: RowIssue::Invalid(problem),
                });
                continue;
            }
        };
        let address = email.as_ascii();
        if !domains
            .iter()
            .any(|domain| domain == email.domain().as_str())
        {
            problems.push(RowProblem {
                line: line_number,
                problem: RowIssue::DomainNotAllowed,
            });
        } else if !seen.insert(address.clone()) {
            problems.push(RowProblem {
                line: line_number,
                problem: RowIssue::Repeated,
            });
        } else {
            let license = !matches!(field(2).to_lowercase().as_str(), "" | "no" | "false" | "0");
            rows.push(BulkRow {
                line: line_number,
                name,
                email,
                license,
            });
        }
    }
    if rows.len() + problems.len() > BULK_MAX_ROWS {
        return Err(AppError::Invalid(crate::domain::Invalid::TooManyRows));
    }
    let addresses: Vec<String> = rows.iter().map(|row| row.email.as_ascii()).collect();
    let taken: Vec<String> = sqlx::query_scalar!(
        "select email from members where email = any($1)",
        &addresses
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in rows
        .iter()
        .filter(|row| taken.contains(&row.email.as_ascii()))
    {
        problems.push(RowProblem {
            line: row.line,
            problem: RowIssue::Taken,
        });
    }
    let wanted = i64::try_from(rows.iter().filter(|row| row.license).count()).unwrap_or(i64::MAX);
    let free = sqlx::query_scalar!(
        r#"select count(*) as "free!" from seats se join subscriptions s on s.id = se.subscription_id
            where s.organization_id = $1 and se.member_id is null"#,
        organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if wanted > free {
        problems.push(RowProblem {
            line: 0,
            problem: RowIssue::NotEnoughLicenses { wanted, free },
        });
    }
    problems.sort_by_key(|problem| problem.line);
    Ok(if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    })
}

/// Adds everyone in a CSV of `name,email[,license]` rows (up to 1,000) and mails each an
/// invitation; every row is checked first, and nothing is added unless all are good.
pub async fn add_many(
    core: &Core,
    who: &Requester,
    admin: &Member,
    csv: &str,
) -> Result<usize, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    organizations::service::lock(&mut tx, admin.organization_id).await?;
    let rows = match bulk_rows(&mut tx, admin.organization_id, csv).await? {
        Ok(rows) if rows.is_empty() => {
            return Err(AppError::Invalid(crate::domain::Invalid::NoRows))
        }
        Ok(rows) => rows,
        Err(problems) => return Err(AppError::RowsRefused { rows: problems }),
    };
    for row in &rows {
        let id = sqlx::query_scalar!(
            "insert into members (email, display_name, password_hash, organization_id, created_at, locale, status)
             values ($1, $2, '', $3, $4, $5, 'invited') returning id",
            row.email.as_ascii(),
            row.name.as_str(),
            admin.organization_id,
            now,
            crate::core::locale::locale_tag(who.locale),
        )
        .fetch_one(&mut *tx)
        .await?;
        if row.license {
            seats::grant(&mut tx, admin.organization_id, id, now).await?;
        }
        invitations::send(&mut tx, &core.settings, admin, id, now).await?;
    }
    admin
        .audit(
            &mut tx,
            "people.added_in_bulk",
            json!({ "people": rows.len() }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Mails an invited person a new link; the old one stops working.
pub async fn reinvite(core: &Core, admin: &Member, id: Uuid) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Invited {
        return Err(AppError::NotFound);
    }
    invitations::send(&mut tx, &core.settings, admin, id, now).await?;
    admin
        .audit(&mut tx, "person.reinvited", json!({ "member": id }), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels an invitation: the invited person is deleted and their license freed.
pub async fn cancel_invitation(core: &Core, admin: &Member, id: Uuid) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Invited {
        return Err(AppError::NotFound);
    }
    seats::revoke(&mut tx, id, now).await?;
    sqlx::query!("delete from members where id = $1", id)
        .execute(&mut *tx)
        .await?;
    admin
        .audit(
            &mut tx,
            "person.invitation_cancelled",
            json!({ "member": id, "email": target.email }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a person: every session ends at once, their license is freed, the meetings they
/// organize are cancelled (people who joined them are told), and they cannot sign in. They can
/// be restored for 30 days. Removing someone already removed changes nothing.
pub async fn remove(core: &Core, admin: &Member, id: Uuid) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status == PersonStatus::Removed {
        return Ok(());
    }
    keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
    sqlx::query!(
        "update members set status = 'removed', removed_at = $2 where id = $1",
        id,
        now
    )
    .execute(&mut *tx)
    .await?;
    let licensed = seats::revoke(&mut tx, id, now).await?;
    session::end_all(&mut *tx, id).await?;
    invitations::revoke(&mut tx, id).await?;
    let cancelled = cancel_meetings(&mut tx, &target, now).await?;
    admin
        .audit(
            &mut tx,
            "person.removed",
            json!({ "member": id, "email": target.email, "license_freed": licensed, "meetings_cancelled": cancelled }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels the meetings `organizer` has not held yet, and their personal room, and mails the
/// colleagues who joined the organizer's meetings before; returns how many scheduled meetings
/// were cancelled.
async fn cancel_meetings(
    tx: &mut PgConnection,
    organizer: &Target,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    // Read before the meetings go: their participants go with them.
    let colleagues = sqlx::query!(
        "select distinct m.email, m.locale from participants p
           join meetings g on g.id = p.meeting_id
           join members m on m.id = p.member_id
          where g.organizer_id = $1 and m.id <> $1 and m.status = 'active'",
        organizer.id
    )
    .fetch_all(&mut *tx)
    .await?;
    let cancelled = sqlx::query!(
        "delete from meetings where organizer_id = $1 and (personal or starts_at > $2)
         returning title, starts_at, personal",
        organizer.id,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    let scheduled: Vec<_> = cancelled
        .iter()
        .filter(|meeting| !meeting.personal)
        .collect();
    for colleague in &colleagues {
        let locale = locale_of_tag(&colleague.locale);
        for meeting in &scheduled {
            let mail = mails::meeting_cancelled(
                locale,
                &colleague.email,
                &organizer.name,
                &meeting.title,
                &clock::minute(meeting.starts_at),
            );
            outbox::enqueue(&mut *tx, &mail, now).await?;
        }
    }
    Ok(scheduled.len())
}

/// Restores a person removed less than 30 days ago, with a license when one is free. Returns
/// whether they got one.
pub async fn restore(core: &Core, admin: &Member, id: Uuid) -> Result<bool, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Removed {
        return Ok(false);
    }
    let restored = sqlx::query!(
        "update members set status = 'active', removed_at = null
          where id = $1 and removed_at > $2",
        id,
        now - RESTORE_WITHIN
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if restored == 0 {
        return Err(AppError::NotFound);
    }
    let licensed = match seats::grant(&mut tx, admin.organization_id, id, now).await {
        Ok(granted) => granted,
        Err(AppError::NoLicenseAvailable) => false,
        Err(other) => return Err(other),
    };
    admin
        .audit(
            &mut tx,
            "person.restored",
            json!({ "member": id, "licensed": licensed }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(licensed)
}

/// Blocks or unblocks a person's sign-in; blocking ends their sessions at once.
pub async fn set_blocked(
    core: &Core,
    admin: &Member,
    id: Uuid,
    blocked: bool,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    let (from, to) = if blocked {
        (PersonStatus::Active, PersonStatus::Blocked)
    } else {
        (PersonStatus::Blocked, PersonStatus::Active)
    };
    if target.status == to {
        return Ok(());
    }
    if target.status != from {
        return Err(AppError::NotFound);
    }
    if blocked {
        if id == admin.id {
            return Err(AppError::Forbidden);
        }
        keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
        session::end_all(&mut *tx, id).await?;
    }
    sqlx::query!(
        "update members set status = $2 where id = $1",
        id,
        to.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let kind = if blocked {
        "person.blocked"
    } else {
        "person.unblocked"
    };
    admin
        .audit(&mut tx, kind, json!({ "member": id }), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a person another role (global admins only); the person is told by mail.
pub async fn set_role(core: &Core, admin: &Member, id: Uuid, role: Role) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.role == role {
        return Ok(());
    }
    if target.status == PersonStatus::Removed {
        return Err(AppError::NotFound);
    }
    keep_a_global_admin(&mut tx, admin.organization_id, &target).await?;
    sqlx::query!(
        "update members set role = $2 where id = $1",
        id,
        role.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let mail = mails::role_changed(
        &core.settings,
        locale_of_tag(&target.locale),
        &target.email,
        &admin.display_name,
        role,
    );
    outbox::enqueue(&mut tx, &mail, now).await?;
    admin
        .audit(
            &mut tx,
            "person.role_changed",
            json!({ "member": id, "from": target.role.as_str(), "to": role.as_str() }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Resets a person's password: a mailed reset link, or a temporary password shown once to the
/// admin that the person must replace at their next sign-in. Either way their sessions end.
pub async fn reset_password(
    core: &Core,
    admin: &Member,
    id: Uuid,
    temporary: bool,
) -> Result<ResetOutcome, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Active && target.status != PersonStatus::Blocked {
        return Err(AppError::NotFound);
    }
    session::end_all(&mut *tx, id).await?;
    let outcome = if temporary {
        let password = secrets::temporary_password();
        let parsed = Password::parse(&password, &[]).map_err(|_| AppError::Internal)?;
        let hash = passwords::hash(&parsed).await?;
        sqlx::query!(
            "update members set password_hash = $2, must_change_password = true where id = $1",
            id,
            hash
        )
        .execute(&mut *tx)
        .await?;
        ResetOutcome::Temporary(password)
    } else {
        accounts::service::mail_reset(
            &mut tx,
            &core.settings,
            locale_of_tag(&target.locale),
            &target.email,
            now,
        )
        .await?;
        ResetOutcome::Mailed
    };
    let how = if temporary { "temporary" } else { "mailed" };
    admin
        .audit(
            &mut tx,
            "person.password_reset",
            json!({ "member": id, "how": how }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Gives a person a license, or takes theirs back.
pub async fn set_licensed(
    core: &Core,
    admin: &Member,
    id: Uuid,
    licensed: bool,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status == PersonStatus::Removed {
        return Err(AppError::NotFound);
    }
    let changed = if licensed {
        seats::grant(&mut tx, admin.organization_id, id, now).await?
    } else {
        seats::revoke(&mut tx, id, now).await?
    };
    if changed {
        let kind = if licensed {
            "license.assigned"
        } else {
            "license.unassigned"
        };
        admin
            .audit(&mut tx, kind, json!({ "member": id }), now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A person's signed-in devices and the phone links waiting for them.
pub async fn devices(core: &Core, admin: &Member, id: Uuid) -> Result<PersonDevices, AppError> {
    let now = core.now();
    let mut db = core.pool.begin().await?;
    target(&mut db, admin, id).await?;
    Ok(PersonDevices {
        devices: accounts::devices::list(&mut *db, id, None, now).await?,
        pending: accounts::phone::pending(&mut *db, id, now).await?,
    })
}

/// Signs one of a person's devices out, or all of them (`device` none), audited.
pub async fn sign_out_devices(
    core: &Core,
    admin: &Member,
    id: Uuid,
    device: Option<Uuid>,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    target(&mut tx, admin, id).await?;
    match device {
        Some(device) => accounts::devices::sign_out(&mut *tx, id, device).await?,
        None => session::end_all(&mut *tx, id).await?,
    }
    admin
        .audit(
            &mut tx,
            "device.signed_out",
            json!({ "member": id, "device": device.map(|device| device.to_string()).unwrap_or_else(|| "all".to_owned()) }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A link that signs a phone in as the person, made by the admin; only for an active person.
pub async fn phone_link(core: &Core, admin: &Member, id: Uuid) -> Result<PhoneLink, AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    let target = target(&mut tx, admin, id).await?;
    if target.status != PersonStatus::Active {
        return Err(AppError::NotFound);
    }
    let link =
        accounts::phone::issue(&mut tx, &core.settings.public_url, id, admin.id, now).await?;
    admin
        .audit(
            &mut tx,
            "device.phone_link_created",
            json!({ "member": id }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(link)
}

/// Whether a person's phone link has been used.
pub async fn phone_link_state(
    core: &Core,
    admin: &Member,
    id: Uuid,
    link: Uuid,
) -> Result<PhoneLinkState, AppError> {
    let mut db = core.pool.begin().await?;
    target(&mut db, admin, id).await?;
    accounts::phone::state(&mut *db, id, link, core.now()).await
}

/// Cancels a person's waiting phone link.
pub async fn cancel_phone_link(
    core: &Core,
    admin: &Member,
    id: Uuid,
    link: Uuid,
) -> Result<(), AppError> {
    let now = core.now();
    let mut tx = core.pool.begin().await?;
    target(&mut tx, admin, id).await?;
    accounts::phone::cancel(&mut *tx, id, link).await?;
    admin
        .audit(
            &mut tx,
            "device.phone_link_cancelled",
            json!({ "member": id }),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Erases the personal data of people removed more than 30 days ago; their audit trail stays,
/// naming an id only. Returns how many were erased. Run on a schedule by every server.
pub async fn erase_removed(pool: &PgPool, now: OffsetDateTime) -> Result<u64, AppError> {
    let erased = sqlx::query!(
        "update members set email = id::text || '@erased.invalid', display_name = 'Erased person',
                password_hash = '', last_sign_in_at = null
          where status = 'removed' and removed_at <= $1 and email not like '%@erased.invalid'",
        now - RESTORE_WITHIN
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(erased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted() {
        assert_eq!(
            csv_fields(r#""de Vries, Ann" , ann@contoso.com,yes"#),
            ["de Vries, Ann", "ann@contoso.com", "yes"]
        );
        assert_eq!(csv_fields(r#""say ""hi""",x"#), [r#"say "hi""#, "x"]);
    }

    #[test]
    fn a_search_matches_its_wildcards_literally() {
        assert_eq!(like_prefix("ann"), "ann%");
        assert_eq!(like_prefix("100%_a\\b"), "100\\%\\_a\\\\b%");
    }

    #[test]
    fn a_cursor_reads_back_its_key_and_id() {
        let id = Uuid::new_v4();
        let cursor =
            Cursor::parse(&format!("ann de vries{}{id}", Cursor::SEPARATOR)).expect("a cursor");
        assert_eq!((cursor.key.as_str(), cursor.id), ("ann de vries", id));
        assert!(Cursor::parse("no separator").is_err());
    }
}
