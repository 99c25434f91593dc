//! The one wrapper around every server function: it finds the shared state, checks who may call
//! (a [`Guard`]), runs the function's own logic, and answers a failure with its HTTP status.

#![cfg(feature = "ssr")]

use std::future::Future;

use super::error::AppError;
use super::state::{provided, Core};

/// Who may call a server function, checked before its body runs. Features add their own
/// (a signed-in member, an admin), each returning an error rather than carrying on.
pub trait Guard: Sized {
    fn check(core: &Core) -> impl Future<Output = Result<Self, AppError>> + Send;
}

/// Anyone may call.
pub struct Public;

impl Guard for Public {
    async fn check(_: &Core) -> Result<Self, AppError> {
        Ok(Public)
    }
}

/// Runs a server function's `body` once its guard `G` lets the caller through; a failure sets
/// the response's HTTP status.
///
/// Read a feature's own state with `provided()` before calling `serve`, not in `body`: a page
/// rendered on the server may drop a part it started loading, and that part's server function
/// then runs on without the request's context.
///
/// ```ignore
/// serve(|core, member: Member| async move { service::overview(&core.pool, &member).await }).await
/// ```
pub async fn serve<G, T, F, Fut>(body: F) -> Result<T, AppError>
where
    G: Guard,
    F: FnOnce(Core, G) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(
        async {
            let core = provided::<Core>()?;
            let guard = G::check(&core).await?;
            body(core, guard).await
        }
        .await,
    )
}

/// Sets the HTTP status of the current server-function response from its outcome.
fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let status = http::StatusCode::from_u16(error.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
            if let Some(secs) = error.retry_after_secs() {
                if let Ok(value) = http::HeaderValue::from_str(&secs.to_string()) {
                    response.insert_header(http::header::RETRY_AFTER, value);
                }
            }
        }
    }
    result
}
