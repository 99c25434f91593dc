//! Adding people: one at a time or from a CSV file, each invited by mail to choose a password;
//! invitations sent again or cancelled.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::service::target;
use super::{invitations, Added, PersonStatus};
use crate::accounts::Member;
use crate::core::error::{AppError, RowIssue, RowProblem};
use crate::core::request::Requester;
use crate::core::state::Core;
use crate::domain::{DisplayName, EmailAddress};
use crate::licensing::seats;
use crate::organizations::{self, Role};

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
    if role.is_admin() && !admin.role.is_global_admin() {
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
        .audit_and_commit(
            tx,
            "person.added",
            json!({ "member": id, "email": address, "role": role.as_str(), "licensed": licensed }),
            now,
        )
        .await?;
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
        let license = match field(2).trim().to_lowercase().as_str() {
            "" | "no" | "n" | "false" | "0" => Some(false),
            "yes" | "y" | "true" | "1" => Some(true),
            _ => None,
        };
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
        } else if let Some(license) = license {
            rows.push(BulkRow {
                line: line_number,
                name,
                email,
                license,
            });
        } else {
            problems.push(RowProblem {
                line: line_number,
                problem: RowIssue::LicenseValue,
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
        .audit_and_commit(
            tx,
            "people.added_in_bulk",
            json!({ "people": rows.len() }),
            now,
        )
        .await?;
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
        .audit_and_commit(tx, "person.reinvited", json!({ "member": id }), now)
        .await?;
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
        .audit_and_commit(
            tx,
            "person.invitation_cancelled",
            json!({ "member": id, "email": target.email }),
            now,
        )
        .await?;
    Ok(())
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
}
