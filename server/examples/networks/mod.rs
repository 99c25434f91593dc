//! Requests from many client networks, as the benchmarks of guests and joins need.

/// Marks `request` as relayed for a client network not used before in this run. The servers
/// trust this machine as their proxy (`TRUSTED_PROXIES`), so per-network limits count as they
/// would in production, where guests come from many networks.
pub fn from_another_network(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    use std::sync::atomic::{AtomicU32, Ordering};
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let network = std::net::Ipv4Addr::from(0x0a00_0000 | (n & 0x00ff_ffff));
    request.header("X-Forwarded-For", network.to_string())
}
