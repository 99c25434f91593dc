//! What the benchmarks share: reading a sign-up's mailed code from the outbox.

use sqlx::PgPool;

/// The id of the newest pending sign-up of `email` and the code its mail carries (the code ends
/// the mail's subject).
pub async fn pending_sign_up(pool: &PgPool, email: &str) -> (uuid::Uuid, String) {
    let (id, subject): (uuid::Uuid, String) = sqlx::query_as(
        "select c.id, o.subject from email_codes c join outbox o on o.recipient = c.email
         where c.email = $1 order by o.seq desc limit 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .expect("a pending sign-up");
    let code = subject.rsplit(' ').next().expect("code").to_owned();
    (id, code)
}
