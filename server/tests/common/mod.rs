//! Starts the real router on a free port against a test database, with a cookie-keeping client.

use std::net::SocketAddr;

use leptos::prelude::LeptosOptions;
use server::config::Config;
use sqlx::PgPool;

/// A running server and a client that talks to it.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
}

impl TestApp {
    /// Serves the application router on 127.0.0.1 with a port of its own.
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(pool, |_| {}).await
    }

    /// As [`TestApp::spawn`], after `adjust` has changed the configuration.
    pub async fn spawn_with(pool: PgPool, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://unused@127.0.0.1/unused".to_owned())
        })
        .expect("test configuration is valid");
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("bound address");
        let options = LeptosOptions::builder()
            .output_name("tenantry")
            .site_root(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
            .site_addr(address)
            .build();
        let router = server::http::router(&config, options, pool);
        tokio::spawn(async move {
            axum::serve(listener, router).await.expect("server runs");
        });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self { address, client }
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

    /// Calls a server function the way the browser's forms do.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request is sent")
    }
}
