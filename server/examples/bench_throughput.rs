//! Throughput where requests contend, through two release server processes on one PostgreSQL:
//! license assignments racing for one subscription's seats, the upgrade of an organization of
//! 10,000 members while another organization keeps working, and meeting joins at the limit.
//! Every call is the page's own server function with its own argument type. Run by
//! `bench/throughput.sh`, which measures pgbench on the same cluster as the seats' baseline.
//!
//! Usage: bench_throughput <first-base-url> <second-base-url> <database-url> <dns-dir> <dns-port>

mod common;
mod networks;
mod profiler;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::{ConfirmSignUp, CurrentMember, SignUp};
use app::licensing::{AssignLicense, Billing};
use app::meetings::{CreateMeeting, JoinMeeting, SaveMeetingSettings};
use app::upgrade::Purchase;
use app::wizard::{CheckDomain, CurrentWizard, Method, StartWizard};
use leptos::server_fn::ServerFn;
use serde::{de::DeserializeOwned, Serialize};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;

const PASSWORD: &str = "violet kettle harbor";
/// Requests in flight at once while seats are assigned.
const SEAT_CONCURRENCY: usize = 200;
const SEATS: i32 = 5_000;
/// People asking for those seats: a thousand more than there are.
const SEAT_SEEKERS: usize = 6_000;
const UPGRADE_MEMBERS: usize = 10_000;
const MEETINGS: usize = 250;
const JOINS: usize = 5_000;
const JOIN_CONCURRENCY: usize = 64;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(SEAT_CONCURRENCY)
        .build()
        .expect("http client")
}

/// `call` as its page posts it.
fn post<F: ServerFn + Serialize>(
    client: &reqwest::Client,
    base: &str,
    call: &F,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}{}", F::PATH))
        .header("Accept", "application/json")
        .form(call)
}

/// Sends `call` as its page does, from a client network of its own.
async fn send<F: ServerFn + Serialize>(
    client: &reqwest::Client,
    base: &str,
    call: &F,
) -> reqwest::Response {
    networks::from_another_network(post(client, base, call))
        .send()
        .await
        .expect("request sent")
}

/// Makes attempts `0..total` on `concurrency` tasks at once, and counts those that succeeded
/// and those refused with 409 (no seat, no place); any other answer stops the benchmark.
async fn race<F, Fut>(concurrency: usize, total: usize, attempt: F) -> (u32, u32)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let attempt = Arc::new(attempt);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (attempt, next) = (attempt.clone(), next.clone());
            tokio::spawn(async move {
                let (mut succeeded, mut refused) = (0, 0);
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return (succeeded, refused);
                    }
                    match attempt(n).await.as_u16() {
                        200 => succeeded += 1,
                        409 => refused += 1,
                        other => panic!("attempt {n} answered {other}"),
                    }
                }
            })
        })
        .collect();
    let (mut succeeded, mut refused) = (0, 0);
    for task in tasks {
        let (s, r) = task.await.expect("a racer");
        succeeded += s;
        refused += r;
    }
    (succeeded, refused)
}

/// Sends `call` and reads its answer, which must be a success.
async fn invoke<F>(client: &reqwest::Client, base: &str, call: F) -> F::Output
where
    F: ServerFn + Serialize,
    F::Output: DeserializeOwned,
{
    let response = send(client, base, &call).await;
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert!(status.is_success(), "{} answered {status}: {body}", F::PATH);
    serde_json::from_str(&body).unwrap_or_else(|error| panic!("{}: {error}: {body}", F::PATH))
}

/// A browser in which `email` signed up (with the code from the outbox) and is signed in.
async fn member(base: &str, pool: &PgPool, email: &str, name: &str) -> reqwest::Client {
    let client = browser();
    let sign_up = SignUp {
        email: email.to_owned(),
        display_name: name.to_owned(),
        password: PASSWORD.to_owned(),
    };
    send(&client, base, &sign_up).await;
    let (id, code) = common::pending_sign_up(pool, email).await;
    let confirm = ConfirmSignUp {
        id: id.to_string(),
        code,
        password: None,
    };
    invoke(&client, base, confirm).await;
    client
}

/// Proves the member's domain from the Admin tile with a TXT record added by nsupdate.
async fn prove_domain(client: &reqwest::Client, base: &str, dns_dir: &str, dns_port: &str) {
    let entry = "admin_tile".to_owned();
    invoke(client, base, StartWizard { entry }).await;
    let wizard = invoke(client, base, CurrentWizard {})
        .await
        .expect("the wizard is open");
    let (name, value) = (wizard.challenge.txt_name, wizard.challenge.txt_value);
    let zone = wizard.domain;
    let script = format!(
        "server 127.0.0.1 {dns_port}\nzone {zone}.\nupdate add {name}. 60 TXT \"{value}\"\nsend\n"
    );
    let mut nsupdate = tokio::process::Command::new("nsupdate")
        .arg("-k")
        .arg(format!("{dns_dir}/tsig.key"))
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("nsupdate runs");
    let mut stdin = nsupdate.stdin.take().expect("stdin");
    stdin.write_all(script.as_bytes()).await.expect("written");
    drop(stdin);
    assert!(nsupdate.wait().await.expect("nsupdate ends").success());
    let method = Method::Txt;
    let outcome = invoke(client, base, CheckDomain { method }).await;
    assert_eq!(
        outcome.state,
        app::wizard::WizardState::DomainVerified,
        "{outcome:?}"
    );
}

/// Buys `quantity` Business Basic licenses with the test card; returns how long it took.
async fn upgrade(client: &reqwest::Client, base: &str, quantity: i32) -> Duration {
    let purchase = Purchase {
        plan: "business_basic".to_owned(),
        billing: Billing::Annual,
        quantity,
        card_number: Some("4242 4242 4242 4242".to_owned()),
        card_expiry: Some("12/30".to_owned()),
        card_cvc: Some("123".to_owned()),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    };
    let started = Instant::now();
    invoke(client, base, purchase).await;
    started.elapsed()
}

/// Adds `count` colleagues to the organization of `email`, as sign-ups would have.
async fn colleagues(pool: &PgPool, email: &str, count: usize) {
    let domain = email.split('@').nth(1).expect("a domain");
    sqlx::query(
        "insert into members (email, display_name, password_hash, organization_id, created_at)
         select 'user' || n || '@' || $1, 'User ' || n, 'x', o.id, now()
           from generate_series(1, $2) n, organizations o where o.domain = $1",
    )
    .bind(domain)
    .bind(i64::try_from(count).expect("a count"))
    .execute(pool)
    .await
    .expect("colleagues");
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, first, second, database, dns_dir, dns_port] = args.as_slice() else {
        panic!("usage: bench_throughput <first> <second> <database-url> <dns-dir> <dns-port>");
    };
    let pool = PgPool::connect(database).await.expect("database");
    // The plans sell at most 300 seats, as the product does; this database lifts the cap so the
    // transactions can be timed at the sizes measured.
    sqlx::query("update plans set seat_cap = 20000")
        .execute(&pool)
        .await
        .expect("cap lifted");

    // Seats: 200 requests in flight ask for licenses for 6,000 people; 5,000 seats exist.
    let rob = member(first, &pool, "rob@contoso.com", "Rob").await;
    prove_domain(&rob, first, dns_dir, dns_port).await;
    upgrade(&rob, first, SEATS).await;
    colleagues(&pool, "rob@contoso.com", SEAT_SEEKERS).await;
    profiler::sampling("enable");
    let started = Instant::now();
    let (assigned, refused) = race(SEAT_CONCURRENCY, SEAT_SEEKERS, {
        let (rob, first, second) = (rob.clone(), first.clone(), second.clone());
        move |n| {
            let (rob, first, second) = (rob.clone(), first.clone(), second.clone());
            async move {
                let base = if n % 2 == 0 { first } else { second };
                let email = format!("user{}@contoso.com", n + 1);
                // From the admin's one browser and network, as at their desk.
                let call = AssignLicense { email };
                post(&rob, &base, &call)
                    .send()
                    .await
                    .expect("sent")
                    .status()
            }
        }
    })
    .await;
    let seat_time = started.elapsed();
    profiler::sampling("disable");
    let licenses = scalar(
        &pool,
        "select count(*) from licenses l join members m on m.id = l.member_id
          where m.email like '%@contoso.com'",
    )
    .await;
    let oversold = (licenses - i64::from(SEATS)).max(0);
    println!(
        "seats: {} assignment requests ({assigned} assigned, {refused} refused as no seat was left) \
         in {:.2} s = {:.0} requests/s, {:.0} assignments/s; licenses {licenses} of {SEATS}; oversold: {oversold}",
        assigned + refused,
        seat_time.as_secs_f64(),
        f64::from(assigned + refused) / seat_time.as_secs_f64(),
        f64::from(assigned) / seat_time.as_secs_f64(),
    );

    // The upgrade of 10,000 members, while a member of another organization keeps working.
    let buyer = member(first, &pool, "kim@fabrikam.com", "Kim").await;
    colleagues(&pool, "kim@fabrikam.com", UPGRADE_MEMBERS - 1).await;
    prove_domain(&buyer, first, dns_dir, dns_port).await;
    let other = member(second, &pool, "lee@northwind.com", "Lee").await;
    let measure_other = |until: Arc<AtomicBool>| {
        let (other, second) = (other.clone(), second.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !until.load(Ordering::Relaxed) {
                let started = Instant::now();
                invoke(&other, &second, CurrentMember {}).await;
                latencies.push(started.elapsed());
            }
            latencies.sort();
            latencies
        })
    };
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = measure_other(stop.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let quiet = quiet.await.expect("quiet");
    let stop = Arc::new(AtomicBool::new(false));
    let busy = measure_other(stop.clone());
    let took = upgrade(&buyer, first, i32::try_from(UPGRADE_MEMBERS).expect("fits")).await;
    stop.store(true, Ordering::Relaxed);
    let busy = busy.await.expect("busy");
    let licensed = scalar(
        &pool,
        "select count(*) from licenses l join members m on m.id = l.member_id
          where m.email like '%@fabrikam.com'",
    )
    .await;
    let mails = scalar(
        &pool,
        "select count(*) from outbox where recipient like '%@fabrikam.com' and subject not like '%code%'",
    )
    .await;
    println!(
        "upgrade of {UPGRADE_MEMBERS} members: {:.0} ms ({licensed} licensed, {mails} mails queued)",
        took.as_secs_f64() * 1000.0
    );
    println!(
        "another organization meanwhile: p50 {:.1} ms, max {:.1} ms over {} requests; before it: p50 {:.1} ms, max {:.1} ms",
        percentile(&busy, 0.5),
        percentile(&busy, 1.0),
        busy.len(),
        percentile(&quiet, 0.5),
        percentile(&quiet, 1.0),
    );

    // Joins at the limit: 5,000 guests into 250 free meetings of ten through both servers.
    let organizer = other;
    let settings = SaveMeetingSettings {
        lobby: "nobody".to_owned(),
        muted_on_entry: None,
        room_name: String::new(),
    };
    invoke(&organizer, second, settings).await;
    let mut codes = Vec::with_capacity(MEETINGS);
    for n in 0..MEETINGS {
        let meeting = CreateMeeting {
            title: format!("Meeting {n}"),
            starts_at: "2030-01-01T10:00".to_owned(),
            utc_offset_minutes: None,
            allow_guests: Some("on".to_owned()),
        };
        codes.push(invoke(&organizer, second, meeting).await);
    }
    let codes = Arc::new(codes);
    // Guests send no cookie, so each join is a new guest; one client keeps its connections.
    let guests = reqwest::Client::builder()
        .pool_max_idle_per_host(JOIN_CONCURRENCY)
        .build()
        .expect("http client");
    let started = Instant::now();
    let (admitted, refused) = race(JOIN_CONCURRENCY, JOINS, {
        let (first, second) = (first.clone(), second.clone());
        move |n| {
            let (codes, guests) = (codes.clone(), guests.clone());
            let (first, second) = (first.clone(), second.clone());
            async move {
                let base = if n % 2 == 0 { first } else { second };
                // Meeting after meeting, so each fills within moments, long before a silent
                // guest's place would be freed (30 s): every refusal is the limit's.
                let join = JoinMeeting {
                    code: codes[n * MEETINGS / JOINS].clone(),
                    name: Some(format!("Guest {n}")),
                };
                send(&guests, &base, &join).await.status()
            }
        }
    })
    .await;
    let join_time = started.elapsed();
    let over = scalar(
        &pool,
        "select coalesce(sum(greatest(n - 10, 0)), 0)::bigint from (
           select count(*) n from participants
            where state = 'admitted' and left_at is null group by meeting_id) admitted",
    )
    .await;
    println!(
        "joins: {JOINS} guests into {MEETINGS} meetings of ten through two processes in {:.2} s = \
         {:.0} joins/s ({admitted} admitted, {refused} refused); over-admitted: {over}",
        join_time.as_secs_f64(),
        JOINS as f64 / join_time.as_secs_f64(),
    );
}
