//! Outgoing mail: the outbox, filled in the same transaction as the change that causes a message,
//! and the development mailbox page that lists what was sent.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{ErrorText, Page};
use crate::error::AppError;
use crate::i18n::*;

#[cfg(feature = "ssr")]
pub mod outbox;

/// One sent (or queued) message, as the mailbox page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub delivered: bool,
}

/// Every message, newest first; only while the development mailbox is switched on.
#[server(prefix = "/api", endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Vec<SentMail>, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::state()?;
            if !state.settings.dev_mailbox {
                return Err(AppError::NotFound);
            }
            outbox::recent(&state.pool, 100).await
        }
        .await,
    )
}

/// The development mailbox: what the service would have mailed, for trying it out without SMTP.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let mails = Resource::new(|| (), |()| dev_mailbox());
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, mailbox.title).to_string())>
            <p>{t!(i18n, mailbox.explain)}</p>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match mails.await {
                        Ok(mails) if mails.is_empty() => {
                            view! { <p>{t!(i18n, mailbox.empty)}</p> }.into_any()
                        }
                        Ok(mails) => {
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
                        }
                        Err(error) => {
                            view! {
                                <p role="alert" class="error">
                                    <ErrorText error />
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </Page>
    }
}
