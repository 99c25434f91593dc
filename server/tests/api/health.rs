//! Liveness, readiness, headers and limits of the HTTP layer, against a real database.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::helpers::{answer, TestApp};
use app::accounts::SignOut;
use app::status::DatabaseStatus;
use leptos::server_fn::ServerFn;
use sqlx::{postgres::PgPoolOptions, PgPool};
use tokio::net::{TcpListener, TcpStream};

#[sqlx::test(migrations = "../migrations")]
async fn healthz_answers_ok(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "ok");
}

#[sqlx::test(migrations = "../migrations")]
async fn readyz_fails_while_the_database_is_down_and_recovers_without_a_restart(pool: PgPool) {
    let proxy = Switch::between(&pool).await;
    let through_proxy = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy_with(pool.connect_options().as_ref().clone().port(proxy.port));
    let app = TestApp::spawn(through_proxy).await;

    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.set_up(false).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.text().await.expect("body"),
        "not ready: the database is unreachable"
    );
    // Server functions say so too, and when to try again: never a 500.
    let status_check = app.respond(&app.client, DatabaseStatus {}).await;
    assert_eq!(status_check.status(), 503);
    assert_eq!(header_of(&status_check, "retry-after"), "5");

    proxy.set_up(true).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_public_status_check_times_a_round_trip_and_tells_nothing_else(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.respond(&app.client, DatabaseStatus {}).await;
    let body: serde_json::Value = response.json().await.expect("JSON");
    let fields: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(fields, ["round_trip_ms"], "no schema or version details");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_carries_the_security_headers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/healthz").await;
    let header = |name: &str| header_of(&response, name);
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("x-request-id").len(), 36, "a UUID request id");
    assert_eq!(
        header("strict-transport-security"),
        "",
        "not over plain HTTP"
    );
}

/// A response header as text; empty when absent.
fn header_of(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Pages and server-function answers can carry personal data: no cache keeps them. Behind
/// `https://` browsers are told to use nothing else for two years.
#[sqlx::test(migrations = "../migrations")]
async fn personal_answers_are_never_stored_and_https_is_remembered(pool: PgPool) {
    let app = TestApp::spawn_with(pool, app::core::clock::Clock::system(), |config| {
        config.public_url = Some("https://tenantry.example".to_owned());
    })
    .await;
    let page = app.get("/signin").await;
    let answer = app
        .respond(&app.client, app::accounts::CurrentMember {})
        .await;
    for response in [&page, &answer] {
        let header = |name: &str| header_of(response, name);
        assert_eq!(header("cache-control"), "no-store", "{}", response.url());
        assert_eq!(
            header("strict-transport-security"),
            "max-age=63072000; includeSubDomains",
            "{}",
            response.url()
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_body_over_the_limit_is_refused(pool: PgPool) {
    let app = TestApp::spawn_with(pool, app::core::clock::Clock::system(), |config| {
        config.request_body_limit = 1024
    })
    .await;
    let response = app
        .client
        .post(app.url(DatabaseStatus::PATH))
        .body(vec![b'x'; 4096])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("request is sent");
    assert_eq!(response.status(), 413);
}

/// A TCP relay to PostgreSQL that can be switched off, as if the database went away.
struct Switch {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Switch {
    async fn between(pool: &PgPool) -> Self {
        let options = pool.connect_options();
        let target = format!("{}:{}", options.get_host(), options.get_port());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("free port");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let accepting = up.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !accepting.load(Ordering::SeqCst) {
                    continue; // dropping the socket refuses the connection
                }
                let target = target.clone();
                let alive = accepting.clone();
                tokio::spawn(async move {
                    let Ok(mut database) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut database) => {}
                        () = wait_until_down(alive) => {}
                    }
                });
            }
        });
        Self { port, up }
    }

    /// Switches the relay; going down also cuts open connections, within a few polls.
    async fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_until_down(up: Arc<AtomicBool>) {
    while up.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_write_from_another_site_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sign_out_from = |origin: String| {
        app.request(&app.client, &SignOut {})
            .header("Origin", origin)
            .send()
    };
    let forged = sign_out_from("https://evil.example".to_owned())
        .await
        .expect("request is sent");
    assert_eq!(forged.status(), 403);
    let same_site = sign_out_from(format!("http://{}", app.address))
        .await
        .expect("request is sent");
    assert_eq!(answer::<SignOut>(same_site).await, Ok(()));

    // Without a Host header (HTTP/1.0 here; HTTP/2 has none either) the check still holds.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("connected");
    stream
        .write_all(
            b"POST /api/sign_out HTTP/1.0\r\nOrigin: https://evil.example\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n",
        )
        .await
        .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("answered");
    assert!(
        answer.starts_with("HTTP/1.") && answer.contains(" 403 "),
        "{answer}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_page_warns_while_the_development_mailbox_is_on(pool: PgPool) {
    let on = TestApp::spawn_with(pool.clone(), app::core::clock::Clock::system(), |config| {
        config.dev_mailbox = true;
    })
    .await;
    let off = TestApp::spawn(pool).await;
    let warning = "Development mailbox on";
    for path in ["/", "/signin", "/meetings"] {
        let page = on.get(path).await.text().await.expect("a page");
        assert!(page.contains(warning), "{path} warns");
        let page = off.get(path).await.text().await.expect("a page");
        assert!(!page.contains(warning), "{path} without the mailbox");
    }
    let mails = on
        .invoke(&on.client, app::mailbox::DevMailbox {})
        .await
        .expect("on this machine");
    assert!(mails.is_empty());
    assert_eq!(
        off.invoke(&off.client, app::mailbox::DevMailbox {}).await,
        Err(app::core::error::AppError::NotFound)
    );
    // Relayed by a proxy on this machine, trusted or not, the request is someone else's.
    let relayed = on
        .request(&on.client, &app::mailbox::DevMailbox {})
        .header("X-Forwarded-For", "198.51.100.1")
        .send()
        .await
        .expect("request is sent");
    assert_eq!(
        answer::<app::mailbox::DevMailbox>(relayed).await,
        Err(app::core::error::AppError::NotFound)
    );
}

/// Nagle's algorithm would hold the last piece of a response written in several pieces until
/// the client's delayed acknowledgement (~40 ms on a kept-alive connection): every connection
/// the server accepts has it off.
#[tokio::test]
async fn accepted_connections_do_not_wait_to_send() {
    use axum::serve::Listener;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("its address");
    let mut listener = server::http::without_delay(listener);
    let client = tokio::net::TcpStream::connect(address);
    let ((accepted, _), _client) = tokio::join!(listener.accept(), client);
    assert!(accepted.nodelay().expect("readable"), "TCP_NODELAY is set");
}

#[sqlx::test(migrations = "../migrations")]
async fn static_files_go_out_as_compressed_at_build_time_and_hashed_ones_are_kept_a_year(
    pool: PgPool,
) {
    let site = std::env::temp_dir().join(format!("tenantry-site-{}", uuid::Uuid::new_v4()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("a site");
    let script = "console.log('tenantry');".repeat(100);
    std::fs::write(pkg.join("tenantry.Zm9vYmFy.js"), &script).expect("written");
    // What the build writes beside it; the server must send these bytes, not compress anew.
    std::fs::write(pkg.join("tenantry.Zm9vYmFy.js.br"), b"brotli bytes").expect("written");
    std::fs::write(site.join("favicon.svg"), "<svg/>").expect("written");
    std::fs::write(site.join("favicon.svg.br"), b"favicon brotli bytes").expect("written");
    let app = TestApp::spawn_on_site(
        pool,
        app::core::clock::Clock::system(),
        site.to_str().expect("a path"),
        true,
        |_| {},
    )
    .await;

    let script_response = app
        .get_with("/pkg/tenantry.Zm9vYmFy.js", "Accept-Encoding", "br, gzip")
        .await;
    assert_eq!(header_of(&script_response, "content-encoding"), "br");
    assert_eq!(
        header_of(&script_response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        script_response.bytes().await.expect("body").as_ref(),
        b"brotli bytes"
    );

    let plain = app.get("/pkg/tenantry.Zm9vYmFy.js").await;
    assert_eq!(plain.text().await.expect("body"), script);

    let favicon = app.get("/favicon.svg").await;
    assert_eq!(header_of(&favicon, "cache-control"), "no-cache");
    assert_eq!(header_of(&favicon, "content-type"), "image/svg+xml");
    let tag = header_of(&favicon, "etag");
    assert_eq!(favicon.text().await.expect("body"), "<svg/>");
    let revalidated = app.get_with("/favicon.svg", "If-None-Match", &tag).await;
    assert_eq!(revalidated.status(), 304, "unchanged: no body again");
    let compressed = app
        .get_with("/favicon.svg", "Accept-Encoding", "gzip;q=0, br")
        .await;
    assert_eq!(header_of(&compressed, "content-encoding"), "br");
    assert_eq!(
        compressed.bytes().await.expect("body").as_ref(),
        b"favicon brotli bytes"
    );
    let page = app.get("/signin").await;
    assert_eq!(header_of(&page, "cache-control"), "no-store");
    let _ = std::fs::remove_dir_all(&site);
}

#[sqlx::test(migrations = "../migrations")]
async fn operators_read_load_and_undeliverable_mail_at_metrics_from_this_machine(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(app.get("/signin").await.status(), 200);
    sqlx::query(
        "insert into outbox (recipient, subject, body_text, attempts, last_error)
         values ('gone@contoso.com', 'Hello', 'Hello', 21, '550 no such mailbox')",
    )
    .execute(&app.pool)
    .await
    .expect("a message given up on");

    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.expect("the metrics");
    let line = |name: &str| {
        text.lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        line(r#"tenantry_http_requests_total{method="GET",route="/signin",status="2xx"}"#),
        r#"tenantry_http_requests_total{method="GET",route="/signin",status="2xx"} 1"#
    );
    assert_eq!(
        line("tenantry_outbox_undeliverable "),
        "tenantry_outbox_undeliverable 1"
    );
    assert_eq!(line("tenantry_live_feeds "), "tenantry_live_feeds 0");
    assert!(line("tenantry_db_pool_connections ").len() > "tenantry_db_pool_connections ".len());

    let relayed = app
        .get_with("/metrics", "X-Forwarded-For", "198.51.100.1")
        .await;
    assert_eq!(relayed.status(), 404, "only to this machine itself");
}

#[tokio::test]
async fn listening_on_every_address_without_a_public_url_is_refused_at_start() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")
        .env("PAYMENTS", "test")
        .env("LEPTOS_OUTPUT_NAME", "tenantry")
        .env("LEPTOS_SITE_ADDR", "0.0.0.0:0")
        .output()
        .await
        .expect("the server binary runs");
    assert!(!output.status.success(), "it does not start");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("LEPTOS_SITE_ADDR is 0.0.0.0:0") && said.contains("set PUBLIC_URL"),
        "{said}"
    );
}
