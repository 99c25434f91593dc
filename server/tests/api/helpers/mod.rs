//! What the tests share: the real router on a free port against a fresh database, cookie-keeping
//! browsers, server functions called with their own argument and answer types, members signed
//! up, a BIND server on loopback, members who proved their domain or bought licenses, orders
//! and meeting settings as their forms send them.

pub mod bind;
pub mod meetings;
pub mod orders;
pub mod people;
pub mod postgres;
pub mod process;
pub mod wizard;

use std::net::SocketAddr;

use app::accounts::{ConfirmSignUp, SignIn, SignUp};
use app::core::clock::Clock;
use app::core::error::AppError;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use serde::{de::DeserializeOwned, Serialize};
use server::config::Config;
use sqlx::PgPool;
use time::macros::datetime;
use uuid::Uuid;

/// A running server, the database behind it, its clock, and one browser talking to it.
#[derive(Clone)]
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub pool: PgPool,
    pub clock: Clock,
}

/// The moment every test starts at.
pub const START: time::OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

pub const PASSWORD: &str = "violet kettle harbor";

impl TestApp {
    /// Serves the application router on 127.0.0.1 with a port of its own.
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(pool, Clock::manual(START), |_| {}).await
    }

    /// A second server on the same database and clock, with a connection pool of its own:
    /// whatever the two share, they share through PostgreSQL.
    pub async fn another_server(&self) -> Self {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_with(self.pool.connect_options().as_ref().clone())
            .await
            .expect("a second pool");
        Self::spawn_with(pool, self.clock.clone(), |_| {}).await
    }

    /// As [`TestApp::spawn`], after `adjust` has changed the configuration.
    pub async fn spawn_with(pool: PgPool, clock: Clock, adjust: impl FnOnce(&mut Config)) -> Self {
        let site = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");
        Self::spawn_on_site(pool, clock, site, false, adjust).await
    }

    /// The application serving the built site at `site_root`; `hash_files` as when the build
    /// names `/pkg/` files by their content.
    pub async fn spawn_on_site(
        pool: PgPool,
        clock: Clock,
        site_root: &str,
        hash_files: bool,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::from_lookup(|name| match name {
            "DATABASE_URL" => Some("postgres://unused@127.0.0.1/unused".to_owned()),
            "PAYMENTS" => Some("test".to_owned()),
            _ => None,
        })
        .expect("test configuration is valid");
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("bound address");
        let options = LeptosOptions::builder()
            .output_name("tenantry")
            .site_root(site_root)
            .hash_files(hash_files)
            .site_addr(address)
            .build();
        let (router, _presence) =
            server::http::router(&config, options, pool.clone(), clock.clone());
        tokio::spawn(async move {
            axum::serve(
                server::http::without_delay(listener),
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("server runs");
        });
        Self {
            address,
            client: browser(),
            pool,
            clock,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request is sent")
    }

    /// The HTML of the page at `path` as `browser` is shown it.
    pub async fn page(&self, browser: &reqwest::Client, path: &str) -> String {
        let response = browser
            .get(self.url(path))
            .send()
            .await
            .expect("request is sent");
        response.text().await.expect("a page")
    }

    /// `GET path` with one request header set, as a browser or proxy would send it.
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(header, value)
            .send()
            .await
            .expect("request is sent")
    }

    /// The request a page makes for `call` from `browser`: the server function's own arguments,
    /// form-encoded, to its own path. Add headers to it where a test is about them.
    pub fn request<F>(&self, browser: &reqwest::Client, call: &F) -> reqwest::RequestBuilder
    where
        F: ServerFn + Serialize,
    {
        browser
            .post(self.url(F::PATH))
            .header("Accept", "application/json")
            .form(call)
    }

    /// Calls a server function from `browser` and returns the HTTP response itself, for where
    /// it leads, the cookies it sets or its headers.
    pub async fn respond<F>(&self, browser: &reqwest::Client, call: F) -> reqwest::Response
    where
        F: ServerFn + Serialize,
    {
        self.request(browser, &call)
            .send()
            .await
            .expect("request is sent")
    }

    /// Calls a server function from `browser` with its own argument type and reads its answer
    /// as its own types: the output, or the error the page would show.
    pub async fn invoke<F>(&self, browser: &reqwest::Client, call: F) -> Result<F::Output, AppError>
    where
        F: ServerFn<Error = AppError> + Serialize,
        F::Output: DeserializeOwned,
    {
        answer::<F>(self.respond(browser, call).await).await
    }

    /// Signs `browser` in again as `email`, with the password every test member has.
    pub async fn sign_in(&self, browser: &reqwest::Client, email: &str) {
        self.invoke(browser, sign_in_with(email, PASSWORD))
            .await
            .expect("signed in");
    }

    /// Whether `browser` holds a session the server still accepts.
    pub async fn is_signed_in(&self, browser: &reqwest::Client) -> bool {
        self.invoke(browser, app::accounts::CurrentMember {})
            .await
            .expect("answered")
            .is_some()
    }

    /// A number the database answers, such as `select purchased::bigint from subscriptions`.
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect(sql)
    }

    /// The one value `sql` selects for its parameter `$1`, such as the status of a domain's
    /// organization.
    pub async fn value_for<T>(&self, sql: &str, param: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
    {
        sqlx::query_scalar(sql)
            .bind(param)
            .fetch_one(&self.pool)
            .await
            .expect(sql)
    }

    /// How many rows there are of `rows`, such as `licenses` or `orders where status = 'paid'`.
    pub async fn count(&self, rows: &str) -> i64 {
        self.scalar(&format!("select count(*) from {rows}")).await
    }

    /// `user1@domain` to `user<count>@domain`, members of the organization of `domain` as
    /// sign-up would place them (without a license), straight into the table.
    pub async fn colleagues(&self, domain: &str, count: i64) {
        sqlx::query(
            "insert into members (email, display_name, password_hash, organization_id, created_at)
             select 'user' || n || '@' || $1, 'User ' || n, 'x', o.id, now()
               from generate_series(1, $2) n, organizations o where o.domain = $1",
        )
        .bind(domain)
        .bind(count)
        .execute(&self.pool)
        .await
        .expect("colleagues");
    }

    /// Starts a sign-up and returns the id of its pending code.
    pub async fn start_sign_up(&self, browser: &reqwest::Client, email: &str, name: &str) -> Uuid {
        let response = self
            .respond(browser, sign_up_with(email, name, PASSWORD))
            .await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-up refused: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        pending_id(&response, "/signup/verify/")
    }

    /// Confirms the pending sign-up `id` with `code`, which signs `browser` in.
    pub async fn confirm_sign_up(
        &self,
        browser: &reqwest::Client,
        id: Uuid,
        code: &str,
    ) -> Result<(), AppError> {
        let id = id.to_string();
        let code = code.to_owned();
        let password = None;
        self.invoke(browser, ConfirmSignUp { id, code, password })
            .await
    }

    /// Signs up and verifies `email` in `browser`, which ends up signed in.
    pub async fn sign_up(&self, browser: &reqwest::Client, email: &str, name: &str) {
        let id = self.start_sign_up(browser, email, name).await;
        let code = self.latest_code(email).await;
        self.confirm_sign_up(browser, id, &code)
            .await
            .expect("verification accepted");
    }

    /// A new browser in which `email` signed up and is signed in.
    pub async fn signed_up(&self, email: &str, name: &str) -> reqwest::Client {
        let member = browser();
        self.sign_up(&member, email, name).await;
        member
    }

    /// The code in the newest mail to `email`, read from the outbox.
    pub async fn latest_code(&self, email: &str) -> String {
        let body = self.latest_mail(email).await.expect("a mail was queued").1;
        body.split(|c: char| !c.is_ascii_digit())
            .find(|word| word.len() == 6)
            .expect("the mail holds a six-digit code")
            .to_owned()
    }

    /// Subject and body of the newest mail to `email` (as typed: it is normalised first).
    pub async fn latest_mail(&self, email: &str) -> Option<(String, String)> {
        let address = app::domain::EmailAddress::parse(email)
            .expect("a valid address")
            .as_ascii();
        sqlx::query_as::<_, (String, String)>(
            "select subject, body_text from outbox where recipient = $1 order by seq desc limit 1",
        )
        .bind(address)
        .fetch_optional(&self.pool)
        .await
        .expect("outbox is readable")
    }
}

/// Reads a server function's HTTP response as its own types, as [`TestApp::invoke`] does. A
/// failure must come with the HTTP status its error stands for (401, 403, 409, 422 ...).
pub async fn answer<F>(response: reqwest::Response) -> Result<F::Output, AppError>
where
    F: ServerFn<Error = AppError>,
    F::Output: DeserializeOwned,
{
    let status = response.status();
    let body = response.bytes().await.expect("a body");
    let answer = if status.is_success() || status.is_redirection() {
        serde_json::from_slice(&body).map(Ok)
    } else {
        serde_json::from_slice::<AppError>(&body).map(Err)
    };
    let answer = answer.unwrap_or_else(|error| {
        panic!(
            "{} answered {status} with an unreadable body ({error}): {}",
            F::PATH,
            String::from_utf8_lossy(&body)
        )
    });
    if let Err(error) = &answer {
        assert_eq!(
            status.as_u16(),
            error.status_code(),
            "{} answered {error:?} with the wrong HTTP status",
            F::PATH
        );
    }
    answer
}

/// A sign-up as its form sends it.
pub fn sign_up_with(email: &str, name: &str, password: &str) -> SignUp {
    SignUp {
        email: email.to_owned(),
        display_name: name.to_owned(),
        password: password.to_owned(),
    }
}

/// A sign-in as its form sends it.
pub fn sign_in_with(email: &str, password: &str) -> SignIn {
    SignIn {
        new_password: None,
        email: email.to_owned(),
        password: password.to_owned(),
        next: None,
    }
}

/// Signing in with `password` and choosing `new_password`, as one must after an admin's
/// temporary password or a policy asking for a new one.
pub fn sign_in_choosing(email: &str, password: &str, new_password: &str) -> SignIn {
    SignIn {
        new_password: Some(new_password.to_owned()),
        ..sign_in_with(email, password)
    }
}

/// Checks `condition` every 100 ms until it holds, for `within` at the most.
pub async fn wait_until<F, Fut>(within: std::time::Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !condition().await && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A new browser with a cookie jar of its own.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// A new browser without a cookie jar that sends `cookie`, such as a session cookie taken from
/// another browser, with every request.
pub fn holding(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().expect("a cookie header"));
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// The id in the page a server function sends the browser on to, such as `/signup/verify/<id>`.
pub fn pending_id(response: &reqwest::Response, prefix: &str) -> Uuid {
    let target = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("the response leads to the next page");
    let id = target
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{target} starts with {prefix}"));
    Uuid::parse_str(id).expect("a pending id")
}
