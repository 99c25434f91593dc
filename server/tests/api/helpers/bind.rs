//! A real authoritative DNS server for tests: BIND 9 on loopback, updated with `nsupdate` and a
//! TSIG key, as a person edits the zone at their DNS host.

use std::{
    net::{SocketAddr, UdpSocket},
    path::PathBuf,
    process::Stdio,
    time::Duration,
};

use tokio::{
    io::AsyncWriteExt,
    process::{Child, Command},
};

pub struct Bind {
    pub addr: SocketAddr,
    dir: PathBuf,
    _named: Child,
}

/// A port free for both UDP and TCP on loopback, as BIND listens on both.
fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("a free UDP port");
        let port = udp.local_addr().expect("bound address").port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Bind {
    /// Starts `scripts/dns-test-server.sh`: zones contoso.com, fabrikam.com and `example.` (names
    /// under it answer NXDOMAIN), and broken.test, which answers SERVFAIL.
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tenantry-bind-{}", uuid::Uuid::new_v4()));
        let port = free_port();
        let named = Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/dns-test-server.sh"
        ))
        .arg(&dir)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the DNS test server (Debian bind9) runs");
        let bind = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
            _named: named,
        };
        bind.wait_until_ready().await;
        bind
    }

    async fn wait_until_ready(&self) {
        for _ in 0..100 {
            let answered = Command::new("dig")
                .args(["@127.0.0.1", "-p", &self.addr.port().to_string()])
                .args(["contoso.com", "SOA", "+short", "+time=1", "+tries=1"])
                .output()
                .await
                .map(|out| !out.stdout.is_empty())
                .unwrap_or(false);
            if answered {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "BIND on 127.0.0.1:{} did not answer a SOA question for contoso.com within 10 s",
            self.addr.port()
        );
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
