//! The accounts' server functions.

use leptos::prelude::*;

use super::{DeviceView, MemberView, PhoneLink, PhoneLinkState, PhoneLinkView};
use crate::core::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{devices, phone, resets, service, session, Member},
    crate::core::api::{serve, Public},
    crate::core::request::{headers, requester, set_cookie},
    crate::domain::Invalid,
};

/// Parses a form value into a domain type, as a field error.
#[cfg(feature = "ssr")]
fn parse<T>(result: Result<T, Invalid>) -> Result<T, AppError> {
    result.map_err(AppError::Invalid)
}

#[cfg(feature = "ssr")]
fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::CodeWrong)
}

/// Starts a sign-up; the page moves on to entering the mailed code. The browser keeps a cookie
/// that shows it started this sign-up.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::core::request::http_only_cookie;
    use crate::domain::{DisplayName, EmailAddress, Password};
    serve(|core, _: Public| async move {
        let email = parse(EmailAddress::parse(&email))?;
        let name = parse(DisplayName::parse(&display_name))?;
        let password = parse(Password::parse(
            &password,
            &[&email.as_ascii(), name.as_str()],
        ))?;
        let started =
            service::sign_up(&core, &requester().await?, &email, &name, &password).await?;
        set_cookie(http_only_cookie(
            &core.settings,
            service::SIGN_UP_COOKIE,
            &started.browser,
            Some(24 * 60 * 60),
        )?);
        leptos_axum::redirect(&format!("/signup/verify/{}", started.id));
        Ok(())
    })
    .await
}

/// Confirms a sign-up with its mailed code and signs the new member in; in a browser other than
/// the one that started it, with a password chosen here.
#[server(prefix = "/api", endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(
    id: String,
    code: String,
    #[server(default)] password: Option<String>,
) -> Result<(), AppError> {
    use crate::core::request::{cookie, host_cookie_name};
    use crate::domain::{OneTimeCode, Password};
    serve(|core, _: Public| async move {
        let code = parse(OneTimeCode::parse(&code))?;
        let browser = cookie(
            &headers().await?,
            &host_cookie_name(&core.settings, service::SIGN_UP_COOKIE),
        );
        let password = password
            .filter(|password| !password.is_empty())
            .map(|password| parse(Password::parse(&password, &[])))
            .transpose()?;
        let cookie = service::confirm_sign_up(
            &core,
            &requester().await?,
            parse_id(&id)?,
            &code,
            browser.as_deref(),
            password.as_ref(),
        )
        .await?;
        home_signed_in(cookie)
    })
    .await
}

/// Mails a new code for a pending sign-up or password reset.
#[server(prefix = "/api", endpoint = "resend_code")]
pub async fn resend_code(id: String) -> Result<(), AppError> {
    serve(|core, _: Public| async move {
        service::resend_code(&core, &requester().await?, parse_id(&id)?).await
    })
    .await
}

/// Signs in with address and password; with a temporary password from an admin, also with the
/// new password the member chooses.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] new_password: Option<String>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{EmailAddress, Password};
    serve(|core, _: Public| async move {
        let email = parse(EmailAddress::parse(&email))?;
        let new_password = new_password
            .filter(|new| !new.is_empty())
            .map(|new| parse(Password::parse(&new, &[&email.as_ascii()])))
            .transpose()?;
        let previous = this_device(&core).await?;
        let cookie = service::sign_in(
            &core,
            &requester().await?,
            &email,
            password,
            new_password,
            previous,
        )
        .await?;
        set_cookie(cookie);
        leptos_axum::redirect(super::page_to_return_to(next.as_deref()));
        Ok(())
    })
    .await
}

/// Ends this session.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    serve(|core, _: Public| async move {
        session::end_this(&core.pool, &core.settings, &headers().await?).await?;
        set_cookie(session::clear_cookie(&core.settings)?);
        leptos_axum::redirect("/signin");
        Ok(())
    })
    .await
}

/// Mails a reset code to a known address; the page moves on to entering it either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::domain::EmailAddress;
    serve(|core, _: Public| async move {
        let email = parse(EmailAddress::parse(&email))?;
        let id = resets::request_reset(&core, &requester().await?, &email).await?;
        leptos_axum::redirect(&format!("/password/reset/{id}"));
        Ok(())
    })
    .await
}

/// Sets a new password with the mailed code; other sessions end and this one is signed in.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(id: String, code: String, password: String) -> Result<(), AppError> {
    use crate::domain::{OneTimeCode, Password};
    serve(|core, _: Public| async move {
        let code = parse(OneTimeCode::parse(&code))?;
        let password = parse(Password::parse(&password, &[]))?;
        let cookie =
            resets::reset_password(&core, &requester().await?, parse_id(&id)?, &code, &password)
                .await?;
        home_signed_in(cookie)
    })
    .await
}

/// The signed-in member, or nothing when signed out (an ordinary state, not an error).
#[server(prefix = "/api", endpoint = "current_member")]
pub async fn current_member() -> Result<Option<MemberView>, AppError> {
    serve(|_, member: Option<Member>| async move {
        let Some(member) = member else {
            return Ok(None);
        };
        let email =
            crate::domain::EmailAddress::parse(&member.email).map_err(|_| AppError::Internal)?;
        Ok(Some(MemberView {
            display_name: member.display_name,
            email: email.to_display(),
            organization_domain: email.domain().to_display(),
            role: member.role,
        }))
    })
    .await
}

/// Carries a new session's cookie and sends the browser home, signed in.
#[cfg(feature = "ssr")]
pub fn home_signed_in(cookie: http::HeaderValue) -> Result<(), AppError> {
    set_cookie(cookie);
    leptos_axum::redirect("/");
    Ok(())
}

/// The token of the session asking, to mark or keep this device.
#[cfg(feature = "ssr")]
async fn this_device(core: &crate::core::state::Core) -> Result<Option<Vec<u8>>, AppError> {
    Ok(session::current(
        &core.pool,
        &core.settings,
        &headers().await?,
        core.now(),
        None,
    )
    .await?
    .map(|signed_in| signed_in.token_hash))
}

/// The signed-in member's devices.
#[server(prefix = "/api", endpoint = "my_devices")]
pub async fn my_devices() -> Result<Vec<DeviceView>, AppError> {
    serve(|core, member: Member| async move {
        let current = this_device(&core).await?;
        devices::list(&core.pool, member.id, current.as_deref(), core.now()).await
    })
    .await
}

/// Signs one of the member's own devices out.
#[server(prefix = "/api", endpoint = "sign_out_device")]
pub async fn sign_out_device(id: String) -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        let device = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        devices::sign_out(&core.pool, member.id, device).await
    })
    .await
}

/// Signs every other device of the member out.
#[server(prefix = "/api", endpoint = "sign_out_other_devices")]
pub async fn sign_out_other_devices() -> Result<(), AppError> {
    serve(|core, member: Member| async move {
        let current = this_device(&core).await?.ok_or(AppError::Unauthorized)?;
        session::end_others(&core.pool, member.id, &current).await
    })
    .await
}

/// A new link that signs the member's phone in, with its QR code.
#[server(prefix = "/api", endpoint = "new_phone_link")]
pub async fn new_phone_link() -> Result<PhoneLink, AppError> {
    serve(|core, member: Member| async move {
        let mut db = core.pool.acquire().await?;
        phone::issue(
            &mut db,
            &core.settings.public_url,
            member.id,
            member.id,
            core.now(),
        )
        .await
    })
    .await
}

/// Whether the member's phone link has been used yet.
#[server(name = CheckPhoneLink, prefix = "/api", endpoint = "phone_link_state")]
pub async fn phone_link_state(id: String) -> Result<PhoneLinkState, AppError> {
    serve(|core, member: Member| async move {
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        phone::state(&core.pool, member.id, id, core.now()).await
    })
    .await
}

/// Whom a phone link signs in, while it works.
#[server(name = LoadPhoneLink, prefix = "/api", endpoint = "phone_link")]
pub async fn phone_link(token: String) -> Result<PhoneLinkView, AppError> {
    serve(|core, _: Public| async move { phone::peek(&core, &token).await }).await
}

/// Signs this phone in with a link, once.
#[server(prefix = "/api", endpoint = "use_phone_link")]
pub async fn use_phone_link(token: String) -> Result<(), AppError> {
    serve(|core, _: Public| async move {
        let cookie = phone::redeem(&core, &requester().await?, &token).await?;
        set_cookie(cookie);
        leptos_axum::redirect("/meetings");
        Ok(())
    })
    .await
}
