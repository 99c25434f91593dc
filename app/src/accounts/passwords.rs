//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).

#![cfg(feature = "ssr")]

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::core::error::AppError;
use crate::domain::Password;

/// At most one hash per core at a time: each takes 19 MiB, and more at once than there are cores
/// only thrashes caches and memory under a burst of sign-ins.
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn with_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal)
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's documented bounds.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password off the async runtime: argon2 is deliberately slow.
pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    with_slot(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await?
    .map_err(|error| {
        tracing::error!(%error, "password hashing failed");
        AppError::Internal
    })
}

/// Checks `password` against `stored`; with no stored hash it checks a dummy one, so an unknown
/// address costs the same time as a wrong password.
pub async fn verify(stored: Option<String>, password: String) -> Result<bool, AppError> {
    with_slot(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = PasswordHash::new(&stored)
            .map(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
            .unwrap_or(false);
        matches && stored != dummy_hash()
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"no account has this password", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = Password::parse("violet kettle harbor", &[]).expect("valid");
        let stored = hash(&password).await.expect("hashed");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(Some(stored.clone()), "violet kettle harbor".into())
            .await
            .expect("ran"));
        assert!(!verify(Some(stored), "violet kettle harbour".into())
            .await
            .expect("ran"));
        assert!(!verify(None, "no account has this password".into())
            .await
            .expect("ran"));
    }
}
