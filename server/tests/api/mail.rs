//! Mail delivery over a real SMTP server on loopback, including an outage.

use std::{net::SocketAddr, os::fd::AsRawFd, path::PathBuf, process::Stdio, time::Duration};

use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{browser, wait_until, TestApp};
use app::core::clock::Clock;
use server::{config::Config, mail};
use socket2::{Domain, Socket, Type};
use sqlx::PgPool;
use tokio::process::{Child, Command};

/// A loopback port that refuses connections until [`smtp_sink`] serves on it: bound here, so no
/// other test can take it, but not listening.
fn reserved_port() -> Socket {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("a free port on loopback");
    socket
}

fn port_of(socket: &Socket) -> u16 {
    socket
        .local_addr()
        .ok()
        .and_then(|addr| addr.as_socket())
        .map(|addr| addr.port())
        .expect("a bound loopback port")
}

/// The SMTP sink from scripts/, serving on `socket` and storing each message it accepts as a
/// file in `dir`.
async fn smtp_sink(socket: &Socket, dir: &std::path::Path) -> Child {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/smtp-sink.py");
    socket
        .set_cloexec(false)
        .expect("the socket can be handed over");
    let child = Command::new(script)
        .arg("--fd")
        .arg(socket.as_raw_fd().to_string())
        .arg(dir)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the SMTP sink runs (Debian python3-aiosmtpd)");
    socket
        .set_cloexec(true)
        .expect("the socket is kept from later children");
    let port = port_of(socket);
    let accepting = || async move {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    };
    wait_until(Duration::from_secs(30), accepting).await;
    assert!(
        accepting().await,
        "the SMTP sink on 127.0.0.1:{port} did not accept connections within 30 s"
    );
    child
}

fn delivered(dir: &std::path::Path) -> Vec<String> {
    let mut mails: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
                .filter_map(|path| std::fs::read_to_string(&path).ok().map(|text| (path, text)))
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails.into_iter().map(|(_, text)| text).collect()
}

/// The mail queue's worker, as the server starts it, sending to the SMTP server on loopback `port`.
async fn worker_sending_to(pool: &PgPool, port: u16) -> mail::Worker {
    worker_with(pool, port, &[]).await
}

async fn worker_with(pool: &PgPool, port: u16, more: &[(&str, &str)]) -> mail::Worker {
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some("postgres://unused@127.0.0.1/unused".to_owned()),
        "SMTP_URL" => Some(format!("smtp://127.0.0.1:{port}")),
        "PAYMENTS" => Some("test".to_owned()),
        _ => more
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned()),
    })
    .expect("valid configuration");
    mail::start_worker(pool, mail::Mailer::from_config(&config).expect("mailer"))
}

#[sqlx::test(migrations = "../migrations")]
async fn mail_queued_while_smtp_is_down_is_delivered_once_it_is_back(pool: PgPool) {
    let smtp = reserved_port();
    let port = port_of(&smtp);
    let dir = std::env::temp_dir().join(format!("tenantry-mail-{}", uuid::Uuid::new_v4()));
    let mut worker = worker_sending_to(&pool, port).await;
    let app = TestApp::spawn_with(pool.clone(), Clock::system(), |_| {}).await;

    for name in ["rob", "sara", "kim"] {
        app.start_sign_up(&browser(), &format!("{name}@contoso.com"), name)
            .await;
    }
    // SMTP is down: attempts fail and nothing is lost.
    let tried_and_kept =
        "outbox where delivered_at is null and attempts > 0 and last_error is not null";
    wait_until(Duration::from_secs(30), || async {
        app.count(tried_and_kept).await == 3
    })
    .await;
    assert_eq!(
        app.count(tried_and_kept).await,
        3,
        "every message was tried and kept"
    );

    let _sink = smtp_sink(&smtp, &dir).await;
    wait_until(Duration::from_secs(60), || async {
        delivered(&dir).len() >= 3
    })
    .await;
    let mails = delivered(&dir);
    assert_eq!(mails.len(), 3, "all three arrive once SMTP is back");
    // Recorded as delivered once the mail server has accepted them.
    let recorded = "outbox where delivered_at is not null";
    wait_until(Duration::from_secs(30), || async {
        app.count(recorded).await == 3
    })
    .await;
    let ids: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("select id, recipient from outbox where delivered_at is not null")
            .fetch_all(&pool)
            .await
            .expect("outbox");
    assert_eq!(ids.len(), 3);
    for (id, recipient) in ids {
        let mail = mails
            .iter()
            .find(|mail| mail.contains(&format!("X-Envelope-To: {recipient}")))
            .unwrap_or_else(|| panic!("a mail to {recipient}"));
        assert!(
            mail.contains(&format!("Message-ID: <{id}@tenantry.localhost>")),
            "stable Message-ID in {mail}"
        );
        assert!(mail.contains("Your Tenantry code:"));
    }
    worker.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_upgrade_tells_every_member_by_mail_through_the_queue(pool: PgPool) {
    let smtp = reserved_port();
    let dir = std::env::temp_dir().join(format!("tenantry-mail-{}", uuid::Uuid::new_v4()));
    let _sink = smtp_sink(&smtp, &dir).await;
    let mut worker = worker_sending_to(&pool, port_of(&smtp)).await;
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    admin(&app, &bind, "rob@contoso.com", 2).await;

    let told = || {
        delivered(&dir)
            .into_iter()
            .filter(|mail| mail.contains("Subject: contoso.com is now managed on Tenantry"))
            .collect::<Vec<_>>()
    };
    wait_until(Duration::from_secs(60), || async { told().len() >= 2 }).await;
    let told = told();
    assert_eq!(told.len(), 2, "one mail to each member");
    for member in ["rob@contoso.com", "sara@contoso.com"] {
        assert!(
            told.iter()
                .any(|mail| mail.contains(&format!("X-Envelope-To: {member}"))),
            "{member} is told"
        );
    }
    worker.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[sqlx::test(migrations = "../migrations")]
async fn mail_that_fails_every_retry_is_given_up_on_and_counted_not_retried_forever(pool: PgPool) {
    let refusing = reserved_port();
    let mut worker = worker_sending_to(&pool, port_of(&refusing)).await;
    let app = TestApp::spawn(pool.clone()).await;
    let last_retry = app::core::outbox::RETRIES;
    sqlx::query(
        "insert into outbox (recipient, subject, body_text, attempts) values ('gone@contoso.com', 'Hello', 'Hello', $1)",
    )
    .bind(last_retry)
    .execute(&pool)
    .await
    .expect("a message on its last retry");
    let attempts = "select coalesce(max(attempts) filter (where last_error is not null), 0)::bigint
                      from outbox where recipient = 'gone@contoso.com'";
    wait_until(Duration::from_secs(30), || async {
        app.scalar(attempts).await == i64::from(last_retry) + 1
    })
    .await;
    assert_eq!(
        app.scalar(attempts).await,
        i64::from(last_retry) + 1,
        "its last attempt was made and failed"
    );
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("tenantry_outbox_undeliverable 1"),
        "{metrics}"
    );

    // Even once due again, it is not claimed: a message queued after it is tried, and it is not.
    sqlx::query("update outbox set next_attempt_at = now() - interval '1 day'")
        .execute(&pool)
        .await
        .expect("due");
    sqlx::query(
        "insert into outbox (recipient, subject, body_text) values ('sara@contoso.com', 'Hi', 'Hi')",
    )
    .execute(&pool)
    .await
    .expect("a new message");
    let tried = "outbox where recipient = 'sara@contoso.com' and last_error is not null";
    wait_until(Duration::from_secs(30), || async {
        app.count(tried).await == 1
    })
    .await;
    assert_eq!(app.count(tried).await, 1, "the later message was tried");
    assert_eq!(
        app.scalar(attempts).await,
        i64::from(last_retry) + 1,
        "given up on"
    );
    worker.stop().await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_mail_server_that_accepts_and_falls_silent_costs_one_attempt_not_the_queue(pool: PgPool) {
    // Takes connections and never says a word, as a hung relay or a tarpit does.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = silent.local_addr().expect("its address").port();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            connections.push(stream);
        }
    });
    let mut worker = worker_with(&pool, port, &[("SMTP_TIMEOUT_SECS", "2")]).await;
    let app = TestApp::spawn(pool.clone()).await;
    sqlx::query(
        "insert into outbox (recipient, subject, body_text) values ('rob@contoso.com', 'Hello', 'Hello')",
    )
    .execute(&pool)
    .await
    .expect("a message");

    let failed = "outbox where recipient = 'rob@contoso.com' and last_error like 'no answer%'";
    wait_until(Duration::from_secs(90), || async {
        app.count(failed).await == 1
    })
    .await;
    assert_eq!(
        app.count(failed).await,
        1,
        "the attempt ended as a failure, to be retried"
    );
    // The worker is free again: it stops as asked instead of waiting on the silent server.
    worker.stop().await;
    held.abort();
}
