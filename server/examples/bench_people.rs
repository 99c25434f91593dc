//! The people list at 100,000 members, through a running server: p50/p95 of the first page, a
//! search, a page deep in the list, and a full CSV export, next to a plain indexed SELECT of one
//! page measured in the same run. Run by `bench/people.sh`.
//!
//! Usage: bench_people <base-url> <database-url>

use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;

const MEMBERS: i64 = 100_000;
const ROUNDS: usize = 200;

/// Fills an organization with `MEMBERS` people and a global admin signed in with a known token.
async fn seed(pool: &PgPool) -> (Uuid, String) {
    let organization: Uuid = sqlx::query_scalar(
        "insert into organizations (domain, status, created_at) values ('bench.example', 'managed', now())
         returning id",
    )
    .fetch_one(pool)
    .await
    .expect("an organization");
    sqlx::query(
        "insert into members (email, display_name, password_hash, organization_id, created_at, last_sign_in_at)
         select 'person' || n || '@bench.example',
                initcap(substr(md5(n::text), 1, 6)) || ' ' || initcap(substr(md5((n * 7)::text), 1, 8)),
                '', $1, now(),
                case when n % 3 = 0 then null else now() - (n % 1000) * interval '1 minute' end
           from generate_series(1, $2) as n",
    )
    .bind(organization)
    .bind(MEMBERS)
    .execute(pool)
    .await
    .expect("members");
    let admin: Uuid = sqlx::query_scalar(
        "insert into members (email, display_name, password_hash, organization_id, created_at, role)
         values ('admin@bench.example', 'Admin', '', $1, now(), 'global_admin') returning id",
    )
    .bind(organization)
    .fetch_one(pool)
    .await
    .expect("an admin");
    let token = app::core::secrets::long_token();
    sqlx::query(
        "insert into sessions (token_hash, member_id, created_at, last_seen_at) values ($1, $2, now(), now())",
    )
    .bind(app::core::secrets::hash(&token))
    .bind(admin)
    .execute(pool)
    .await
    .expect("a session");
    sqlx::query("analyze members")
        .execute(pool)
        .await
        .expect("analyzed");
    (organization, token)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Times `ROUNDS` runs of `run`, one after another; returns (p50, p95) in milliseconds.
async fn timed<F, Fut>(mut run: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .expect("usage: bench_people <base-url> <database-url>");
    let pool = PgPool::connect(&args.next().expect("database url"))
        .await
        .expect("database");

    let seeding = Instant::now();
    let (organization, token) = seed(&pool).await;
    eprintln!(
        "seeded {MEMBERS} members in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::builder()
        .default_headers(
            [(
                reqwest::header::COOKIE,
                format!("tenantry_session={token}").parse().expect("cookie"),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .expect("http client");
    // Where a page 90% into the list starts, in the list's own cursor form.
    let (deep_key, deep_id): (String, Uuid) = sqlx::query_as(
        "select lower(display_name), id from members where organization_id = $1
          order by lower(display_name), id offset $2 limit 1",
    )
    .bind(organization)
    .bind(MEMBERS * 9 / 10)
    .fetch_one(&pool)
    .await
    .expect("a deep row");
    let deep_cursor = format!("{deep_key}\u{1f}{deep_id}");

    let page = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = format!("{base}/api/people");
        async move {
            let response = client
                .post(url)
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await
                .expect("sent");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("a page");
        }
    };

    let baseline = timed(|| async {
        let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
            "select id, display_name, email from members where organization_id = $1
              order by lower(display_name), id limit 51",
        )
        .bind(organization)
        .fetch_all(&pool)
        .await
        .expect("rows");
        assert_eq!(rows.len(), 51);
    })
    .await;
    let first = timed(|| page(vec![])).await;
    let search = timed(|| page(vec![("search", "ab".to_owned())])).await;
    let deep = timed(|| page(vec![("after", deep_cursor.clone())])).await;
    let by_sign_in = timed(|| page(vec![("sort", "last_sign_in".to_owned())])).await;

    let mut exports = Vec::new();
    let mut lines = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let text = client
            .get(format!("{base}/admin/people.csv"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("csv");
        exports.push(started.elapsed().as_secs_f64());
        lines = text.lines().count();
    }
    exports.sort_by(f64::total_cmp);

    println!("people list, {MEMBERS} members, {ROUNDS} sequential requests each");
    println!("| what | p50 ms | p95 ms |");
    println!("|---|---|---|");
    println!(
        "| plain indexed SELECT of one page (baseline) | {:.2} | {:.2} |",
        baseline.0, baseline.1
    );
    for (what, (p50, p95)) in [
        ("first page", first),
        ("search \"ab\"", search),
        ("page 90% deep", deep),
        ("first page by last sign-in", by_sign_in),
    ] {
        println!("| {what} | {p50:.2} | {p95:.2} |");
    }
    println!(
        "CSV export of everyone: {} lines, median {:.2} s of 3",
        lines, exports[1]
    );
    println!(
        "people page p95 / baseline p95: {:.1}",
        first.1 / baseline.1.max(0.001)
    );
}
