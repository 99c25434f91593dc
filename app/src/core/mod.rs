//! The base every feature builds on; it names no feature. Server-only modules say so at their
//! top (`#![cfg(feature = "ssr")]`), as in every feature.

pub mod api;
pub mod audit;
pub mod clock;
pub mod csv;
pub mod error;
pub mod failpoint;
pub mod forwarding;
pub mod locale;
pub mod outbox;
pub mod request;
pub mod secrets;
pub mod state;
pub mod stored;
pub mod throttle;
