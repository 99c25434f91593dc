//! The development mailbox: a page listing every message the outbox holds, for trying the
//! service without SMTP. Off unless `DEV_MAILBOX=true` is set; only for a developer's machine:
//! it answers loopback addresses only, and while it is on every page says so.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{translated, Loaded, Page};
use crate::core::error::AppError;
use crate::i18n::*;

/// Whether the mailbox page is on: only on a developer's machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailboxSettings {
    pub enabled: bool,
}

#[cfg(feature = "ssr")]
mod store {
    use sqlx::PgPool;
    use time::format_description::well_known::Rfc3339;

    use super::SentMail;
    use crate::core::error::AppError;

    /// The newest messages first.
    pub async fn recent(pool: &PgPool, limit: i64) -> Result<Vec<SentMail>, AppError> {
        let rows = sqlx::query!(
            "select recipient, subject, body_text, created_at, delivered_at from outbox
             order by seq desc limit $1",
            limit
        )
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| SentMail {
                recipient: row.recipient,
                subject: row.subject,
                body: row.body_text,
                created_at: row.created_at.format(&Rfc3339).unwrap_or_default(),
                delivered: row.delivered_at.is_some(),
            })
            .collect())
    }
}

/// One sent (or queued) message, as the mailbox page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub delivered: bool,
}

/// Every message, newest first; only while the development mailbox is switched on, and only to
/// the machine it runs on.
#[server(prefix = "/api", endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Vec<SentMail>, AppError> {
    use crate::core::api::{serve, Public};
    let settings = crate::core::state::provided::<MailboxSettings>();
    serve(|core, _: Public| async move {
        let from_this_machine = crate::core::request::requester()
            .await?
            .is_on_this_machine();
        if !settings?.enabled || !from_this_machine {
            return Err(AppError::NotFound);
        }
        store::recent(&core.pool, 100).await
    })
    .await
}

/// Whether the development mailbox is on, for the warning every page shows then.
#[server(prefix = "/api", endpoint = "dev_mailbox_on")]
pub async fn dev_mailbox_on() -> Result<bool, AppError> {
    use crate::core::api::{serve, Public};
    let settings = crate::core::state::provided::<MailboxSettings>();
    serve(|_, _: Public| async move { Ok(settings?.enabled) }).await
}

/// A warning on every page while the development mailbox is on: the mail it shows is readable
/// on this machine without signing in.
#[component]
pub fn DevMailboxBanner() -> impl IntoView {
    let i18n = use_i18n();
    let on = Resource::new(|| (), |()| dev_mailbox_on());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(on.await, Ok(true)).then(|| view! {
                    <p class="dev-banner" role="note">
                        {t!(i18n, mailbox.banner)} " " <a href="/dev/mailbox">{t!(i18n, mailbox.title)}</a>
                    </p>
                })
            })}
        </Transition>
    }
}

/// The development mailbox: what the service would have mailed, for trying it out without SMTP.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let mails = Resource::new(|| (), |()| dev_mailbox());
    view! {
        <Page title=translated!(i18n, mailbox.title)>
            <p>{t!(i18n, mailbox.explain)}</p>
            <Loaded resource=mails show={move |mails: Vec<SentMail>| {
                if mails.is_empty() {
                    return view! { <p>{t!(i18n, mailbox.empty)}</p> }.into_any();
                }
                view! {
                    <ul class="mailbox">
                        {mails
                            .into_iter()
                            .map(|mail| {
                                view! {
                                    <li class="card">
                                        <h2>{mail.subject}</h2>
                                        <p class="hint">{mail.recipient} " · " {mail.created_at}</p>
                                        <pre>{mail.body}</pre>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }} />
        </Page>
    }
}
