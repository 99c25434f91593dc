//! The meetings' pages: the overview with settings and the member's meetings, one meeting, and
//! going to a meeting by its link or code.

mod join;
mod overview;
mod room;

pub use join::{JoinByCode, JoinPage};
pub use overview::MeetingsPage;
pub use room::MeetingPage;
