//! A person's page: their facts, what an admin can do for them, and their devices.

use super::{RoleName, StatusName};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    BlockPerson, CancelInvitation, CancelPersonPhoneLink, ChangeRole, LicensePerson,
    NewPersonPhoneLink, PersonStatus, PersonView, ReinvitePerson, RemovePerson, ResetOutcome,
    ResetPersonPassword, RestorePerson, SignOutPersonDevice,
};
use crate::accounts::{watch_phone_link, DeviceList, PhoneQr};
use crate::components::{
    failure, translated, Changes, CopyButton, FormError, LatestFailure, Loaded, LocalTime, Page,
};
use crate::core::error::AppError;
use crate::organizations::AdminNav;
use crate::organizations::Role;

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
    let last_failure = LatestFailure::new()
        .follow(license.value())
        .follow(reset.value())
        .follow(block.value())
        .follow(remove.value())
        .follow(restore.value())
        .follow(reinvite.value())
        .follow(cancel.value())
        .follow(role.value())
        .error();
    let actions = PersonActions {
        license,
        reset,
        block,
        remove,
        restore,
        reinvite,
        cancel,
        role,
        failure: last_failure,
    };
    let changes = Changes::new()
        .follow(license.value())
        .follow(block.value())
        .follow(remove.value())
        .follow(restore.value())
        .follow(reinvite.value())
        .follow(role.value())
        .follow(reset.value());
    let person = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), changes.count()),
        |(id, ..)| crate::people::person(id),
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
    /// What went wrong with the one that answered last.
    failure: Signal<Option<AppError>>,
}

#[component]
fn Person(view: PersonView, actions: PersonActions) -> impl IntoView {
    let i18n = use_i18n();
    let person = view.person.clone();
    // Copied into every action's form.
    let id = StoredValue::new(person.id.clone());
    let status = person.status;
    let may_change_roles = view.viewer.is_global_admin();
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
        <FormError error=actions.failure />
        {move || actions.restore.value().get().and_then(Result::ok).map(|licensed| view! {
            <p role="status" class:success=licensed>
                {if licensed { t!(i18n, people.restored).into_any() } else { t!(i18n, people.restored_unlicensed).into_any() }}
            </p>
        })}
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
            {matches!(status, PersonStatus::Active | PersonStatus::Blocked).then(|| {
                let block = status == PersonStatus::Active;
                view! {
                    <ActionForm action=actions.block>
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="blocked" value=if block { "true" } else { "false" } />
                        <button type="submit" class="secondary">
                            {if block { t!(i18n, people.block).into_any() } else { t!(i18n, people.unblock).into_any() }}
                        </button>
                    </ActionForm>
                }
            })}
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
        |(id, ..)| crate::people::person_devices(id),
    );
    let on_sign_out = Callback::new(move |device: String| {
        sign_out.dispatch(SignOutPersonDevice {
            id: person.get_value(),
            device,
        });
    });
    let state = watch_phone_link(create.value().into(), move |link| {
        crate::people::person_phone_link_state(person.get_value(), link)
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
                        {listed.pending.into_iter().map(|link| {
                            let expires = link.expires.clone();
                            view! {
                            <li>
                                {t!(i18n, devices.expires)} " " <LocalTime utc=link.expires />
                                <ActionForm action=cancel>
                                    <input type="hidden" name="id" value=person.get_value() />
                                    <input type="hidden" name="link" value=link.id />
                                    <button type="submit" class="secondary"
                                        aria-label=move || format!("{} ({} {expires} UTC)", t_string!(i18n, devices.cancel_link), t_string!(i18n, devices.expires))>
                                        {t!(i18n, devices.cancel_link)}
                                    </button>
                                </ActionForm>
                            </li>
                        }}).collect_view()}
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
