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

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|socket| socket.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

impl Bind {
    /// Starts `scripts/dns-test-server.sh`: zones contoso.com, fabrikam.com and `example.` (names
    /// under it answer NXDOMAIN), and broken.test, which answers SERVFAIL.
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tenantry-bind-{}", uuid::Uuid::new_v4()));
        let port = free_udp_port();
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
        panic!("BIND did not start");
    }

    /// Sends `nsupdate` commands for `zone`, e.g. `update add name 60 TXT "value"`.
    pub async fn update(&self, zone: &str, commands: &[String]) {
        let mut script = format!("server 127.0.0.1 {}\nzone {zone}.\n", self.addr.port());
        for command in commands {
            script.push_str(command);
            script.push('\n');
        }
        script.push_str("send\n");
        let mut nsupdate = Command::new("nsupdate")
            .arg("-k")
            .arg(self.dir.join("tsig.key"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
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
        assert!(
            output.status.success(),
            "nsupdate failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
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
