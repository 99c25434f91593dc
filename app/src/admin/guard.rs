//! Admin pages checked before they render: opened by someone without the role their server
//! functions ask for ([`AdminPage::open_to`]), they are not rendered at all, rather than
//! showing forms that would be refused.

#![cfg(feature = "ssr")]

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::REFUSED;
use crate::core::error::AppError;
use crate::core::state::Core;
use crate::organizations::{service::admin_of, AdminPage};

/// The admin page at `path` whose role is checked before it renders.
pub fn guarded(path: &str, query: Option<&str>) -> Option<AdminPage> {
    match AdminPage::at(path)? {
        // Back from Stripe, the buyer becomes the admin only once the payment is applied:
        // the licensing page itself says what became of it.
        AdminPage::Licenses if back_from_checkout(query) => None,
        page => Some(page),
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
    let page = match *request.method() {
        http::Method::GET | http::Method::HEAD => guarded(uri.path(), uri.query()),
        _ => None,
    };
    let Some(page) = page else {
        return next.run(request).await;
    };
    match admin_of(&core, request.headers(), |role| page.open_to(role)).await {
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
