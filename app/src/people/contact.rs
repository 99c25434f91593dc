//! Contacting people: an admin's message, one mail per recipient in their language.

use serde_json::json;
use uuid::Uuid;

use super::mails;
use crate::accounts::Member;
use crate::core::error::{AppError, Invalid};
use crate::core::locale::locale_of_tag;
use crate::core::outbox;
use crate::core::state::Core;
use crate::core::throttle::{self, Limit};
use crate::domain::DomainName;

/// Messages an organization's admins may send per hour, together.
pub const MESSAGES_PER_ORGANIZATION: Limit = Limit::new(10, time::Duration::hours(1));
const SUBJECT_MAX_CHARS: usize = 200;
const BODY_MAX_CHARS: usize = 20_000;

/// A message as the admin wrote it, checked.
pub struct Message {
    subject: String,
    body: String,
}

impl Message {
    pub fn parse(subject: &str, body: &str) -> Result<Self, Invalid> {
        // One line: a line break in a subject would start a new mail header.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        if subject.is_empty() || subject.chars().count() > SUBJECT_MAX_CHARS {
            return Err(Invalid::MessageSubject);
        }
        let body = body.trim().replace("\r\n", "\n");
        if body.is_empty() || body.chars().count() > BODY_MAX_CHARS {
            return Err(Invalid::MessageBody);
        }
        Ok(Message { subject, body })
    }
}

/// Who a message goes to: chosen people of the organization, or all of them.
pub enum Recipients {
    Chosen(Vec<Uuid>),
    Everyone,
}

/// Queues one mail per recipient who can receive it (active people of the admin's organization;
/// ids of anyone else are ignored). Returns how many were queued.
pub async fn send(
    core: &Core,
    admin: &Member,
    message: &Message,
    recipients: &Recipients,
) -> Result<usize, AppError> {
    let now = core.now();
    let chosen = match recipients {
        Recipients::Chosen(ids) if ids.is_empty() => {
            return Err(AppError::Invalid(Invalid::NoRecipients))
        }
        Recipients::Chosen(ids) => Some(ids.as_slice()),
        Recipients::Everyone => None,
    };
    throttle::hit(
        &core.pool,
        &format!("contact:organization:{}", admin.organization_id),
        MESSAGES_PER_ORGANIZATION,
        now,
    )
    .await?;
    let mut tx = core.pool.begin().await?;
    let people = sqlx::query!(
        "select m.id, m.email, m.locale, o.domain from members m
           join organizations o on o.id = m.organization_id
          where m.organization_id = $1 and m.status = 'active'
            and ($2::uuid[] is null or m.id = any($2))
          order by m.email",
        admin.organization_id,
        chosen as Option<&[Uuid]>
    )
    .fetch_all(&mut *tx)
    .await?;
    if people.is_empty() {
        return Err(AppError::Invalid(Invalid::NoRecipients));
    }
    for person in &people {
        let mail = mails::message(
            locale_of_tag(&person.locale),
            &person.email,
            admin,
            &DomainName::display_stored(&person.domain),
            &message.subject,
            &message.body,
        );
        outbox::enqueue(&mut tx, &mail, now).await?;
    }
    admin
        .audit_and_commit(
            tx,
            "people.contacted",
            json!({
                "subject": message.subject,
                "recipients": people.len(),
                "everyone": chosen.is_none(),
            }),
            now,
        )
        .await?;
    Ok(people.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_one_line_and_neither_part_may_be_empty() {
        let message = Message::parse("  Team\r\nday ", "See you\r\nthere").expect("valid");
        assert_eq!(message.subject, "Team day");
        assert_eq!(message.body, "See you\nthere");
        assert_eq!(
            Message::parse(" ", "x").err(),
            Some(Invalid::MessageSubject)
        );
        assert_eq!(Message::parse("Hi", "\n").err(), Some(Invalid::MessageBody));
        assert_eq!(
            Message::parse(&"x".repeat(201), "body").err(),
            Some(Invalid::MessageSubject)
        );
    }
}
