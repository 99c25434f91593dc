//! `GET /metrics` in Prometheus' text format, for operators: requests and their time by route
//! and status class, the connection pool, the mail outbox (waiting, and given up on after every
//! retry) and the open live meeting feeds of this process. Counts and route templates only,
//! nothing about any person; answered to this machine alone, as a scraper beside the server asks.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::core::state::Core;
use app::meetings::presence::Presence;

/// Requests of one method and route template answered with one status class.
type Kind = (String, String, &'static str);

/// Requests seen by this process: how many of each kind, and their seconds in total.
#[derive(Clone, Default)]
pub struct Requests(Arc<Mutex<BTreeMap<Kind, (u64, f64)>>>);

impl Requests {
    fn record(&self, method: String, route: String, class: &'static str, seconds: f64) {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = seen.entry((method, route, class)).or_default();
        entry.0 += 1;
        entry.1 += seconds;
    }
}

/// Counts every request under its route template (`/meet/{code}`, never the code itself).
pub async fn count(State(requests): State<Requests>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "other".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let class = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    requests.record(method, route, class, started.elapsed().as_secs_f64());
    response
}

/// What `/metrics` reads.
#[derive(Clone)]
pub struct Sources {
    pub core: Core,
    pub presence: Presence,
    pub requests: Requests,
}

pub async fn metrics(
    State(sources): State<Sources>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Response {
    let trusted = &sources.core.settings.trusted_proxies;
    if !app::core::forwarding::is_from_this_machine(peer.ip(), &headers, trusted) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let pool = &sources.core.pool;
    let outbox = sqlx::query_as::<_, (i64, i64)>(
        "select count(*) filter (where delivered_at is null and attempts <= $1),
                count(*) filter (where delivered_at is null and attempts > $1)
           from outbox",
    )
    .bind(app::core::outbox::RETRIES)
    .fetch_one(pool)
    .await;
    let mut text = String::from(
        "# HELP tenantry_http_requests_total Requests answered, by route and status class.\n\
         # TYPE tenantry_http_requests_total counter\n\
         # HELP tenantry_http_request_seconds_total Time spent answering them, in seconds.\n\
         # TYPE tenantry_http_request_seconds_total counter\n",
    );
    let seen = sources
        .requests
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for ((method, route, class), (count, seconds)) in &seen {
        let route = route.replace('"', "'");
        let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{class}\"");
        let _ = writeln!(text, "tenantry_http_requests_total{{{labels}}} {count}");
        let _ = writeln!(
            text,
            "tenantry_http_request_seconds_total{{{labels}}} {seconds:.6}"
        );
    }
    let gauges = [
        (
            "tenantry_db_pool_connections",
            "Open database connections of this process.",
            Some(i64::from(pool.size())),
        ),
        (
            "tenantry_db_pool_idle_connections",
            "Of those, idle.",
            i64::try_from(pool.num_idle()).ok(),
        ),
        (
            "tenantry_outbox_waiting",
            "Mail not delivered yet that will be retried.",
            outbox.as_ref().ok().map(|o| o.0),
        ),
        (
            "tenantry_outbox_undeliverable",
            "Mail given up on after every retry; its last error is in the outbox table.",
            outbox.as_ref().ok().map(|o| o.1),
        ),
        (
            "tenantry_live_feeds",
            "Open live meeting pages on this process.",
            i64::try_from(sources.presence.open_feeds()).ok(),
        ),
    ];
    for (name, help, value) in gauges {
        if let Some(value) = value {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
