//! The admin center's home and the audit log page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{
    AddDomain, AuditFilter, AuditLog, DayCount, DomainState, DomainsView, Overview, PoliciesView,
    RemoveDomain, RequireNewPasswords, SavePolicies, SignEveryoneOut, VerifyDomain,
};
use crate::components::{
    failure, translated, ErrorText, Field, FormError, Loaded, LocalTime, Page, Submit,
};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::organizations::{organization_resource, Role};
use crate::people::AdminNav;
use crate::policies::Lobby;
use crate::wizard::{BecomeAdmin, Entry, FindingText};

/// What `/admin` shows the signed-in person.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Visitor {
    /// One of the organization's admins: the admin center.
    Admin(Box<Overview>),
    /// A member of a managed organization who holds no admin role.
    Member,
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
                Ok(Some(organization)) if organization.managed() => Ok(Visitor::Member),
                Ok(_) => Ok(Visitor::Prospect),
                Err(error) => Err(error),
            }
        },
    );
    view! {
        <Page title=translated!(i18n, admin_center.title)>
            <Loaded resource=visitor show=move |visitor| match visitor {
                Visitor::Admin(overview) => view! { <AdminNav /> <Home overview=*overview /> }.into_any(),
                Visitor::Member => {
                    #[cfg(feature = "ssr")]
                    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                        response.set_status(http::StatusCode::FORBIDDEN);
                    }
                    view! {
                        <p role="alert" class="error"><ErrorText error=AppError::Forbidden /></p>
                        <p>{t!(i18n, errors.organization_managed)}</p>
                    }.into_any()
                }
                Visitor::Prospect => view! { <BecomeAdminOffer /> }.into_any(),
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
                <A href="/admin/people">{t!(i18n, people.title)}</A>
            </li>
            <li class="tile">
                <span class="tile-name">{invited}</span>
                <A href="/admin/people?status=invited">{t!(i18n, admin_center.invited)}</A>
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
                <A href="/admin/domains">{t!(i18n, admin_center.domains)}</A>
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
        {(viewer == Role::GlobalAdmin).then(|| view! {
            <h2 id="latest-events">{t!(i18n, admin_center.latest)}</h2>
            <ul aria-labelledby="latest-events">
                {latest.into_iter().map(|event| view! {
                    <li><LocalTime utc=event.at /> " · " <ActionName kind=event.kind />
                        {event.actor.map(|actor| view! { " · " {actor} })}
                    </li>
                }).collect_view()}
            </ul>
            <p><A href="/admin/audit">{t!(i18n, audit.title)}</A></p>
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

/// An audit event's kind in words; kinds without words show as stored.
#[component]
fn ActionName(kind: String) -> impl IntoView {
    let i18n = use_i18n();
    match kind.as_str() {
        "sign_in" => t!(i18n, audit.sign_in).into_any(),
        "sign_in.failed" => t!(i18n, audit.sign_in_failed).into_any(),
        "person.added" => t!(i18n, audit.person_added).into_any(),
        "person.invitation_accepted" => t!(i18n, audit.invitation_accepted).into_any(),
        "person.removed" => t!(i18n, audit.person_removed).into_any(),
        "person.restored" => t!(i18n, audit.person_restored).into_any(),
        "person.blocked" => t!(i18n, audit.person_blocked).into_any(),
        "person.unblocked" => t!(i18n, audit.person_unblocked).into_any(),
        "person.role_changed" => t!(i18n, audit.role_changed).into_any(),
        "person.password_reset" => t!(i18n, audit.password_reset).into_any(),
        "people.contacted" => t!(i18n, audit.contacted).into_any(),
        "license.assigned" => t!(i18n, audit.license_assigned).into_any(),
        "license.unassigned" => t!(i18n, audit.license_unassigned).into_any(),
        "organization.managed" => t!(i18n, audit.organization_managed).into_any(),
        "domain.check" => t!(i18n, audit.domain_check).into_any(),
        "domain.verified" => t!(i18n, audit.domain_verified).into_any(),
        "domain.added" => t!(i18n, audit.domain_added).into_any(),
        "policy.changed" => t!(i18n, audit.policy_changed).into_any(),
        "device.phone_signed_in" => t!(i18n, audit.phone_signed_in).into_any(),
        "device.signed_out" => t!(i18n, audit.device_signed_out).into_any(),
        _ => kind.into_any(),
    }
}

/// `/admin/audit`: every admin action and security event, filtered, paged and exported.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let log = Resource::new(
        move || {
            let query = query.read();
            let get = |key: &str| query.get(key).unwrap_or_default();
            (
                get("person"),
                get("kind"),
                get("from"),
                get("to"),
                get("before"),
            )
        },
        |(person, kind, from, to, before)| super::audit_log(person, kind, from, to, before),
    );
    let filter = Signal::derive(move || {
        let query = query.read();
        AuditFilter::from_query(|key| query.get(key))
    });
    view! {
        <Page title=translated!(i18n, audit.title)>
            <AdminNav />
            <Loaded resource=log show=move |log| view! { <Audit log filter=filter.get_untracked() /> } />
        </Page>
    }
}

/// The query string of an audit filter.
fn audit_query(filter: &AuditFilter) -> String {
    [
        ("person", &filter.person),
        ("kind", &filter.kind),
        ("from", &filter.from),
        ("to", &filter.to),
    ]
    .iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(key, value)| format!("{key}={}", crate::people::encode(value)))
    .collect::<Vec<_>>()
    .join("&")
}

#[component]
fn Audit(log: AuditLog, filter: AuditFilter) -> impl IntoView {
    let i18n = use_i18n();
    let query = audit_query(&filter);
    let next = log.next.map(|before| {
        let separator = if query.is_empty() { "" } else { "&" };
        format!("/admin/audit?{query}{separator}before={before}")
    });
    view! {
        <form method="get" action="/admin/audit" class="filters" role="search">
            <div class="field">
                <label for="audit-person">{t!(i18n, audit.person)}</label>
                <input id="audit-person" name="person" type="email" value=filter.person.clone() />
            </div>
            <div class="field">
                <label for="audit-kind">{t!(i18n, audit.action)}</label>
                <select id="audit-kind" name="kind">
                    <option value="" selected=filter.kind.is_empty()>{t!(i18n, people.any)}</option>
                    {log.kinds.into_iter().map(|kind| {
                        let selected = kind == filter.kind;
                        let value = kind.clone();
                        view! { <option value=value selected=selected><ActionName kind /></option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">{t!(i18n, audit.from)}</label>
                <input id="audit-from" name="from" type="date" value=filter.from.clone() />
            </div>
            <div class="field">
                <label for="audit-to">{t!(i18n, audit.to)}</label>
                <input id="audit-to" name="to" type="date" value=filter.to.clone() />
            </div>
            <button type="submit" class="secondary">{t!(i18n, people.apply)}</button>
        </form>
        <p><a href=format!("/admin/audit.csv?{query}") download="audit.csv">{t!(i18n, audit.export)}</a></p>
        <table class="audit-table">
            <caption>{t!(i18n, audit.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, audit.time)}</th>
                    <th scope="col">{t!(i18n, audit.actor)}</th>
                    <th scope="col">{t!(i18n, audit.action)}</th>
                    <th scope="col">{t!(i18n, audit.subject)}</th>
                    <th scope="col">{t!(i18n, audit.detail)}</th>
                </tr>
            </thead>
            <tbody>
                {log.events.into_iter().map(|event| view! {
                    <tr>
                        <td><LocalTime utc=event.at /></td>
                        <td>{event.actor.unwrap_or_default()}</td>
                        <td><ActionName kind=event.kind /></td>
                        <td>{event.subject.unwrap_or_default()}</td>
                        <td>{event.detail}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {next.map(|href| view! { <p><a href=href rel="next">{t!(i18n, people.next_page)}</a></p> })}
    }
}

/// `/admin/policies`: what the organization allows, enforced from the next request on.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePolicies>::new();
    let everyone_out = ServerAction::<SignEveryoneOut>::new();
    let new_passwords = ServerAction::<RequireNewPasswords>::new();
    let policies = Resource::new(move || save.version().get(), |_| super::policies());
    view! {
        <Page title=translated!(i18n, policies.title)>
            <AdminNav />
            <Loaded resource=policies show=move |view| view! { <PoliciesForm view save /> } />
            <h2>{t!(i18n, policies.now_heading)}</h2>
            <ActionForm action=everyone_out>
                <Submit pending=everyone_out.pending() error=failure(everyone_out.value()) secondary=true>
                    {t!(i18n, policies.sign_everyone_out)}
                </Submit>
            </ActionForm>
            <p role="status">{move || everyone_out.value().get().and_then(Result::ok).map(|count| {
                t_string!(i18n, policies.signed_out).replace("[count]", &count.to_string())
            })}</p>
            <ActionForm action=new_passwords>
                <Submit pending=new_passwords.pending() error=failure(new_passwords.value()) secondary=true>
                    {t!(i18n, policies.require_new_passwords)}
                </Submit>
            </ActionForm>
            <p role="status">{move || new_passwords.value().get().and_then(Result::ok).map(|count| {
                t_string!(i18n, policies.passwords_required).replace("[count]", &count.to_string())
            })}</p>
        </Page>
    }
}

#[component]
fn PoliciesForm(view: PoliciesView, save: ServerAction<SavePolicies>) -> impl IntoView {
    let i18n = use_i18n();
    let PoliciesView {
        policies,
        plan_limit,
    } = view;
    let number = |value: Option<i32>| value.map(|value| value.to_string()).unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="card policies">
            <fieldset>
                <legend>{t!(i18n, policies.joining)}</legend>
                <div class="field checkbox">
                    <input id="policy-admins-add" name="admins_add_people" type="checkbox" value="on" checked=policies.admins_add_people />
                    <label for="policy-admins-add">{t!(i18n, policies.admins_add_people)}</label>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, policies.meetings)}</legend>
                <div class="field checkbox">
                    <input id="policy-guests" name="guests_allowed" type="checkbox" value="on" checked=policies.guests_allowed />
                    <label for="policy-guests">{t!(i18n, policies.guests_allowed)}</label>
                </div>
                <div class="field">
                    <label for="policy-lobby">{t!(i18n, policies.default_lobby)}</label>
                    <select id="policy-lobby" name="default_lobby">
                        {Lobby::ALL.iter().map(|lobby| view! {
                            <option value=lobby.as_str() selected=*lobby == policies.default_lobby>
                                {match lobby {
                                    Lobby::Everyone => t!(i18n, meetings.lobby_everyone).into_any(),
                                    Lobby::OutsideOrganization => t!(i18n, meetings.lobby_outside).into_any(),
                                    Lobby::Nobody => t!(i18n, meetings.lobby_nobody).into_any(),
                                }}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="policy-participants">{t!(i18n, policies.max_participants)}</label>
                    <input id="policy-participants" name="max_participants" type="number" min="1" max=plan_limit
                        value=number(policies.max_participants) aria-describedby="policy-participants-hint" />
                    <p class="hint" id="policy-participants-hint">
                        {move || t_string!(i18n, policies.max_participants_hint).replace("[limit]", &plan_limit.to_string())}
                    </p>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, policies.passwords)}</legend>
                <div class="field">
                    <label for="policy-password">{t!(i18n, policies.password_min_length)}</label>
                    <input id="policy-password" name="password_min_length" type="number" min="12" max="64" required
                        value=policies.password_min_length.to_string() />
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, policies.sessions)}</legend>
                <div class="field">
                    <label for="policy-idle">{t!(i18n, policies.session_idle_minutes)}</label>
                    <input id="policy-idle" name="session_idle_minutes" type="number" min="15" max="1440" required
                        value=policies.session_idle_minutes.to_string() />
                </div>
                <div class="field">
                    <label for="policy-lifetime">{t!(i18n, policies.session_max_hours)}</label>
                    <input id="policy-lifetime" name="session_max_hours" type="number" min="1" max="720" required
                        value=policies.session_max_hours.to_string() />
                </div>
                <div class="field">
                    <label for="policy-devices">{t!(i18n, policies.device_days)}</label>
                    <input id="policy-devices" name="device_days" type="number" min="1" max="90"
                        value=number(policies.device_days) aria-describedby="policy-devices-hint" />
                    <p class="hint" id="policy-devices-hint">{t!(i18n, policies.device_days_hint)}</p>
                </div>
            </fieldset>
            <Submit pending=save.pending() error=failure(save.value())>{t!(i18n, policies.save)}</Submit>
            <p role="status">{move || matches!(save.value().get(), Some(Ok(()))).then(|| t!(i18n, policies.saved))}</p>
        </ActionForm>
    }
}

/// `/admin/domains`: the organization's domains, adding one and proving it with a DNS record.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddDomain>::new();
    let verify = ServerAction::<VerifyDomain>::new();
    let remove = ServerAction::<RemoveDomain>::new();
    let domains = Resource::new(
        move || {
            (
                add.version().get(),
                verify.version().get(),
                remove.version().get(),
            )
        },
        |_| super::domains(),
    );
    view! {
        <Page title=translated!(i18n, domains.title)>
            <AdminNav />
            <p>{t!(i18n, domains.lead)}</p>
            <FormError error=Signal::derive(move || failure(verify.value()).get().or_else(|| failure(remove.value()).get())) />
            <div role="status" aria-live="polite">
                {move || verify.value().get().and_then(Result::ok).map(|check| view! {
                    <FindingText finding=check.finding />
                    {(check.joined > 0).then(|| view! {
                        <p class="success">{move || t_string!(i18n, domains.joined).replace("[count]", &check.joined.to_string())}</p>
                    })}
                })}
            </div>
            <Loaded resource=domains show=move |view| view! { <DomainList view verify remove /> } />
            <ActionForm action=add attr:class="card">
                <h2>{t!(i18n, domains.add_heading)}</h2>
                <Field label=translated!(i18n, domains.domain) name="domain" autocomplete="off" />
                <Submit pending=add.pending() error=failure(add.value())>{t!(i18n, domains.add)}</Submit>
            </ActionForm>
        </Page>
    }
}

#[component]
fn DomainList(
    view: DomainsView,
    verify: ServerAction<VerifyDomain>,
    remove: ServerAction<RemoveDomain>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="domains">
            {view.domains.into_iter().map(|domain| {
                let stored = StoredValue::new(domain.stored.clone());
                let status = domain.status;
                view! {
                    <li class="card">
                        <h2>{domain.domain.clone()}</h2>
                        <p>
                            {match status {
                                DomainState::Verified => t!(i18n, domains.verified).into_any(),
                                DomainState::Pending => t!(i18n, domains.pending).into_any(),
                                DomainState::Failed => t!(i18n, domains.failed).into_any(),
                            }}
                            {domain.primary.then(|| view! { " · " {t!(i18n, domains.primary)} })}
                            " · " {move || t_string!(i18n, domains.people).replace("[count]", &domain.people.to_string())}
                        </p>
                        {(status != DomainState::Verified).then(|| view! {
                            <p>{t!(i18n, domains.add_record)}</p>
                            <table class="record">
                                <tbody>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_type)}</th>
                                        <td><code>"TXT"</code></td>
                                    </tr>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_name)}</th>
                                        <td><code>{domain.txt_name.clone()}</code></td>
                                    </tr>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_value)}</th>
                                        <td><code data-testid="domain-txt-value">{domain.txt_value.clone()}</code></td>
                                    </tr>
                                </tbody>
                            </table>
                            <ActionForm action=verify>
                                <input type="hidden" name="domain" value=stored.get_value() />
                                <button type="submit">{t!(i18n, domains.verify)}</button>
                            </ActionForm>
                        })}
                        {(!domain.primary).then(|| view! {
                            <ActionForm action=remove>
                                <input type="hidden" name="domain" value=stored.get_value() />
                                <button type="submit" class="secondary">{t!(i18n, domains.remove)}</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
