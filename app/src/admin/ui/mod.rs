//! The admin center's home; the audit log, policies and domains pages each in a file of their own.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{
    AddDomain, ApplyToEveryoneElse, AuditFilter, AuditLog, DayCount, DomainState, DomainsView,
    EveryoneElse, Overview, PoliciesView, RemoveDomain, SavePolicies, VerifyDomain, REFUSED,
};
use crate::components::{translated, ErrorText, Loaded, LocalTime, Page};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::organizations::organization_resource;
use crate::organizations::AdminNav;
use crate::wizard::{BecomeAdmin, Entry};

mod audit;
mod domains;
mod policies;

use audit::ActionName;
pub use audit::AuditPage;
pub use domains::DomainsPage;
pub use policies::PoliciesPage;

/// What `/admin` shows the signed-in person.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Visitor {
    /// One of the organization's admins: the admin center.
    Admin(Box<Overview>),
    /// A member of a managed organization who holds no admin role, and whom they ask instead.
    Member { admin: Option<String> },
    /// Signed out, or in an organization nobody administers yet.
    Prospect,
}

/// `/admin`: the admin center for an organization's admins; the way to become the admin while
/// the organization is unmanaged; a refusal for other members of a managed one.
///
/// The page frame stays outside the loading part, so its title is rendered once on the server
/// and never inside a part that streams in later.
#[component]
pub fn AdminHome() -> impl IntoView {
    let i18n = use_i18n();
    let organization = organization_resource();
    let visitor = Resource::new(
        || (),
        move |()| async move {
            match organization.await {
                Ok(Some(organization)) if organization.administered_by_viewer() => {
                    super::admin_overview()
                        .await
                        .map(|overview| Visitor::Admin(Box::new(overview)))
                }
                Ok(Some(organization)) if organization.managed() => Ok(Visitor::Member {
                    admin: organization.admin,
                }),
                Ok(_) => Ok(Visitor::Prospect),
                Err(error) => Err(error),
            }
        },
    );
    // Sent here from an admin page this visitor may not open (see `guard::pages`).
    let query = use_query_map();
    let refused = move || query.read().get(REFUSED).is_some();
    view! {
        <Page title=translated!(i18n, admin_center.title)>
            <Loaded resource=visitor show=move |visitor| match visitor {
                Visitor::Admin(overview) => view! {
                    <AdminNav role=overview.viewer />
                    {refused().then(|| view! { <p role="alert" class="error">{t!(i18n, admin_center.refused)}</p> })}
                    <Home overview=*overview />
                }.into_any(),
                Visitor::Member { admin } => {
                    #[cfg(feature = "ssr")]
                    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                        response.set_status(http::StatusCode::FORBIDDEN);
                    }
                    view! {
                        <p role="alert" class="error"><ErrorText error=AppError::Forbidden /></p>
                        <p><ErrorText error=AppError::OrganizationManaged { admin } /></p>
                    }.into_any()
                }
                Visitor::Prospect => view! {
                    {refused().then(|| view! { <p role="alert" class="error">{t!(i18n, admin.refused)}</p> })}
                    <BecomeAdminOffer />
                }.into_any(),
            } />
        </Page>
    }
}

/// How a member becomes the admin of their organization.
#[component]
fn BecomeAdminOffer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, admin.become_title)}</h2>
        <p>{t!(i18n, admin.why)}</p>
        <ol class="steps">
            <li>{t!(i18n, admin.step_sign_up)}</li>
            <li>{t!(i18n, admin.step_wizard)}</li>
            <li>{t!(i18n, admin.step_domain)}</li>
            <li>{t!(i18n, admin.step_licenses)}</li>
        </ol>
        <BecomeAdmin entry=Entry::AdminTile label=translated!(i18n, admin.become_title) />
    }
}

#[component]
fn Home(overview: Overview) -> impl IntoView {
    let i18n = use_i18n();
    let Overview {
        domain,
        domains,
        people,
        invited,
        unlicensed,
        seats,
        sign_ins,
        licenses_in_use,
        latest,
        viewer,
    } = overview;
    view! {
        <p class="lead">{domain}</p>
        <ul class="tiles" aria-label=move || t_string!(i18n, admin_center.counts).to_string()>
            <li class="tile">
                <span class="tile-name">{people}</span>
                <span class="tile-text">{t!(i18n, admin_center.people, count = move || people)}</span>
            </li>
            <li class="tile">
                <span class="tile-name">{invited}</span>
                <A href="/admin/people?status=invited">{t!(i18n, admin_center.invited, count = move || invited)}</A>
            </li>
            {seats.into_iter().map(|seats| view! {
                <li class="tile">
                    <span class="tile-name">{seats.assigned} " / " {seats.purchased}</span>
                    <span class="tile-text">
                        {move || t_string!(i18n, admin_center.licenses_of)
                            .replace("[plan]", &seats.plan)
                            .replace("[available]", &(seats.purchased - seats.assigned).to_string())}
                    </span>
                </li>
            }).collect_view()}
            <li class="tile">
                <span class="tile-name">{domains}</span>
                <span class="tile-text">{t!(i18n, admin_center.domains, count = move || domains)}</span>
            </li>
        </ul>
        <h2>{t!(i18n, admin_center.tasks)}</h2>
        {if unlicensed > 0 && viewer.manages_people() {
            view! {
                <ul class="tasks">
                    <li><A href="/admin/people?license=no">{t!(i18n, people.task_unlicensed, count = move || unlicensed)}</A></li>
                </ul>
            }.into_any()
        } else {
            view! { <p>{t!(i18n, admin_center.no_tasks)}</p> }.into_any()
        }}
        <BarChart id="licenses-chart" caption=translated!(i18n, admin_center.licenses_in_use) label=translated!(i18n, admin_center.license_count) days=licenses_in_use />
        <BarChart id="sign-ins-chart" caption=translated!(i18n, admin_center.sign_ins) label=translated!(i18n, admin_center.sign_in_count) days=sign_ins />
        {viewer.is_global_admin().then(|| view! {
            <h2 id="latest-events">{t!(i18n, admin_center.latest)}</h2>
            <ul aria-labelledby="latest-events">
                {latest.into_iter().map(|event| view! {
                    <li><LocalTime utc=event.at /> " · " <ActionName kind=event.kind />
                        {event.actor.map(|actor| view! { " · " {actor} })}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// A count per day as bars, drawn on the server, with the same figures as a table for people
/// who do not see the chart.
#[component]
fn BarChart(
    id: &'static str,
    #[prop(into)] caption: Signal<String>,
    #[prop(into)] label: Signal<String>,
    days: Vec<DayCount>,
) -> impl IntoView {
    let i18n = use_i18n();
    const WIDTH: i64 = 600;
    const HEIGHT: i64 = 120;
    let most = days.iter().map(|day| day.count).max().unwrap_or(0).max(1);
    let bar = WIDTH / i64::try_from(days.len().max(1)).unwrap_or(1);
    let bars = days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let height = day.count * HEIGHT / most;
            let x = i64::try_from(index).unwrap_or(0) * bar;
            view! {
                <rect x=x y=HEIGHT - height width=(bar - 2).max(1) height=height>
                    <title>{format!("{}: {}", day.day, day.count)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption id=id>{move || caption.get()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=id class="bars">
                {bars}
            </svg>
            <details>
                <summary>{t!(i18n, admin_center.as_table)}</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin_center.day)}</th>
                        <th scope="col">{move || label.get()}</th>
                    </tr></thead>
                    <tbody>
                        {days.into_iter().map(|day| view! { <tr><td>{day.day}</td><td>{day.count}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
