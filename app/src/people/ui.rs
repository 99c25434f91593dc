//! The people pages: the list, a person, adding people, contacting them; and the page where an
//! invited person accepts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    AcceptInvitation, AddPeople, AddPerson, BlockPerson, CancelInvitation, CancelPersonPhoneLink,
    ChangeRole, ContactView, LicensePerson, NewPersonPhoneLink, PeopleFilter,
    PeoplePage as PeopleList, PeopleSort, PersonRow, PersonStatus, PersonView, ReinvitePerson,
    RemovePerson, ResetOutcome, ResetPersonPassword, RestorePerson, SendMessage,
    SignOutPersonDevice,
};
use crate::accounts::{watch_phone_link, DeviceList, PhoneQr};
use crate::components::{
    failure, translated, CopyButton, Field, FormError, Loaded, LocalTime, Page, Submit,
};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::organizations::Role;

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

/// The admin center's navigation.
#[component]
pub fn AdminNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="admin-nav" aria-label=move || t_string!(i18n, admin_center.navigation).to_string()>
            <A href="/admin">{t!(i18n, admin_center.home)}</A>
            <A href="/admin/people">{t!(i18n, people.title)}</A>
            <A href="/admin/licenses">{t!(i18n, licensing.title)}</A>
            <A href="/admin/domains">{t!(i18n, domains.title)}</A>
            <A href="/admin/policies">{t!(i18n, policies.title)}</A>
            <A href="/admin/audit">{t!(i18n, audit.title)}</A>
        </nav>
    }
}

/// Everyone in the organization: search, filters, sorting, pages, selection, export.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let query = query.read();
            let get = |key: &str| query.get(key).unwrap_or_default();
            (
                get("search"),
                get("license"),
                get("role"),
                get("status"),
                get("sort"),
                get("after"),
            )
        },
        |(search, license, role, status, sort, after)| {
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
            <div class="field">
                <label for="people-license">{t!(i18n, people.license)}</label>
                <select id="people-license" name="license">
                    <option value="" selected=selected(license, "")>{t!(i18n, people.any)}</option>
                    <option value="yes" selected=selected(license, "yes")>{t!(i18n, people.licensed)}</option>
                    <option value="no" selected=selected(license, "no")>{t!(i18n, people.unlicensed)}</option>
                </select>
            </div>
            <div class="field">
                <label for="people-role">{t!(i18n, people.role)}</label>
                <select id="people-role" name="role">
                    <option value="" selected=selected(role, "")>{t!(i18n, people.any)}</option>
                    {Role::ALL.iter().map(|option| view! {
                        <option value=option.as_str() selected=selected(role, option.as_str())><RoleName role=*option /></option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="people-status">{t!(i18n, people.status)}</label>
                <select id="people-status" name="status">
                    <option value="" selected=selected(status, "")>{t!(i18n, people.any)}</option>
                    {PersonStatus::ALL.iter().map(|option| view! {
                        <option value=option.as_str() selected=selected(status, option.as_str())><StatusName status=*option /></option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="people-sort">{t!(i18n, people.sort)}</label>
                <select id="people-sort" name="sort">
                    <option value="name" selected=selected(sort, "name")>{t!(i18n, people.name)}</option>
                    <option value="email" selected=selected(sort, "email")>{t!(i18n, people.email)}</option>
                    <option value="last_sign_in" selected=selected(sort, "last_sign_in")>{t!(i18n, people.last_sign_in)}</option>
                </select>
            </div>
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
        let query = filter.to_query();
        let separator = if query.is_empty() { "" } else { "&" };
        format!(
            "/admin/people?{query}{separator}after={}",
            super::encode(&after)
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

/// One person: their facts, and what an admin can do for them.
#[component]
pub fn PersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let license = ServerAction::<LicensePerson>::new();
    let reset = ServerAction::<ResetPersonPassword>::new();
    let block = ServerAction::<BlockPerson>::new();
    let remove = ServerAction::<RemovePerson>::new();
    let restore = ServerAction::<RestorePerson>::new();
    let reinvite = ServerAction::<ReinvitePerson>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let role = ServerAction::<ChangeRole>::new();
    let actions = PersonActions {
        license,
        reset,
        block,
        remove,
        restore,
        reinvite,
        cancel,
        role,
    };
    let person = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                license.version().get(),
                block.version().get(),
                remove.version().get(),
                restore.version().get(),
                reinvite.version().get(),
                role.version().get(),
                reset.version().get(),
            )
        },
        |(id, ..)| super::person(id),
    );
    view! {
        <Page title=translated!(i18n, people.person_title)>
            <AdminNav />
            <Loaded resource=person show=move |view| view! { <Person view actions /> } />
        </Page>
    }
}

/// The actions of a person's page, kept across reloads of the person.
#[derive(Clone, Copy)]
struct PersonActions {
    license: ServerAction<LicensePerson>,
    reset: ServerAction<ResetPersonPassword>,
    block: ServerAction<BlockPerson>,
    remove: ServerAction<RemovePerson>,
    restore: ServerAction<RestorePerson>,
    reinvite: ServerAction<ReinvitePerson>,
    cancel: ServerAction<CancelInvitation>,
    role: ServerAction<ChangeRole>,
}

#[component]
fn Person(view: PersonView, actions: PersonActions) -> impl IntoView {
    let i18n = use_i18n();
    let person = view.person.clone();
    // Copied into every action's form.
    let id = StoredValue::new(person.id.clone());
    let status = person.status;
    let may_change_roles = view.viewer == Role::GlobalAdmin;
    let errors = Signal::derive(move || {
        failure(actions.license.value())
            .get()
            .or_else(|| failure(actions.reset.value()).get())
            .or_else(|| failure(actions.block.value()).get())
            .or_else(|| failure(actions.remove.value()).get())
            .or_else(|| failure(actions.restore.value()).get())
            .or_else(|| failure(actions.reinvite.value()).get())
            .or_else(|| failure(actions.cancel.value()).get())
            .or_else(|| failure(actions.role.value()).get())
    });
    view! {
        <h2>{person.name.clone()}</h2>
        <dl class="facts">
            <dt>{t!(i18n, people.email)}</dt><dd>{person.email.clone()}</dd>
            <dt>{t!(i18n, people.license)}</dt>
            <dd>{match person.license.clone() { Some(plan) => plan.into_any(), None => t!(i18n, people.unlicensed).into_any() }}</dd>
            <dt>{t!(i18n, people.role)}</dt><dd><RoleName role=person.role /></dd>
            <dt>{t!(i18n, people.status)}</dt><dd><StatusName status=person.status /></dd>
            <dt>{t!(i18n, people.last_sign_in)}</dt>
            <dd>{match person.last_sign_in.clone() { Some(at) => view! { <LocalTime utc=at /> }.into_any(), None => t!(i18n, people.never).into_any() }}</dd>
            <dt>{t!(i18n, people.devices)}</dt><dd>{person.devices}</dd>
            {view.invitation_expires.clone().map(|at| view! {
                <dt>{t!(i18n, people.invitation_expires)}</dt><dd><LocalTime utc=at /></dd>
            })}
            {view.restorable_until.clone().map(|day| view! {
                <dt>{t!(i18n, people.restorable_until)}</dt><dd>{day}</dd>
            })}
        </dl>
        <FormError error=errors />
        <div class="person-actions">
            {(status != PersonStatus::Removed).then(|| {
                let licensed = person.license.is_some();
                view! {
                    <ActionForm action=actions.license>
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="licensed" value=if licensed { "false" } else { "true" } />
                        <button type="submit" class="secondary">
                            {if licensed { t!(i18n, people.unassign_license).into_any() } else { t!(i18n, people.assign_license).into_any() }}
                        </button>
                    </ActionForm>
                }
            })}
            {matches!(status, PersonStatus::Active | PersonStatus::Blocked).then(|| view! {
                <ResetPassword id=id.get_value() reset=actions.reset />
            })}
            {(status == PersonStatus::Invited).then(|| view! {
                <ActionForm action=actions.reinvite>
                    <input type="hidden" name="id" value=id.get_value() />
                    <button type="submit" class="secondary">{t!(i18n, people.reinvite)}</button>
                </ActionForm>
                <ActionForm action=actions.cancel>
                    <input type="hidden" name="id" value=id.get_value() />
                    <button type="submit" class="secondary">{t!(i18n, people.cancel_invitation)}</button>
                </ActionForm>
                {move || matches!(actions.reinvite.value().get(), Some(Ok(()))).then(|| view! {
                    <p role="status" class="success">{t!(i18n, people.reinvited)}</p>
                })}
            })}
            {match status {
                PersonStatus::Active => Some(view! {
                    <ActionForm action=actions.block>
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="blocked" value="true" />
                        <button type="submit" class="secondary">{t!(i18n, people.block)}</button>
                    </ActionForm>
                }.into_any()),
                PersonStatus::Blocked => Some(view! {
                    <ActionForm action=actions.block>
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="blocked" value="false" />
                        <button type="submit" class="secondary">{t!(i18n, people.unblock)}</button>
                    </ActionForm>
                }.into_any()),
                _ => None,
            }}
            {match status {
                PersonStatus::Removed => view! {
                    <ActionForm action=actions.restore>
                        <input type="hidden" name="id" value=id.get_value() />
                        <button type="submit">{t!(i18n, people.restore)}</button>
                    </ActionForm>
                }.into_any(),
                PersonStatus::Invited => ().into_any(),
                _ => view! {
                    <ActionForm action=actions.remove>
                        <input type="hidden" name="id" value=id.get_value() />
                        <button type="submit" class="danger">{t!(i18n, people.remove)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </div>
        {(status == PersonStatus::Active).then(|| view! {
            <PersonDevicesSection id=id.get_value() name=person.name.clone() />
        })}
        {(may_change_roles && status != PersonStatus::Removed).then(|| view! {
            <ActionForm action=actions.role attr:class="card">
                <input type="hidden" name="id" value=id.get_value() />
                <div class="field">
                    <label for="person-role">{t!(i18n, people.role)}</label>
                    <select id="person-role" name="role">
                        {Role::ALL.iter().map(|option| view! {
                            <option value=option.as_str() selected=*option == person.role><RoleName role=*option /></option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="secondary">{t!(i18n, people.change_role)}</button>
            </ActionForm>
        })}
    }
}

/// Resetting a password: mail a link, or make a temporary password shown here once.
#[component]
fn ResetPassword(id: String, reset: ServerAction<ResetPersonPassword>) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    view! {
        <ActionForm action=reset>
            <input type="hidden" name="id" value=id.get_value() />
            <input type="hidden" name="how" value="mail" />
            <button type="submit" class="secondary">{t!(i18n, people.mail_reset)}</button>
        </ActionForm>
        <ActionForm action=reset>
            <input type="hidden" name="id" value=id.get_value() />
            <input type="hidden" name="how" value="temporary" />
            <button type="submit" class="secondary">{t!(i18n, people.temporary_password)}</button>
        </ActionForm>
        <div role="status" aria-live="polite">
            {move || match reset.value().get() {
                Some(Ok(ResetOutcome::Mailed)) => Some(view! { <p class="success">{t!(i18n, people.reset_mailed)}</p> }.into_any()),
                Some(Ok(ResetOutcome::Temporary(password))) => Some(view! {
                    <div class="card">
                        <p>{t!(i18n, people.temporary_shown_once)}</p>
                        <p><code data-testid="temporary-password">{password.clone()}</code> " "
                            <CopyButton value=password what=translated!(i18n, people.temporary_password_name) />
                        </p>
                    </div>
                }.into_any()),
                _ => None,
            }}
        </div>
    }
}

/// Adds a person: name, address on the organization's domain, license, role.
#[component]
pub fn AddPersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddPerson>::new();
    let no_license = move || matches!(add.value().get(), Some(Err(AppError::NoLicenseAvailable)));
    view! {
        <Page title=translated!(i18n, people.add_title)>
            <AdminNav />
            <p>{t!(i18n, people.add_lead)}</p>
            <ActionForm action=add>
                <Field label=translated!(i18n, people.name) name="display_name" autocomplete="off" />
                <Field label=translated!(i18n, fields.work_email) name="email" kind="email" autocomplete="off" />
                <div class="field checkbox">
                    <input id="add-license" name="license" type="checkbox" value="on" checked />
                    <label for="add-license">{t!(i18n, people.assign_license)}</label>
                </div>
                <div class="field">
                    <label for="add-role">{t!(i18n, people.role)}</label>
                    <select id="add-role" name="role">
                        {Role::ALL.iter().map(|option| view! {
                            <option value=option.as_str() selected=*option == Role::Member><RoleName role=*option /></option>
                        }).collect_view()}
                    </select>
                </div>
                <Submit pending=add.pending() error=failure(add.value())>{t!(i18n, people.add_submit)}</Submit>
            </ActionForm>
            <Show when=no_license>
                <p><A href="/admin/licenses">{t!(i18n, people.buy_more)}</A></p>
            </Show>
            <div role="status" aria-live="polite">
                {move || add.value().get().and_then(Result::ok).map(|added| view! {
                    <p class="success">
                        {t!(i18n, people.added)} " "
                        <A href=format!("/admin/people/{}", added.id)>{t!(i18n, people.open_person)}</A>
                    </p>
                })}
            </div>
            <AddMany />
        </Page>
    }
}

/// Writes a message to the chosen people, or to everyone.
#[component]
pub fn ContactPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let to = Signal::derive(move || query.read().get("to").unwrap_or_default());
    let recipients = Resource::new(move || to.get(), super::message_recipients);
    let send = ServerAction::<SendMessage>::new();
    view! {
        <Page title=translated!(i18n, people.contact_title)>
            <AdminNav />
            <Loaded resource=recipients show=move |view| view! { <Recipients view /> } />
            <ActionForm action=send>
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
                    <p class="success">{move || t_string!(i18n, people.sent).replace("[count]", &count.to_string())}</p>
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
            <p>{move || t_string!(i18n, people.to_everyone).replace("[count]", &count.to_string())}</p>
        }.into_any(),
        None => view! {
            <h2 id="recipients">{t!(i18n, people.recipients)}</h2>
            <ul aria-labelledby="recipients">
                {view.recipients.into_iter().map(|person| view! {
                    <li>{person.name} " <" {person.email} ">"</li>
                }).collect_view()}
            </ul>
        }.into_any(),
    }
}

/// An invited person chooses their password and is signed in.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = Signal::derive(move || params.read().get("token").unwrap_or_default());
    let invitation = Resource::new(move || token.get(), super::invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    view! {
        <Page title=translated!(i18n, invitation.title)>
            <Loaded resource=invitation show=move |invited| {
                let organization = invited.organization.clone();
                view! {
                    <p>{move || t_string!(i18n, invitation.lead)
                        .replace("[name]", &invited.name)
                        .replace("[organization]", &organization)}</p>
                    <p>{t!(i18n, fields.work_email)} ": " <strong>{invited.email.clone()}</strong></p>
                    <ActionForm action=accept>
                        <input type="hidden" name="token" prop:value=token />
                        <Field
                            label=translated!(i18n, invitation.password)
                            name="password"
                            kind="password"
                            autocomplete="new-password"
                        />
                        <Submit pending=accept.pending() error=failure(accept.value())>{t!(i18n, invitation.submit)}</Submit>
                    </ActionForm>
                }
            } />
        </Page>
    }
}

/// A person's devices: sign one or all out, set up a phone for them, cancel waiting links.
#[component]
fn PersonDevicesSection(id: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOutPersonDevice>::new();
    let cancel = ServerAction::<CancelPersonPhoneLink>::new();
    let create = ServerAction::<NewPersonPhoneLink>::new();
    let person = StoredValue::new(id);
    let devices = Resource::new(
        move || {
            (
                person.get_value(),
                sign_out.version().get(),
                cancel.version().get(),
                create.version().get(),
            )
        },
        |(id, ..)| super::person_devices(id),
    );
    let on_sign_out = Callback::new(move |device: String| {
        sign_out.dispatch(SignOutPersonDevice {
            id: person.get_value(),
            device,
        });
    });
    let state = watch_phone_link(create.value().into(), move |link| {
        super::person_phone_link_state(person.get_value(), link)
    });
    view! {
        <section aria-labelledby="devices-heading">
            <h2 id="devices-heading">{t!(i18n, devices.title_of)} " " {name}</h2>
            <FormError error=Signal::derive(move || failure(sign_out.value()).get().or_else(|| failure(create.value()).get())) />
            <Loaded resource=devices show=move |listed| view! {
                <DeviceList devices=listed.devices on_sign_out />
                {(!listed.pending.is_empty()).then(|| view! {
                    <h3>{t!(i18n, devices.pending)}</h3>
                    <ul>
                        {listed.pending.into_iter().map(|link| view! {
                            <li>
                                {t!(i18n, devices.expires)} " " <LocalTime utc=link.expires />
                                <ActionForm action=cancel>
                                    <input type="hidden" name="id" value=person.get_value() />
                                    <input type="hidden" name="link" value=link.id />
                                    <button type="submit" class="secondary">{t!(i18n, devices.cancel_link)}</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            } />
            <ActionForm action=sign_out>
                <input type="hidden" name="id" value=person.get_value() />
                <input type="hidden" name="device" value="" />
                <button type="submit" class="secondary">{t!(i18n, devices.sign_out_all)}</button>
            </ActionForm>
            <ActionForm action=create>
                <input type="hidden" name="id" value=person.get_value() />
                <button type="submit">{t!(i18n, devices.set_up_phone_for)}</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|link| view! { <PhoneQr link state=state.into() /> })}
        </section>
    }
}

/// Adds many people at once from CSV rows; every row is checked first.
#[component]
fn AddMany() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddPeople>::new();
    let rows = RwSignal::new(String::new());
    let file_problem = RwSignal::new(None::<FileProblem>);
    view! {
        <ActionForm action=add attr:class="card">
            <h2>{t!(i18n, people.bulk_heading)}</h2>
            <div class="field">
                <label for="bulk-file">{t!(i18n, people.bulk_file)}</label>
                <input
                    id="bulk-file"
                    type="file"
                    accept=".csv,text/csv,text/plain"
                    on:change=move |event| read_rows_from_file(event, rows, file_problem)
                />
                {move || file_problem.get().map(|problem| view! {
                    <p role="alert" class="error">
                        {match problem {
                            FileProblem::TooLarge => t_string!(i18n, people.bulk_file_too_large),
                            FileProblem::Unreadable => t_string!(i18n, people.bulk_file_unreadable),
                        }}
                    </p>
                })}
            </div>
            <div class="field">
                <label for="bulk-csv">{t!(i18n, people.bulk_rows)}</label>
                <textarea
                    id="bulk-csv"
                    name="csv"
                    rows="8"
                    required
                    aria-describedby="bulk-csv-hint"
                    prop:value=rows
                    on:input=move |event| rows.set(event_target_value(&event))
                ></textarea>
                <p class="hint" id="bulk-csv-hint">{t!(i18n, people.bulk_hint)}</p>
            </div>
            <Submit pending=add.pending() error=failure(add.value())>{t!(i18n, people.bulk_submit)}</Submit>
            <p role="status">
                {move || add.value().get().and_then(Result::ok).map(|count| {
                    t_string!(i18n, people.bulk_added).replace("[count]", &count.to_string())
                })}
            </p>
        </ActionForm>
    }
}

/// Why a chosen CSV file did not fill the rows (files are read in the browser only).
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum FileProblem {
    TooLarge,
    Unreadable,
}

/// 1,000 rows of a generous name and address each; anything larger cannot be a valid list.
#[cfg(feature = "hydrate")]
const LARGEST_CSV_FILE: f64 = 512.0 * 1024.0;

/// Puts a chosen file's text in the rows field, where the admin sees (and may edit) what will be
/// sent; the server checks the rows as if they had been pasted.
fn read_rows_from_file(
    event: leptos::ev::Event,
    rows: RwSignal<String>,
    problem: RwSignal<Option<FileProblem>>,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(file) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        if file.size() > LARGEST_CSV_FILE {
            problem.set(Some(FileProblem::TooLarge));
            return;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => {
                    problem.set(None);
                    rows.set(text.as_string().unwrap_or_default());
                }
                Err(_) => problem.set(Some(FileProblem::Unreadable)),
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, rows, problem);
}
