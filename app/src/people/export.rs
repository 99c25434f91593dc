//! `GET /admin/people.csv`: the people list under the page's filter, as CSV, streamed row by
//! row from the database rather than built in memory.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::Response,
};

use super::directory::{push_filter, select_people, Record};
use super::PeopleFilter;
use crate::core::csv::{csv_line, csv_response, fed_stream, send_records};
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::organizations::{self, Role};

/// Streams the filtered people of the signed-in admin's organization.
pub async fn people_csv(
    State(core): State<Core>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let admin = organizations::service::admin_of(&core, &headers, Role::manages_people).await?;
    let filter = PeopleFilter::from_query(|key| query.get(key).cloned());
    let pool = core.pool.clone();
    let now = core.now();
    let rows = fed_stream(move |sender| async move {
        let mut select = select_people(admin.organization_id, now);
        push_filter(&mut select, admin.organization_id, &filter);
        select.push(" order by lower(m.display_name), m.id");
        let records = select.build_query_as::<Record>().fetch(&pool);
        let header = "name,email,license,role,status,last_sign_in,devices\n";
        send_records(sender, header, records, |record| {
            let person = record.into_row()?;
            Ok(csv_line(&[
                &person.name,
                &person.email,
                person.license.as_deref().unwrap_or_default(),
                person.role.as_str(),
                person.status.as_str(),
                person.last_sign_in.as_deref().unwrap_or_default(),
                &person.devices.to_string(),
            ]))
        })
        .await;
    });
    Ok(csv_response(rows, "people.csv"))
}
