//! Delivers the outbox over SMTP, retried with a doubling delay while SMTP is down.

use std::time::Duration;

use app::core::outbox;
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::Config;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    /// Over SMTP, from `from`.
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
        /// The domain of Message-IDs.
        host: String,
        /// How long one message's SMTP conversation may take before it counts as failed.
        send_within: Duration,
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
            transport: Box::new(transport),
            from,
            host,
            send_within: config.smtp_timeout,
        })
    }

    /// How long a claimed message is its worker's before another may try it: longer than an
    /// SMTP attempt may take, so only a message whose server died mid-send is tried again.
    fn claim_seconds(&self) -> f64 {
        let longest_send = match self {
            Mailer::Smtp { send_within, .. } => send_within.as_secs_f64(),
            Mailer::Mailbox => 0.0,
        };
        longest_send + 60.0
    }
}

/// How many messages a worker sends at once.
const BATCH: i64 = 4;
/// How often a worker looks for due mail when no notification comes: retries fall due silently.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// The running delivery worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Worker {
    /// Stops the worker once the messages it is sending are sent.
    pub async fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Starts delivering the outbox. Any number of servers may run a worker on one database: each
/// message is claimed by one worker at a time.
pub fn start_worker(pool: &PgPool, mailer: Mailer) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(pool.clone(), mailer, stopped));
    Worker {
        stop,
        task: Some(task),
    }
}

async fn run(pool: PgPool, mailer: Mailer, mut stopped: watch::Receiver<bool>) {
    let mut listener = listen(&pool).await;
    loop {
        let claimed = claim(&pool, mailer.claim_seconds())
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "cannot look for mail to deliver; looking again shortly");
                Vec::new()
            });
        let more = i64::try_from(claimed.len()).unwrap_or(BATCH) == BATCH;
        let mut sending = tokio::task::JoinSet::new();
        for message in claimed {
            sending.spawn(deliver(pool.clone(), mailer.clone(), message));
        }
        sending.join_all().await;
        if *stopped.borrow() {
            return;
        }
        if !more {
            tokio::select! {
                _ = stopped.changed() => return,
                () = wait_for_mail(&mut listener, &pool) => {}
            }
        }
    }
}

/// A connection listening for newly queued mail, when the database can be reached.
async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.ok()?;
    listener.listen(outbox::CHANNEL).await.ok()?;
    Some(listener)
}

/// Returns when mail may have been queued, or after [`POLL_EVERY`].
async fn wait_for_mail(listener: &mut Option<PgListener>, pool: &PgPool) {
    match listener {
        // A lost connection is made again on the next wait; an error means it could not be.
        Some(connected) => match tokio::time::timeout(POLL_EVERY, connected.try_recv()).await {
            Ok(Ok(Some(_))) => {
                // One look serves every message queued meanwhile.
                while connected.next_buffered().is_some() {}
            }
            Ok(Err(_)) => *listener = None,
            Ok(Ok(None)) | Err(_) => {}
        },
        None => {
            tokio::time::sleep(POLL_EVERY).await;
            *listener = listen(pool).await;
        }
    }
}

struct Claimed {
    id: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    sender_name: Option<String>,
    reply_to: Option<String>,
}

/// Claims the messages that are due, oldest first, counting the attempt now so that one whose
/// server dies mid-send still counts towards giving up.
async fn claim(pool: &PgPool, claim_seconds: f64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        "update outbox o
            set attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
           from (select id from outbox
                  where delivered_at is null and attempts <= $3 and next_attempt_at <= now()
                  order by next_attempt_at
                  limit $1
                  for update skip locked) due
          where o.id = due.id
          returning o.id, o.recipient, o.subject, o.body_text, o.sender_name, o.reply_to",
        BATCH,
        claim_seconds,
        outbox::RETRIES
    )
    .fetch_all(pool)
    .await
}

/// Sends one claimed message and records the outcome: delivered, or due again after a delay that
/// doubles with each attempt, or given up on after the last.
async fn deliver(pool: PgPool, mailer: Mailer, message: Claimed) {
    let id = message.id;
    let outcome = send(&mailer, message).await;
    let recorded = match outcome {
        Ok(()) => sqlx::query!(
            "update outbox set delivered_at = now(), last_error = null where id = $1",
            id
        )
        .execute(&pool)
        .await
        .map(drop),
        Err(error) => {
            let first_retry = outbox::FIRST_RETRY.as_seconds_f64();
            sqlx::query_scalar!(
                "update outbox
                    set last_error = $2,
                        next_attempt_at = now() + make_interval(secs => $3 * power(2, least(attempts - 1, 30)))
                  where id = $1
                  returning attempts",
                id,
                error.to_string(),
                first_retry
            )
            .fetch_one(&pool)
            .await
            .map(|attempts| {
                if attempts > outbox::RETRIES {
                    tracing::error!(outbox_id = %id, attempts, %error, "mail given up on after every retry");
                } else {
                    tracing::warn!(outbox_id = %id, attempts, %error, "mail delivery failed; it will be retried");
                }
            })
        }
    };
    if let Err(error) = recorded {
        // The claim runs out and the message is tried again.
        tracing::warn!(outbox_id = %id, %error, "cannot record a delivery attempt");
    }
}

/// Hands one message to the mail server.
async fn send(mailer: &Mailer, message: Claimed) -> Result<(), BoxError> {
    let Mailer::Smtp {
        transport,
        from,
        host,
        send_within,
    } = mailer
    else {
        return Ok(());
    };
    // A person's message shows their name at the service's address (so it passes the receiving
    // side's sender checks) and replies go to them.
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
        .message_id(Some(format!("<{}@{host}>", message.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(message.body_text)?;
    // The transport's own timeout bounds only the connect: a server that goes silent mid-reply
    // would hold the worker, and every worker after it, for good. Giving up drops the
    // connection (one per message, not pooled), so nothing of this message reaches the next.
    tokio::time::timeout(*send_within, transport.send(email))
        .await
        .map_err(|_| format!("no answer from the mail server within {send_within:?}"))??;
    Ok(())
}
