//! More domains for an organization: proven by DNS, joined by sign-ups, merged with the
//! unmanaged organization on them, and never taken from another managed organization.

use crate::helpers::wizard::{admin, app_with_dns};
use crate::helpers::TestApp;
use app::admin::{AddDomain, DomainState, LoadDomains, RemoveDomain, VerifyDomain};
use app::core::error::AppError;
use app::organizations::{MyOrganization, Role};
use app::people::AddPerson;
use app::wizard::Finding;
use sqlx::PgPool;

fn domain(name: &str) -> String {
    name.to_owned()
}

async fn organization_of(app: &TestApp, email: &str) -> String {
    app.value_for(
        "select o.domain from members m join organizations o on o.id = m.organization_id where m.email = $1",
        email,
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_proven_domain_joins_the_organization_and_merges_the_unmanaged_one(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let ann = app.signed_up("ann@fabrikam.com", "Ann").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 3).await;

    app.invoke(
        &rob,
        AddDomain {
            domain: domain("Fabrikam.com"),
        },
    )
    .await
    .expect("added");
    app.invoke(
        &rob,
        AddDomain {
            domain: domain("fabrikam.com"),
        },
    )
    .await
    .expect("adding again changes nothing");
    let listed = app.invoke(&rob, LoadDomains {}).await.expect("listed");
    let fabrikam = listed
        .domains
        .iter()
        .find(|listed| listed.domain == "fabrikam.com")
        .expect("listed")
        .clone();
    assert_eq!(fabrikam.status, DomainState::Pending);
    assert!(listed.domains[0].primary);

    let verify = || VerifyDomain {
        domain: domain("fabrikam.com"),
    };
    let early = app.invoke(&rob, verify()).await.expect("checked");
    assert!(
        matches!(early.finding, Finding::NoRecord { .. }),
        "{early:?}"
    );
    assert_eq!(early.joined, 0);

    bind.add_txt("fabrikam.com", &fabrikam.txt_name, &[&fabrikam.txt_value])
        .await;
    let proven = app.invoke(&rob, verify()).await.expect("checked");
    assert!(
        matches!(proven.finding, Finding::Verified { .. }),
        "{proven:?}"
    );
    assert_eq!(proven.joined, 1, "Ann's unmanaged organization merged in");
    assert_eq!(
        organization_of(&app, "ann@fabrikam.com").await,
        "contoso.com"
    );
    let hers = app.invoke(&ann, MyOrganization {}).await.expect("hers");
    assert_eq!(
        (hers.domain.as_str(), hers.role),
        ("contoso.com", Role::Member)
    );
    assert_eq!(
        app.count(
            "licenses l join members m on m.id = l.member_id where m.email = 'ann@fabrikam.com'"
        )
        .await,
        0,
        "unlicensed until an admin assigns one"
    );

    // New sign-ups and additions on the domain land in the organization.
    app.signed_up("bob@fabrikam.com", "Bob").await;
    assert_eq!(
        organization_of(&app, "bob@fabrikam.com").await,
        "contoso.com"
    );
    app.invoke(
        &rob,
        AddPerson {
            display_name: "Cy".into(),
            email: "cy@fabrikam.com".into(),
            license: None,
            role: None,
        },
    )
    .await
    .expect("a verified domain is allowed");
    assert_eq!(
        app.invoke(
            &rob,
            RemoveDomain {
                domain: domain("fabrikam.com")
            }
        )
        .await,
        Err(AppError::DomainInUse { people: 3 })
    );
    assert_eq!(
        app.invoke(
            &rob,
            RemoveDomain {
                domain: domain("contoso.com")
            }
        )
        .await,
        Err(AppError::Forbidden),
        "the proven domain stays"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_domain_another_managed_organization_holds_is_refused(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    admin(&app, &bind, "eve@fabrikam.com", 1).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    assert_eq!(
        app.invoke(
            &rob,
            AddDomain {
                domain: domain("fabrikam.com")
            }
        )
        .await,
        Err(AppError::DomainOwnedElsewhere)
    );
    assert!(matches!(
        app.invoke(
            &rob,
            AddDomain {
                domain: domain("gmail.com")
            }
        )
        .await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(app.count("organization_domains").await, 0);
}

/// The TXT record `admin`'s organization is asked to publish for `name`.
async fn challenge(app: &TestApp, admin: &reqwest::Client, name: &str) -> (String, String) {
    let listed = app.invoke(admin, LoadDomains {}).await.expect("listed");
    let found = listed
        .domains
        .into_iter()
        .find(|listed| listed.domain == name)
        .expect("listed");
    (found.txt_name, found.txt_value)
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unproven_claim_holds_nothing_and_the_first_proof_wins(pool: PgPool) {
    let (app, bind) = app_with_dns(pool).await;
    let eve = admin(&app, &bind, "eve@northwind.com", 1).await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    let add = || AddDomain {
        domain: domain("fabrikam.com"),
    };
    let verify = || VerifyDomain {
        domain: domain("fabrikam.com"),
    };

    // Eve claims a domain that is not hers; the real owner can still add and prove it.
    app.invoke(&eve, add()).await.expect("Eve's claim");
    let (eves_name, eves_value) = challenge(&app, &eve, "fabrikam.com").await;
    app.invoke(&rob, add()).await.expect("Rob's claim as well");
    let (name, value) = challenge(&app, &rob, "fabrikam.com").await;
    bind.add_txt("fabrikam.com", &name, &[&value]).await;
    let proven = app.invoke(&rob, verify()).await.expect("checked");
    assert!(
        matches!(proven.finding, Finding::Verified { .. }),
        "{proven:?}"
    );

    bind.add_txt("fabrikam.com", &eves_name, &[&value, &eves_value])
        .await;
    assert_eq!(
        app.invoke(&eve, verify())
            .await
            .map(|checked| checked.joined),
        Err(AppError::NotFound),
        "her claim went when Rob proved the domain"
    );
    assert_eq!(
        app.invoke(&eve, add()).await,
        Err(AppError::DomainOwnedElsewhere)
    );
    assert_eq!(
        app.count("organization_domains where domain = 'fabrikam.com'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_proof_that_meets_the_domains_own_upgrade_fails_rather_than_share_the_domain(
    pool: PgPool,
) {
    let (app, bind) = app_with_dns(pool).await;
    app.signed_up("ann@fabrikam.com", "Ann").await;
    let rob = admin(&app, &bind, "rob@contoso.com", 1).await;
    app.invoke(
        &rob,
        AddDomain {
            domain: domain("fabrikam.com"),
        },
    )
    .await
    .expect("added");
    let (name, value) = challenge(&app, &rob, "fabrikam.com").await;
    bind.add_txt("fabrikam.com", &name, &[&value]).await;

    // Fabrikam's own upgrade holds its organization while Rob's proof arrives.
    let mut upgrade = app.pool.begin().await.expect("a transaction");
    sqlx::query("select 1 from organizations where domain = 'fabrikam.com' for update")
        .execute(&mut *upgrade)
        .await
        .expect("locked");
    let proof = tokio::spawn({
        let (app, rob) = (app.clone(), rob.clone());
        async move {
            app.invoke(
                &rob,
                VerifyDomain {
                    domain: domain("fabrikam.com"),
                },
            )
            .await
            .map(|checked| checked.joined)
        }
    });
    let waiting = || async {
        app.count(
            "pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
               and query like '%from organizations where domain%'",
        )
        .await
            == 1
    };
    crate::helpers::wait_until(std::time::Duration::from_secs(10), waiting).await;
    assert!(waiting().await, "the proof waits for the organization");
    sqlx::query("update organizations set status = 'managed' where domain = 'fabrikam.com'")
        .execute(&mut *upgrade)
        .await
        .expect("managed");
    upgrade.commit().await.expect("committed");

    assert_eq!(
        proof.await.expect("the proof"),
        Err(AppError::DomainOwnedElsewhere)
    );
    assert_eq!(
        organization_of(&app, "ann@fabrikam.com").await,
        "fabrikam.com",
        "Ann stays in her own organization"
    );
    assert_eq!(
        app.count("organization_domains where status = 'verified'")
            .await,
        0
    );
}
