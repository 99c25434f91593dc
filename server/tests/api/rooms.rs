//! Meetings: joining within the organizer's limit, the lobby, leaving, the heartbeat timeout,
//! who may join, and live presence across two server processes.

use crate::helpers::meetings::save;
use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{answer, browser, wait_until, TestApp, START};
use app::core::clock::Clock;
use app::core::error::AppError;
use app::domain::Invalid;
use app::meetings::{
    AdmitParticipant, CreateMeeting, JoinMeeting, LeaveMeeting, LoadMeeting, LoadMyMeetings, Lobby,
    MeetingPageClosed, MeetingSettings, MeetingView, OpenPersonalRoom, Roster, Viewer,
};
use sqlx::PgPool;
use time::Duration;

/// A meeting called "Weekly planning" on 1 March 2027, open to guests or members only.
fn weekly_planning(guests: bool) -> CreateMeeting {
    CreateMeeting {
        title: "Weekly planning".to_owned(),
        starts_at: "2027-03-01T10:00".to_owned(),
        utc_offset_minutes: Some("-60".to_owned()),
        allow_guests: guests.then(|| "on".to_owned()),
    }
}

/// Creates a meeting as `organizer` and returns its code.
async fn create_meeting(app: &TestApp, organizer: &reqwest::Client, guests: bool) -> String {
    app.invoke(organizer, weekly_planning(guests))
        .await
        .expect("the code")
}

async fn set_lobby(app: &TestApp, member: &reqwest::Client, lobby: Lobby) {
    let settings = MeetingSettings {
        lobby,
        ..MeetingSettings::default()
    };
    app.invoke(member, save(&settings))
        .await
        .expect("settings saved");
}

/// Joins from `browser` (as a guest named `name` when it is nobody's session) and returns the
/// participant id.
async fn join(
    app: &TestApp,
    browser: &reqwest::Client,
    code: &str,
    name: &str,
) -> Result<String, AppError> {
    let (code, name) = (code.to_owned(), Some(name.to_owned()));
    app.invoke(browser, JoinMeeting { code, name }).await
}

async fn join_as_guest(
    app: &TestApp,
    code: &str,
    name: &str,
) -> (reqwest::Client, Result<String, AppError>) {
    let guest = browser();
    let joined = join(app, &guest, code, name).await;
    (guest, joined)
}

async fn leave(app: &TestApp, browser: &reqwest::Client, code: &str) -> Result<(), AppError> {
    let code = code.to_owned();
    app.invoke(browser, LeaveMeeting { code }).await
}

async fn meeting(
    app: &TestApp,
    viewer: &reqwest::Client,
    code: &str,
) -> Result<MeetingView, AppError> {
    let code = code.to_owned();
    app.invoke(viewer, LoadMeeting { code }).await
}

/// The code of the member's personal room.
async fn personal_room(app: &TestApp, member: &reqwest::Client) -> String {
    app.invoke(member, OpenPersonalRoom {})
        .await
        .expect("the room's code")
}

async fn admitted(app: &TestApp, code: &str) -> i64 {
    app.value_for(
        "select count(*) from participants p join meetings m on m.id = p.meeting_id
          where m.code = $1 and p.left_at is null and p.state = 'admitted'",
        code,
    )
    .await
}

/// An organizer whose lobby lets everyone straight in, signed up at the test's start.
async fn organizer(app: &TestApp, email: &str) -> reqwest::Client {
    let organizer = app.signed_up(email, "Rob").await;
    set_lobby(app, &organizer, Lobby::Nobody).await;
    organizer
}

/// Fills a meeting with `count` guests, each of whom gets in.
async fn fill(app: &TestApp, code: &str, count: i32) -> Vec<reqwest::Client> {
    let mut guests = Vec::new();
    for n in 0..count {
        let (guest, joined) = join_as_guest(app, code, &format!("Guest {n}")).await;
        assert!(joined.is_ok(), "guest {n}: {joined:?}");
        guests.push(guest);
    }
    guests
}

/// The live feed of a meeting, as its page opens it.
async fn live_feed(app: &TestApp, viewer: &reqwest::Client, code: &str) -> reqwest::Response {
    viewer
        .get(app.url(&format!("/live/meetings/{code}")))
        .send()
        .await
        .expect("sent")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_free_meeting_admits_ten_until_day_sixty_of_its_organizer_then_three(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    for (day, limit) in [(59, 10), (60, 3), (61, 3)] {
        app.on_day(&rob, "rob@contoso.com", day).await;
        let code = create_meeting(&app, &rob, true).await;
        fill(&app, &code, limit).await;
        let (_, refused) = join_as_guest(&app, &code, "One too many").await;
        assert_eq!(refused, Err(AppError::MeetingFull { limit }), "day {day}");
        assert_eq!(admitted(&app, &code).await, i64::from(limit), "day {day}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn fifty_people_joining_at_once_never_exceed_the_limit(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    let joins = (0..50).map(|n| {
        let app = &app;
        let code = code.clone();
        async move { join_as_guest(app, &code, &format!("Guest {n}")).await.1 }
    });
    let outcomes = futures_util::future::join_all(joins).await;
    let admitted_now = outcomes.iter().filter(|joined| joined.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|joined| matches!(joined, Err(AppError::MeetingFull { .. })))
        .count();
    assert_eq!((admitted_now, refused), (10, 40), "{outcomes:?}");
    assert_eq!(admitted(&app, &code).await, 10);
}

#[sqlx::test(migrations = "../migrations")]
async fn leaving_frees_a_place_and_so_does_a_silent_page_after_the_heartbeat_timeout(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    app.on_day(&rob, "rob@contoso.com", 61).await;
    let code = create_meeting(&app, &rob, true).await;
    let guests = fill(&app, &code, 3).await;
    let full = Err(AppError::MeetingFull { limit: 3 });
    assert_eq!(join_as_guest(&app, &code, "Fourth").await.1, full);

    assert_eq!(leave(&app, &guests[0], &code).await, Ok(()));
    let (_, fourth) = join_as_guest(&app, &code, "Fourth").await;
    assert!(fourth.is_ok(), "{fourth:?}");
    assert_eq!(join_as_guest(&app, &code, "Fifth").await.1, full);

    // Joining again from the same browser keeps the one place it has.
    assert!(join(&app, &guests[1], &code, "Guest 1").await.is_ok());
    assert_eq!(admitted(&app, &code).await, 3);

    // Nobody's page reports any more: 30 s later every place is free, and the sweeper closes them.
    app.clock.advance(Duration::seconds(31));
    let (_, after_silence) = join_as_guest(&app, &code, "Fifth").await;
    assert!(after_silence.is_ok(), "{after_silence:?}");
    let ten_seconds = std::time::Duration::from_secs(10);
    wait_until(ten_seconds, || async { admitted(&app, &code).await == 1 }).await;
    assert_eq!(
        admitted(&app, &code).await,
        1,
        "silent participants are closed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_closed_page_lets_its_place_go_a_heartbeat_later_unless_another_page_keeps_it(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    let guests = fill(&app, &code, 2).await;
    for guest in &guests {
        let code = code.clone();
        app.invoke(guest, MeetingPageClosed { code })
            .await
            .expect("a page closed: guest 0's phone, guest 1's only page");
    }
    assert_eq!(
        admitted(&app, &code).await,
        2,
        "not at once: a reload comes back"
    );

    // Guest 0 still has a page open: its feed beats as it opens.
    let _laptop = live_feed(&app, &guests[0], &code).await;
    let beaten = format!(
        "participants where name = 'Guest 0' and last_seen_at >= '{}'",
        app.clock.now()
    );
    let ten_seconds = std::time::Duration::from_secs(10);
    wait_until(ten_seconds, || async { app.count(&beaten).await == 1 }).await;
    assert_eq!(app.count(&beaten).await, 1, "the open page beat");

    app.clock.advance(Duration::seconds(13));
    wait_until(ten_seconds, || async { admitted(&app, &code).await == 1 }).await;
    let left: Vec<String> = sqlx::query_scalar(
        "select name from participants where left_at is null and state = 'admitted'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("participants");
    assert_eq!(
        left,
        ["Guest 0"],
        "the place with no page open went, the other stayed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_licensed_organizer_meeting_admits_the_plans_three_hundred(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    set_lobby(&app, &rob, Lobby::Nobody).await;
    app.on_day(&rob, "rob@contoso.com", 61).await;
    let code = create_meeting(&app, &rob, true).await;
    fill(&app, &code, 4).await;
    let view = meeting(&app, &rob, &code)
        .await
        .expect("the organizer's view");
    assert_eq!(view.roster.limit, 300);
    assert_eq!(view.roster.participants.len(), 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_organizations_member_can_neither_read_nor_join_a_members_only_meeting(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let eve = app.signed_up("eve@fabrikam.com", "Eve").await;
    let code = create_meeting(&app, &rob, false).await;

    assert_eq!(meeting(&app, &eve, &code).await, Err(AppError::NotFound));
    assert_eq!(
        join(&app, &eve, &code, "Eve").await,
        Err(AppError::NotFound)
    );
    let (_, stranger) = join_as_guest(&app, &code, "Stranger").await;
    assert_eq!(stranger, Err(AppError::NotFound));
    let unknown = meeting(&app, &sara, "no-such-meeting").await;
    assert_eq!(unknown, Err(AppError::NotFound));
    assert_eq!(live_feed(&app, &eve, &code).await.status(), 404);

    assert!(join(&app, &sara, &code, "").await.is_ok());
    let view = meeting(&app, &sara, &code).await.expect("Sara's view");
    assert_eq!(view.viewer, Viewer::Colleague { can_upgrade: true });
    assert_eq!(view.roster.participants[0].name, "Sara");

    // A meeting open to guests lets Eve in by name, as a guest.
    let open = create_meeting(&app, &rob, true).await;
    assert!(join(&app, &eve, &open, "").await.is_ok());
    let view = meeting(&app, &eve, &open).await.expect("Eve's view");
    let name = Some("Eve".to_owned());
    assert_eq!(view.viewer, Viewer::Guest { name });
    assert!(view.roster.participants[0].guest);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_meeting_link_opened_directly_is_headed_by_the_meetings_title(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, false).await;

    let page = app.page(&rob, &format!("/meet/{code}")).await;
    let heading = page
        .split("<h1>")
        .nth(1)
        .and_then(|rest| rest.split("</h1>").next())
        .expect("a heading");
    assert!(heading.contains("Weekly planning"), "{heading}");
    assert!(
        page.contains("<title>Weekly planning"),
        "the document's title too"
    );

    // Signed out, a members' meeting asks to sign in and come back, and says nothing of it.
    let page = app.page(&browser(), &format!("/meet/{code}")).await;
    assert!(page.contains("Sign in to continue."), "{page}");
    assert!(!page.contains("Weekly planning"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_meeting_is_reached_by_its_pasted_link_or_code(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, false).await;
    let meetings = app.page(&rob, "/meetings").await;
    assert!(meetings.contains("Meeting link or code"), "{meetings}");

    for pasted in [app.url(&format!("/meet/{code}")), format!(" {code} ")] {
        let response = rob
            .get(app.url("/meet"))
            .query(&[("code", &pasted)])
            .header("accept", "text/html")
            .send()
            .await
            .expect("answered");
        assert!(
            response.status().is_redirection(),
            "{pasted}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()["location"],
            format!("/meet/{code}").as_str()
        );
    }
    let page = app.page(&rob, "/meet?code=next+tuesday").await;
    assert!(
        page.contains("That is not a meeting link or code."),
        "{page}"
    );
    assert!(
        page.contains("value=\"next tuesday\""),
        "what was typed stays: {page}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn guests_wait_in_the_lobby_until_the_organizer_admits_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    set_lobby(&app, &rob, Lobby::OutsideOrganization).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let code = create_meeting(&app, &rob, true).await;

    let (guest, joined) = join_as_guest(&app, &code, "Gina").await;
    let gina = joined.expect("participant id");
    assert!(join(&app, &sara, &code, "").await.is_ok());
    let organizers_view = meeting(&app, &rob, &code).await.expect("Rob's view");
    let people = &organizers_view.roster.participants;
    assert_eq!(people.len(), 2);
    assert!(people.iter().any(|p| p.name == "Gina" && p.waiting));
    assert!(people.iter().any(|p| p.name == "Sara" && !p.waiting));

    // Waiting, Gina sees only that she waits: on the page and in the live feed.
    let ginas_view = meeting(&app, &guest, &code).await.expect("Gina's view");
    assert_eq!(names(&ginas_view.roster), ["Gina"]);
    let mut ginas_feed = live_feed(&app, &guest, &code).await;
    let first = roster_where(&mut ginas_feed, |_| true).await;
    assert_eq!(names(&first), ["Gina"]);

    let admit = || AdmitParticipant {
        code: code.clone(),
        participant: gina.clone(),
    };
    assert_eq!(app.invoke(&sara, admit()).await, Err(AppError::Forbidden));
    assert_eq!(app.invoke(&rob, admit()).await, Ok(()));
    assert_eq!(admitted(&app, &code).await, 2);
    // Once in, she sees everyone.
    roster_where(&mut ginas_feed, |roster| names(roster) == ["Gina", "Sara"]).await;
}

/// Reads the feed to its end, failing if it stays open past a generous deadline.
async fn ended(stream: &mut reqwest::Response) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the feed ended in time");
        if !matches!(chunk, Ok(Some(_))) {
            return;
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_members_live_feed_ends_when_they_sign_out(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, false).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let mut feed = live_feed(&app, &sara, &code).await;
    roster_where(&mut feed, |_| true).await;
    app.invoke(&sara, app::accounts::SignOut {})
        .await
        .expect("signed out");
    // Rob's joining is the next change: it is not sent to a signed-out browser.
    assert!(join(&app, &rob, &code, "").await.is_ok());
    ended(&mut feed).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guests_live_feed_ends_when_they_leave(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    let (guest, joined) = join_as_guest(&app, &code, "Gina").await;
    assert!(joined.is_ok());
    let mut feed = live_feed(&app, &guest, &code).await;
    roster_where(&mut feed, |roster| names(roster) == ["Gina"]).await;
    assert_eq!(leave(&app, &guest, &code).await, Ok(()));
    ended(&mut feed).await;
}

/// Joins as a new guest whose requests a trusted proxy forwarded for `address`.
async fn join_as_guest_from(app: &TestApp, address: &str, code: &str) -> Result<String, AppError> {
    let call = JoinMeeting {
        code: code.to_owned(),
        name: Some(format!("Guest at {address}")),
    };
    let response = app
        .request(&browser(), &call)
        .header("X-Forwarded-For", address)
        .send()
        .await
        .expect("sent");
    answer::<JoinMeeting>(response).await
}

#[sqlx::test(migrations = "../migrations")]
async fn one_network_makes_at_most_sixty_guest_places_in_ten_minutes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    for n in 0..60 {
        let (guest, joined) = join_as_guest(&app, &code, &format!("Guest {n}")).await;
        assert!(joined.is_ok(), "guest {n}: {joined:?}");
        assert_eq!(leave(&app, &guest, &code).await, Ok(()));
    }
    let (_, over) = join_as_guest(&app, &code, "Guest 60").await;
    assert!(
        matches!(over, Err(AppError::TooManyAttempts { .. })),
        "{over:?}"
    );
    // Colleagues are not guests: they still get in.
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    assert!(join(&app, &sara, &code, "").await.is_ok());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lobby_takes_at_most_two_hundred_new_entries_in_ten_minutes(pool: PgPool) {
    let app = TestApp::spawn_with(pool, Clock::manual(START), |config| {
        config.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a CIDR")];
    })
    .await;
    let rob = app.signed_up("rob@contoso.com", "Rob").await;
    set_lobby(&app, &rob, Lobby::OutsideOrganization).await;
    let code = create_meeting(&app, &rob, true).await;
    for n in 0..200 {
        let address = format!("198.51.{}.{}", n / 100, n % 100);
        let joined = join_as_guest_from(&app, &address, &code).await;
        assert!(joined.is_ok(), "guest {n}: {joined:?}");
    }
    let over = join_as_guest_from(&app, "203.0.113.1", &code).await;
    assert!(
        matches!(over, Err(AppError::TooManyAttempts { .. })),
        "{over:?}"
    );
    app.clock.advance(Duration::minutes(10));
    assert!(join_as_guest_from(&app, "203.0.113.1", &code).await.is_ok());
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_meeting_input_is_refused_with_the_field_named(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    for (title, starts_at, offset, problem) in [
        ("  ", "2027-03-01T10:00", None, Invalid::MeetingTitle),
        ("Planning", "next tuesday", None, Invalid::MeetingTime),
        ("Planning", "2020-01-01T10:00", None, Invalid::MeetingTime),
        // The last minute time can hold, moved by the largest offset a browser gives.
        (
            "Planning",
            "9999-12-31T23:59",
            Some("840"),
            Invalid::MeetingTime,
        ),
        (
            "Planning",
            "-9999-01-01T00:00",
            Some("-840"),
            Invalid::MeetingTime,
        ),
    ] {
        let bad = CreateMeeting {
            title: title.to_owned(),
            starts_at: starts_at.to_owned(),
            utc_offset_minutes: offset.map(str::to_owned),
            allow_guests: None,
        };
        assert_eq!(app.invoke(&rob, bad).await, Err(AppError::Invalid(problem)));
    }
    assert_eq!(app.count("meetings").await, 0);
    let (_, unnamed) = join_as_guest(&app, &create_meeting(&app, &rob, true).await, " ").await;
    assert_eq!(unnamed, Err(AppError::Invalid(Invalid::NameMissing)));
    assert_eq!(
        app.invoke(&app.client, weekly_planning(false)).await,
        Err(AppError::Unauthorized)
    );
}

/// Reads server-sent events until a `roster` event satisfies `wanted`.
async fn roster_where(stream: &mut reqwest::Response, wanted: impl Fn(&Roster) -> bool) -> Roster {
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event
                .lines()
                .find_map(|line| line.strip_prefix("data:"))
                .filter(|_| event.contains("event: roster") || event.contains("event:roster"))
            {
                let roster: Roster = serde_json::from_str(data.trim()).expect("a roster");
                if wanted(&roster) {
                    return roster;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the roster changed in time")
            .expect("stream readable")
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// Who is in the roster, alphabetically (the test clock stands still, so joins tie).
fn names(roster: &Roster) -> Vec<&str> {
    let mut names: Vec<&str> = roster
        .participants
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    names.sort_unstable();
    names
}

#[sqlx::test(migrations = "../migrations")]
async fn a_participant_on_one_server_sees_one_on_another_arrive_and_leave(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    let rob = organizer(&first, "rob@contoso.com").await;
    let code = create_meeting(&first, &rob, false).await;
    assert!(join(&first, &rob, &code, "").await.is_ok());
    let mut live = live_feed(&first, &rob, &code).await;
    assert_eq!(live.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Rob"]).await;

    // Sara signs up, joins and leaves through the other process.
    let sara = second.signed_up("sara@contoso.com", "Sara").await;
    assert!(join(&second, &sara, &code, "").await.is_ok());
    roster_where(&mut live, |roster| names(roster) == ["Rob", "Sara"]).await;
    assert_eq!(leave(&second, &sara, &code).await, Ok(()));
    roster_where(&mut live, |roster| names(roster) == ["Rob"]).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_follows_the_meeting_live_only_once_in_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    let guest = browser();
    assert_eq!(live_feed(&app, &guest, &code).await.status(), 404);
    let before = meeting(&app, &guest, &code).await.expect("a guest's view");
    assert_eq!(before.roster.participants, []);
    assert!(join(&app, &guest, &code, "Gina").await.is_ok());
    let mut live = live_feed(&app, &guest, &code).await;
    assert_eq!(live.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Gina"]).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_personal_room_keeps_its_link_and_carries_the_personal_room_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let first = personal_room(&app, &rob).await;
    let view = meeting(&app, &rob, &first).await.expect("Rob's room");
    assert_eq!(view.title, "Rob");
    assert!(view.allow_guests);

    let renamed = MeetingSettings {
        lobby: Lobby::Nobody,
        room_name: "Rob's corner".to_owned(),
        ..MeetingSettings::default()
    };
    assert_eq!(app.invoke(&rob, save(&renamed)).await, Ok(()));
    let again = personal_room(&app, &rob).await;
    assert_eq!(again, first, "the link never changes");
    let view = meeting(&app, &rob, &again).await.expect("Rob's room");
    assert_eq!(view.title, "Rob's corner");
    let listed = app.invoke(&rob, LoadMyMeetings {}).await.expect("a list");
    assert_eq!(
        listed,
        [],
        "the personal room is not one of the scheduled meetings"
    );

    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    assert_ne!(
        personal_room(&app, &sara).await,
        first,
        "one room per member"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_cannot_pass_as_the_organizer_or_hide_text_in_a_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = app.signed_up("rob@contoso.com", "Rob Vance").await;
    let code = create_meeting(&app, &rob, true).await;

    for posing in [
        "Rob Vance",
        "rob vance",
        "Rob\u{200B} Vance",
        "\u{2066}Rob Vance\u{2069}",
    ] {
        let (_, joined) = join_as_guest(&app, &code, posing).await;
        assert_eq!(
            joined,
            Err(AppError::Invalid(Invalid::NameTaken)),
            "{posing:?}"
        );
    }
    let (_, joined) = join_as_guest(&app, &code, "Eve\u{202E}nimda").await;
    assert!(joined.is_ok());
    assert_eq!(
        app.count("participants where name = 'Evenimda'").await,
        1,
        "stored without the override"
    );
}
