//! Accounts: sign-up with a work email and a mailed code, sign-in and sign-out, password reset,
//! and the signed-in member every other feature builds on.

use serde::{Deserialize, Serialize};

mod api;
pub mod passwords;
pub mod service;
pub mod session;
mod ui;

pub use api::*;
pub use ui::{
    AccountMenu, ForgotPasswordPage, MemberContext, MemberProvider, ResetPasswordPage, SignInPage,
    SignUpPage, VerifyPage,
};

/// The signed-in member as the browser sees them: no ids or hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub display_name: String,
    pub email: String,
    /// The domain that groups them, in Unicode.
    pub organization_domain: String,
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
    use crate::core::request::headers;
    use crate::core::state::Core;

    /// A server function for members only: the signed-in member, or `Unauthorized`.
    impl Guard for Member {
        async fn check(core: &Core) -> Result<Self, AppError> {
            member_of(core, &headers().await?)
                .await?
                .ok_or(AppError::Unauthorized)
        }
    }

    /// A server function for anyone, that knows the member when someone is signed in.
    impl Guard for Option<Member> {
        async fn check(core: &Core) -> Result<Self, AppError> {
            member_of(core, &headers().await?).await
        }
    }

    /// The member signed in on a request with these headers, for handlers outside Leptos.
    pub async fn member_of(core: &Core, headers: &HeaderMap) -> Result<Option<Member>, AppError> {
        let Some(signed_in) =
            session::current(&core.pool, &core.settings, headers, core.now()).await?
        else {
            return Ok(None);
        };
        member(&core.pool, signed_in.member_id).await
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
    }

    /// The member with this id, while they may use Tenantry (not invited, blocked or removed).
    pub async fn member(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Member>, AppError> {
        let row = sqlx::query!(
            "select id, email, display_name, organization_id, created_at from members
              where id = $1 and status = 'active'",
            id
        )
        .fetch_optional(db)
        .await?;
        Ok(row.map(|row| Member {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            organization_id: row.organization_id,
            signed_up_at: row.created_at,
        }))
    }
}
