//! Who may open each admin page, by its address: the role its server functions ask for. Pages
//! opened by anyone else are not rendered at all, rather than showing forms that would be
//! refused.

#![cfg(feature = "ssr")]

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::REFUSED;
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::organizations::{service::admin_of, Role};

/// The role a page at `path` needs, when it is an admin page.
pub fn role_needed(path: &str, query: Option<&str>) -> Option<fn(Role) -> bool> {
    let section = path.strip_prefix("/admin/")?.split('/').next()?;
    match section {
        "people" | "contact" => Some(Role::manages_people),
        "audit" | "policies" | "domains" => Some(|role| role == Role::GlobalAdmin),
        // Back from Stripe, the buyer becomes the admin only once the payment is applied:
        // the licensing page itself says what became of it.
        "licenses" if !back_from_checkout(query) => Some(Role::manages_billing),
        "invoices" => Some(Role::manages_billing),
        _ => None,
    }
}

fn back_from_checkout(query: Option<&str>) -> bool {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes()).any(|(key, _)| key == "order")
}

/// Sends whoever may not open the page elsewhere: signed out, to sign in and come back;
/// without the role, to the admin center's home, which says why. Anything else (the
/// database down) is left to the page, which answers it as every page does.
pub async fn pages(State(core): State<Core>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    let allowed = match *request.method() {
        http::Method::GET | http::Method::HEAD => role_needed(uri.path(), uri.query()),
        _ => None,
    };
    let Some(allowed) = allowed else {
        return next.run(request).await;
    };
    match admin_of(&core, request.headers(), allowed).await {
        Err(AppError::Unauthorized) => {
            let here = uri
                .path_and_query()
                .map_or(uri.path(), |here| here.as_str());
            let next = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", here)
                .finish();
            Redirect::to(&format!("/signin?{next}")).into_response()
        }
        Err(AppError::Forbidden) => Redirect::to(&format!("/admin?{REFUSED}")).into_response(),
        Ok(_) | Err(_) => next.run(request).await,
    }
}
