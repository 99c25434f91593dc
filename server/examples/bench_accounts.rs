//! Sign-up throughput and sign-in latency through a running server, next to the raw argon2id
//! hash rate of the same machine measured in the same run. Run by `bench/accounts.sh`.
//!
//! Usage: bench_accounts <base-url> <database-url>

mod common;

use std::{
    net::{IpAddr, Ipv4Addr},
    time::{Duration, Instant},
};

use app::{accounts::passwords, domain::Password};
use sqlx::PgPool;

const SIGN_UPS: usize = 300;
const SIGN_INS: usize = 200;

/// Requests from many loopback addresses, as from many people: the per-address limits hold.
fn client_from(n: usize) -> reqwest::Client {
    let n = u32::try_from(n).unwrap_or(0);
    let source = Ipv4Addr::from(u32::from(Ipv4Addr::new(127, 10, 0, 1)) + n);
    reqwest::Client::builder()
        .local_address(IpAddr::V4(source))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

async fn raw_hash_rate() -> f64 {
    let password = Password::parse("violet kettle harbor", &[]).expect("valid");
    let started = Instant::now();
    let mut hashed = 0usize;
    while started.elapsed() < Duration::from_secs(5) {
        let batch: Vec<_> = (0..concurrency())
            .map(|_| {
                let password = password.clone();
                tokio::spawn(async move { passwords::hash(&password).await })
            })
            .collect();
        for task in batch {
            task.await.expect("joined").expect("hashed");
            hashed += 1;
        }
    }
    hashed as f64 / started.elapsed().as_secs_f64()
}

async fn post(
    client: &reqwest::Client,
    url: String,
    form: Vec<(&'static str, String)>,
) -> reqwest::StatusCode {
    client
        .post(url)
        .header("Accept", "application/json")
        .form(&form)
        .send()
        .await
        .expect("request sent")
        .status()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .expect("usage: bench_accounts <base-url> <database-url>");
    let pool = PgPool::connect(&args.next().expect("database url"))
        .await
        .expect("database");

    let hash_rate_before = raw_hash_rate().await;

    let run = format!("{:x}", std::process::id());
    // Each person's client is made before the clock starts: the figure is the server's, and
    // making 300 clients takes this machine's CPU for about a second.
    let clients: Vec<_> = (0..SIGN_UPS).map(client_from).collect();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, client)| {
            let url = format!("{base}/api/sign_up");
            let email = format!("user{n}@bench-{run}.example");
            tokio::spawn(async move {
                post(
                    &client,
                    url,
                    vec![
                        ("email", email),
                        ("display_name", format!("User {n}")),
                        ("password", "violet kettle harbor".to_owned()),
                    ],
                )
                .await
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        let status = task.await.expect("joined");
        if !(status.is_success() || status.is_redirection()) {
            refused += 1;
        }
    }
    let sign_up_rate = SIGN_UPS as f64 / started.elapsed().as_secs_f64();
    // Measured on both sides of the sign-ups; the better figure is the harder baseline.
    let hash_rate = hash_rate_before.max(raw_hash_rate().await);

    // Verify a handful of accounts with their mailed codes, then time sign-ins one at a time.
    let accounts = 10usize;
    for n in 0..accounts {
        let email = format!("user{n}@bench-{run}.example");
        let (id, code) = common::pending_sign_up(&pool, &email).await;
        post(
            &client_from(n),
            format!("{base}/api/confirm_sign_up"),
            // Confirmed from another client than the one that signed up, so the password is
            // chosen again here.
            vec![
                ("id", id.to_string()),
                ("code", code),
                ("password", "violet kettle harbor".to_owned()),
            ],
        )
        .await;
    }
    let mut latencies = Vec::with_capacity(SIGN_INS);
    for n in 0..SIGN_INS {
        let email = format!("user{}@bench-{run}.example", n % accounts);
        let client = client_from(1000 + n);
        let started = Instant::now();
        let status = post(
            &client,
            format!("{base}/api/sign_in"),
            vec![
                ("email", email),
                ("password", "violet kettle harbor".to_owned()),
            ],
        )
        .await;
        latencies.push(started.elapsed());
        assert!(
            status.is_success() || status.is_redirection(),
            "sign-in refused: {status}"
        );
    }
    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];

    println!("machine: {} cores", concurrency());
    println!("argon2id raw hash rate (m=19 MiB, t=2, p=1): {hash_rate:.1} hashes/s");
    println!(
        "sign-ups through the server: {sign_up_rate:.1} /s ({SIGN_UPS} requests, {refused} refused)"
    );
    println!(
        "ratio sign-ups / raw hashes: {:.2} (goal: >= 0.9)",
        sign_up_rate / hash_rate
    );
    println!(
        "sign-in latency over {SIGN_INS} sign-ins: p50 {:.1} ms, p99 {:.1} ms",
        percentile(50).as_secs_f64() * 1000.0,
        percentile(99).as_secs_f64() * 1000.0
    );
}
