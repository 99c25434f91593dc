//! Who may call which server function, as a table: every admin function refuses people without
//! the role it needs, and every server function the app registers is in the table or named as
//! open to members or to everyone, so a new function cannot slip in unchecked.

use std::collections::BTreeSet;

use crate::helpers::orders::{more_licenses, PAYS};
use crate::helpers::people::list_people;
use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::{browser, TestApp};
use app::admin::{
    AddDomain, ApplyToEveryoneElse, EveryoneElse, LoadAuditLog, LoadDomains, LoadOverview,
    LoadPolicies, RemoveDomain, SavePolicies, VerifyDomain,
};
use app::core::error::AppError;
use app::licensing::{
    AssignLicense, Licensing, LoadInvoice, LoadOrders, RemoveLicenses, UnassignLicense,
};
use app::people::{
    AddPeople, AddPerson, BlockPerson, CancelInvitation, CancelPersonPhoneLink, ChangeRole,
    CheckPersonPhoneLink, LicensePerson, LoadPerson, LoadPersonDevices, MessageRecipients,
    NewPersonPhoneLink, ReinvitePerson, RemovePerson, ResetPersonPassword, RestorePerson,
    SendMessage, SignOutPersonDevice,
};
use leptos::server_fn::ServerFn;
use serde::Serialize;
use sqlx::PgPool;

/// The role a function needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Global admins only.
    Global,
    /// Global or user admins: people.
    Users,
    /// Global or billing admins: licenses, orders, invoices.
    Billing,
    /// Any admin role.
    Any,
}

impl Needs {
    /// Whether a user admin and a billing admin may.
    fn user_and_billing_admins_may(self) -> (bool, bool) {
        match self {
            Needs::Global => (false, false),
            Needs::Users => (true, false),
            Needs::Billing => (false, true),
            Needs::Any => (true, true),
        }
    }
}

/// A call of a server function from a browser, ready to send.
type Call = Box<dyn Fn(&TestApp, &reqwest::Client) -> reqwest::RequestBuilder>;

/// One row: a function, the role it needs, and a call of it as its form would send it.
struct Row {
    path: &'static str,
    needs: Needs,
    call: Call,
}

fn row<F>(needs: Needs, call: F) -> Row
where
    F: ServerFn + Serialize + 'static,
{
    Row {
        path: F::PATH,
        needs,
        call: Box::new(move |app, browser| app.request(browser, &call)),
    }
}

fn table(person: &str) -> Vec<Row> {
    let id = || person.to_owned();
    let text = |value: &str| value.to_owned();
    vec![
        row(Needs::Any, LoadOverview {}),
        row(Needs::Global, LoadPolicies {}),
        row(Needs::Global, LoadDomains {}),
        row(
            Needs::Global,
            AddDomain {
                domain: text("northwind.com"),
            },
        ),
        row(
            Needs::Global,
            VerifyDomain {
                domain: text("northwind.com"),
            },
        ),
        row(
            Needs::Global,
            RemoveDomain {
                domain: text("northwind.com"),
            },
        ),
        row(
            Needs::Global,
            SavePolicies {
                admins_add_people: None,
                guests_allowed: Some(text("on")),
                default_lobby: text("outside_organization"),
                max_participants: String::new(),
                password_min_length: text("12"),
                session_idle_minutes: text("720"),
                session_max_hours: text("168"),
                device_days: String::new(),
            },
        ),
        row(
            Needs::Global,
            ApplyToEveryoneElse {
                what: EveryoneElse::SignOut,
            },
        ),
        row(Needs::Users, LoadPersonDevices { id: id() }),
        row(
            Needs::Users,
            SignOutPersonDevice {
                id: id(),
                device: uuid::Uuid::nil().to_string(),
            },
        ),
        row(Needs::Users, NewPersonPhoneLink { id: id() }),
        row(
            Needs::Users,
            CheckPersonPhoneLink {
                id: id(),
                link: uuid::Uuid::nil().to_string(),
            },
        ),
        row(
            Needs::Users,
            CancelPersonPhoneLink {
                id: id(),
                link: uuid::Uuid::nil().to_string(),
            },
        ),
        row(
            Needs::Global,
            LoadAuditLog {
                person: String::new(),
                kind: String::new(),
                from: String::new(),
                to: String::new(),
                before: String::new(),
            },
        ),
        row(
            Needs::Global,
            ChangeRole {
                id: id(),
                role: text("member"),
            },
        ),
        row(Needs::Users, list_people()),
        row(Needs::Users, LoadPerson { id: id() }),
        row(
            Needs::Users,
            AddPerson {
                display_name: text("New Person"),
                email: text("new.person@contoso.com"),
                license: None,
                role: None,
            },
        ),
        row(
            Needs::Users,
            AddPeople {
                csv: text("Zed,zed@contoso.com"),
            },
        ),
        row(Needs::Users, ReinvitePerson { id: id() }),
        row(Needs::Users, CancelInvitation { id: id() }),
        row(Needs::Users, RemovePerson { id: id() }),
        row(Needs::Users, RestorePerson { id: id() }),
        row(
            Needs::Users,
            BlockPerson {
                id: id(),
                blocked: text("false"),
            },
        ),
        row(
            Needs::Users,
            LicensePerson {
                id: id(),
                licensed: text("true"),
            },
        ),
        row(
            Needs::Users,
            ResetPersonPassword {
                id: id(),
                how: text("mail"),
            },
        ),
        row(Needs::Users, MessageRecipients { to: id() }),
        row(
            Needs::Users,
            SendMessage {
                to: id(),
                subject: text("Hello"),
                body: text("Hello there"),
            },
        ),
        row(Needs::Billing, Licensing {}),
        row(Needs::Billing, LoadOrders {}),
        row(
            Needs::Billing,
            LoadInvoice {
                id: uuid::Uuid::nil().to_string(),
            },
        ),
        row(
            Needs::Billing,
            AssignLicense {
                email: text("sara@contoso.com"),
            },
        ),
        row(
            Needs::Billing,
            UnassignLicense {
                email: text("sara@contoso.com"),
            },
        ),
        row(
            Needs::Billing,
            RemoveLicenses {
                plan: text("business_basic"),
                quantity: 1,
            },
        ),
        row(
            Needs::Billing,
            more_licenses("business_basic", 1, PAYS, "access-table-key"),
        ),
    ]
}

/// Functions open to every signed-in member, or to everyone: each checks who asks itself, and
/// other tests cover them.
const NOT_ADMIN: &[&str] = &[
    "/api/sign_up",
    "/api/confirm_sign_up",
    "/api/resend_code",
    "/api/sign_in",
    "/api/sign_out",
    "/api/request_password_reset",
    "/api/reset_password",
    "/api/current_member",
    "/api/my_organization",
    "/api/database_status",
    "/api/dev_mailbox",
    "/api/dev_mailbox_on",
    "/api/start_wizard",
    "/api/current_wizard",
    "/api/check_domain",
    "/api/renew_challenge",
    "/api/abandon_wizard",
    "/api/purchase_preview",
    "/api/purchase",
    "/api/order_status",
    "/api/meetings_overview",
    "/api/save_meeting_settings",
    "/api/my_meetings",
    "/api/create_meeting",
    "/api/open_personal_room",
    "/api/meeting",
    "/api/join_meeting",
    "/api/leave_meeting",
    "/api/meeting_page_closed",
    "/api/admit_participant",
    "/api/invitation",
    "/api/accept_invitation",
    "/api/my_devices",
    "/api/sign_out_device",
    "/api/sign_out_other_devices",
    "/api/new_phone_link",
    "/api/phone_link_state",
    "/api/phone_link",
    "/api/use_phone_link",
];

async fn status(app: &TestApp, browser: &reqwest::Client, row: &Row) -> u16 {
    (row.call)(app, browser)
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

#[test]
fn every_server_function_is_in_the_table_or_named_as_not_for_admins() {
    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let listed: BTreeSet<&str> = table("")
        .iter()
        .map(|row| row.path)
        .chain(NOT_ADMIN.iter().copied())
        .collect();
    let unlisted: Vec<_> = registered.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "server functions missing from the access table: {unlisted:?}"
    );
    let gone: Vec<_> = listed.difference(&registered).collect();
    assert!(
        gone.is_empty(),
        "the table lists functions that do not exist: {gone:?}"
    );
}

/// A member, a user admin and a billing admin of contoso.com, whose global admin is Rob, and
/// Tom, a member whom the calls name.
struct Callers {
    /// The global admin.
    rob: reqwest::Client,
    member: reqwest::Client,
    users: reqwest::Client,
    billing: reqwest::Client,
    tom: uuid::Uuid,
    /// The DNS server Rob proved the domain with, kept running for the calls that look it up.
    _dns: crate::helpers::bind::Bind,
}

async fn callers(pool: PgPool) -> (TestApp, Callers) {
    let (app, bind) = app_with_dns(pool).await;
    let member = app.signed_up("sara@contoso.com", "Sara").await;
    let users = app.signed_up("uma@contoso.com", "Uma").await;
    let billing = app.signed_up("bill@contoso.com", "Bill").await;
    // The person every call names: someone other than the callers, so no call signs a caller out.
    app.signed_up("tom@contoso.com", "Tom").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 5).await;
    for (email, role) in [
        ("uma@contoso.com", "user_admin"),
        ("bill@contoso.com", "billing_admin"),
    ] {
        sqlx::query("update members set role = $2 where email = $1")
            .bind(email)
            .bind(role)
            .execute(&app.pool)
            .await
            .expect("a role");
    }
    let tom = sqlx::query_scalar("select id from members where email = 'tom@contoso.com'")
        .fetch_one(&app.pool)
        .await
        .expect("Tom");
    let callers = Callers {
        rob,
        member,
        users,
        billing,
        tom,
        _dns: bind,
    };
    (app, callers)
}

#[sqlx::test(migrations = "../migrations")]
async fn each_admin_function_refuses_whoever_lacks_its_role(pool: PgPool) {
    let (app, who) = callers(pool).await;
    let (member, users, billing, tom) = (&who.member, &who.users, &who.billing, who.tom);

    for row in table(&tom.to_string()) {
        let path = row.path;
        assert_eq!(
            status(&app, &browser(), &row).await,
            401,
            "{path} signed out"
        );
        assert_eq!(status(&app, member, &row).await, 403, "{path} by a member");
        let user_admin = status(&app, users, &row).await;
        let billing_admin = status(&app, billing, &row).await;
        let (user_admin_may, billing_admin_may) = row.needs.user_and_billing_admins_may();
        assert_eq!(user_admin != 403, user_admin_may, "{path} by a user admin");
        assert_eq!(
            billing_admin != 403,
            billing_admin_may,
            "{path} by a billing admin"
        );
        for answer in [user_admin, billing_admin] {
            assert_ne!(answer, 500, "{path} failed on the server");
        }
    }
    // Refusals change nothing: Sara, who tried everything, is still an active member.
    assert_eq!(
        app.count(
            "members where email = 'sara@contoso.com' and status = 'active' and role = 'member'"
        )
        .await,
        1
    );
    let refused: Result<_, AppError> = app.invoke(member, LoadOverview {}).await;
    assert_eq!(refused.err(), Some(AppError::Forbidden));
}

/// Where opening `path` leads: `None` when the page is rendered, else where it redirects.
async fn opens(app: &TestApp, browser: &reqwest::Client, path: &str) -> Option<String> {
    let response = browser
        .get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .expect("answered");
    if response.status().is_redirection() {
        assert_eq!(response.status(), 303, "{path}");
        let location = response.headers()["location"].to_str().expect("a location");
        Some(location.to_owned())
    } else {
        // Rendered, perhaps saying that what it names is not there.
        assert!(
            !response.status().is_server_error(),
            "{path}: {}",
            response.status()
        );
        None
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_pages_open_only_for_the_role_their_functions_need(pool: PgPool) {
    let (app, who) = callers(pool).await;
    let (member, users, billing, tom) = (&who.member, &who.users, &who.billing, who.tom);
    let invoice = uuid::Uuid::new_v4();
    let pages = [
        ("/admin/people?status=invited".to_owned(), Needs::Users),
        ("/admin/people/new".to_owned(), Needs::Users),
        (format!("/admin/people/{tom}"), Needs::Users),
        ("/admin/contact".to_owned(), Needs::Users),
        ("/admin/audit".to_owned(), Needs::Global),
        ("/admin/policies".to_owned(), Needs::Global),
        ("/admin/domains".to_owned(), Needs::Global),
        ("/admin/licenses".to_owned(), Needs::Billing),
        (format!("/admin/invoices/{invoice}"), Needs::Billing),
    ];
    let refused = Some("/admin?refused".to_owned());
    for (path, needs) in &pages {
        let sign_in = reqwest::Url::parse_with_params(&app.url("/signin"), [("next", path)])
            .expect("an address");
        let sign_in = format!("/signin?{}", sign_in.query().expect("a query"));
        assert_eq!(
            opens(&app, &browser(), path).await,
            Some(sign_in),
            "{path} signed out"
        );
        assert_eq!(
            opens(&app, member, path).await,
            refused,
            "{path} by a member"
        );
        let (user_admin_may, billing_admin_may) = needs.user_and_billing_admins_may();
        let user_admin = opens(&app, users, path).await;
        assert_eq!(
            user_admin.is_none(),
            user_admin_may,
            "{path} by a user admin: {user_admin:?}"
        );
        let billing_admin = opens(&app, billing, path).await;
        assert_eq!(
            billing_admin.is_none(),
            billing_admin_may,
            "{path} by a billing admin: {billing_admin:?}"
        );
    }

    // The admin center's navigation leads to those pages only.
    let links = |page: &str| {
        ["people", "licenses", "domains", "policies", "audit"]
            .into_iter()
            .filter(|section| page.contains(&format!("href=\"/admin/{section}\"")))
            .collect::<Vec<_>>()
    };
    let everything = vec!["people", "licenses", "domains", "policies", "audit"];
    assert_eq!(links(&app.page(&who.rob, "/admin/audit").await), everything);
    assert_eq!(links(&app.page(&who.rob, "/admin").await), everything);
    assert_eq!(links(&app.page(users, "/admin/people").await), ["people"]);
    assert_eq!(links(&app.page(users, "/admin").await), ["people"]);
    assert_eq!(
        links(&app.page(billing, "/admin/licenses").await),
        ["licenses"]
    );

    // Where they are sent says why.
    let home = app.page(users, "/admin?refused").await;
    assert!(
        home.contains("That page is not part of your admin role."),
        "{home}"
    );
    // In an organization nobody administers yet, it says how to become the admin.
    let prospect = app.signed_up("pat@fabrikam.com", "Pat").await;
    assert_eq!(opens(&app, &prospect, "/admin/people").await, refused);
    let home = app.page(&prospect, "/admin?refused").await;
    assert!(
        home.contains("it has none yet. Become the admin to open it."),
        "{home}"
    );
    // Back from Stripe, the buyer is not an admin yet, and the licensing page says how the
    // payment went.
    let back = format!("/admin/licenses?order={invoice}");
    assert_eq!(opens(&app, &prospect, &back).await, None);
}
