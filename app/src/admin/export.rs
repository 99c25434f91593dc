//! `GET /admin/audit.csv`: the audit log under the page's filter, streamed as CSV.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::Response,
};
use futures::StreamExt;

use super::events::{filtered_person, select_events, Event};
use super::AuditFilter;
use crate::core::csv::{csv_line, csv_response, fed_stream, send_records};
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::organizations::{self, Role};

/// Streams the filtered events of the signed-in global admin's organization, newest first.
pub async fn audit_csv(
    State(core): State<Core>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let admin = organizations::service::admin_of(&core, &headers, Role::is_global_admin).await?;
    let filter = AuditFilter::from_query(|key| query.get(key).cloned());
    let person = filtered_person(&core.pool, &admin, &filter).await?;
    let pool = core.pool.clone();
    let rows = fed_stream(move |sender| async move {
        // A filter on someone outside the organization matches nothing.
        let mut select = person.map(|person| select_events(admin.organization_id, person, &filter));
        let events = match &mut select {
            Some(select) => select
                .push(" order by e.id desc")
                .build_query_as::<Event>()
                .fetch(&pool),
            None => futures::stream::empty().boxed(),
        };
        send_records(
            sender,
            "time_utc,actor,subject,action,detail,recorded\n",
            events,
            |event| {
                let entry = event.into_entry();
                Ok(csv_line(&[
                    &entry.at,
                    entry.actor.as_deref().unwrap_or_default(),
                    entry.subject.as_deref().unwrap_or_default(),
                    &entry.kind,
                    &entry.detail_text(),
                    &entry.technical,
                ]))
            },
        )
        .await;
    });
    Ok(csv_response(rows, "audit.csv"))
}
