#![cfg(feature = "ssr")]

//! Failpoints: named places where a test build can be made to stop or stall, to show what a
//! crash or a slow step there costs. Only builds with the `failpoints` feature (the server's
//! tests) read `TENANTRY_FAILPOINT`; in every other build [`reach`] does nothing.
//!
//! `TENANTRY_FAILPOINT=upgrade.paid` hangs there until the process is killed;
//! `TENANTRY_FAILPOINT=upgrade.paid=sleep(2000)` waits two seconds there and goes on.

/// Marks the place `name`; see the module's documentation.
#[cfg(feature = "failpoints")]
pub async fn reach(name: &str) {
    let Ok(setting) = std::env::var("TENANTRY_FAILPOINT") else {
        return;
    };
    let (point, action) = setting
        .split_once('=')
        .unwrap_or((setting.as_str(), "hang"));
    if point != name {
        return;
    }
    tracing::warn!("failpoint {name} reached: {action}");
    let pause = action
        .strip_prefix("sleep(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|millis| millis.parse().ok());
    match pause {
        Some(millis) => tokio::time::sleep(std::time::Duration::from_millis(millis)).await,
        None => std::future::pending().await,
    }
}

/// Marks the place `name`; see the module's documentation.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub async fn reach(_name: &str) {}
