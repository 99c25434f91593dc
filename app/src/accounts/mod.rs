//! Accounts: sign-up with a work email and a mailed code, sign-in and sign-out, password reset,
//! and the signed-in member every other feature builds on.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod pages;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

pub use pages::{
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
    /// A global admin of their (managed) organization.
    pub admin: bool,
}

/// The member's organization, grouped by the domain of their address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    /// In Unicode, as people read it.
    pub domain: String,
    pub managed: bool,
    /// Everyone who has signed up on the domain.
    pub member_count: i64,
}

/// The member behind the current request, on the server.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct Member {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub organization_id: uuid::Uuid,
    pub signed_up_at: time::OffsetDateTime,
    /// `member` or `global_admin`.
    pub role: String,
    pub session: session::SignedIn,
}

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    use axum::extract::ConnectInfo;
    use http::{header, HeaderMap, HeaderValue};
    use leptos::prelude::*;

    use super::{service::Requester, session, Member};
    use crate::error::AppError;
    use crate::i18n::Locale;

    /// The request's headers.
    pub async fn headers() -> Result<HeaderMap, AppError> {
        leptos_axum::extract::<HeaderMap>()
            .await
            .map_err(|_| AppError::Internal)
    }

    /// Who is asking: network address, browser and language.
    pub async fn requester() -> Result<Requester, AppError> {
        let headers = headers().await?;
        let ip = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
            .await
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Requester {
            ip,
            user_agent,
            locale: locale_of(&headers),
        })
    }

    /// The language chosen with the Language menu (the `lang` cookie), else the browser's.
    pub fn locale_of(headers: &HeaderMap) -> Locale {
        let chosen = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == "lang")
            .map(|(_, value)| value.to_owned());
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .split(',')
            .filter_map(|tag| tag.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find(|tag| tag.starts_with("nl") || tag.starts_with("en"));
        match chosen.or(accepted) {
            Some(tag) if tag.starts_with("nl") => Locale::nl,
            _ => Locale::en,
        }
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(cookie: HeaderValue) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }

    /// The signed-in member, or `Unauthorized`. Every member-only server function starts here.
    pub async fn require_member() -> Result<Member, AppError> {
        current_member_row().await?.ok_or(AppError::Unauthorized)
    }

    /// The signed-in member, if any.
    pub async fn current_member_row() -> Result<Option<Member>, AppError> {
        let state = crate::state::state()?;
        member_of(&state, &headers().await?).await
    }

    /// The member signed in on a request with these headers, for handlers outside Leptos.
    pub async fn member_of(
        state: &crate::state::AppState,
        headers: &HeaderMap,
    ) -> Result<Option<Member>, AppError> {
        let now = state.clock.now();
        let Some(signed_in) = session::current(&state.pool, &state.settings, headers, now).await?
        else {
            return Ok(None);
        };
        let row = sqlx::query!(
            "select id, email, display_name, organization_id, created_at, role from members where id = $1",
            signed_in.member_id
        )
        .fetch_optional(&state.pool)
        .await?;
        Ok(row.map(|row| Member {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            organization_id: row.organization_id,
            signed_up_at: row.created_at,
            role: row.role,
            session: signed_in,
        }))
    }
}

/// Parses a form value into a domain type, as a field error.
#[cfg(feature = "ssr")]
fn parse<T>(result: Result<T, crate::domain::Invalid>) -> Result<T, AppError> {
    result.map_err(AppError::Invalid)
}

#[cfg(feature = "ssr")]
fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::CodeWrong)
}

/// Starts a sign-up; the page moves on to entering the mailed code.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::domain::{DisplayName, EmailAddress, Password};
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let email = parse(EmailAddress::parse(&email))?;
            let name = parse(DisplayName::parse(&display_name))?;
            let password = parse(Password::parse(
                &password,
                &[&email.as_ascii(), name.as_str()],
            ))?;
            let who = requester().await?;
            let id = service::sign_up(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                &email,
                &name,
                &password,
            )
            .await?;
            leptos_axum::redirect(&format!("/signup/verify/{id}"));
            Ok(())
        }
        .await,
    )
}

/// Confirms a sign-up with its mailed code and signs the new member in.
#[server(prefix = "/api", endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(id: String, code: String) -> Result<(), AppError> {
    use crate::domain::OneTimeCode;
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let code = parse(OneTimeCode::parse(&code))?;
            let who = requester().await?;
            let cookie = service::confirm_sign_up(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                parse_id(&id)?,
                &code,
            )
            .await?;
            set_cookie(cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Mails a new code for a pending sign-up or password reset.
#[server(prefix = "/api", endpoint = "resend_code")]
pub async fn resend_code(id: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let who = requester().await?;
            service::resend_code(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                parse_id(&id)?,
            )
            .await
        }
        .await,
    )
}

/// Signs in with address and password.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::domain::EmailAddress;
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let email = parse(EmailAddress::parse(&email))?;
            let who = requester().await?;
            let previous = current_member_row()
                .await?
                .map(|member| member.session.token_hash);
            let cookie = service::sign_in(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                &email,
                password,
                previous,
            )
            .await?;
            set_cookie(cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Ends this session.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            if let Some(member) = current_member_row().await? {
                session::end(&state.pool, &member.session.token_hash).await?;
            }
            set_cookie(session::clear_cookie(&state.settings)?);
            leptos_axum::redirect("/signin");
            Ok(())
        }
        .await,
    )
}

/// Mails a reset code to a known address; the page moves on to entering it either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::domain::EmailAddress;
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let email = parse(EmailAddress::parse(&email))?;
            let who = requester().await?;
            let id = service::request_reset(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                &email,
            )
            .await?;
            leptos_axum::redirect(&format!("/password/reset/{id}"));
            Ok(())
        }
        .await,
    )
}

/// Sets a new password with the mailed code; other sessions end and this one is signed in.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(id: String, code: String, password: String) -> Result<(), AppError> {
    use crate::domain::{OneTimeCode, Password};
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let code = parse(OneTimeCode::parse(&code))?;
            let password = parse(Password::parse(&password, &[]))?;
            let who = requester().await?;
            let cookie = service::reset_password(
                &state.pool,
                &state.settings,
                state.clock.now(),
                &who,
                parse_id(&id)?,
                &code,
                &password,
            )
            .await?;
            set_cookie(cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// The signed-in member, or nothing when signed out (an ordinary state, not an error).
#[server(prefix = "/api", endpoint = "current_member")]
pub async fn current_member() -> Result<Option<MemberView>, AppError> {
    crate::error::respond(
        async {
            let Some(member) = current_member_row().await? else {
                return Ok(None);
            };
            let email = crate::domain::EmailAddress::parse(&member.email)
                .map_err(|_| AppError::Internal)?;
            Ok(Some(MemberView {
                display_name: member.display_name,
                email: email.to_display(),
                organization_domain: email.domain().to_display(),
                admin: member.role == "global_admin",
            }))
        }
        .await,
    )
}

/// The signed-in member's organization: its state and how many people have signed up on it.
#[server(prefix = "/api", endpoint = "my_organization")]
pub async fn my_organization() -> Result<OrganizationView, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            let member = require_member().await?;
            let organization = sqlx::query!(
                r#"select o.domain, o.status,
                          (select count(*) from members m where m.organization_id = o.id) as "member_count!"
                   from organizations o where o.id = $1"#,
                member.organization_id
            )
            .fetch_one(&state.pool)
            .await?;
            Ok(OrganizationView {
                domain: crate::domain::DomainName::display_stored(&organization.domain),
                managed: organization.status == "managed",
                member_count: organization.member_count,
            })
        }
        .await,
    )
}
