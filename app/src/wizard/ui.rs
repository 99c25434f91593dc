//! The wizard's parts: starting it, its steps, and proving the domain. The upgrade's page puts
//! them together with the purchase.

use leptos::prelude::*;

use leptos_router::components::A;

use super::{
    AbandonWizard, Entry, Finding, Method, RenewChallenge, StartWizard, WizardState, WizardView,
};
use crate::components::{translated, CopyButton, ErrorText, LocalTime, SignInToContinue};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::organizations::organization_resource;

/// What a member can do about administration: start the wizard while the organization is
/// unmanaged, reach the licenses as its admin, hear who to ask once it is managed, or sign in first.
#[component]
pub fn BecomeAdmin(entry: Entry, #[prop(into)] label: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let organization = organization_resource();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match organization.await {
                    Ok(Some(organization)) if organization.administered_by_viewer() => {
                        view! {
                            <p>
                                {t!(i18n, wizard.you_are_admin)} " "
                                <A href="/admin/licenses">{t!(i18n, licensing.title)}</A>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(Some(organization)) if organization.managed() => {
                        let admin = organization.admin;
                        view! { <p><ErrorText error=AppError::OrganizationManaged { admin } /></p> }
                            .into_any()
                    }
                    Ok(Some(_)) => view! { <StartWizardButton entry label /> }.into_any(),
                    _ => view! { <p><SignInToContinue /></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A button that starts (or resumes) the wizard from `entry`.
#[component]
pub fn StartWizardButton(entry: Entry, #[prop(into)] label: Signal<String>) -> impl IntoView {
    let start = ServerAction::<StartWizard>::new();
    view! {
        <ActionForm action=start>
            <input type="hidden" name="entry" value=entry.as_str() />
            <button type="submit" disabled=move || start.pending().get()>{move || label.get()}</button>
            {move || {
                start
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })
            }}
        </ActionForm>
    }
}

/// Seconds before each automatic re-check while the page is open: quick at first, then calmer.
const RECHECK_AFTER: [u64; 6] = [10, 20, 40, 60, 120, 300];

/// Where the wizard stands: signed up, prove the domain, buy licenses, upgrade.
#[component]
pub fn WizardSteps(state: WizardState) -> impl IntoView {
    let i18n = use_i18n();
    let step = match state {
        WizardState::Started | WizardState::DomainPending => 2,
        WizardState::DomainVerified | WizardState::PurchasePending => 3,
        _ => 4,
    };
    let current = move |n: u8| (n == step).then_some("step");
    view! {
        <ol class="wizard-steps" aria-label=move || t_string!(i18n, wizard.steps).to_string()>
            <li class="done">{t!(i18n, wizard.step_signed_up)}</li>
            <li aria-current=current(2) class:done={step > 2}>{t!(i18n, wizard.step_domain)}</li>
            <li aria-current=current(3) class:done={step > 3}>{t!(i18n, wizard.step_licenses)}</li>
            <li aria-current=current(4)>{t!(i18n, wizard.step_upgrade)}</li>
        </ol>
    }
}

/// Step 2: the record to add, copy buttons, Verify, and re-checks while the page is open.
#[component]
pub fn DomainStep(
    wizard: WizardView,
    check: ServerAction<super::CheckDomain>,
    renew: ServerAction<RenewChallenge>,
) -> impl IntoView {
    let i18n = use_i18n();
    let challenge = wizard.challenge.clone();
    let last_check = challenge.last_check.clone();
    let domain = wizard.domain.clone();
    let method = RwSignal::new(Method::Txt);
    let next_check_in = RwSignal::new(None::<u64>);
    schedule_rechecks(check, method, next_check_in, challenge.expired);
    let outcome = check.value();
    view! {
        <h2>{t!(i18n, wizard.domain_heading)}</h2>
        <p>
            {t!(i18n, wizard.domain_lead)} " " <strong>{domain}</strong>
        </p>
        {challenge
            .expired
            .then(|| {
                view! {
                    <div role="alert" class="error">
                        <p>{t!(i18n, errors.challenge_expired)}</p>
                        <ActionForm action=renew>
                            <button type="submit">{t!(i18n, wizard.renew)}</button>
                        </ActionForm>
                    </div>
                }
            })}
        <table class="record">
            <caption>{t!(i18n, wizard.txt_caption)}</caption>
            <tbody>
                <tr>
                    <th scope="row">{t!(i18n, wizard.record_type)}</th>
                    <td><code>"TXT"</code></td>
                    <td></td>
                </tr>
                <tr>
                    <th scope="row">{t!(i18n, wizard.record_name)}</th>
                    <td><code data-testid="txt-name">{challenge.txt_name.clone()}</code></td>
                    <td><CopyButton value=challenge.txt_name.clone() what=translated!(i18n, copy_what.record_name) /></td>
                </tr>
                <tr>
                    <th scope="row">{t!(i18n, wizard.record_value)}</th>
                    <td><code data-testid="txt-value">{challenge.txt_value.clone()}</code></td>
                    <td><CopyButton value=challenge.txt_value.clone() what=translated!(i18n, copy_what.record_value) /></td>
                </tr>
            </tbody>
        </table>
        <details class="card">
            <summary>{t!(i18n, wizard.mx_summary)}</summary>
            <p>{t!(i18n, wizard.mx_explain)}</p>
            <table class="record">
                <tbody>
                    <tr><th scope="row">{t!(i18n, wizard.record_type)}</th><td><code>"MX"</code></td><td></td></tr>
                    <tr><th scope="row">{t!(i18n, wizard.record_name)}</th><td><code>"@"</code></td><td></td></tr>
                    <tr>
                        <th scope="row">{t!(i18n, wizard.mx_target)}</th>
                        <td><code data-testid="mx-host">{challenge.mx_host.clone()}</code></td>
                        <td><CopyButton value=challenge.mx_host.clone() what=translated!(i18n, copy_what.mx_target) /></td>
                    </tr>
                    <tr><th scope="row">{t!(i18n, wizard.mx_priority)}</th><td><code>{challenge.mx_priority}</code></td><td></td></tr>
                </tbody>
            </table>
            <ActionForm action=check>
                <input type="hidden" name="method" value="Mx" />
                <button type="submit" class="secondary" disabled=move || check.pending().get()
                    on:click=move |_| method.set(Method::Mx)>{t!(i18n, wizard.verify_mx)}</button>
            </ActionForm>
        </details>
        <p class="hint">{t!(i18n, wizard.expires)} " " <LocalTime utc=challenge.expires_at.clone() /></p>
        // Forms, so that Verify works from the first moment the page shows, before its script runs.
        <ActionForm action=check>
            <input type="hidden" name="method" value="Txt" />
            <button type="submit" disabled=move || check.pending().get()
                on:click=move |_| method.set(Method::Txt)>{t!(i18n, wizard.verify)}</button>
        </ActionForm>
        <div role="status" aria-live="polite" class="check-status">
            {move || check.pending().get().then(|| view! { <p>{t!(i18n, wizard.checking)}</p> })}
            {move || match outcome.get() {
                Some(Ok(outcome)) => view! { <FindingText finding=outcome.finding /> }.into_any(),
                Some(Err(error)) => view! { <p class="error"><ErrorText error /></p> }.into_any(),
                None => last_check.clone().map(|last| view! {
                    <p class="hint">{t!(i18n, wizard.last_checked)} " " {last.checked_at}</p>
                    <FindingText finding=last.finding />
                }).into_any(),
            }}
        </div>
        // Outside the status region: a countdown that changes every second would be announced
        // over the finding.
        {move || next_check_in.get().map(|seconds| view! {
            <p class="hint">{t!(i18n, wizard.next_check, seconds = move || seconds)}</p>
        })}
    }
}

/// While the page is open and the domain unproven, checks again with growing intervals and
/// counts down to the next check.
fn schedule_rechecks(
    check: ServerAction<super::CheckDomain>,
    method: RwSignal<Method>,
    next_check_in: RwSignal<Option<u64>>,
    expired: bool,
) {
    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        if expired {
            return;
        }
        let round = RwSignal::new(0usize);
        let remaining = RwSignal::new(RECHECK_AFTER[0]);
        // After hydration: the page as the server sent it has no countdown, and the first render
        // in the browser must match it.
        Effect::new(move |_| next_check_in.set(Some(RECHECK_AFTER[0])));
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if check.pending().get_untracked() {
                    return;
                }
                let left = remaining.get_untracked().saturating_sub(1);
                if left == 0 {
                    check.dispatch(super::CheckDomain {
                        method: method.get_untracked(),
                    });
                    let next = (round.get_untracked() + 1).min(RECHECK_AFTER.len() - 1);
                    round.set(next);
                    remaining.set(RECHECK_AFTER[next]);
                    next_check_in.set(Some(RECHECK_AFTER[next]));
                } else {
                    remaining.set(left);
                    next_check_in.set(Some(left));
                }
            },
            Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (check, method, next_check_in, expired, RECHECK_AFTER);
}

/// What a DNS check found, in words that say what to fix.
#[component]
pub fn FindingText(finding: Finding) -> impl IntoView {
    let i18n = use_i18n();
    let listed = |values: Vec<String>| {
        view! { <ul>{values.into_iter().map(|v| view! { <li><code>{v}</code></li> }).collect_view()}</ul> }
    };
    match finding {
        Finding::Verified { .. } => view! { <p class="success">{t!(i18n, doctor.verified)}</p> }.into_any(),
        Finding::NoRecord { cached_for_secs } => view! {
            <p>{t!(i18n, doctor.no_record)}</p>
            {cached_for_secs.map(|secs| view! { <p class="hint">{t!(i18n, doctor.cached, seconds = move || secs)}</p> })}
        }
        .into_any(),
        Finding::OtherValues { values } => view! { <p>{t!(i18n, doctor.other_values)}</p> {listed(values)} }.into_any(),
        Finding::ContainsToken { value } => view! { <p>{t!(i18n, doctor.contains_token)}</p> {listed(vec![value])} }.into_any(),
        Finding::MxPriority { record } => view! { <p>{t!(i18n, doctor.mx_priority)}</p> {listed(vec![record])} }.into_any(),
        Finding::QuotesOrSpaces { value } => view! { <p>{t!(i18n, doctor.quotes_or_spaces)}</p> {listed(vec![value])} }.into_any(),
        Finding::ZoneAppended { name } => view! { <p>{t!(i18n, doctor.zone_appended)}</p> {listed(vec![name])} }.into_any(),
        Finding::OnApex { value } => view! { <p>{t!(i18n, doctor.on_apex)}</p> {listed(vec![value])} }.into_any(),
        Finding::Alias { target } => view! { <p>{t!(i18n, doctor.alias)}</p> {listed(vec![target])} }.into_any(),
        Finding::DomainMissing => view! { <p>{t!(i18n, doctor.domain_missing)}</p> }.into_any(),
        Finding::ServerFailure { detail } => view! { <p>{t!(i18n, doctor.server_failure)} " (" {detail} ")"</p> }.into_any(),
        Finding::Timeout => view! { <p>{t!(i18n, doctor.timeout)}</p> }.into_any(),
    }
}

/// Stops the member's open wizard.
#[component]
pub fn AbandonButton() -> impl IntoView {
    let i18n = use_i18n();
    let abandon = ServerAction::<AbandonWizard>::new();
    view! {
        <ActionForm action=abandon attr:class="secondary-form">
            <button type="submit" class="secondary">{t!(i18n, wizard.abandon)}</button>
        </ActionForm>
    }
}
