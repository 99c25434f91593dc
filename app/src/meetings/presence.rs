//! Live presence: every change to a meeting's participants is announced by PostgreSQL
//! (`NOTIFY meeting_presence`), so each server process hears changes made by any other and pushes
//! the new roster to its open meeting pages as server-sent events.

#![cfg(feature = "ssr")]

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use futures::Stream;
use sqlx::{postgres::PgListener, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::participants::{self, Seat, Who};
use super::watchers::{self, Sight, Watcher};
use super::{Roster, HEARTBEAT_EVERY_SECS};
use crate::accounts::session;
use crate::core::clock::Clock;
use crate::core::error::AppError;
use crate::core::state::Core;

const CHANNEL: &str = "meeting_presence";
/// How often each process closes the places of participants whose pages fell silent.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// A meeting's new roster: as JSON for the pages that may see all of it, and with its seats for
/// the feeds that must first see whose entry is their viewer's.
#[derive(Clone, Debug)]
struct Update {
    meeting_id: Uuid,
    snapshot: Arc<Snapshot>,
}

#[derive(Debug)]
struct Snapshot {
    roster: Roster,
    seats: Vec<Seat>,
    json: String,
}

/// This process's hub: which meetings have open pages here, and the channel their rosters go out on.
#[derive(Clone, Debug)]
pub struct Presence {
    updates: broadcast::Sender<Update>,
    watched: Arc<Mutex<HashMap<Uuid, usize>>>,
    /// Set when the server shuts down: open feeds end so the shutdown does not wait on them.
    closing: tokio::sync::watch::Sender<bool>,
}

impl Presence {
    /// Starts listening for announcements and sweeping silent participants.
    pub fn start(pool: PgPool, clock: Clock) -> Self {
        let (updates, _) = broadcast::channel(256);
        let presence = Self {
            updates,
            watched: Arc::default(),
            closing: tokio::sync::watch::Sender::new(false),
        };
        tokio::spawn(presence.clone().listen(pool.clone(), clock.clone()));
        tokio::spawn(sweep(pool, clock));
        presence
    }

    /// Ends every open feed of this process; pages reconnect to another process by themselves.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// How many live meeting pages are open on this process.
    pub fn open_feeds(&self) -> usize {
        let watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        watched.values().sum()
    }

    fn watched(&self) -> Vec<Uuid> {
        let watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        watched.keys().copied().collect()
    }

    fn is_watched(&self, meeting_id: Uuid) -> bool {
        let watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        watched.contains_key(&meeting_id)
    }

    fn watch(&self, meeting_id: Uuid) -> Watching {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        *watched.entry(meeting_id).or_default() += 1;
        Watching {
            presence: self.clone(),
            meeting_id,
        }
    }

    async fn listen(self, pool: PgPool, clock: Clock) {
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "presence: cannot connect to listen; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::warn!(%error, "presence: cannot listen; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            self.refresh_all(&pool, &clock).await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        if let Ok(meeting_id) = Uuid::parse_str(notification.payload()) {
                            self.publish(&pool, &clock, meeting_id).await;
                        }
                    }
                    // The connection dropped and came back: announcements may have been missed.
                    Ok(None) => self.refresh_all(&pool, &clock).await,
                    Err(error) => {
                        tracing::warn!(%error, "presence: listening failed; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }

    async fn refresh_all(&self, pool: &PgPool, clock: &Clock) {
        for meeting_id in self.watched() {
            self.publish(pool, clock, meeting_id).await;
        }
    }

    /// Reads the meeting's roster once and hands it to every page open on it in this process.
    async fn publish(&self, pool: &PgPool, clock: &Clock, meeting_id: Uuid) {
        if !self.is_watched(meeting_id) {
            return;
        }
        match snapshot(pool, clock, meeting_id).await {
            Ok(snapshot) => {
                // Nobody may be listening any more; that is fine.
                let _ = self.updates.send(Update {
                    meeting_id,
                    snapshot,
                });
            }
            Err(error) => tracing::warn!(%error, %meeting_id, "presence: cannot read roster"),
        }
    }
}

/// One open page's interest in a meeting, given back when the page goes.
struct Watching {
    presence: Presence,
    meeting_id: Uuid,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let mut watched = self
            .presence
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = watched.get_mut(&self.meeting_id) {
            *count -= 1;
            if *count == 0 {
                watched.remove(&self.meeting_id);
            }
        }
    }
}

async fn snapshot(
    pool: &PgPool,
    clock: &Clock,
    meeting_id: Uuid,
) -> Result<Arc<Snapshot>, AppError> {
    let (roster, seats) = participants::roster_by_id(pool, clock.now(), meeting_id).await?;
    let json = serde_json::to_string(&roster).map_err(|_| AppError::Internal)?;
    Ok(Arc::new(Snapshot {
        roster,
        seats,
        json,
    }))
}

async fn sweep(pool: PgPool, clock: Clock) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        if let Err(error) = watchers::sweep(&pool, clock.now()).await {
            tracing::warn!(%error, "presence: cannot sweep silent participants");
        }
    }
}

/// `GET /live/meetings/{code}`: the meeting's roster now and after every change, as `roster`
/// events. While the page holds this open, it keeps its viewer present in the meeting.
pub async fn events(
    State(core): State<Core>,
    State(presence): State<Presence>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = core.now();
    let watcher = async {
        let who = Who::of_headers(&core, &headers).await?;
        let watcher = watchers::watch(&core.pool, now, &who, &code).await?;
        // Listening starts before the first roster is read: a change between the two then
        // arrives as an update instead of being dropped as news for a meeting nobody watches.
        let listening = Listening {
            updates: presence.updates.subscribe(),
            watching: presence.watch(watcher.meeting_id),
        };
        let first = snapshot(&core.pool, &core.clock, watcher.meeting_id).await?;
        Ok::<_, AppError>((watcher, listening, first))
    };
    match watcher.await {
        Ok((watcher, listening, first)) => {
            Sse::new(feed(core, &presence, watcher, listening, headers, first))
                .keep_alive(KeepAlive::default())
                .into_response()
        }
        Err(error) => {
            let status = http::StatusCode::from_u16(error.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}

/// This process passing a meeting's roster changes on to one more open page.
struct Listening {
    updates: broadcast::Receiver<Update>,
    watching: Watching,
}

struct Feed {
    core: Core,
    watcher: Watcher,
    /// The request's headers, to see on every event that its session still holds.
    headers: HeaderMap,
    updates: broadcast::Receiver<Update>,
    closing: tokio::sync::watch::Receiver<bool>,
    heartbeat: tokio::time::Interval,
    first: Option<Arc<Snapshot>>,
    _watching: Watching,
}

impl Feed {
    /// The event this viewer may receive for `snapshot`, or `None` when the feed must end: the
    /// member signed out (or was signed out), or the guest is no longer in the meeting.
    async fn event_for(&self, snapshot: &Snapshot) -> Option<Event> {
        if !self.session_holds().await {
            return None;
        }
        match self.watcher.sees(&snapshot.roster, &snapshot.seats) {
            Sight::Everything => Some(roster_event(&snapshot.json)),
            Sight::OnlyThemselves(roster) => serde_json::to_string(&roster)
                .ok()
                .map(|json| roster_event(&json)),
            Sight::Nothing => None,
        }
    }

    /// A member's feed lasts as long as their session; a guest's has none to check.
    async fn session_holds(&self) -> bool {
        let Some(member_id) = self.watcher.member_id else {
            return true;
        };
        let core = &self.core;
        let signed_in =
            session::still_signed_in(&core.pool, &core.settings, &self.headers, core.now()).await;
        matches!(signed_in, Ok(Some(id)) if id == member_id)
    }
}

fn feed(
    core: Core,
    presence: &Presence,
    watcher: Watcher,
    listening: Listening,
    headers: HeaderMap,
    first: Arc<Snapshot>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let feed = Feed {
        updates: listening.updates,
        closing: presence.closing.subscribe(),
        _watching: listening.watching,
        heartbeat: tokio::time::interval(Duration::from_secs(HEARTBEAT_EVERY_SECS)),
        first: Some(first),
        core,
        watcher,
        headers,
    };
    futures::stream::unfold(feed, |mut feed| async move {
        if let Some(first) = feed.first.take() {
            let event = feed.event_for(&first).await?;
            return Some((Ok(event), feed));
        }
        loop {
            if *feed.closing.borrow() {
                return None;
            }
            let snapshot = tokio::select! {
                _ = feed.closing.changed() => return None,
                received = feed.updates.recv() => match received {
                    Ok(update) if update.meeting_id == feed.watcher.meeting_id => update.snapshot,
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let core = &feed.core;
                        match snapshot(&core.pool, &core.clock, feed.watcher.meeting_id).await {
                            Ok(snapshot) => snapshot,
                            Err(_) => continue,
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = feed.heartbeat.tick() => {
                    // Also between changes, a feed ends soon after its session does.
                    if !feed.session_holds().await {
                        return None;
                    }
                    let core = &feed.core;
                    if let Err(error) = watchers::heartbeat(&core.pool, core.now(), &feed.watcher).await {
                        tracing::warn!(%error, "presence: heartbeat not stored");
                    }
                    continue;
                }
            };
            let event = feed.event_for(&snapshot).await?;
            return Some((Ok(event), feed));
        }
    })
}

fn roster_event(roster: &str) -> Event {
    Event::default().event("roster").data(roster)
}
