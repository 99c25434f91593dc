//! Accounts: sign-up with a work email and a mailed code, sign-in and sign-out, password reset,
//! and the signed-in member every other feature builds on.

use serde::{Deserialize, Serialize};

mod api;
mod codes;
pub mod devices;
mod mails;
pub mod passwords;
pub mod phone;
pub mod resets;
pub mod service;
pub mod session;
mod ui;

pub use api::*;
pub use ui::{
    watch_phone_link, AccountMenu, DeviceList, DevicesPage, ForgotPasswordPage, MemberContext,
    MemberProvider, PhoneQr, PhoneSetupPage, PhoneSignInPage, ResetPasswordPage, SignInPage,
    SignUpPage, VerifyPage,
};

/// The signed-in member as the browser sees them: no ids or hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub display_name: String,
    pub email: String,
    /// The domain that groups them, in Unicode.
    pub organization_domain: String,
    pub role: crate::domain::Role,
}

/// A signed-in device as its member and their admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub kind: DeviceKind,
    /// The network it was last seen from, the last part masked.
    pub network: String,
    /// `2030-01-15 09:00` in UTC.
    pub first_seen: String,
    pub last_seen: String,
    /// The device asking.
    pub this_device: bool,
}

/// What a device is, from its browser's user agent: Chrome on Android. A part that is not
/// recognised is `None`; pages name it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKind {
    pub browser: Option<String>,
    pub system: Option<String>,
}

/// In English, as the audit log records it: "Chrome on Android", "Browser on unknown device".
impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let browser = self.browser.as_deref().unwrap_or("Browser");
        let system = self.system.as_deref().unwrap_or("unknown device");
        write!(f, "{browser} on {system}")
    }
}

/// A link that signs a phone in, as the page that shows it needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneLink {
    pub id: String,
    pub url: String,
    /// The link as a QR code (SVG markup drawn by the server).
    pub qr_svg: String,
    /// `2030-01-15 09:00` in UTC.
    pub expires: String,
}

/// Where a phone link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneLinkState {
    Waiting,
    Used,
    Expired,
}

/// Whom a phone link signs in, shown on the phone before it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneLinkView {
    pub name: String,
}

/// A phone link that waits to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPhoneLink {
    pub id: String,
    pub created: String,
    pub expires: String,
}

/// A member, on the server: who signed up, and the organization of their domain.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct Member {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub organization_id: uuid::Uuid,
    pub signed_up_at: time::OffsetDateTime,
    /// As read with the member, at the start of the request.
    pub role: crate::domain::Role,
}

#[cfg(feature = "ssr")]
pub use signed_in::{member, member_of};

#[cfg(feature = "ssr")]
mod signed_in {
    use http::HeaderMap;
    use sqlx::PgExecutor;
    use uuid::Uuid;

    use super::{session, Member};
    use crate::core::api::Guard;
    use crate::core::error::AppError;
    use crate::core::request::{headers, requester};
    use crate::core::state::Core;

    /// A server function for members only: the signed-in member, or `Unauthorized`.
    impl Guard for Member {
        async fn check(core: &Core) -> Result<Self, AppError> {
            signed_in_member(core).await?.ok_or(AppError::Unauthorized)
        }
    }

    /// A server function for anyone, that knows the member when someone is signed in.
    impl Guard for Option<Member> {
        async fn check(core: &Core) -> Result<Self, AppError> {
            signed_in_member(core).await
        }
    }

    /// The member signed in on the current server-function request; their device is seen on
    /// the request's network.
    async fn signed_in_member(core: &Core) -> Result<Option<Member>, AppError> {
        let network = requester().await?.network();
        signed_in(core, &headers().await?, Some(&network)).await
    }

    /// The member signed in on a request with these headers, for handlers outside Leptos.
    pub async fn member_of(core: &Core, headers: &HeaderMap) -> Result<Option<Member>, AppError> {
        signed_in(core, headers, None).await
    }

    async fn signed_in(
        core: &Core,
        headers: &HeaderMap,
        network: Option<&str>,
    ) -> Result<Option<Member>, AppError> {
        Ok(
            session::current(&core.pool, &core.settings, headers, core.now(), network)
                .await?
                .and_then(|signed_in| signed_in.member),
        )
    }

    impl Member {
        /// Appends to the audit log of the member's organization that they did `kind`, inside
        /// the caller's transaction.
        pub async fn audit(
            &self,
            tx: &mut sqlx::PgConnection,
            kind: &str,
            detail: serde_json::Value,
            now: time::OffsetDateTime,
        ) -> Result<(), AppError> {
            crate::core::audit::record(tx, self.organization_id, Some(self.id), kind, detail, now)
                .await
        }

        /// Appends to the audit log that they did `kind`, as the last step of that change, and
        /// commits it.
        pub async fn audit_and_commit(
            &self,
            tx: sqlx::Transaction<'_, sqlx::Postgres>,
            kind: &str,
            detail: serde_json::Value,
            now: time::OffsetDateTime,
        ) -> Result<(), AppError> {
            crate::core::audit::record_and_commit(
                tx,
                self.organization_id,
                Some(self.id),
                kind,
                detail,
                now,
            )
            .await
        }
    }

    /// The member with this id, while they may use Tenantry (not invited, blocked or removed).
    pub async fn member(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Member>, AppError> {
        let row = sqlx::query_as!(
            StoredMember,
            "select id, email, display_name, organization_id, created_at, role from members
              where id = $1 and status = 'active'",
            id
        )
        .fetch_optional(db)
        .await?;
        row.map(Member::try_from).transpose()
    }

    /// A member's row as stored.
    pub(super) struct StoredMember {
        pub id: Uuid,
        pub email: String,
        pub display_name: String,
        pub organization_id: Uuid,
        pub created_at: time::OffsetDateTime,
        pub role: String,
    }

    impl TryFrom<StoredMember> for Member {
        type Error = AppError;

        fn try_from(row: StoredMember) -> Result<Self, AppError> {
            Ok(Member {
                id: row.id,
                email: row.email,
                display_name: row.display_name,
                organization_id: row.organization_id,
                signed_up_at: row.created_at,
                role: crate::domain::Role::stored(&row.role)?,
            })
        }
    }
}

/// Where signing in returns to: the page that asked for it, when `next` is a path on this site;
/// home otherwise, so a link cannot send someone who signs in off to another site.
pub fn page_to_return_to(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::page_to_return_to;

    #[test]
    fn sign_in_returns_only_to_a_page_of_this_site() {
        assert_eq!(
            page_to_return_to(Some("/admin/people?status=active")),
            "/admin/people?status=active"
        );
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "/\n//x",
            "",
        ] {
            assert_eq!(page_to_return_to(Some(elsewhere)), "/", "{elsewhere:?}");
        }
        assert_eq!(page_to_return_to(None), "/");
    }
}
