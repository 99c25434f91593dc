//! The server binary itself, as operators run it, for what only a real process shows: being
//! killed with SIGKILL, being stopped with SIGTERM, a fault injected at a failpoint.

use std::{
    net::SocketAddr,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use app::core::clock::Clock;
use sqlx::PgPool;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::{Child, Command},
};

use super::{browser, TestApp};

/// A server process on the test's database. It binds port 0 and says in its log which port it
/// got, so no other test can take the port in between.
pub struct ServerProcess {
    pub app: TestApp,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts `target/…/server` with test payments on the database behind `pool`, plus `env`
    /// (e.g. `TENANTRY_FAILPOINT`, `DNS_NAMESERVERS`).
    pub async fn start(pool: &PgPool, env: &[(&str, String)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url(pool))
            .env("PAYMENTS", "test")
            .env("LOG_FORMAT", "json")
            .env("LEPTOS_OUTPUT_NAME", "tenantry")
            .env(
                "LEPTOS_SITE_ROOT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"),
            )
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(collect_lines(stdout, Arc::clone(&log)));
        }
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(collect_lines(stderr, Arc::clone(&log)));
        }
        let mut process = Self {
            app: TestApp {
                address: SocketAddr::from(([127, 0, 0, 1], 0)),
                client: browser(),
                pool: pool.clone(),
                clock: Clock::system(),
            },
            child,
            log,
        };
        let listening = process.wait_for_log("\"listening\"").await;
        let line: serde_json::Value = serde_json::from_str(&listening).expect("a JSON log line");
        process.app.address = line["addr"]
            .as_str()
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in {listening}"));
        process
    }

    /// Waits up to 60 s for a log line containing `text`, and returns it; fails with the log.
    pub async fn wait_for_log(&mut self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let found = self
                .log
                .lock()
                .expect("log")
                .iter()
                .find(|line| line.contains(text))
                .cloned();
            if let Some(line) = found {
                return line;
            }
            let ended = self.child.try_wait().ok().flatten();
            if ended.is_some() || tokio::time::Instant::now() > deadline {
                panic!(
                    "the server never logged {text} ({}); it logged:\n{}",
                    ended.map_or("still running".to_owned(), |status| status.to_string()),
                    self.log.lock().expect("log").join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process with SIGKILL, as a crash or the OOM killer would, and reaps it.
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("SIGKILL delivered");
    }

    /// Sends SIGTERM, as an orchestrator stopping the process does, and waits up to 60 s for it
    /// to exit; returns whether it exited successfully.
    pub async fn terminate(&mut self) -> bool {
        let pid = self.child.id().expect("the server is running");
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the server exits within 60 s of SIGTERM")
            .expect("exit status")
            .success()
    }
}

async fn collect_lines(output: impl AsyncRead + Unpin, log: Arc<Mutex<Vec<String>>>) {
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        log.lock().expect("log").push(line);
    }
}

/// The URL of the database behind `pool`: the test server's, with the database made for this
/// test.
pub fn database_url(pool: &PgPool) -> String {
    let server = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    let database = pool
        .connect_options()
        .get_database()
        .expect("a database of its own")
        .to_owned();
    let base = server.split('?').next().unwrap_or(&server);
    let (host, _) = base.rsplit_once('/').expect("a URL with a path");
    format!("{host}/{database}")
}
