//! The meetings' pages: the overview with settings and the member's meetings, and one meeting.

mod overview;
mod room;

pub use overview::MeetingsPage;
pub use room::MeetingPage;
