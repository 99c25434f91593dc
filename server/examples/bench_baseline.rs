//! The baseline `bench/run.sh` measures Tenantry against in the same run: a plain axum server
//! that does no more than each route must, serving the very bytes Tenantry served (a page, the
//! favicon) and answering the status check with the same one query through sqlx.
//!
//! Usage: bench_baseline <listen-address> <database-url> <page-file> <favicon-file>

use axum::{extract::State, http::header, response::IntoResponse, routing::get, Json, Router};
use sqlx::PgPool;

#[derive(Clone)]
struct Baseline {
    pool: PgPool,
    page: &'static [u8],
    favicon: &'static [u8],
}

async fn page(State(baseline): State<Baseline>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        baseline.page,
    )
}

async fn favicon(State(baseline): State<Baseline>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml")], baseline.favicon)
}

async fn database_status(State(baseline): State<Baseline>) -> impl IntoResponse {
    let started = std::time::Instant::now();
    sqlx::query("select 1")
        .execute(&baseline.pool)
        .await
        .expect("the database answers");
    let round_trip_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Json(serde_json::json!({ "round_trip_ms": round_trip_ms }))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, address, database, page_file, favicon_file] = args.as_slice() else {
        panic!("usage: bench_baseline <listen-address> <database-url> <page-file> <favicon-file>");
    };
    let read =
        |path: &str| -> &'static [u8] { std::fs::read(path).expect("a file to serve").leak() };
    let baseline = Baseline {
        pool: PgPool::connect(database).await.expect("the database"),
        page: read(page_file),
        favicon: read(favicon_file),
    };
    let router = Router::new()
        .route("/signin", get(page))
        .route("/favicon.svg", get(favicon))
        .route("/api/database_status", axum::routing::post(database_status))
        .with_state(baseline);
    let listener = tokio::net::TcpListener::bind(address.as_str())
        .await
        .expect("a port");
    axum::serve(server::http::without_delay(listener), router)
        .await
        .expect("serves");
}
