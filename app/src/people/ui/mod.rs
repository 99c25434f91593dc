//! The people pages: the list, a person, adding people, contacting them; and the page where an
//! invited person accepts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{
    AcceptInvitation, AddPeople, AddPerson, BlockPerson, CancelInvitation, CancelPersonPhoneLink,
    ChangeRole, ContactView, LicensePerson, NewPersonPhoneLink, PeopleFilter,
    PeoplePage as PeopleList, PeopleSort, PersonRow, PersonStatus, PersonView, ReinvitePerson,
    RemovePerson, ResetOutcome, ResetPersonPassword, RestorePerson, SendMessage,
    SignOutPersonDevice, INVITATION_CANCELLED,
};
use crate::components::{
    emptied_after_success, failure, next_page, query_param, query_params, translated, Choice,
    CopyButton, Field, Loaded, LocalTime, Page, Submit,
};
use crate::i18n::*;
use crate::organizations::AdminNav;
use crate::organizations::Role;

mod adding;
mod person;

pub use adding::{AcceptInvitationPage, AddPersonPage};
pub use person::PersonPage;

/// A role in words.
#[component]
pub fn RoleName(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    match role {
        Role::Member => t!(i18n, people.role_member).into_any(),
        Role::GlobalAdmin => t!(i18n, people.role_global_admin).into_any(),
        Role::BillingAdmin => t!(i18n, people.role_billing_admin).into_any(),
        Role::UserAdmin => t!(i18n, people.role_user_admin).into_any(),
    }
}

/// A status in words.
#[component]
fn StatusName(status: PersonStatus) -> impl IntoView {
    let i18n = use_i18n();
    match status {
        PersonStatus::Active => t!(i18n, people.status_active).into_any(),
        PersonStatus::Invited => t!(i18n, people.status_invited).into_any(),
        PersonStatus::Blocked => t!(i18n, people.status_blocked).into_any(),
        PersonStatus::Removed => t!(i18n, people.status_removed).into_any(),
    }
}

/// Everyone in the organization: search, filters, sorting, pages, selection, export.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let selected = query_params(["search", "license", "role", "status", "sort", "after"]);
    let page = Resource::new(
        move || selected.get(),
        |[search, license, role, status, sort, after]| {
            super::people(search, license, role, status, sort, after)
        },
    );
    let filter = Signal::derive(move || {
        let query = query.read();
        PeopleFilter::from_query(|key| query.get(key))
    });
    view! {
        <Page title=translated!(i18n, people.title)>
            <AdminNav />
            <p class="actions">
                <A href="/admin/people/new" attr:class="button">{t!(i18n, people.add)}</A>
                " " <A href="/admin/contact">{t!(i18n, people.contact_everyone)}</A>
                " " <a href=move || format!("/admin/people.csv?{}", filter.get().to_query()) download="people.csv">
                    {t!(i18n, people.export)}
                </a>
            </p>
            {move || query.read().get(INVITATION_CANCELLED).is_some().then(|| view! {
                <p role="status" class="success">{t!(i18n, people.invitation_cancelled)}</p>
            })}
            <FilterForm filter />
            <Loaded resource=page show=move |list| view! { <PeopleTable list filter=filter.get_untracked() /> } />
        </Page>
    }
}

/// The search and filters, sent as the page's address so a filtered list can be shared.
#[component]
fn FilterForm(filter: Signal<PeopleFilter>) -> impl IntoView {
    let i18n = use_i18n();
    let current = filter.get_untracked();
    let selected = |value: Option<&str>, option: &str| value.unwrap_or("") == option;
    let license = current
        .licensed
        .map(|licensed| if licensed { "yes" } else { "no" });
    let role = current.role.map(Role::as_str);
    let status = current.status.map(PersonStatus::as_str);
    let sort = current.sort.map(PeopleSort::as_str);
    view! {
        <form method="get" action="/admin/people" class="filters" role="search">
            <div class="field">
                <label for="people-search">{t!(i18n, people.search)}</label>
                <input id="people-search" name="search" type="search" value=current.search.clone() />
            </div>
            <Choice label=translated!(i18n, people.license) id="people-license" name="license">
                <option value="" selected=selected(license, "")>{t!(i18n, people.any)}</option>
                <option value="yes" selected=selected(license, "yes")>{t!(i18n, people.licensed)}</option>
                <option value="no" selected=selected(license, "no")>{t!(i18n, people.unlicensed)}</option>
            </Choice>
            <Choice label=translated!(i18n, people.role) id="people-role" name="role">
                <option value="" selected=selected(role, "")>{t!(i18n, people.any)}</option>
                {Role::ALL.iter().map(|option| view! {
                    <option value=option.as_str() selected=selected(role, option.as_str())><RoleName role=*option /></option>
                }).collect_view()}
            </Choice>
            <Choice label=translated!(i18n, people.status) id="people-status" name="status">
                <option value="" selected=selected(status, "")>{t!(i18n, people.any)}</option>
                {PersonStatus::ALL.iter().map(|option| view! {
                    <option value=option.as_str() selected=selected(status, option.as_str())><StatusName status=*option /></option>
                }).collect_view()}
            </Choice>
            <Choice label=translated!(i18n, people.sort) id="people-sort" name="sort">
                <option value="name" selected=selected(sort, "name")>{t!(i18n, people.name)}</option>
                <option value="email" selected=selected(sort, "email")>{t!(i18n, people.email)}</option>
                <option value="last_sign_in" selected=selected(sort, "last_sign_in")>{t!(i18n, people.last_sign_in)}</option>
            </Choice>
            <button type="submit" class="secondary">{t!(i18n, people.apply)}</button>
        </form>
    }
}

/// One page of people, with row selection for contacting them and copying their addresses.
#[component]
fn PeopleTable(list: PeopleList, filter: PeopleFilter) -> impl IntoView {
    let i18n = use_i18n();
    let selected = RwSignal::new(Vec::<(String, String)>::new());
    let unlicensed = list.unlicensed.unwrap_or(0);
    let next = list.next.clone().map(|after| {
        next_page(
            "/admin/people",
            &filter.to_query(),
            "after",
            &super::encode(&after),
        )
    });
    let contact_selected = move || {
        let ids: Vec<String> = selected.read().iter().map(|(id, _)| id.clone()).collect();
        format!("/admin/contact?to={}", ids.join(","))
    };
    let addresses = Signal::derive(move || {
        selected
            .read()
            .iter()
            .map(|(_, email)| email.clone())
            .collect::<Vec<_>>()
            .join(", ")
    });
    view! {
        {(unlicensed > 0).then(|| view! {
            <p class="task" role="note">
                <A href="/admin/people?license=no">
                    {t!(i18n, people.task_unlicensed, count = move || unlicensed)}
                </A>
            </p>
        })}
        <div class="selection" role="group" aria-label=move || t_string!(i18n, people.selection).to_string()>
            <span aria-live="polite">{move || t_string!(i18n, people.selected).replace("[count]", &selected.read().len().to_string())}</span>
            <Show when=move || !selected.read().is_empty()>
                " " <a href=contact_selected>{t!(i18n, people.contact_selected)}</a>
                " " {move || view! { <CopyButton value=addresses.get() what=translated!(i18n, people.addresses) /> }}
            </Show>
        </div>
        <table class="people-table">
            <caption>{t!(i18n, people.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, people.select)}</span></th>
                    <th scope="col">{t!(i18n, people.name)}</th>
                    <th scope="col">{t!(i18n, people.email)}</th>
                    <th scope="col">{t!(i18n, people.license)}</th>
                    <th scope="col">{t!(i18n, people.role)}</th>
                    <th scope="col">{t!(i18n, people.status)}</th>
                    <th scope="col">{t!(i18n, people.last_sign_in)}</th>
                    <th scope="col">{t!(i18n, people.devices)}</th>
                </tr>
            </thead>
            <tbody>
                {list.people.into_iter().map(|person| view! { <PersonLine person selected /> }).collect_view()}
            </tbody>
        </table>
        {next.map(|href| view! { <p><a href=href rel="next">{t!(i18n, people.next_page)}</a></p> })}
    }
}

#[component]
fn PersonLine(person: PersonRow, selected: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, email) = (person.id.clone(), person.email.clone());
    let name = person.name.clone();
    let toggle = move |event: leptos::ev::Event| {
        let checked = event_target_checked(&event);
        selected.update(|chosen| {
            chosen.retain(|(chosen_id, _)| *chosen_id != id);
            if checked {
                chosen.push((id.clone(), email.clone()));
            }
        });
    };
    view! {
        <tr>
            <td>
                <input type="checkbox" on:change=toggle
                    aria-label=move || format!("{} {name}", t_string!(i18n, people.select)) />
            </td>
            <th scope="row"><A href=format!("/admin/people/{}", person.id)>{person.name.clone()}</A></th>
            <td>{person.email.clone()}</td>
            <td>{match person.license.clone() {
                Some(plan) => plan.into_any(),
                None => t!(i18n, people.unlicensed).into_any(),
            }}</td>
            <td><RoleName role=person.role /></td>
            <td><StatusName status=person.status /></td>
            <td>{match person.last_sign_in.clone() {
                Some(at) => view! { <LocalTime utc=at /> }.into_any(),
                None => t!(i18n, people.never).into_any(),
            }}</td>
            <td>{person.devices}</td>
        </tr>
    }
}

/// Writes a message to the chosen people, or to everyone.
#[component]
pub fn ContactPage() -> impl IntoView {
    let i18n = use_i18n();
    let to = query_param("to");
    let recipients = Resource::new(move || to.get(), super::message_recipients);
    let send = ServerAction::<SendMessage>::new();
    let form = emptied_after_success(send.value());
    view! {
        <Page title=translated!(i18n, people.contact_title)>
            <AdminNav />
            <Loaded resource=recipients show=move |view| view! { <Recipients view /> } />
            <ActionForm action=send node_ref=form>
                <input type="hidden" name="to" prop:value=to />
                <Field label=translated!(i18n, people.subject) name="subject" autocomplete="off" />
                <div class="field">
                    <label for="message-body">{t!(i18n, people.message)}</label>
                    <textarea id="message-body" name="body" rows="10" required></textarea>
                </div>
                <p class="hint">{t!(i18n, people.contact_hint)}</p>
                <Submit pending=send.pending() error=failure(send.value())>{t!(i18n, people.send)}</Submit>
            </ActionForm>
            <div role="status" aria-live="polite">
                {move || send.value().get().and_then(Result::ok).map(|count| view! {
                    <p class="success">{t!(i18n, people.sent, count = move || i64::try_from(count).unwrap_or(i64::MAX))}</p>
                })}
            </div>
        </Page>
    }
}

#[component]
fn Recipients(view: ContactView) -> impl IntoView {
    let i18n = use_i18n();
    match view.everyone {
        Some(count) => view! {
            <p>{t!(i18n, people.to_everyone, count = move || count)}</p>
        }
        .into_any(),
        None => view! {
            <h2 id="recipients">{t!(i18n, people.recipients)}</h2>
            <ul aria-labelledby="recipients">
                {view.recipients.into_iter().map(|person| view! {
                    <li>{person.name} " <" {person.email} ">"</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}
