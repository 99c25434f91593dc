//! The people list as admins read it: search, filters, keyset pages, one person's page, and
//! who a message will reach.

use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::service::RESTORE_WITHIN;
use super::{
    invitations, ContactView, PeopleFilter, PeoplePage, PeopleSort, PersonRow, PersonStatus,
    PersonView,
};
use crate::accounts::{session, Member};
use crate::core::clock;
use crate::core::error::AppError;
use crate::domain::EmailAddress;
use crate::organizations::Role;

/// People per page of the list.
pub const PAGE_SIZE: i64 = 50;

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
        viewer: admin.role,
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

#[cfg(test)]
mod tests {
    use super::*;

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
