//! The outbox: mail stored in the same transaction as the change that causes it, then delivered
//! by the server's worker.

#![cfg(feature = "ssr")]

use sqlx::PgConnection;
use time::Duration;
use uuid::Uuid;

use super::error::AppError;

/// The channel workers listen on for newly queued mail (see the outbox migrations).
pub const CHANNEL: &str = "outbox";
/// Retries double from this delay: 2 s, 4 s, 8 s ... so a day-long SMTP outage still delivers.
pub const FIRST_RETRY: Duration = Duration::seconds(2);
/// Retries after the first attempt; a message still undelivered after them is given up on, and
/// counted as undeliverable on `/metrics`.
pub const RETRIES: i32 = 20;

/// A message to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// A person the message is written by: their name is shown as the sender, and replies
    /// go to them. Without one, it comes from the service.
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// The person a message is written by.
#[derive(Debug, Clone)]
pub struct OnBehalfOf {
    pub name: String,
    pub reply_to: String,
}

impl Mail {
    /// A message from the service.
    pub fn new(to: impl Into<String>, subject: impl Into<String>, body: impl Into<String>) -> Self {
        Mail {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
            on_behalf_of: None,
        }
    }
}

/// Stores `mail` and schedules its delivery, inside the caller's transaction: if the change that
/// causes the mail rolls back, no mail goes out; once it commits, the mail will.
pub async fn enqueue(
    tx: &mut PgConnection,
    mail: &Mail,
    now: time::OffsetDateTime,
) -> Result<Uuid, AppError> {
    let outbox_id = sqlx::query_scalar!(
        "insert into outbox (recipient, subject, body_text, created_at, sender_name, reply_to)
         values ($1, $2, $3, $4, $5, $6)
         returning id",
        mail.to,
        mail.subject,
        mail.body,
        now,
        mail.on_behalf_of
            .as_ref()
            .map(|sender| sender.name.as_str()),
        mail.on_behalf_of
            .as_ref()
            .map(|sender| sender.reply_to.as_str()),
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(outbox_id)
}

/// Stores `mails` for delivery as [`enqueue`] does, in one statement however many there are: an
/// upgrade tells every member of an organization, ten thousand at once.
pub async fn enqueue_all(
    tx: &mut PgConnection,
    mails: &[Mail],
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let column = |field: fn(&Mail) -> Option<&str>| -> Vec<Option<&str>> {
        mails.iter().map(field).collect()
    };
    sqlx::query!(
        r#"insert into outbox (recipient, subject, body_text, created_at, sender_name, reply_to)
           select recipient, subject, body_text, $4, sender_name, reply_to
             from unnest($1::text[], $2::text[], $3::text[], $5::text[], $6::text[])
                  as mail (recipient, subject, body_text, sender_name, reply_to)"#,
        &column(|mail| Some(mail.to.as_str())) as &[Option<&str>],
        &column(|mail| Some(mail.subject.as_str())) as &[Option<&str>],
        &column(|mail| Some(mail.body.as_str())) as &[Option<&str>],
        now,
        &column(|mail| mail.on_behalf_of.as_ref().map(|by| by.name.as_str())) as &[Option<&str>],
        &column(|mail| mail.on_behalf_of.as_ref().map(|by| by.reply_to.as_str()))
            as &[Option<&str>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A mail text with its `[key]` placeholders replaced.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("[{key}]"), value)
        })
}
