//! The policies page: the organization's rules for passwords, sessions, devices and meetings, and
//! the actions that apply them to everyone at once.

use leptos::prelude::*;

use super::{PoliciesView, RequireNewPasswords, SavePolicies, SignEveryoneOut};
use crate::components::{failure, translated, Loaded, Page, Submit};
use crate::i18n::*;
use crate::people::AdminNav;
use crate::policies::Lobby;

/// `/admin/policies`: what the organization allows, enforced from the next request on.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePolicies>::new();
    let everyone_out = ServerAction::<SignEveryoneOut>::new();
    let new_passwords = ServerAction::<RequireNewPasswords>::new();
    let policies = Resource::new(move || save.version().get(), |_| crate::admin::policies());
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
