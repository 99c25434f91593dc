#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support code"
)]

pub mod bind;
pub mod wizard;
