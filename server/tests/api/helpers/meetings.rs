//! Meeting settings as their form sends them, and members seen on a later day.

use app::meetings::{MeetingSettings, SaveMeetingSettings};
use time::Duration;

use super::{TestApp, START};

/// The settings form as the Meetings page sends `settings`.
pub fn save(settings: &MeetingSettings) -> SaveMeetingSettings {
    SaveMeetingSettings {
        lobby: settings.lobby.as_str().to_owned(),
        muted_on_entry: settings.muted_on_entry.then(|| "on".to_owned()),
        room_name: settings.room_name.clone(),
    }
}

impl TestApp {
    /// Moves the clock to `day` days after the start and signs `member` in again as `email`, as
    /// sessions end after 12 idle hours.
    pub async fn on_day(&self, member: &reqwest::Client, email: &str, day: i64) {
        let elapsed = self.clock.now() - START;
        self.clock.advance(Duration::days(day) - elapsed);
        self.sign_in(member, email).await;
    }
}
