//! The accounts service: sign-up with a mailed code, resending a code, and sign-in. Server
//! functions, REST handlers and tests all call these with explicit dependencies.

#![cfg(feature = "ssr")]

use http::HeaderValue;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::codes::{
    check_code, limit_mail, new_code, replace_codes, use_up_codes, CODE_LIFETIME, RESEND_COOLDOWN,
};
use super::{mails, passwords, session};
use crate::core::audit;
use crate::core::error::AppError;
use crate::core::locale::locale_tag;
use crate::core::outbox;
use crate::core::request::Requester;
use crate::core::secrets;
use crate::core::state::Core;
use crate::core::throttle;
use crate::domain::{DisplayName, EmailAddress, Invalid, OneTimeCode, Password};
use crate::policies;

/// Whether some member, removed or not, has this (stored) address: it cannot sign up again
/// (a removed person's account may still be restored, until it is erased).
async fn address_taken(tx: &mut sqlx::PgConnection, address: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select exists(select 1 from members where email = $1) as "exists!""#,
        address
    )
    .fetch_one(&mut *tx)
    .await?)
}

/// What a sign-up with a taken address mails its owner: where to sign in, or, once an admin has
/// removed them, who can bring the account back.
async fn taken_address_mail(
    tx: &mut sqlx::PgConnection,
    settings: &crate::core::state::Settings,
    locale: crate::i18n::Locale,
    address: &str,
) -> Result<crate::core::outbox::Mail, AppError> {
    let removed = sqlx::query_scalar!(
        r#"select exists(select 1 from members where email = $1 and status = 'removed') as "removed!""#,
        address
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(if removed {
        mails::removed_account(locale, address)
    } else {
        mails::already_registered(settings, locale, address)
    })
}

/// Whether a member signed up with this (stored) address, or was invited with it, and has not
/// been removed.
pub(super) async fn has_account(
    tx: &mut sqlx::PgConnection,
    address: &str,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select exists(select 1 from members where email = $1 and status in ('active', 'invited', 'blocked')) as "exists!""#,
        address
    )
    .fetch_one(&mut *tx)
    .await?)
}

/// A sign-up started: its id, and the secret of the browser that started it, which that browser
/// keeps in a cookie.
pub struct Started {
    pub id: Uuid,
    pub browser: String,
}

/// The cookie that ties a pending sign-up to the browser that started it.
pub const SIGN_UP_COOKIE: &str = "tenantry_signup";

/// Starts a sign-up and mails a code. An address that already has an account gets a mail saying
/// so instead; the caller cannot tell the two apart.
pub async fn sign_up(
    core: &Core,
    who: &Requester,
    email: &EmailAddress,
    name: &DisplayName,
    password: &Password,
) -> Result<Started, AppError> {
    let (pool, settings, now) = (&core.pool, &core.settings, core.now());
    let address = email.as_ascii();
    // One person, one member: otherwise each alias is another seat the buyer must pay for, and
    // another fresh start of the free plan's 60 days.
    if email.is_sub_address() {
        return Err(AppError::Invalid(Invalid::SubAddress));
    }
    let (policies, admin) = domain_policies(pool, email).await?;
    if policies.admins_add_people {
        // The answer names the admin: asking it costs what a sign-up costs, so nobody can list
        // the admins of many domains.
        limit_mail(pool, who, &address, now).await?;
        return Err(AppError::SignUpClosed { admin });
    }
    policies::store::check_password(password, &policies)?;
    limit_mail(pool, who, &address, now).await?;
    // Hashed either way, so both paths take the same time.
    let password_hash = passwords::hash(password).await?;

    let mut tx = pool.begin().await?;
    let registered = address_taken(&mut tx, &address).await?;
    let id = Uuid::new_v4();
    let (code, hash) = new_code(id);
    let browser = secrets::long_token();
    replace_codes(&mut tx, &address, "sign_up").await?;
    let (pending_name, pending_hash) = if registered {
        (None, None)
    } else {
        (Some(name.as_str()), Some(password_hash.as_str()))
    };
    sqlx::query!(
        "insert into email_codes
            (id, purpose, email, redeemable, display_name, password_hash, code_hash, expires_at, sent_at, created_at, browser_hash)
         values ($1, 'sign_up', $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        id,
        address,
        !registered,
        pending_name,
        pending_hash,
        hash,
        now + CODE_LIFETIME,
        now,
        secrets::hash(&browser),
    )
    .execute(&mut *tx)
    .await?;
    let mail = if registered {
        taken_address_mail(&mut tx, settings, who.locale, &address).await?
    } else {
        mails::sign_up_code(settings, who.locale, &address, id, &code)
    };
    outbox::enqueue(&mut tx, &mail, now).await?;
    tx.commit().await?;
    Ok(Started { id, browser })
}

/// The policies of the managed organization of the address's domain (the defaults when there is
/// none), and who administers it.
pub(super) async fn domain_policies(
    pool: &PgPool,
    email: &EmailAddress,
) -> Result<(policies::Policies, Option<String>), AppError> {
    let mut db = pool.acquire().await?;
    policies::store::of_address_domain(&mut db, email.domain().as_str()).await
}

/// Finishes a sign-up: the member joins the organization of their domain (created unmanaged on
/// the first sign-up) and is signed in. Returns the session cookie.
///
/// The password chosen when the sign-up started is used only in the browser that started it
/// (`browser`, from its cookie). Anywhere else the code proves the mailbox but not the password,
/// so whoever confirms there chooses one (`password`): someone who started a sign-up for another
/// person's address never learns a password that works.
pub async fn confirm_sign_up(
    core: &Core,
    who: &Requester,
    id: Uuid,
    code: &OneTimeCode,
    browser: Option<&str>,
    password: Option<&Password>,
) -> Result<HeaderValue, AppError> {
    let (pool, settings, now) = (&core.pool, &core.settings, core.now());
    let redeemed = check_code(pool, who, id, "sign_up", code, now).await?;
    let (Some(display_name), Some(started_hash)) = (
        redeemed.display_name.clone(),
        redeemed.password_hash.clone(),
    ) else {
        return Err(AppError::CodeWrong);
    };
    let email = EmailAddress::parse(&redeemed.email).map_err(|_| AppError::Internal)?;
    // The organization may have closed self sign-up since the code was mailed.
    let (policies, admin) = domain_policies(pool, &email).await?;
    if policies.admins_add_people {
        return Err(AppError::SignUpClosed { admin });
    }
    let same_browser = browser
        .map(secrets::hash)
        .is_some_and(|hash| redeemed.browser_hash.as_ref() == Some(&hash));
    let password_hash = match (same_browser, password) {
        (true, _) => started_hash,
        (false, None) => return Err(AppError::SignUpPasswordNeeded),
        (false, Some(password)) => {
            // Known only now that the code is checked: the address and name, which the
            // password must not be built from.
            let address = email.as_ascii();
            Password::parse(
                password.expose(),
                &[address.as_str(), display_name.as_str()],
            )
            .map_err(AppError::Invalid)?;
            policies::store::check_password(password, &policies)?;
            passwords::hash(password).await?
        }
    };

    let mut tx = pool.begin().await?;
    use_up_codes(&mut tx, &redeemed, "sign_up").await?;
    // A domain an organization added and proved joins that organization; any other domain
    // groups its people in an organization of its own, made on the first sign-up.
    sqlx::query!(
        "insert into organizations (domain, created_at)
         select $1, $2 where not exists
             (select 1 from organization_domains where domain = $1 and status = 'verified')
         on conflict (domain) do nothing",
        email.domain().as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    let member_id = sqlx::query_scalar!(
        "insert into members (email, display_name, password_hash, organization_id, created_at, locale)
         select $1, $2, $3,
                coalesce((select organization_id from organization_domains
                           where domain = $4 and status = 'verified'),
                         (select id from organizations where domain = $4)),
                $5, $6
         on conflict (email) do nothing
         returning id",
        redeemed.email,
        display_name,
        password_hash,
        email.domain().as_str(),
        now,
        locale_tag(who.locale)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::CodeWrong)?;
    let cookie = session::start(&mut *tx, settings, member_id, who, now).await?;
    tx.commit().await?;
    tracing::info!(%member_id, "member signed up");
    Ok(cookie)
}

/// Mails a fresh code for a pending sign-up or reset, at most once a minute.
pub async fn resend_code(core: &Core, who: &Requester, id: Uuid) -> Result<(), AppError> {
    let (pool, settings, now) = (&core.pool, &core.settings, core.now());
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        "select purpose, email, redeemable, sent_at from email_codes where id = $1 for update",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    let next = row.sent_at + RESEND_COOLDOWN;
    if next > now {
        let retry_after_secs = u64::try_from((next - now).whole_seconds().max(1)).unwrap_or(1);
        return Err(AppError::ResendTooSoon { retry_after_secs });
    }
    limit_mail(pool, who, &row.email, now).await?;
    let (code, hash) = new_code(id);
    sqlx::query!(
        // The guesses made so far still count: a resend gives a new code, not new guesses.
        "update email_codes set code_hash = $2, expires_at = $3, sent_at = $4 where id = $1",
        id,
        hash,
        now + CODE_LIFETIME,
        now
    )
    .execute(&mut *tx)
    .await?;
    let mail = match (row.purpose.as_str(), row.redeemable) {
        ("sign_up", true) => Some(mails::sign_up_code(
            settings, who.locale, &row.email, id, &code,
        )),
        ("sign_up", false) => {
            Some(taken_address_mail(&mut tx, settings, who.locale, &row.email).await?)
        }
        ("reset_password", true) => Some(mails::reset_code(
            settings, who.locale, &row.email, id, &code,
        )),
        _ => None,
    };
    if let Some(mail) = mail {
        outbox::enqueue(&mut tx, &mail, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Signs in with address and password. The same error, after the same work, whether the address
/// is unknown or the password wrong. Returns the cookie of a new session; `previous` ends.
///
/// A member whose admin gave them a temporary password is not signed in until they choose a
/// new one (`new_password`), so there is no half-signed-in state to guard.
pub async fn sign_in(
    core: &Core,
    who: &Requester,
    email: &EmailAddress,
    password: String,
    new_password: Option<Password>,
    previous: Option<Vec<u8>>,
) -> Result<HeaderValue, AppError> {
    let (pool, settings, now) = (&core.pool, &core.settings, core.now());
    let address = email.as_ascii();
    let account_key = format!("sign-in:address:{address}");
    throttle::hit(
        pool,
        &format!("sign-in:ip:{}", who.limit_key()),
        throttle::SIGN_IN_PER_IP,
        now,
    )
    .await?;
    // Wrong passwords for this address slow its sign-ins down. From elsewhere they take turns,
    // so sending many at once gains nothing; from a network the member is signed in from they
    // only wait, so strangers keeping the turns busy cannot keep the member out.
    let failures =
        throttle::counted(pool, &account_key, throttle::SIGN_IN_PER_ACCOUNT, now).await?;
    let delay = throttle::failure_delay(failures, throttle::SIGN_IN_PER_ACCOUNT);
    if !delay.is_zero() {
        let wait = if session::signed_in_from(pool, &address, &who.network(), now).await? {
            delay
        } else {
            throttle::take_turn(pool, &account_key, delay, now).await?
        };
        tokio::time::sleep(wait).await;
    }
    let member = sqlx::query!(
        "select id, organization_id, password_hash, status, must_change_password
           from members where email = $1 and status in ('active', 'blocked')",
        address
    )
    .fetch_optional(pool)
    .await?;
    // An unknown address and a wrong password cost the same: a hash check, then one transaction
    // of two statements (the failure counted, and the audit event or a stand-in for it).
    let Some(member) = member else {
        passwords::verify(None, password).await?;
        let mut tx = pool.begin().await?;
        throttle::count(&mut *tx, &account_key, throttle::SIGN_IN_PER_ACCOUNT, now).await?;
        sqlx::query("select 1").execute(&mut *tx).await?;
        tx.commit().await?;
        return Err(AppError::WrongCredentials);
    };
    if !passwords::verify(Some(member.password_hash), password).await? {
        let mut tx = pool.begin().await?;
        throttle::count(&mut *tx, &account_key, throttle::SIGN_IN_PER_ACCOUNT, now).await?;
        audit::record_and_commit(
            tx,
            member.organization_id,
            Some(member.id),
            "sign_in.failed",
            json!({ "network": who.network() }),
            now,
        )
        .await?;
        return Err(AppError::WrongCredentials);
    }
    if member.status == "blocked" {
        return Err(AppError::SignInBlocked);
    }
    let new_hash = match (member.must_change_password, new_password) {
        (false, _) => None,
        (true, None) => return Err(AppError::PasswordChangeRequired),
        (true, Some(new_password)) => {
            let policies = policies::store::of_organization(pool, member.organization_id).await?;
            policies::store::check_password(&new_password, &policies)?;
            Some(passwords::hash(&new_password).await?)
        }
    };
    throttle::clear(pool, &account_key).await?;
    let mut tx = pool.begin().await?;
    if let Some(previous) = previous {
        session::end(&mut *tx, &previous).await?;
    }
    if let Some(new_hash) = new_hash {
        // A password that had to be replaced may be known to someone else: whatever they signed
        // in with goes with it.
        session::end_all(&mut *tx, member.id).await?;
        sqlx::query!(
            "update members set password_hash = $2, must_change_password = false where id = $1",
            member.id,
            new_hash
        )
        .execute(&mut *tx)
        .await?;
    }
    let cookie = session::start(&mut *tx, settings, member.id, who, now).await?;
    // Later mail to the member (such as the upgrade's) speaks the language they use.
    sqlx::query!(
        "update members set locale = $2 where id = $1",
        member.id,
        locale_tag(who.locale),
    )
    .execute(&mut *tx)
    .await?;
    audit::record_and_commit(
        tx,
        member.organization_id,
        Some(member.id),
        "sign_in",
        json!({ "network": who.network(), "device": super::devices::device_kind(&who.user_agent).to_string() }),
        now,
    )
    .await?;
    Ok(cookie)
}
