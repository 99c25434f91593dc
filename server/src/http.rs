//! The axum router: Leptos pages and server functions, health checks, and the layers around them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::{
    extract::{FromRef, State},
    http::StatusCode,
    response::IntoResponse,
    routing::get,
    Router,
};
use http::{header, HeaderName, HeaderValue, Request};
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use app::{
    core::{
        clock::Clock,
        state::{Core, Settings},
    },
    licensing::checkout::PaymentSettings,
    licensing::idempotency::PurchaseTurns,
    mailbox::MailboxSettings,
    meetings::presence::Presence,
    shell,
    wizard::dns::DnsSettings,
    App,
};

use crate::config::Config;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything the server shares with its handlers and server functions: the base every feature
/// uses, and each feature's own settings and state.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub core: Core,
    pub dns: DnsSettings,
    pub payments: PaymentSettings,
    pub mailbox: MailboxSettings,
    pub presence: Presence,
}

impl AppState {
    /// Gives each part to the server functions as context.
    fn provide(&self) {
        provide_context(self.core.clone());
        provide_context(self.dns.clone());
        provide_context(self.payments.clone());
        provide_context(self.mailbox);
        provide_context(self.presence.clone());
    }
}

/// Builds the whole application router around `pool`, with this process's live presence hub
/// (to close its open feeds at shutdown).
pub fn router(
    config: &Config,
    leptos_options: LeptosOptions,
    pool: PgPool,
    clock: Clock,
) -> (Router, Presence) {
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", leptos_options.site_addr));
    let settings = Settings {
        secure_cookies: public_url.starts_with("https://"),
        public_url,
        trusted_proxies: config.trusted_proxies.clone(),
        forwarding_header: config.forwarding_header,
    };
    // Behind a proxy the Host header may differ from the address people open.
    let public_origin = settings.public_url.clone();
    let hsts = settings.secure_cookies;
    let tls_unannounced = Arc::new(AtomicBool::new(false));
    let hashed_names = leptos_options.hash_files;
    let presence = Presence::start(pool.clone(), clock.clone());
    let purchase_turns = PurchaseTurns::for_pool(&pool);
    let state = AppState {
        leptos_options,
        core: Core {
            pool,
            clock,
            settings,
        },
        dns: DnsSettings {
            nameservers: config.dns_nameservers.clone(),
            timeout: config.dns_timeout,
        },
        payments: PaymentSettings {
            stripe: config.stripe.clone(),
            turns: purchase_turns,
        },
        mailbox: MailboxSettings {
            enabled: config.dev_mailbox,
        },
        presence: presence.clone(),
    };
    let requests = crate::metrics::Requests::default();
    let metrics = Router::new()
        .route("/metrics", get(crate::metrics::metrics))
        .with_state(crate::metrics::Sources {
            core: state.core.clone(),
            presence: presence.clone(),
            requests: requests.clone(),
        });
    let routes = generate_route_list(App);
    let static_files = crate::static_files::router(&state.leptos_options);
    let context = {
        let state = state.clone();
        move || {
            state.provide();
            leptos::nonce::provide_nonce();
        }
    };

    let router = Router::new()
        .merge(static_files)
        .merge(metrics)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/live/meetings/{code}",
            get(app::meetings::presence::events),
        )
        .route("/admin/people.csv", get(app::people::export::people_csv))
        .route("/admin/audit.csv", get(app::admin::export::audit_csv))
        .route(
            "/webhooks/stripe",
            axum::routing::post(app::upgrade::webhook::stripe_webhook),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.core.clone(),
            app::admin::guard::pages,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            requests,
            crate::metrics::count,
        ))
        .layer(axum::middleware::map_response(server_function_error_status))
        .layer(axum::middleware::from_fn(move |request, next| {
            caching(request, next, hashed_names)
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            same_origin_writes(request, next, public_origin.clone())
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            https_in_front(request, next, !hsts, tls_unannounced.clone())
        }))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                        let id = request
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|id| id.to_str().ok())
                            .unwrap_or("-");
                        let path = loggable_path(request.uri().path());
                        tracing::info_span!("request", id, method = %request.method(), %path)
                    }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // Pages replace this fallback policy with one that carries their script nonce.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
                    ),
                ))
                .layer(axum::middleware::map_response(move |response| {
                    security_headers(response, hsts)
                }))
                // Static files are compressed at build time and sent as they are; what is left
                // is made per request, where a fast level beats a small one.
                .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
                .layer(RequestBodyLimitLayer::new(config.request_body_limit))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                )),
        );
    (router, presence)
}

/// A server function that fails before its body runs (its arguments cannot be read) answers
/// with the framework's 500; this gives it the status its error maps to, as every other failure
/// has (`AppError::status_code`), so bad input is a 4xx and never looks like a server fault.
async fn server_function_error_status(
    response: axum::response::Response,
) -> axum::response::Response {
    use leptos::server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Errors are JSON, at most echoing part of a request, whose size is limited.
    let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let error = app::core::error::AppError::de(bytes.clone());
    if let Ok(status) = StatusCode::from_u16(error.status_code()) {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Paths whose last segment is a secret: a meeting's join code, a phone or invitation link.
const SECRET_SEGMENT_AFTER: [&str; 4] = ["/meet/", "/live/meetings/", "/phone/", "/invitation/"];

/// The request path as logs may keep it: secrets in it replaced by `…`, since whoever reads the
/// logs must not be able to join a meeting or take over an invitation from them.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match SECRET_SEGMENT_AFTER
        .iter()
        .find(|prefix| path.starts_with(**prefix) && path.len() > prefix.len())
    {
        Some(prefix) => format!("{prefix}…").into(),
        None => path.into(),
    }
}

/// What a year-long, never-revalidated cache entry is allowed for: files whose names change
/// with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long a response may be kept. Pages, server-function answers, the live feed and CSV
/// exports can carry personal data: never stored. Files under `/pkg/`, when the build names them
/// by their content (`hashed_names`): kept a year without asking. Anything else: kept, but only
/// used after asking whether it changed.
async fn caching(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    hashed_names: bool,
) -> axum::response::Response {
    let hashed = hashed_names && request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let personal = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| {
            [
                "text/html",
                "application/json",
                "text/event-stream",
                "text/csv",
            ]
            .iter()
            .any(|personal| kind.starts_with(personal))
        });
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let rule = if personal {
        "no-store"
    } else if hashed && found {
        IMMUTABLE
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    response
}

/// Headers every response carries: no content sniffing, no full referrers to other sites, no
/// framing; behind HTTPS (`hsts`), HTTPS only from then on.
async fn security_headers<B>(mut response: http::Response<B>, hsts: bool) -> http::Response<B> {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Refuses state-changing requests that a browser sent from another site. SameSite=Lax cookies
/// already keep the session out of them; this also stops a signed-out cross-site form post.
async fn same_origin_writes(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    public_origin: String,
) -> axum::response::Response {
    let safe = matches!(
        *request.method(),
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    );
    if !safe {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        // HTTP/2 names the host in the request's authority instead; with neither, only the
        // public origin is known to be ours.
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| {
                request
                    .uri()
                    .authority()
                    .map(|authority| authority.as_str())
            });
        if let Some(origin) = origin {
            let origin_host = origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(origin);
            if host != Some(origin_host) && origin != public_origin {
                return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
            }
        }
    }
    next.run(request).await
}

/// Says once, in the log, that browsers reach this server over HTTPS while `PUBLIC_URL` says
/// `http://`: cookies then lack `Secure`, and the refusals of settings only safe on a developer's
/// machine (test payments, the development mailbox) never applied. A proxy that terminates TLS
/// says so in `X-Forwarded-Proto` or `Forwarded`, a browser in `Origin`.
async fn https_in_front(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    public_url_is_http: bool,
    noticed: Arc<AtomicBool>,
) -> axum::response::Response {
    if public_url_is_http
        && !noticed.load(Ordering::Relaxed)
        && reached_over_https(request.headers())
        && !noticed.swap(true, Ordering::Relaxed)
    {
        tracing::error!(
            "this server is reached over https:// but PUBLIC_URL does not say so: cookies are \
             not marked Secure, and PAYMENTS=test and DEV_MAILBOX, if set, are not refused; \
             set PUBLIC_URL to the https:// address people use"
        );
    }
    next.run(request).await
}

/// The request says it reached the site over HTTPS: the proxy's `X-Forwarded-Proto` or
/// `Forwarded`, or the browser's `Origin`.
fn reached_over_https(headers: &http::HeaderMap) -> bool {
    let said = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
    };
    said("x-forwarded-proto")
        .iter()
        .any(|proto| proto.trim() == "https")
        || said("forwarded")
            .iter()
            .any(|forwarded| forwarded.contains("proto=https"))
        || said("origin")
            .iter()
            .any(|origin| origin.starts_with("https://"))
}

/// Alive: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers too.
async fn readyz(State(core): State<Core>) -> impl IntoResponse {
    match crate::database::is_ready(&core.pool).await {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database is unreachable".to_owned(),
            )
        }
    }
}

/// The listener the server accepts connections on, with Nagle's algorithm off for each: a
/// response written in several pieces (every streamed page, every file) then leaves at once
/// instead of waiting for the browser's delayed acknowledgement, ~40 ms on a kept-alive
/// connection.
pub fn without_delay(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn no_delay(connection: &mut tokio::net::TcpStream) {
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    }
    listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream))
}

#[cfg(test)]
mod tests {
    use super::{loggable_path, reached_over_https, HeaderValue};

    #[test]
    fn a_proxy_or_browser_says_when_the_site_is_reached_over_https() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = http::HeaderMap::new();
            for (name, value) in pairs {
                headers.append(*name, HeaderValue::from_static(value));
            }
            headers
        };
        assert!(reached_over_https(&headers(&[(
            "x-forwarded-proto",
            "https"
        )])));
        assert!(reached_over_https(&headers(&[(
            "forwarded",
            "for=198.51.100.1;proto=https"
        )])));
        assert!(reached_over_https(&headers(&[(
            "origin",
            "https://tenantry.example"
        )])));
        assert!(!reached_over_https(&headers(&[
            ("x-forwarded-proto", "http"),
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(!reached_over_https(&headers(&[])));
    }

    #[test]
    fn join_codes_and_link_tokens_stay_out_of_the_logs() {
        assert_eq!(loggable_path("/meet/abc-defg-hij"), "/meet/…");
        assert_eq!(
            loggable_path("/live/meetings/abc-defg-hij"),
            "/live/meetings/…"
        );
        assert_eq!(loggable_path("/invitation/0f3a9c"), "/invitation/…");
        assert_eq!(loggable_path("/phone/0f3a9c"), "/phone/…");
        assert_eq!(loggable_path("/meetings"), "/meetings");
        assert_eq!(loggable_path("/api/sign_in"), "/api/sign_in");
    }
}
