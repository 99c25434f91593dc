//! A real authoritative DNS server for tests: BIND 9 on loopback, updated with `nsupdate` and a
//! TSIG key, as a person edits the zone at their DNS host.

use std::{
    net::{SocketAddr, UdpSocket},
    path::PathBuf,
    process::Stdio,
    sync::atomic::{AtomicU16, Ordering},
    time::Duration,
};

use tokio::{
    io::AsyncWriteExt,
    process::{Child, Command},
};

pub struct Bind {
    pub addr: SocketAddr,
    dir: PathBuf,
    named: Child,
}

/// A loopback port for one BIND. BIND binds its ports itself, so none can be held for it;
/// instead each is handed out once per test process, below the kernel's range for port 0, where
/// no other test's socket (all bind port 0) can be given it. Should something else hold it,
/// [`Bind::start`] notices and takes the next.
fn next_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let ephemeral_from: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768);
    let first = 10_000;
    let span = ephemeral_from.saturating_sub(first).max(1);
    // Test processes started together begin at different places.
    let start = (std::process::id() % u32::from(span)) as u16;
    let offset = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % span;
    first + offset
}

impl Bind {
    /// Starts `scripts/dns-test-server.sh`: zones contoso.com, fabrikam.com and `example.` (names
    /// under it answer NXDOMAIN), and broken.test, which answers SERVFAIL. BIND binds its port
    /// itself, so a port another process takes in the meantime is noticed (named says so, or
    /// another server answers) and BIND starts again on a new one.
    pub async fn start() -> Self {
        let mut failures = Vec::new();
        for _ in 0..5 {
            match Self::launch(next_port()).await {
                Ok(bind) => return bind,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("BIND did not start: {}", failures.join(" | "));
    }

    async fn launch(port: u16) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("tenantry-bind-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a directory for BIND");
        let log = std::fs::File::create(dir.join("named.log")).expect("a log file for BIND");
        let named = Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/dns-test-server.sh"
        ))
        .arg(&dir)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the DNS test server (Debian bind9) runs");
        let mut bind = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
            named,
        };
        bind.wait_until_ready().await?;
        Ok(bind)
    }

    /// Waits until this BIND answers with its own instance record (written into contoso.com by
    /// the script), so a server of another test on the same port is never mistaken for it.
    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let port = self.addr.port();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let log = std::fs::read_to_string(self.dir.join("named.log")).unwrap_or_default();
            if let Ok(Some(status)) = self.named.try_wait() {
                return Err(format!("named on port {port} ended ({status}): {log}"));
            }
            if log.contains("address in use") {
                return Err(format!("port {port} was taken by another process"));
            }
            let answer = Command::new("dig")
                .args(["@127.0.0.1", "-p", &port.to_string()])
                .args([
                    "_instance.contoso.com",
                    "TXT",
                    "+short",
                    "+time=1",
                    "+tries=1",
                ])
                .output()
                .await
                .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
                .unwrap_or_default();
            if answer.contains(&*self.dir.to_string_lossy()) {
                return Ok(());
            }
            if answer.starts_with('"') {
                return Err(format!("another DNS server answers on port {port}"));
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "BIND on 127.0.0.1:{port} did not answer within 30 s; it logged: {log}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends `nsupdate` commands for `zone`, e.g. `update add name 60 TXT "value"`. The update
    /// goes over TCP, which waits for a busy server instead of giving up after a few lost
    /// datagrams, and is tried again before the test fails naming the server and its answer.
    pub async fn update(&self, zone: &str, commands: &[String]) {
        let mut script = format!("server 127.0.0.1 {}\nzone {zone}.\n", self.addr.port());
        for command in commands {
            script.push_str(command);
            script.push('\n');
        }
        script.push_str("send\n");
        let mut failures = Vec::new();
        for _ in 0..3 {
            match self.nsupdate(&script).await {
                Ok(()) => return,
                Err(answer) => failures.push(answer),
            }
        }
        panic!(
            "nsupdate to BIND on 127.0.0.1:{} (TCP) failed three times: {}",
            self.addr.port(),
            failures.join(" | ")
        );
    }

    async fn nsupdate(&self, script: &str) -> Result<(), String> {
        let mut nsupdate = Command::new("nsupdate")
            .args(["-v", "-t", "60"])
            .arg("-k")
            .arg(self.dir.join("tsig.key"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("nsupdate (Debian bind9-dnsutils) runs");
        nsupdate
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .await
            .expect("commands written");
        let output = nsupdate.wait_with_output().await.expect("nsupdate ends");
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }

    /// Stops BIND answering, as a DNS host's outage does: the process is suspended (SIGSTOP), so
    /// questions to its port go unanswered until [`Bind::resume`].
    pub async fn pause(&self) {
        self.signal("-STOP").await;
    }

    /// Lets BIND answer again, with every record it had (SIGCONT).
    pub async fn resume(&self) {
        self.signal("-CONT").await;
    }

    async fn signal(&self, signal: &str) {
        let pid = self.named.id().expect("BIND is running");
        let sent = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(sent.success(), "kill {signal} {pid} (BIND)");
    }

    /// Adds one TXT record whose character-strings are `strings`.
    pub async fn add_txt(&self, zone: &str, name: &str, strings: &[&str]) {
        let quoted: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
        self.update(
            zone,
            &[format!("update add {name}. 60 TXT {}", quoted.join(" "))],
        )
        .await;
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A UDP socket that takes DNS questions and never answers.
pub fn silent_nameserver() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a free port");
    let addr = socket.local_addr().expect("address");
    (socket, addr)
}
