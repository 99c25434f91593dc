//! The policies page: the organization's rules for passwords, sessions, devices and meetings, and
//! the actions that apply them to everyone at once.

use leptos::prelude::*;

use super::{ApplyToEveryoneElse, EveryoneElse, PoliciesView, SavePolicies};
use crate::components::{failure, translated, Changes, Loaded, Page, Submit};
use crate::i18n::*;
use crate::organizations::AdminNav;
use crate::policies::Lobby;

/// `/admin/policies`: what the organization allows, enforced from the next request on.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePolicies>::new();
    let saved = Changes::new().follow(save.value());
    let policies = Resource::new(move || saved.count(), |_| crate::admin::policies());
    view! {
        <Page title=translated!(i18n, policies.title)>
            <AdminNav />
            <Loaded resource=policies show=move |view| view! { <PoliciesForm view save /> } />
            <h2>{t!(i18n, policies.now_heading)}</h2>
            <EveryoneElseNow what=EveryoneElse::SignOut />
            <EveryoneElseNow what=EveryoneElse::ChooseNewPassword />
        </Page>
    }
}

/// A button that applies `what` to everyone else at once, and says how many it reached.
#[component]
fn EveryoneElseNow(what: EveryoneElse) -> impl IntoView {
    let i18n = use_i18n();
    let apply = ServerAction::<ApplyToEveryoneElse>::new();
    let label = move || match what {
        EveryoneElse::SignOut => t_string!(i18n, policies.sign_everyone_out),
        EveryoneElse::ChooseNewPassword => t_string!(i18n, policies.require_new_passwords),
    };
    let reached = move |count: u64| {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        match what {
            EveryoneElse::SignOut => {
                t!(i18n, policies.signed_out, count = move || count).into_any()
            }
            EveryoneElse::ChooseNewPassword => {
                t!(i18n, policies.passwords_required, count = move || count).into_any()
            }
        }
    };
    view! {
        <ActionForm action=apply>
            <input type="hidden" name="what" value=what.as_str() />
            <Submit pending=apply.pending() error=failure(apply.value()) secondary=true>{label}</Submit>
        </ActionForm>
        <p role="status">{move || apply.value().get().and_then(Result::ok).map(reached)}</p>
    }
}

/// A labelled whole number in `range`, inclusive; required unless `optional`, where an empty
/// field means no limit.
#[component]
fn NumberField(
    #[prop(into)] label: Signal<String>,
    name: &'static str,
    range: (i32, i32),
    value: String,
    #[prop(optional)] optional: bool,
    #[prop(optional, into)] hint: Option<Signal<String>>,
) -> impl IntoView {
    let id = format!("policy-{name}");
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input id=id name=name type="number" min=range.0 max=range.1 required=!optional value=value
                aria-describedby=described />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{move || hint.get()}</p> })}
        </div>
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
                <NumberField label=translated!(i18n, policies.max_participants) name="max_participants"
                    range=(1, plan_limit) value=number(policies.max_participants) optional=true
                    hint=Signal::derive(move || {
                        t_string!(i18n, policies.max_participants_hint).replace("[limit]", &plan_limit.to_string())
                    }) />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, policies.passwords)}</legend>
                <NumberField label=translated!(i18n, policies.password_min_length) name="password_min_length"
                    range=(12, 64) value=policies.password_min_length.to_string() />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, policies.sessions)}</legend>
                <NumberField label=translated!(i18n, policies.session_idle_minutes) name="session_idle_minutes"
                    range=(15, 1440) value=policies.session_idle_minutes.to_string() />
                <NumberField label=translated!(i18n, policies.session_max_hours) name="session_max_hours"
                    range=(1, 720) value=policies.session_max_hours.to_string() />
                <NumberField label=translated!(i18n, policies.device_days) name="device_days"
                    range=(1, 90) value=number(policies.device_days) optional=true
                    hint=translated!(i18n, policies.device_days_hint) />
            </fieldset>
            <Submit pending=save.pending() error=failure(save.value())>{t!(i18n, policies.save)}</Submit>
            <p role="status">{move || matches!(save.value().get(), Some(Ok(()))).then(|| t!(i18n, policies.saved))}</p>
        </ActionForm>
    }
}
