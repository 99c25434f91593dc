//! Faults a deployment meets: the database crashing under load or restarting while connections
//! wait in the pool, a server killed in the middle of a purchase or stopped with SIGTERM during
//! one. Each counts what clients were told was done against what the database holds.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use app::core::clock::Clock;
use app::core::error::AppError;
use app::licensing::{AssignLicense, Billing::Annual};
use app::organizations::OrganizationStatus;
use sqlx::PgPool;

use crate::helpers::bind::Bind;
use crate::helpers::orders::{one_basic_license, purchase, BASIC, PAYS};
use crate::helpers::postgres::Cluster;
use crate::helpers::process::ServerProcess;
use crate::helpers::wizard::{admin, app_with_dns_at, verified_member};
use crate::helpers::{browser, sign_up_with, wait_until, TestApp};

/// What one kind of client saw: the writes it was told were done, the refusals it may retry
/// (503 with Retry-After), and anything else, which would be a fault.
#[derive(Default)]
struct Seen {
    acknowledged: Vec<String>,
    /// Licenses refused because all seats were taken.
    no_seat_left: usize,
    unavailable: usize,
    otherwise: Vec<String>,
}

impl Seen {
    fn acknowledged(seen: &Mutex<Self>) -> usize {
        seen.lock().expect("seen").acknowledged.len()
    }

    fn unavailable(seen: &Mutex<Self>) -> usize {
        seen.lock().expect("seen").unavailable
    }

    /// Counts an answer that was not an acknowledgement.
    fn refused(&mut self, what: &str, answer: Result<reqwest::Response, reqwest::Error>) {
        match answer {
            Ok(response) if is_unavailable(&response) => self.unavailable += 1,
            Ok(response) => self
                .otherwise
                .push(format!("{what}: {}", response.status())),
            Err(error) => self.otherwise.push(format!("{what}: {error}")),
        }
    }
}

/// 503 with a Retry-After: the client may try again later.
fn is_unavailable(response: &reqwest::Response) -> bool {
    response.status() == 503 && response.headers().contains_key("retry-after")
}

#[tokio::test]
async fn while_postgresql_is_down_clients_are_told_503_and_every_acknowledged_write_survives() {
    let cluster = Cluster::start().await;
    let pool = cluster.pool().await;
    let bind = Bind::start().await;
    let nameserver = bind.addr;
    let app = TestApp::spawn_with(pool, Clock::system(), |config| {
        config.dns_nameservers = vec![nameserver];
        // Each sign-up comes from an address of its own, so the per-network mail limit stays out
        // of the way; that limit is tested elsewhere.
        config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("a network")];
    })
    .await;
    let rob = admin(&app, &bind, "rob@contoso.com", 300).await;
    // More colleagues than seats, asked for over and over: once the 300 are taken, assignments
    // are refused (409), and a license already held is confirmed again, so the client keeps
    // asking through the outage however fast it is.
    app.colleagues("contoso.com", 2_000).await;

    let running = Arc::new(AtomicBool::new(true));
    let sign_ups = Arc::new(Mutex::new(Seen::default()));
    let seats = Arc::new(Mutex::new(Seen::default()));
    let mut clients = Vec::new();
    for client in 0..2 {
        let (app, running, seen) = (app.clone(), running.clone(), sign_ups.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                n += 1;
                let email = format!("signup{client}-{n}@fabrikam.com");
                let call = sign_up_with(&email, "New colleague", crate::helpers::PASSWORD);
                let response = app
                    .request(&browser(), &call)
                    .header(
                        "x-forwarded-for",
                        format!("10.{client}.{}.{}", n / 250, n % 250),
                    )
                    .timeout(Duration::from_secs(40))
                    .send()
                    .await;
                let mut seen = seen.lock().expect("seen");
                match response {
                    Ok(response)
                        if response.status().is_success() || response.status().is_redirection() =>
                    {
                        let pending = crate::helpers::pending_id(&response, "/signup/verify/");
                        seen.acknowledged.push(pending.to_string());
                    }
                    answer => seen.refused(&email, answer),
                }
            }
        }));
    }
    {
        let (app, running, seen) = (app.clone(), running.clone(), seats.clone());
        let rob = rob.clone();
        clients.push(tokio::spawn(async move {
            for n in (1..=2_000).cycle() {
                if !running.load(Ordering::Relaxed) {
                    break;
                }
                let email = format!("user{n}@contoso.com");
                let call = AssignLicense {
                    email: email.clone(),
                };
                let response = app
                    .request(&rob, &call)
                    .timeout(Duration::from_secs(40))
                    .send()
                    .await;
                let mut seen = seen.lock().expect("seen");
                match response {
                    Ok(response) if response.status().is_success() => seen.acknowledged.push(email),
                    Ok(response) if response.status() == 409 => seen.no_seat_left += 1,
                    answer => seen.refused(&email, answer),
                }
            }
        }));
    }

    let progress = |at_least: usize| {
        let (sign_ups, seats) = (sign_ups.clone(), seats.clone());
        move || {
            let (sign_ups, seats) = (sign_ups.clone(), seats.clone());
            async move {
                Seen::acknowledged(&sign_ups) >= at_least && Seen::acknowledged(&seats) >= at_least
            }
        }
    };
    wait_until(Duration::from_secs(60), progress(5)).await;
    cluster.crash().await;
    // Both kinds of client meet the outage, each more than once.
    wait_until(Duration::from_secs(60), || async {
        Seen::unavailable(&sign_ups) >= 2 && Seen::unavailable(&seats) >= 2
    })
    .await;
    // A page that needs the database is refused the same way.
    let page = rob
        .get(app.url("/admin/licenses"))
        .send()
        .await
        .expect("the page answers");
    assert!(
        is_unavailable(&page),
        "a page while the database is down: {}",
        page.status()
    );
    let acknowledged_while_down = Seen::acknowledged(&sign_ups) + Seen::acknowledged(&seats);
    cluster.resume().await;
    wait_until(
        Duration::from_secs(60),
        progress(Seen::acknowledged(&sign_ups).max(Seen::acknowledged(&seats)) + 5),
    )
    .await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.expect("the client ran to its end");
    }

    let sign_ups_kept = "select count(*) from email_codes where id::text = any($1)";
    let licenses_kept =
        "select count(*) from licenses join members on members.id = licenses.member_id
                          where members.email = any($1)";
    for (what, seen, kept) in [
        ("sign-up", &sign_ups, sign_ups_kept),
        ("license", &seats, licenses_kept),
    ] {
        let acknowledged = {
            let seen = seen.lock().expect("seen");
            assert!(
                seen.otherwise.is_empty(),
                "{what}s: answered otherwise than 503 + Retry-After: {:?}",
                seen.otherwise
            );
            assert!(
                seen.unavailable >= 2,
                "{what}s: the outage was seen ({} refusals)",
                seen.unavailable
            );
            let mut acknowledged = seen.acknowledged.clone();
            acknowledged.sort();
            acknowledged.dedup();
            acknowledged
        };
        let stored: i64 = sqlx::query_scalar(kept)
            .bind(&acknowledged)
            .fetch_one(&app.pool)
            .await
            .expect("counted");
        assert_eq!(
            usize::try_from(stored).ok(),
            Some(acknowledged.len()),
            "every acknowledged {what} is kept"
        );
    }
    assert!(
        acknowledged_while_down < Seen::acknowledged(&sign_ups) + Seen::acknowledged(&seats),
        "writes were acknowledged again after the restart"
    );
}

#[tokio::test]
async fn a_connection_left_idle_across_a_database_restart_is_replaced_before_it_is_used() {
    let cluster = Cluster::start().await;
    let pool = cluster.pool().await;
    let one = || sqlx::query_scalar::<_, i32>("select 1").fetch_one(&pool);
    one().await.expect("the pool's connection works");
    // The pool takes a connection back in a task of its own, after checking it.
    wait_until(Duration::from_secs(10), || async { pool.num_idle() == 1 }).await;
    assert_eq!(pool.num_idle(), 1, "one connection waits in the pool");

    cluster.crash().await;
    cluster.resume().await;
    // Idle for longer than a connection in steady use ever is, so the pool must not trust it.
    tokio::time::sleep(server::database::RECHECK_IDLE_AFTER).await;

    assert_eq!(
        one()
            .await
            .expect("answered on the first try, not with the dead connection's error"),
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_purchase_killed_after_the_payment_before_its_commit_charges_once_when_retried(
    pool: PgPool,
) {
    let (app, bind) = app_with_dns_at(pool.clone(), Clock::system(), |_| {}).await;
    let nameserver = bind.addr;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let order = purchase(BASIC, Annual, 2, PAYS, "upgrade-killed-midway");
    let dns = ("DNS_NAMESERVERS", nameserver.to_string());

    let mut doomed = ServerProcess::start(
        &pool,
        &[
            dns.clone(),
            ("TENANTRY_FAILPOINT", "upgrade.paid".to_owned()),
        ],
    )
    .await;
    let first_try = tokio::spawn({
        let (server, rob, order) = (doomed.app.clone(), rob.clone(), order.clone());
        async move {
            let sent = server.request(&rob, &order).send().await;
            sent.map(|response| response.status())
        }
    });
    doomed.wait_for_log("failpoint upgrade.paid reached").await;
    assert_eq!(
        doomed.app.invoke(&rob, order.clone()).await,
        Err(AppError::PurchaseInProgress),
        "a retry while the first try runs is told so"
    );
    doomed.kill().await;
    let cut_off = first_try.await.expect("the first try ended");
    assert!(cut_off.is_err(), "the killed server answered: {cut_off:?}");
    assert_eq!(
        app.count("orders").await,
        0,
        "the charge went with its transaction"
    );
    assert_eq!(
        app.scalar("select count(*) from organizations where status = 'managed'")
            .await,
        0
    );

    let survivor = ServerProcess::start(&pool, &[dns]).await;
    let paid = survivor.app.invoke(&rob, order.clone()).await;
    let paid = paid.expect("the retry with the same key is paid");
    let replayed = survivor.app.invoke(&rob, order).await;
    assert_eq!(
        replayed,
        Ok(paid.clone()),
        "a further retry replays the outcome"
    );
    assert_eq!(
        app.count("orders where status = 'paid'").await,
        1,
        "charged once"
    );
    assert_eq!(app.count("orders").await, 1);
    assert_eq!(app.count("subscriptions").await, 1, "upgraded once");
    assert_eq!(app.count("licenses").await, 2);
    let status: String = sqlx::query_scalar("select status from organizations")
        .fetch_one(&pool)
        .await
        .expect("the organization");
    assert_eq!(
        OrganizationStatus::parse(&status),
        Some(OrganizationStatus::Managed)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sigterm_in_the_middle_of_a_purchase_lets_it_finish_before_the_server_exits(pool: PgPool) {
    let (app, bind) = app_with_dns_at(pool.clone(), Clock::system(), |_| {}).await;
    let nameserver = bind.addr;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "admin_tile").await;
    let order = one_basic_license("upgrade-during-sigterm");
    let mut stopping = ServerProcess::start(
        &pool,
        &[
            ("DNS_NAMESERVERS", nameserver.to_string()),
            ("TENANTRY_FAILPOINT", "upgrade.paid=sleep(2000)".to_owned()),
        ],
    )
    .await;
    let purchase = tokio::spawn({
        let (server, rob) = (stopping.app.clone(), rob.clone());
        async move { server.invoke(&rob, order).await }
    });
    stopping
        .wait_for_log("failpoint upgrade.paid reached")
        .await;
    assert!(stopping.terminate().await, "the server exits cleanly");
    let paid = purchase.await.expect("the purchase ended");
    assert!(
        paid.is_ok(),
        "the purchase in flight was answered: {paid:?}"
    );
    assert_eq!(app.count("orders where status = 'paid'").await, 1);
    assert_eq!(app.count("subscriptions").await, 1);
}
