//! Devices: every signed-in session is one, named from its browser, listed for its member and
//! their admins, and signed out one by one or all at once.

#![cfg(feature = "ssr")]

use sqlx::PgExecutor;
use time::OffsetDateTime;
use uuid::Uuid;

use super::session::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT};
use super::{DeviceKind, DeviceView};
use crate::core::clock;
use crate::core::error::AppError;

/// What a device is, from its browser's user agent, as a person recognises it: Chrome on
/// Android, Safari on iPhone.
pub fn device_kind(user_agent: &str) -> DeviceKind {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ];
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    let found = |known: &[(&str, &str)]| {
        known
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| (*name).to_owned())
    };
    DeviceKind {
        browser: found(&browser),
        system: found(&system),
    }
}

/// The member's devices signed in now, the most recently seen first; `current` marks the one
/// asking.
pub async fn list(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
    current: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<Vec<DeviceView>, AppError> {
    // Sessions past the longest any policy allows are gone for good; the rest may still count.
    let seen_after: OffsetDateTime = now - IDLE_TIMEOUT * 2;
    let signed_in_after: OffsetDateTime = now - ABSOLUTE_TIMEOUT * 5;
    let rows = sqlx::query!(
        r#"select id, user_agent, network, created_at, last_seen_at,
                  token_hash = $2 as "this_device!"
             from sessions
            where member_id = $1 and last_seen_at > $3 and created_at > $4
            order by last_seen_at desc"#,
        member_id,
        current.unwrap_or_default(),
        seen_after,
        signed_in_after
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DeviceView {
            id: row.id.to_string(),
            kind: device_kind(&row.user_agent),
            network: row.network,
            first_seen: clock::minute(row.created_at),
            last_seen: clock::minute(row.last_seen_at),
            this_device: row.this_device,
        })
        .collect())
}

/// Signs one of the member's devices out; on its next request, on any server, it is signed out.
pub async fn sign_out(
    db: impl PgExecutor<'_>,
    member_id: Uuid,
    device: Uuid,
) -> Result<(), AppError> {
    sqlx::query!(
        "delete from sessions where member_id = $1 and id = $2",
        member_id,
        device
    )
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::device_kind;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on macOS"),
            ("curl/8.0", "Browser on unknown device"),
        ];
        for (agent, name) in cases {
            assert_eq!(device_kind(agent).to_string(), name, "{agent}");
        }
    }
}
