//! The admin center's people: adding and inviting, resets, roles, removal and restoring,
//! contacting everyone, the list, the audit log, and who may do what.

use crate::helpers::orders::{more_licenses, PAYS};
use crate::helpers::people::list_people;
use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{browser, sign_in_choosing, sign_in_with, TestApp, PASSWORD};
use app::admin::{AuditEntry, LoadAuditLog, LoadOverview};
use app::core::error::{AppError, Invalid, RowIssue, RowProblem};
use app::domain::Money;
use app::licensing::{AssignLicense, Licensing};
use app::organizations::Role;
use app::people::{
    AcceptInvitation, AddPeople, AddPerson, BlockPerson, CancelInvitation, ChangeRole,
    LicensePerson, ListPeople, LoadInvitation, LoadPerson, MessageRecipients, PersonStatus,
    ReinvitePerson, RemovePerson, ResetOutcome, ResetPersonPassword, RestorePerson, SendMessage,
};
use leptos::server_fn::ServerFn;
use sqlx::PgPool;
use time::Duration;

const NEW_PASSWORD: &str = "amber lantern meadow";

async fn id_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("select id from members where email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("a member")
        .to_string()
}

fn add(name: &str, email: &str, license: bool, role: Option<Role>) -> AddPerson {
    AddPerson {
        display_name: name.to_owned(),
        email: email.to_owned(),
        license: license.then(|| "on".to_owned()),
        role: role.map(|role| role.as_str().to_owned()),
    }
}

/// The invitation token in the newest mail to `email`.
async fn invitation_token(app: &TestApp, email: &str) -> String {
    let (_, body) = app.latest_mail(email).await.expect("an invitation mail");
    body.split("/invitation/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the mail holds an invitation link")
        .to_owned()
}

fn audit_of(person: &str) -> LoadAuditLog {
    LoadAuditLog {
        person: person.to_owned(),
        kind: String::new(),
        from: String::new(),
        to: String::new(),
        before: String::new(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_added_person_accepts_the_invitation_once_and_is_signed_in_licensed(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;

    let added = app
        .invoke(&rob, add("Ann de Vries", "ann@contoso.com", true, None))
        .await
        .expect("added");
    assert!(added.licensed);
    let again = app
        .invoke(&rob, add("Ann de Vries", "ann@contoso.com", true, None))
        .await;
    assert_eq!(
        again,
        Ok(added.clone()),
        "a retried addition answers as the first"
    );
    assert_eq!(app.count("members where status = 'invited'").await, 1);
    assert_eq!(app.count("licenses").await, 2);
    let (subject, _) = app.latest_mail("ann@contoso.com").await.expect("mailed");
    assert_eq!(subject, "rob added you to contoso.com on Tenantry");
    // Invited people cannot sign in before choosing a password.
    assert_eq!(
        app.invoke(&browser(), sign_in_with("ann@contoso.com", PASSWORD))
            .await,
        Err(AppError::WrongCredentials)
    );

    let token = invitation_token(&app, "ann@contoso.com").await;
    let invited = app
        .invoke(
            &browser(),
            LoadInvitation {
                token: token.clone(),
            },
        )
        .await
        .expect("the link works");
    assert_eq!(
        (invited.name.as_str(), invited.organization.as_str()),
        ("Ann de Vries", "contoso.com")
    );
    let ann = browser();
    let accept = |password: &str| AcceptInvitation {
        token: token.clone(),
        password: password.to_owned(),
    };
    assert_eq!(
        app.invoke(&ann, accept("short")).await,
        Err(AppError::Invalid(Invalid::PasswordTooShort))
    );
    app.invoke(&ann, accept(NEW_PASSWORD))
        .await
        .expect("accepted");
    assert!(app.is_signed_in(&ann).await);
    assert_eq!(
        app.invoke(&browser(), accept(NEW_PASSWORD)).await,
        Err(AppError::InvitationInvalid),
        "the link works once"
    );
    let ann_id = id_of(&app, "ann@contoso.com").await;
    let person = app
        .invoke(&rob, LoadPerson { id: ann_id })
        .await
        .expect("her page");
    assert_eq!(person.person.status, PersonStatus::Active);
    assert_eq!(person.person.license.as_deref(), Some("Business Basic"));
    assert_eq!(person.person.devices, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn additions_outside_the_domain_or_past_the_licenses_store_nothing(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;

    assert_eq!(
        app.invoke(&rob, add("Eve", "eve@fabrikam.com", false, None))
            .await,
        Err(AppError::DomainNotAllowed {
            domains: vec!["contoso.com".into()]
        })
    );
    assert_eq!(
        app.invoke(&rob, add("Ann", "ann@contoso.com", true, None))
            .await,
        Err(AppError::NoLicenseAvailable),
        "the only license is Rob's"
    );
    assert_eq!(
        app.invoke(&rob, add("", "ann@contoso.com", false, None))
            .await,
        Err(AppError::Invalid(Invalid::NameMissing))
    );
    assert_eq!(
        app.invoke(&rob, add("Rob again", "rob@contoso.com", false, None))
            .await,
        Err(AppError::AddressTaken)
    );
    assert_eq!(app.count("members").await, 1);
    assert_eq!(app.count("invitations").await, 0);

    let unlicensed = app
        .invoke(&rob, add("Ann", "ann@contoso.com", false, None))
        .await
        .expect("added without a license");
    assert!(!unlicensed.licensed);
    let ann = id_of(&app, "ann@contoso.com").await;
    let first = invitation_token(&app, "ann@contoso.com").await;
    app.invoke(&rob, ReinvitePerson { id: ann.clone() })
        .await
        .expect("invited again");
    let second = invitation_token(&app, "ann@contoso.com").await;
    assert_ne!(first, second);
    assert_eq!(
        app.invoke(&browser(), LoadInvitation { token: first })
            .await,
        Err(AppError::InvitationInvalid),
        "a new invitation replaces the old link"
    );
    app.clock.advance(Duration::days(7));
    assert_eq!(
        app.invoke(&browser(), LoadInvitation { token: second })
            .await,
        Err(AppError::InvitationInvalid),
        "links expire after 7 days"
    );
    app.sign_in(&rob, "rob@contoso.com").await;
    // Cancelled from the person's page, back to the list, which says so.
    let cancelled = rob
        .post(app.url(CancelInvitation::PATH))
        .form(&CancelInvitation { id: ann })
        .header("Accept", "text/html")
        .header("Referer", app.url("/admin/people"))
        .send()
        .await
        .expect("cancelled");
    assert!(
        cancelled.status().is_redirection(),
        "{}",
        cancelled.status()
    );
    let list = cancelled.headers()["location"]
        .to_str()
        .expect("a location");
    assert_eq!(list, "/admin/people?invitation_cancelled");
    let page = app.page(&rob, list).await;
    assert!(
        page.contains("The invitation is cancelled; its link no longer works."),
        "{page}"
    );
    assert_eq!(app.count("members").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_temporary_password_signs_the_person_out_and_must_be_replaced(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let sara_id = id_of(&app, "sara@contoso.com").await;

    let outcome = app
        .invoke(
            &rob,
            ResetPersonPassword {
                id: sara_id.clone(),
                how: "temporary".into(),
            },
        )
        .await
        .expect("reset");
    let ResetOutcome::Temporary(temporary) = outcome else {
        panic!("a temporary password, got {outcome:?}");
    };
    assert!(
        !app.is_signed_in(&sara).await,
        "her open browser is signed out"
    );
    assert_eq!(
        app.invoke(&sara, sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::WrongCredentials)
    );
    assert_eq!(
        app.invoke(&sara, sign_in_with("sara@contoso.com", &temporary))
            .await,
        Err(AppError::PasswordChangeRequired)
    );
    assert!(!app.is_signed_in(&sara).await);
    let choose = sign_in_choosing("sara@contoso.com", &temporary, NEW_PASSWORD);
    app.invoke(&sara, choose).await.expect("signed in");
    assert!(app.is_signed_in(&sara).await);
    assert_eq!(
        app.invoke(&browser(), sign_in_with("sara@contoso.com", &temporary))
            .await,
        Err(AppError::WrongCredentials),
        "the temporary password is gone"
    );

    app.invoke(
        &rob,
        ResetPersonPassword {
            id: sara_id,
            how: "mail".into(),
        },
    )
    .await
    .expect("mailed");
    assert!(!app.is_signed_in(&sara).await);
    let (subject, body) = app.latest_mail("sara@contoso.com").await.expect("mailed");
    let code = app.latest_code("sara@contoso.com").await;
    assert_eq!(
        subject,
        format!("Your admin reset your Tenantry password: your code is {code}")
    );
    assert!(
        body.contains("rob, an admin of your organization on Tenantry, reset your password and signed you out"),
        "{body}"
    );
    assert!(body.contains(&format!("?code={code}")), "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_admin_resets_members_but_not_admins_and_sees_no_orders(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    app.signed_up("tom@contoso.com", "Tom").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    let sara_id = id_of(&app, "sara@contoso.com").await;
    let change = |id: &str, role: Role| ChangeRole {
        id: id.to_owned(),
        role: role.as_str().to_owned(),
    };

    app.invoke(&rob, change(&sara_id, Role::UserAdmin))
        .await
        .expect("Sara is a user admin");
    let (subject, body) = app.latest_mail("sara@contoso.com").await.expect("told");
    assert_eq!(subject, "Your Tenantry role is now: User admin");
    assert!(
        body.contains("Sign in again to open the admin center: http://"),
        "{body}"
    );
    // The role starts from a fresh sign-in.
    assert_eq!(
        app.invoke(&sara, LoadOverview {}).await.err(),
        Some(AppError::Unauthorized)
    );
    app.sign_in(&sara, "sara@contoso.com").await;

    let reset = |id: String| ResetPersonPassword {
        id,
        how: "temporary".into(),
    };
    let tom = id_of(&app, "tom@contoso.com").await;
    assert!(app.invoke(&sara, reset(tom.clone())).await.is_ok());
    let rob_id = id_of(&app, "rob@contoso.com").await;
    assert_eq!(
        app.invoke(&sara, reset(rob_id.clone())).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        app.invoke(&sara, change(&tom, Role::GlobalAdmin)).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        app.invoke(&sara, Licensing {}).await.err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        app.invoke(&sara, more_licenses("business_basic", 1, PAYS, "k-sara-1"))
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        app.invoke(&sara, audit_of("")).await.err(),
        Some(AppError::Forbidden)
    );
    let home = app.invoke(&sara, LoadOverview {}).await.expect("her home");
    assert_eq!(home.viewer, Role::UserAdmin);
    assert!(home.latest.is_empty(), "the audit log is for global admins");

    app.invoke(&rob, change(&sara_id, Role::Member))
        .await
        .expect("Sara is a member again");
    let (subject, body) = app.latest_mail("sara@contoso.com").await.expect("told");
    assert_eq!(subject, "Your Tenantry role is now: Member");
    assert!(body.contains("Your apps: http://"), "{body}");
    assert!(
        !body.contains("/admin"),
        "no link to where she may no longer go: {body}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_last_global_admin_cannot_be_removed_blocked_or_demoted(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let rob_id = id_of(&app, "rob@contoso.com").await;
    let sara_id = id_of(&app, "sara@contoso.com").await;

    assert_eq!(
        app.invoke(&rob, RemovePerson { id: rob_id.clone() }).await,
        Err(AppError::LastGlobalAdmin)
    );
    assert_eq!(
        app.invoke(
            &rob,
            ChangeRole {
                id: rob_id.clone(),
                role: "member".into()
            }
        )
        .await,
        Err(AppError::LastGlobalAdmin)
    );
    app.invoke(
        &rob,
        ChangeRole {
            id: sara_id,
            role: "global_admin".into(),
        },
    )
    .await
    .expect("a second global admin");
    app.invoke(
        &rob,
        ChangeRole {
            id: rob_id,
            role: "member".into(),
        },
    )
    .await
    .expect("now Rob may step down");
    assert_eq!(app.count("members where role = 'global_admin'").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_removed_person_is_signed_out_frees_their_license_and_can_be_restored_for_30_days(
    pool: PgPool,
) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let sara_id = id_of(&app, "sara@contoso.com").await;
    let remove = || RemovePerson {
        id: sara_id.clone(),
    };

    app.invoke(&rob, remove()).await.expect("removed");
    app.invoke(&rob, remove())
        .await
        .expect("removing twice changes nothing");
    assert!(
        !app.is_signed_in(&sara).await,
        "her open browser is signed out"
    );
    assert_eq!(
        app.invoke(&browser(), sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::WrongCredentials)
    );
    // Her account may yet be restored: signing up again makes no second one, and mails no code
    // that could never work.
    app.start_sign_up(&browser(), "sara@contoso.com", "Sara")
        .await;
    let (subject, body) = app.latest_mail("sara@contoso.com").await.expect("a mail");
    assert_eq!(subject, "Someone tried to sign up with your address");
    assert!(
        body.contains("An admin of your organization removed the account"),
        "{body}"
    );
    assert_eq!(
        app.count("licenses").await,
        1,
        "her license is available again"
    );
    let person = app
        .invoke(
            &rob,
            LoadPerson {
                id: sara_id.clone(),
            },
        )
        .await
        .expect("listed as removed");
    assert_eq!(person.person.status, PersonStatus::Removed);
    assert_eq!(person.restorable_until.as_deref(), Some("2026-12-25"));

    let licensed = app
        .invoke(
            &rob,
            RestorePerson {
                id: sara_id.clone(),
            },
        )
        .await
        .expect("restored");
    assert!(licensed, "the free license went back to her");
    app.sign_in(&sara, "sara@contoso.com").await;

    app.invoke(&rob, remove()).await.expect("removed again");
    app.clock.advance(Duration::days(31));
    app.sign_in(&rob, "rob@contoso.com").await;
    assert_eq!(
        app.invoke(
            &rob,
            RestorePerson {
                id: sara_id.clone()
            }
        )
        .await,
        Err(AppError::NotFound),
        "too late to restore"
    );
    let erased = app::people::service::erase_removed(&app.pool, app.clock.now())
        .await
        .expect("erased");
    assert_eq!(erased, 1);
    assert_eq!(
        app.count("members where email = 'sara@contoso.com'").await,
        0
    );
    assert_eq!(
        app.count("outbox where recipient = 'sara@contoso.com'")
            .await,
        0,
        "nor is the mail sent to her kept"
    );
    assert!(
        app.count("audit_events where kind = 'person.removed'")
            .await
            >= 2,
        "the audit trail stays"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_removed_person_is_not_offered_or_given_a_license(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let sara_id = id_of(&app, "sara@contoso.com").await;
    app.invoke(&rob, RemovePerson { id: sara_id })
        .await
        .expect("removed");

    let page = app
        .invoke(&rob, Licensing {})
        .await
        .expect("the licensing page");
    let listed: Vec<&str> = page
        .people
        .iter()
        .map(|person| person.email.as_str())
        .collect();
    assert_eq!(
        listed,
        ["rob@contoso.com"],
        "only people who can use a license"
    );
    assert_eq!(
        app.invoke(
            &rob,
            AssignLicense {
                email: "sara@contoso.com".into()
            }
        )
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(app.count("licenses").await, 1, "her freed seat stays free");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restored_person_is_as_they_were_before_the_removal(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    let sara_id = id_of(&app, "sara@contoso.com").await;

    // Blocked, removed and restored: still blocked.
    app.invoke(
        &rob,
        BlockPerson {
            id: sara_id.clone(),
            blocked: "true".into(),
        },
    )
    .await
    .expect("blocked");
    app.invoke(
        &rob,
        RemovePerson {
            id: sara_id.clone(),
        },
    )
    .await
    .expect("removed");
    app.invoke(
        &rob,
        RestorePerson {
            id: sara_id.clone(),
        },
    )
    .await
    .expect("restored");
    assert_eq!(
        app.invoke(&browser(), sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::SignInBlocked)
    );

    // Invited, removed and restored: invited again, with a new link that works.
    app.invoke(&rob, add("Kim", "kim@contoso.com", false, None))
        .await
        .expect("invited");
    let kim_id = id_of(&app, "kim@contoso.com").await;
    let first_link = invitation_token(&app, "kim@contoso.com").await;
    app.invoke(&rob, RemovePerson { id: kim_id.clone() })
        .await
        .expect("removed");
    let licensed_back = app
        .invoke(&rob, RestorePerson { id: kim_id.clone() })
        .await
        .expect("restored");
    assert!(licensed_back, "a license was free");
    let kim = app
        .invoke(&rob, LoadPerson { id: kim_id })
        .await
        .expect("listed");
    assert_eq!(kim.person.status, PersonStatus::Invited);
    let link = invitation_token(&app, "kim@contoso.com").await;
    assert_ne!(link, first_link, "a new invitation");
    app.invoke(&browser(), LoadInvitation { token: link })
        .await
        .expect("the new invitation works");
}

#[sqlx::test(migrations = "../migrations")]
async fn blocking_signs_out_and_refuses_sign_in_until_unblocked(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let id = id_of(&app, "sara@contoso.com").await;
    let block = |blocked: bool| BlockPerson {
        id: id.clone(),
        blocked: blocked.to_string(),
    };

    app.invoke(&rob, block(true)).await.expect("blocked");
    assert!(!app.is_signed_in(&sara).await);
    assert_eq!(
        app.invoke(&sara, sign_in_with("sara@contoso.com", PASSWORD))
            .await,
        Err(AppError::SignInBlocked)
    );
    assert_eq!(
        app.invoke(
            &sara,
            sign_in_with("sara@contoso.com", "wrong password here")
        )
        .await,
        Err(AppError::WrongCredentials),
        "only the right password learns of the block"
    );
    app.invoke(&rob, block(false)).await.expect("unblocked");
    app.sign_in(&sara, "sara@contoso.com").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn contacting_everyone_mails_each_active_person_in_the_admins_name(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    app.signed_up("tom@contoso.com", "Tom").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    app.invoke(&rob, add("Ann", "ann@contoso.com", false, None))
        .await
        .expect("invited, so not mailed");
    let message = |to: &str, subject: &str| SendMessage {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: "The office is closed on Friday.".into(),
    };

    let everyone = app
        .invoke(&rob, MessageRecipients { to: String::new() })
        .await
        .expect("recipients");
    assert_eq!(everyone.everyone, Some(3));
    let sent = app
        .invoke(&rob, message("", "Office closed"))
        .await
        .expect("sent");
    assert_eq!(sent, 3);
    let mailed = "outbox where subject = 'Office closed' and sender_name = 'rob'
                  and reply_to = 'rob@contoso.com' and body_text like '%closed on Friday%'";
    assert_eq!(app.count(mailed).await, 3);

    let tom = id_of(&app, "tom@contoso.com").await;
    let sent = app
        .invoke(&rob, message(&tom, "Just you"))
        .await
        .expect("sent");
    assert_eq!(sent, 1);
    assert_eq!(
        app.invoke(&rob, message("", " ")).await,
        Err(AppError::Invalid(Invalid::MessageSubject))
    );
    for n in 3..=10 {
        app.invoke(&rob, message("", &format!("Note {n}")))
            .await
            .expect("within the hour's allowance");
    }
    assert!(matches!(
        app.invoke(&rob, message("", "One too many")).await,
        Err(AppError::TooManyAttempts { .. })
    ));
    assert_eq!(
        app.count("audit_events where kind = 'people.contacted'")
            .await,
        10
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_list_searches_filters_and_pages_through_everyone_once(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    for n in 0..120 {
        sqlx::query(
            "insert into members (email, display_name, password_hash, organization_id, created_at)
             select $1, $2, '', id, now() from organizations",
        )
        .bind(format!("person{n:03}@contoso.com"))
        .bind(format!("Person {n:03}"))
        .execute(&app.pool)
        .await
        .expect("seeded");
    }
    let list = |search: &str, license: &str, sort: &str, after: &str| ListPeople {
        search: search.to_owned(),
        license: license.to_owned(),
        role: String::new(),
        status: String::new(),
        sort: sort.to_owned(),
        after: after.to_owned(),
    };

    for sort in ["name", "email", "last_sign_in"] {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let page = app
                .invoke(&rob, list("", "", sort, &after))
                .await
                .expect("a page");
            seen.extend(page.people.into_iter().map(|person| person.email));
            match page.next {
                Some(next) => after = next,
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (121, 121), "sorted by {sort}");
    }
    let found = app
        .invoke(&rob, list("PERSON 11", "", "", ""))
        .await
        .expect("found");
    assert_eq!(found.people.len(), 10, "Person 110 to 119");
    let unlicensed = app
        .invoke(&rob, list("", "no", "", ""))
        .await
        .expect("filtered");
    assert_eq!(unlicensed.unlicensed, Some(120));
    assert!(unlicensed
        .people
        .iter()
        .all(|person| person.license.is_none()));
    let wildcard = app
        .invoke(&rob, list("%", "", "", ""))
        .await
        .expect("searched");
    assert!(wildcard.people.is_empty(), "% matches only itself");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_csv_export_and_audit_log_show_what_admins_did(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let sara_browser = app
        .signed_up("sara@contoso.com", "Sara, \"the\" analyst")
        .await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    app.sign_in(&sara_browser, "sara@contoso.com").await;
    let sara = id_of(&app, "sara@contoso.com").await;
    app.invoke(
        &rob,
        LicensePerson {
            id: sara.clone(),
            licensed: "false".into(),
        },
    )
    .await
    .expect("unassigned");

    let csv = rob
        .get(app.url("/admin/people.csv?license=no"))
        .send()
        .await
        .expect("exported");
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.expect("csv");
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "name,email,license,role,status,last_sign_in,devices",
            "\"Sara, \"\"the\"\" analyst\",sara@contoso.com,,member,active,2026-11-25 09:00,1",
        ]
    );
    assert_eq!(
        browser()
            .get(app.url("/admin/people.csv"))
            .send()
            .await
            .expect("answered")
            .status(),
        401
    );

    let log = app
        .invoke(&rob, audit_of("sara@contoso.com"))
        .await
        .expect("the log");
    let kinds: Vec<&str> = log.events.iter().map(|event| event.kind.as_str()).collect();
    assert_eq!(kinds, ["license.unassigned", "sign_in"]);
    assert_eq!(
        log.events[0].subject.as_deref(),
        Some("Sara, \"the\" analyst <sara@contoso.com>")
    );
    let audit_csv = rob
        .get(app.url("/admin/audit.csv?kind=license.unassigned"))
        .send()
        .await
        .expect("exported")
        .text()
        .await
        .expect("csv");
    assert_eq!(audit_csv.lines().count(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_functions_refuse_strangers_members_and_other_organizations(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let member = app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 2).await;
    let other_admin = admin(&app, &bind, "eve@fabrikam.com", 1).await;
    let sara = id_of(&app, "sara@contoso.com").await;
    let id = || sara.clone();

    macro_rules! refused {
        ($($call:expr),+ $(,)?) => {$({
            let name = stringify!($call);
            assert_eq!(app.invoke(&browser(), $call).await.err(), Some(AppError::Unauthorized), "{name} signed out");
            assert_eq!(app.invoke(&member, $call).await.err(), Some(AppError::Forbidden), "{name} by a member");
            assert_eq!(app.invoke(&other_admin, $call).await.err(), Some(AppError::NotFound), "{name} from another organization");
        })+};
    }
    refused!(
        LoadPerson { id: id() },
        ReinvitePerson { id: id() },
        CancelInvitation { id: id() },
        RemovePerson { id: id() },
        RestorePerson { id: id() },
        BlockPerson {
            id: id(),
            blocked: "true".into()
        },
        LicensePerson {
            id: id(),
            licensed: "false".into()
        },
        ResetPersonPassword {
            id: id(),
            how: "temporary".into()
        },
        ChangeRole {
            id: id(),
            role: "global_admin".into()
        },
    );
    // Functions about the caller's own organization only: nothing of another's to name.
    assert_eq!(
        app.invoke(&member, list_people()).await.err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        app.invoke(&member, add("X", "x@contoso.com", false, None))
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    let stranger = app
        .invoke(
            &other_admin,
            SendMessage {
                to: sara.clone(),
                subject: "Hi".into(),
                body: "Hello".into(),
            },
        )
        .await;
    assert_eq!(stranger, Err(AppError::Invalid(Invalid::NoRecipients)));
    // Sara is untouched by all of it.
    let person = app
        .invoke(&rob, LoadPerson { id: id() })
        .await
        .expect("hers");
    assert_eq!(person.person.status, PersonStatus::Active);
    assert_eq!(person.person.role, Role::Member);
    assert!(person.person.license.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bulk_addition_checks_every_row_and_adds_all_or_nobody(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    let bad = "name,email,license\n\
               Ann,ann@contoso.com,yes\n\
               ,nameless@contoso.com\n\
               Eve,eve@fabrikam.com\n\
               Ann again,ANN@contoso.com\n\
               Rob,rob@contoso.com\n\
               Ed,ed@contoso.com,maybe\n";
    let refused = app.invoke(&rob, AddPeople { csv: bad.into() }).await;
    assert_eq!(
        refused,
        Err(AppError::RowsRefused {
            rows: vec![
                RowProblem {
                    line: 3,
                    problem: RowIssue::Invalid(Invalid::NameMissing)
                },
                RowProblem {
                    line: 4,
                    problem: RowIssue::DomainNotAllowed
                },
                RowProblem {
                    line: 5,
                    problem: RowIssue::Repeated
                },
                RowProblem {
                    line: 6,
                    problem: RowIssue::Taken
                },
                RowProblem {
                    line: 7,
                    problem: RowIssue::LicenseValue
                },
            ]
        })
    );
    assert_eq!(app.count("members").await, 1, "nobody was added");

    let too_many_licenses =
        "Ann,ann@contoso.com,yes\nBea,bea@contoso.com,yes\nCy,cy@contoso.com,yes\n";
    assert_eq!(
        app.invoke(
            &rob,
            AddPeople {
                csv: too_many_licenses.into()
            }
        )
        .await,
        Err(AppError::RowsRefused {
            rows: vec![RowProblem {
                line: 0,
                problem: RowIssue::NotEnoughLicenses { wanted: 3, free: 2 }
            }]
        })
    );

    let good = "name,email,license\n\"de Vries, Ann\",ann@contoso.com,yes\nBea,bea@contoso.com,\nCy,cy@contoso.com,no\n";
    assert_eq!(
        app.invoke(&rob, AddPeople { csv: good.into() }).await,
        Ok(3)
    );
    assert_eq!(app.count("members where status = 'invited'").await, 3);
    assert_eq!(app.count("invitations").await, 3);
    assert_eq!(app.count("licenses").await, 2, "Rob's and Ann's");
    assert_eq!(
        app.count("members where display_name = 'de Vries, Ann'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_licenses_chart_keeps_each_days_count(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("sara@contoso.com", "Sara").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;
    let sara = id_of(&app, "sara@contoso.com").await;
    app.clock.advance(Duration::days(2));
    app.sign_in(&rob, "rob@contoso.com").await;
    app.invoke(
        &rob,
        LicensePerson {
            id: sara,
            licensed: "false".into(),
        },
    )
    .await
    .expect("unassigned");

    let home = app.invoke(&rob, LoadOverview {}).await.expect("the home");
    let counts: Vec<(&str, i64)> = home
        .licenses_in_use
        .iter()
        .rev()
        .take(4)
        .map(|day| (day.day.as_str(), day.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("2026-11-27", 1),
            ("2026-11-26", 2),
            ("2026-11-25", 2),
            ("2026-11-24", 0)
        ]
    );
    assert_eq!(home.licenses_in_use.len(), 30);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_reads_as_words_and_keeps_what_was_recorded(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    let log = app
        .invoke(&rob, audit_of(""))
        .await
        .expect("the admin's log");
    let event = |kind: &str| {
        log.events
            .iter()
            .find(|event| event.kind == kind)
            .unwrap_or_else(|| panic!("a {kind} event"))
            .clone()
    };

    let check = event("domain.check");
    let detail_has = |entry: &AuditEntry, key: &str, value: &str| {
        entry.detail.contains(&(key.to_string(), value.to_string()))
    };
    assert!(
        detail_has(&check, "finding", "Verified"),
        "{:?}",
        check.detail
    );
    assert!(
        !check.detail.iter().any(|(key, _)| key == "dns"),
        "{:?}",
        check.detail
    );
    assert!(
        check.technical.contains("nameservers"),
        "{}",
        check.technical
    );

    assert!(check.more_recorded, "the DNS answer is one click away");

    let paid = event("order.paid");
    assert!(
        !paid.detail.iter().any(|(key, _)| key == "amount_minor"),
        "{:?}",
        paid.detail
    );
    assert_eq!(paid.amount, Some(Money::new(8400, "USD")));
    // The plan is named as the catalogue names it, not by its id.
    assert!(
        detail_has(&paid, "plan", "Business Basic"),
        "{:?}",
        paid.detail
    );
    assert!(
        paid.detail_text().contains("plan: Business Basic"),
        "{}",
        paid.detail_text()
    );

    // What the summary says in full needs no second look.
    let managed = event("organization.managed");
    assert!(!managed.more_recorded, "{managed:?}");
    assert!(managed.detail.is_empty(), "{:?}", managed.detail);
}
