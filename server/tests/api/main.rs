//! The integration tests: one binary, each module a feature, all against the real router, a fresh
//! PostgreSQL database per test, BIND and an SMTP server on loopback.

mod helpers;

mod access;
mod accounts;
mod billing;
mod devices;
mod domains;
mod extremes;
mod faults;
mod health;
mod licensing;
mod mail;
mod meetings;
mod people;
mod policies;
mod rooms;
mod wizard;
