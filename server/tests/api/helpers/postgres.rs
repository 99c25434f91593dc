//! A PostgreSQL cluster of the test's own, to stop and start under a running server. It listens
//! on a Unix socket in its own directory only, so it takes no port that anything else could want.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use tokio::process::Command;

pub struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    /// Creates a cluster in a new temporary directory and starts it.
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tenantry-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a directory for the cluster");
        if is_root() {
            // PostgreSQL refuses to run as root; its files belong to the postgres user.
            run(Command::new("chown").arg("postgres:postgres").arg(&dir)).await;
        }
        let cluster = Self { dir };
        run(cluster
            .pg("initdb")
            .arg("-D")
            .arg(cluster.dir.join("data"))
            .args(["-U", "postgres", "--auth-local=trust", "--encoding=UTF8"])
            .arg("--locale=C.UTF-8"))
        .await;
        cluster.resume().await;
        cluster
    }

    /// Where to connect: the socket directory, as the superuser, to database `postgres`.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost/postgres?host={}",
            self.dir.display()
        )
    }

    /// The pool a server opens on this cluster, as it opens it, with the schema migrated.
    pub async fn pool(&self) -> sqlx::PgPool {
        let config = server::config::Config::from_lookup(|name| match name {
            "DATABASE_URL" => Some(self.url()),
            "PAYMENTS" => Some("test".to_owned()),
            _ => None,
        })
        .expect("valid configuration");
        server::database::connect(&config).await.expect("migrated")
    }

    /// Stops the server as a crash would: `pg_ctl stop -m immediate`, no checkpoint, every
    /// connection cut. What was committed is recovered from the WAL at the next start.
    pub async fn crash(&self) {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]))
        .await;
    }

    /// Starts the server (again), waiting until it accepts connections.
    pub async fn resume(&self) {
        let options = format!("-k {} -c listen_addresses=''", self.dir.display());
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("postgres.log"))
            .args(["-w", "-t", "120", "-o", &options, "start"]))
        .await;
    }

    fn pg(&self, program: &str) -> Command {
        let program = bin_dir().join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut stop = std::process::Command::new(bin_dir().join("pg_ctl"));
        if is_root() {
            stop = std::process::Command::new("runuser");
            stop.args(["-u", "postgres", "--"])
                .arg(bin_dir().join("pg_ctl"));
        }
        let _ = stop
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL's programs (Debian puts them outside PATH).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path().join("bin"))
                .filter(|bin| bin.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|version| version.to_str()?.parse::<u32>().ok())
    });
    versions
        .pop()
        .expect("PostgreSQL's programs under /usr/lib/postgresql/<version>/bin")
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|meta| std::os::unix::fs::MetadataExt::uid(&meta) == 0)
        .unwrap_or(false)
}

async fn run(command: &mut Command) {
    let output = command.output().await.expect("the program runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
