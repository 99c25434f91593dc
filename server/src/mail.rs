//! Delivers the outbox over SMTP: a job per message, retried with backoff while SMTP is down.

use std::time::Duration;

use app::core::outbox::Delivery;
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sqlx::PgPool;
use sqlxmq::{job, CurrentJob, JobRegistry, JobRunnerHandle};

use crate::config::Config;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    /// Over SMTP, from `from`.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        /// The domain of Message-IDs.
        host: String,
    },
    /// Nowhere: the development mailbox page shows them.
    Mailbox,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let Some(url) = &config.smtp_url else {
            return Ok(Mailer::Mailbox);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| format!("SMTP_URL is not usable ({error}): use smtp://host:port or smtps://user:password@host:port"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|error| format!("MAIL_FROM is not a mail address ({error}): use the form Name <address@example.com>"))?;
        let host = from.email.domain().to_owned();
        Ok(Mailer::Smtp {
            transport,
            from,
            host,
        })
    }
}

/// Starts the delivery worker; it stops when the handle is dropped or stopped.
pub async fn start_worker(pool: &PgPool, mailer: Mailer) -> Result<JobRunnerHandle, String> {
    let mut registry = JobRegistry::new(&[deliver_mail]);
    registry.set_context(mailer);
    registry.set_error_handler(|job, error| {
        tracing::warn!(job, %error, "mail delivery failed; it will be retried");
    });
    registry
        .runner(pool)
        .set_channel_names(&[app::core::outbox::CHANNEL])
        .set_concurrency(1, 4)
        .run()
        .await
        .map_err(|error| format!("cannot start the mail worker ({error})"))
}

/// Sends one outbox message; an error leaves the job to be retried after its backoff.
/// The name and channel match `app::core::outbox::{DELIVER_JOB, CHANNEL}`.
#[job(name = "deliver_mail", channel_name = "mail")]
async fn deliver_mail(mut job: CurrentJob, mailer: Mailer) -> Result<(), BoxError> {
    let Delivery { outbox_id } = job.json()?.ok_or("delivery job without payload")?;
    let pool = job.pool().clone();
    let message = sqlx::query!(
        "select recipient, subject, body_text, delivered_at, sender_name, reply_to from outbox where id = $1",
        outbox_id
    )
    .fetch_optional(&pool)
    .await?;
    let Some(message) = message.filter(|message| message.delivered_at.is_none()) else {
        job.complete().await?;
        return Ok(());
    };
    let outcome = match &mailer {
        Mailer::Smtp {
            transport,
            from,
            host,
        } => {
            // A person's message shows their name at the service's address (so it passes the
            // receiving side's sender checks) and replies go to them.
            let sender = match &message.sender_name {
                Some(name) => Mailbox::new(Some(name.clone()), from.email.clone()),
                None => from.clone(),
            };
            let mut email = Message::builder().from(sender);
            if let Some(reply_to) = &message.reply_to {
                email = email.reply_to(reply_to.parse()?);
            }
            let email = email
                .to(message.recipient.parse()?)
                .subject(message.subject)
                // Stable across retries, so a message delivered twice reads as one.
                .message_id(Some(format!("<{outbox_id}@{host}>")))
                .header(ContentType::TEXT_PLAIN)
                .body(message.body_text)?;
            transport
                .send(email)
                .await
                .map(drop)
                .map_err(BoxError::from)
        }
        Mailer::Mailbox => Ok(()),
    };
    let now = time::OffsetDateTime::now_utc();
    match outcome {
        Ok(()) => {
            let mut tx = pool.begin().await?;
            sqlx::query!(
                "update outbox set delivered_at = $2, attempts = attempts + 1, last_error = null where id = $1",
                outbox_id,
                now
            )
            .execute(&mut *tx)
            .await?;
            job.complete_with_transaction(tx).await?;
            Ok(())
        }
        Err(error) => {
            sqlx::query!(
                "update outbox set attempts = attempts + 1, last_error = $2 where id = $1",
                outbox_id,
                error.to_string()
            )
            .execute(&pool)
            .await?;
            Err(error)
        }
    }
}
