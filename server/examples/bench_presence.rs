//! Live presence across two server processes: how long after a guest joins (or leaves) through
//! one process the organizer's open page on the other process hears of it, next to a plain
//! request's round trip measured in the same run; and 50 joins at once at the limit.
//! Run by `bench/presence.sh`.
//!
//! Usage: bench_presence <first-base-url> <second-base-url> <database-url>

mod common;
mod networks;

use std::time::{Duration, Instant};

use sqlx::PgPool;

const ROUNDS: usize = 200;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// Posts `form` to `url` as a page does, from a client network of its own.
async fn call(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    networks::from_another_network(client.post(url))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .expect("request sent")
}

/// Creates a meeting that admits guests and returns its code.
async fn create_meeting(
    organizer: &reqwest::Client,
    base: &str,
    title: &str,
    starts_at: &str,
) -> String {
    call(
        organizer,
        format!("{base}/api/create_meeting"),
        &[
            ("title", title),
            ("starts_at", starts_at),
            ("allow_guests", "on"),
        ],
    )
    .await
    .json()
    .await
    .expect("meeting code")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Reads the event stream until a roster holds `count` people.
async fn until_count(stream: &mut reqwest::Response, buffer: &mut String, count: usize) {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|line| line.strip_prefix("data:")) else {
                continue;
            };
            let roster: serde_json::Value = serde_json::from_str(data.trim()).expect("roster");
            if roster["participants"].as_array().map(Vec::len) == Some(count) {
                return;
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("an event in time")
            .expect("stream readable")
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (first, second, database) = (&args[1], &args[2], &args[3]);
    let pool = PgPool::connect(database).await.expect("database");
    let run = std::process::id();

    // The organizer signs up through the first server, with the code from the outbox.
    let organizer = browser();
    let email = format!("organizer@presence-{run}.example");
    call(
        &organizer,
        format!("{first}/api/sign_up"),
        &[
            ("email", &email),
            ("display_name", "Organizer"),
            ("password", "violet kettle harbor"),
        ],
    )
    .await;
    let (id, code) = common::pending_sign_up(&pool, &email).await;
    call(
        &organizer,
        format!("{first}/api/confirm_sign_up"),
        &[("id", &id.to_string()), ("code", &code)],
    )
    .await;
    call(
        &organizer,
        format!("{first}/api/save_meeting_settings"),
        &[("lobby", "nobody"), ("room_name", "")],
    )
    .await;
    let meeting = create_meeting(&organizer, first, "Presence", "2030-01-01T10:00").await;

    let mut stream = organizer
        .get(format!("{first}/live/meetings/{meeting}"))
        .send()
        .await
        .expect("event stream");
    let mut buffer = String::new();
    until_count(&mut stream, &mut buffer, 0).await;

    // Baseline: a plain server-function round trip on the second server.
    let guest = browser();
    let mut baseline = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let response = call(
            &guest,
            format!("{second}/api/meeting"),
            &[("code", &meeting)],
        )
        .await;
        assert!(response.status().is_success());
        baseline.push(started.elapsed());
    }

    // A guest joins and leaves through the second server; the organizer's page on the first hears it.
    let mut fan_out = Vec::with_capacity(ROUNDS * 2);
    for n in 0..ROUNDS {
        let started = Instant::now();
        let joined = call(
            &guest,
            format!("{second}/api/join_meeting"),
            &[("code", &meeting), ("name", &format!("Guest {n}"))],
        )
        .await;
        assert!(joined.status().is_success(), "join {}", joined.status());
        until_count(&mut stream, &mut buffer, 1).await;
        fan_out.push(started.elapsed());
        let started = Instant::now();
        call(
            &guest,
            format!("{second}/api/leave_meeting"),
            &[("code", &meeting)],
        )
        .await;
        until_count(&mut stream, &mut buffer, 0).await;
        fan_out.push(started.elapsed());
    }

    // 50 people join one meeting at once through both servers; the free limit is 10.
    let crowded = create_meeting(&organizer, first, "Crowded", "2030-01-01T11:00").await;
    let started = Instant::now();
    let joins: Vec<_> = (0..50)
        .map(|n| {
            let base = if n % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let crowded = crowded.clone();
            tokio::spawn(async move {
                call(
                    &browser(),
                    format!("{base}/api/join_meeting"),
                    &[("code", &crowded), ("name", &format!("Person {n}"))],
                )
                .await
                .status()
            })
        })
        .collect();
    let mut admitted = 0;
    let mut refused = 0;
    for join in joins {
        match join.await.expect("joined").as_u16() {
            200 => admitted += 1,
            409 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    let burst = started.elapsed();

    baseline.sort();
    fan_out.sort();
    let (base_p50, base_p99) = (percentile(&baseline, 0.5), percentile(&baseline, 0.99));
    let (fan_p50, fan_p99) = (percentile(&fan_out, 0.5), percentile(&fan_out, 0.99));
    println!(
        "plain request round trip (baseline): p50 {:.1} ms, p99 {:.1} ms",
        millis(base_p50),
        millis(base_p99)
    );
    println!(
        "join/leave on one process -> roster on the other: p50 {:.1} ms, p99 {:.1} ms ({} changes)",
        millis(fan_p50),
        millis(fan_p99),
        fan_out.len()
    );
    println!(
        "ratio to baseline: p50 {:.1}x, p99 {:.1}x",
        fan_p50.as_secs_f64() / base_p50.as_secs_f64(),
        fan_p99.as_secs_f64() / base_p99.as_secs_f64()
    );
    println!(
        "50 joins at once through two processes, limit 10: {admitted} admitted, {refused} refused, in {:.0} ms",
        millis(burst)
    );
}
