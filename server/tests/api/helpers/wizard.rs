//! Members on their way to becoming the admin: the wizard started, the domain proven with a
//! record added at the BIND test server, the upgrade paid; all through the real pages' server
//! functions.

use app::core::clock::Clock;
use app::licensing::Billing::Annual;
use app::wizard::{
    CheckDomain, CheckOutcome, CurrentWizard, Method, StartWizard, WizardState, WizardView,
};
use server::config::Config;
use sqlx::PgPool;

use super::bind::Bind;
use super::orders::{purchase, BASIC, PAYS};
use super::{TestApp, START};

/// The application, its clock at the start of the tests, with domain checks asking a BIND
/// server of its own; the server runs as long as the [`Bind`] is kept.
pub async fn app_with_dns(pool: PgPool) -> (TestApp, Bind) {
    app_with_dns_and(pool, |_| {}).await
}

/// As [`app_with_dns`], after `adjust` has changed the rest of the configuration.
pub async fn app_with_dns_and(pool: PgPool, adjust: impl FnOnce(&mut Config)) -> (TestApp, Bind) {
    app_with_dns_at(pool, Clock::manual(START), adjust).await
}

/// As [`app_with_dns_and`], on `clock`: the system's where server processes run beside it.
pub async fn app_with_dns_at(
    pool: PgPool,
    clock: Clock,
    adjust: impl FnOnce(&mut Config),
) -> (TestApp, Bind) {
    let bind = Bind::start().await;
    let nameserver = bind.addr;
    let app = TestApp::spawn_with(pool, clock, move |config| {
        config.dns_nameservers = vec![nameserver];
        config.dns_timeout = std::time::Duration::from_secs(2);
        adjust(config);
    })
    .await;
    (app, bind)
}

/// Signs `email` up in a new browser, named after the part before the @, and starts the wizard
/// from `entry` (`admin_tile` or `meetings_upgrade`).
pub async fn member_with_wizard(
    app: &TestApp,
    email: &str,
    entry: &str,
) -> (reqwest::Client, WizardView) {
    let name = email.split('@').next().unwrap_or("member");
    let member = app.signed_up(email, name).await;
    let entry = entry.to_owned();
    app.invoke(&member, StartWizard { entry })
        .await
        .expect("the wizard starts");
    let wizard = current_wizard(app, &member).await;
    (member, wizard)
}

/// The member's open wizard.
pub async fn current_wizard(app: &TestApp, member: &reqwest::Client) -> WizardView {
    app.invoke(member, CurrentWizard {})
        .await
        .expect("a signed-in member's wizard")
        .expect("the wizard is open")
}

/// Checks the member's domain now, by `method`.
pub async fn check(app: &TestApp, member: &reqwest::Client, method: Method) -> CheckOutcome {
    app.invoke(member, CheckDomain { method })
        .await
        .expect("check answered")
}

/// Signs `email` up in a new browser, starts the wizard from `entry`, adds the TXT record at
/// `bind` and verifies it.
pub async fn verified_member(
    app: &TestApp,
    bind: &Bind,
    email: &str,
    entry: &str,
) -> reqwest::Client {
    let (member, wizard) = member_with_wizard(app, email, entry).await;
    let (name, value) = (wizard.challenge.txt_name, wizard.challenge.txt_value);
    let zone = email.split('@').nth(1).expect("domain");
    bind.update(
        zone,
        &[
            format!("update delete {name}. TXT"),
            format!("update add {name}. 60 TXT \"{value}\""),
        ],
    )
    .await;
    let outcome = check(app, &member, Method::Txt).await;
    assert_eq!(outcome.state, WizardState::DomainVerified, "{outcome:?}");
    member
}

/// `email`, the admin of their organization: they proved the domain from the Admin tile and
/// bought `quantity` Business Basic licenses, billed annually, with the test card.
pub async fn admin(app: &TestApp, bind: &Bind, email: &str, quantity: i32) -> reqwest::Client {
    let admin = verified_member(app, bind, email, "admin_tile").await;
    let key = format!("upgrade-{email}");
    app.invoke(&admin, purchase(BASIC, Annual, quantity, PAYS, &key))
        .await
        .expect("the upgrade is paid");
    admin
}
