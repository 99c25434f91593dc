//! Meetings: joining within the organizer's limit, the lobby, leaving, the heartbeat timeout,
//! who may join, and live presence across two server processes.

use crate::helpers::{
    bind::Bind,
    wizard::{app_with_dns, verified_member},
};
use crate::helpers::{browser, TestApp, START};
use serde_json::{json, Value};
use sqlx::PgPool;
use time::Duration;

/// Creates a meeting as `organizer` and returns its code.
async fn create_meeting(app: &TestApp, organizer: &reqwest::Client, guests: bool) -> String {
    let mut form = vec![
        ("title", "Weekly planning"),
        ("starts_at", "2027-03-01T10:00"),
        ("utc_offset_minutes", "-60"),
    ];
    if guests {
        form.push(("allow_guests", "on"));
    }
    let response = app.call_as(organizer, "create_meeting", &form).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    response.json().await.expect("the code")
}

async fn set_lobby(app: &TestApp, member: &reqwest::Client, lobby: &str) {
    let saved = app
        .call_as(
            member,
            "save_meeting_settings",
            &[("lobby", lobby), ("room_name", "")],
        )
        .await;
    assert_eq!(saved.status(), 200);
}

/// Joins from `browser` (as a guest named `name` when it is nobody's session).
async fn join(
    app: &TestApp,
    browser: &reqwest::Client,
    code: &str,
    name: &str,
) -> reqwest::Response {
    app.call_as(browser, "join_meeting", &[("code", code), ("name", name)])
        .await
}

async fn join_as_guest(
    app: &TestApp,
    code: &str,
    name: &str,
) -> (reqwest::Client, reqwest::Response) {
    let guest = browser();
    let response = join(app, &guest, code, name).await;
    (guest, response)
}

async fn meeting(app: &TestApp, viewer: &reqwest::Client, code: &str) -> reqwest::Response {
    app.call_as(viewer, "meeting", &[("code", code)]).await
}

async fn admitted(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from participants p join meetings m on m.id = p.meeting_id
          where m.code = $1 and p.left_at is null and p.state = 'admitted'",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

/// An organizer whose lobby lets everyone straight in, signed up at the test's start.
async fn organizer(app: &TestApp, email: &str) -> reqwest::Client {
    let organizer = browser();
    app.sign_up(&organizer, email, "Rob").await;
    set_lobby(app, &organizer, "nobody").await;
    organizer
}

/// Moves the clock to `day` days after the start and signs `member` in again.
async fn on_day(app: &TestApp, member: &reqwest::Client, email: &str, day: i64) {
    let elapsed = app.clock.now() - START;
    app.clock.advance(Duration::days(day) - elapsed);
    app.sign_in(member, email).await;
}

/// Fills a meeting with `count` guests, each of whom gets in.
async fn fill(app: &TestApp, code: &str, count: usize) -> Vec<reqwest::Client> {
    let mut guests = Vec::new();
    for n in 0..count {
        let (guest, response) = join_as_guest(app, code, &format!("Guest {n}")).await;
        assert_eq!(
            response.status(),
            200,
            "guest {n}: {:?}",
            response.text().await
        );
        guests.push(guest);
    }
    guests
}

#[sqlx::test(migrations = "../migrations")]
async fn a_free_meeting_admits_ten_until_day_sixty_of_its_organizer_then_three(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    for (day, limit) in [(59, 10), (60, 3), (61, 3)] {
        on_day(&app, &rob, "rob@contoso.com", day).await;
        let code = create_meeting(&app, &rob, true).await;
        fill(&app, &code, limit).await;
        let (_, refused) = join_as_guest(&app, &code, "One too many").await;
        assert_eq!(refused.status(), 409, "day {day}");
        let body: Value = refused.json().await.expect("json");
        assert_eq!(
            body,
            json!({ "MeetingFull": { "limit": limit } }),
            "day {day}"
        );
        assert_eq!(admitted(&app, &code).await, limit as i64, "day {day}");
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
        async move {
            join_as_guest(app, &code, &format!("Guest {n}"))
                .await
                .1
                .status()
        }
    });
    let statuses = futures_util::future::join_all(joins).await;
    let admitted_now = statuses
        .iter()
        .filter(|status| status.as_u16() == 200)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| status.as_u16() == 409)
        .count();
    assert_eq!((admitted_now, refused), (10, 40), "{statuses:?}");
    assert_eq!(admitted(&app, &code).await, 10);
}

#[sqlx::test(migrations = "../migrations")]
async fn leaving_frees_a_place_and_so_does_a_silent_page_after_the_heartbeat_timeout(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    on_day(&app, &rob, "rob@contoso.com", 61).await;
    let code = create_meeting(&app, &rob, true).await;
    let guests = fill(&app, &code, 3).await;
    assert_eq!(join_as_guest(&app, &code, "Fourth").await.1.status(), 409);

    let left = app
        .call_as(&guests[0], "leave_meeting", &[("code", &code)])
        .await;
    assert_eq!(left.status(), 200);
    let (_, fourth) = join_as_guest(&app, &code, "Fourth").await;
    assert_eq!(fourth.status(), 200);
    assert_eq!(join_as_guest(&app, &code, "Fifth").await.1.status(), 409);

    // Joining again from the same browser keeps the one place it has.
    assert_eq!(join(&app, &guests[1], &code, "Guest 1").await.status(), 200);
    assert_eq!(admitted(&app, &code).await, 3);

    // Nobody's page reports any more: 30 s later every place is free, and the sweeper closes them.
    app.clock.advance(Duration::seconds(31));
    let (_, after_silence) = join_as_guest(&app, &code, "Fifth").await;
    assert_eq!(after_silence.status(), 200);
    for _ in 0..100 {
        if admitted(&app, &code).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        admitted(&app, &code).await,
        1,
        "silent participants are closed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_licensed_organizer_meeting_admits_the_plans_three_hundred(pool: PgPool) {
    let bind = Bind::start().await;
    let app = app_with_dns(pool, &bind).await;
    let rob = verified_member(&app, &bind, "rob@contoso.com", "meetings_upgrade").await;
    set_lobby(&app, &rob, "nobody").await;
    let paid = app
        .call_as(
            &rob,
            "purchase",
            &[
                ("plan", "business_basic"),
                ("billing", "Annual"),
                ("quantity", "1"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
                ("idempotency_key", "rooms-upgrade-key"),
            ],
        )
        .await;
    assert!(paid.status().is_success() || paid.status().is_redirection());
    on_day(&app, &rob, "rob@contoso.com", 61).await;
    let code = create_meeting(&app, &rob, true).await;
    fill(&app, &code, 4).await;
    let view: Value = meeting(&app, &rob, &code).await.json().await.expect("json");
    assert_eq!(view["roster"]["limit"], 300);
    assert_eq!(
        view["roster"]["participants"].as_array().map(Vec::len),
        Some(4)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn another_organizations_member_can_neither_read_nor_join_a_members_only_meeting(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let eve = browser();
    app.sign_up(&eve, "eve@fabrikam.com", "Eve").await;
    let code = create_meeting(&app, &rob, false).await;

    assert_eq!(meeting(&app, &eve, &code).await.status(), 404);
    assert_eq!(join(&app, &eve, &code, "Eve").await.status(), 404);
    let (_, stranger) = join_as_guest(&app, &code, "Stranger").await;
    assert_eq!(stranger.status(), 404);
    let unknown = meeting(&app, &sara, "no-such-meeting").await;
    assert_eq!(unknown.status(), 404);
    let live = eve
        .get(app.url(&format!("/live/meetings/{code}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(live.status(), 404);

    assert_eq!(join(&app, &sara, &code, "").await.status(), 200);
    let view: Value = meeting(&app, &sara, &code)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        view["viewer"],
        json!({ "Colleague": { "can_upgrade": true } })
    );
    assert_eq!(view["roster"]["participants"][0]["name"], "Sara");

    // A meeting open to guests lets Eve in by name, as a guest.
    let open = create_meeting(&app, &rob, true).await;
    assert_eq!(join(&app, &eve, &open, "").await.status(), 200);
    let view: Value = meeting(&app, &eve, &open).await.json().await.expect("json");
    assert_eq!(view["viewer"], json!({ "Guest": { "name": "Eve" } }));
    assert_eq!(view["roster"]["participants"][0]["guest"], true);
}

#[sqlx::test(migrations = "../migrations")]
async fn guests_wait_in_the_lobby_until_the_organizer_admits_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = browser();
    app.sign_up(&rob, "rob@contoso.com", "Rob").await;
    set_lobby(&app, &rob, "outside_organization").await;
    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    let code = create_meeting(&app, &rob, true).await;

    let (guest, response) = join_as_guest(&app, &code, "Gina").await;
    assert_eq!(response.status(), 200);
    let gina: String = response.json().await.expect("participant id");
    assert_eq!(join(&app, &sara, &code, "").await.status(), 200);
    let view: Value = meeting(&app, &guest, &code)
        .await
        .json()
        .await
        .expect("json");
    let people = view["roster"]["participants"]
        .as_array()
        .expect("people")
        .clone();
    assert_eq!(people.len(), 2);
    assert!(people
        .iter()
        .any(|p| p["name"] == "Gina" && p["waiting"] == true));
    assert!(people
        .iter()
        .any(|p| p["name"] == "Sara" && p["waiting"] == false));

    let by_colleague = app
        .call_as(
            &sara,
            "admit_participant",
            &[("code", &code), ("participant", &gina)],
        )
        .await;
    assert_eq!(by_colleague.status(), 403);
    let by_organizer = app
        .call_as(
            &rob,
            "admit_participant",
            &[("code", &code), ("participant", &gina)],
        )
        .await;
    assert_eq!(by_organizer.status(), 200);
    assert_eq!(admitted(&app, &code).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_meeting_input_is_refused_with_the_field_named(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    for (title, starts_at, problem) in [
        ("  ", "2027-03-01T10:00", "MeetingTitle"),
        ("Planning", "next tuesday", "MeetingTime"),
        ("Planning", "2020-01-01T10:00", "MeetingTime"),
    ] {
        let response = app
            .call_as(
                &rob,
                "create_meeting",
                &[("title", title), ("starts_at", starts_at)],
            )
            .await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body, json!({ "Invalid": problem }));
    }
    let count: i64 = sqlx::query_scalar("select count(*) from meetings")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
    let (_, unnamed) = join_as_guest(&app, &create_meeting(&app, &rob, true).await, " ").await;
    assert_eq!(unnamed.status(), 422);
    assert_eq!(
        app.call(
            "create_meeting",
            &[("title", "x"), ("starts_at", "2027-03-01T10:00")]
        )
        .await
        .status(),
        401
    );
}

/// Reads server-sent events until a `roster` event satisfies `wanted`.
async fn roster_where(stream: &mut reqwest::Response, wanted: impl Fn(&Value) -> bool) -> Value {
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
                let roster: Value = serde_json::from_str(data.trim()).expect("roster json");
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
fn names(roster: &Value) -> Vec<String> {
    let mut names: Vec<String> = roster["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

#[sqlx::test(migrations = "../migrations")]
async fn a_participant_on_one_server_sees_one_on_another_arrive_and_leave(pool: PgPool) {
    let first = TestApp::spawn(pool).await;
    let second = first.another_server().await;
    let rob = organizer(&first, "rob@contoso.com").await;
    let code = create_meeting(&first, &rob, false).await;
    assert_eq!(join(&first, &rob, &code, "").await.status(), 200);
    let mut live = rob
        .get(first.url(&format!("/live/meetings/{code}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(live.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Rob"]).await;

    // Sara signs up, joins and leaves through the other process.
    let sara = browser();
    second.sign_up(&sara, "sara@contoso.com", "Sara").await;
    assert_eq!(join(&second, &sara, &code, "").await.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Rob", "Sara"]).await;
    let left = second
        .call_as(&sara, "leave_meeting", &[("code", &code)])
        .await;
    assert_eq!(left.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Rob"]).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_follows_the_meeting_live_only_once_in_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let code = create_meeting(&app, &rob, true).await;
    let guest = browser();
    let url = app.url(&format!("/live/meetings/{code}"));
    assert_eq!(guest.get(&url).send().await.expect("sent").status(), 404);
    let before: Value = meeting(&app, &guest, &code)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(before["roster"]["participants"], json!([]));
    assert_eq!(join(&app, &guest, &code, "Gina").await.status(), 200);
    let mut live = guest.get(&url).send().await.expect("sent");
    assert_eq!(live.status(), 200);
    roster_where(&mut live, |roster| names(roster) == ["Gina"]).await;
}

/// The code of the member's personal room, from the answer or the page it leads to.
async fn personal_room(app: &TestApp, member: &reqwest::Client) -> String {
    let response = app.call_as(member, "open_personal_room", &[]).await;
    if let Some(location) = response.headers().get("location") {
        let location = location.to_str().expect("location").to_owned();
        return location.trim_start_matches("/meet/").to_owned();
    }
    assert_eq!(response.status(), 200);
    response.json().await.expect("code")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_personal_room_keeps_its_link_and_carries_the_personal_room_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rob = organizer(&app, "rob@contoso.com").await;
    let first = personal_room(&app, &rob).await;
    let view: Value = meeting(&app, &rob, &first)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["title"], "Rob");
    assert_eq!(view["allow_guests"], true);

    let saved = app
        .call_as(
            &rob,
            "save_meeting_settings",
            &[("lobby", "nobody"), ("room_name", "Rob's corner")],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let again = personal_room(&app, &rob).await;
    assert_eq!(again, first, "the link never changes");
    let view: Value = meeting(&app, &rob, &again)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["title"], "Rob's corner");
    let listed: Value = app
        .call_as(&rob, "my_meetings", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed,
        json!([]),
        "the personal room is not one of the scheduled meetings"
    );

    let sara = browser();
    app.sign_up(&sara, "sara@contoso.com", "Sara").await;
    assert_ne!(
        personal_room(&app, &sara).await,
        first,
        "one room per member"
    );
}
