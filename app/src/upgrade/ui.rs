//! The Become the admin page: the wizard's steps, and once the domain is proven, the purchase.

use leptos::prelude::*;

use super::{Purchase, PurchasePreview};
use crate::components::{translated, ErrorText, Loaded, Page};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::licensing::{Billing, CardFields};
use crate::wizard::{
    current_wizard, AbandonButton, BecomeAdmin, CheckDomain, CheckOutcome, DomainStep, Entry,
    RenewChallenge, WizardState, WizardSteps, WizardView,
};

/// `/admin/wizard`: the member's open wizard, at the step its stored state says.
#[component]
pub fn UpgradePage() -> impl IntoView {
    let i18n = use_i18n();
    let check = ServerAction::<CheckDomain>::new();
    let renew = ServerAction::<RenewChallenge>::new();
    let purchase = ServerAction::<Purchase>::new();
    let moved = RwSignal::new(0u32);
    // A check that finds the record missing leaves the wizard where it was; re-reading it then
    // would rebuild the domain step every few seconds and restart its re-check schedule, so the
    // page re-reads it only when a check or a purchase may have moved it.
    Effect::new(move |_| {
        if check
            .value()
            .with(|outcome| outcome.as_ref().is_some_and(wizard_may_have_moved))
        {
            // A purchase refused before this check has nothing to say to the form it brings.
            purchase.value().set(None);
            moved.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if purchase
            .value()
            .with(|result| matches!(result, Some(Err(error)) if error.needs_fresh_proof()))
        {
            // The proof that let the purchase form show is gone: so is its "verified" line.
            check.value().set(None);
            moved.update(|n| *n += 1);
        }
    });
    let wizard = Resource::new(
        move || (moved.get(), renew.version().get()),
        |_| current_wizard(),
    );
    view! {
        <Page title=translated!(i18n, admin.become_title)>
            <Loaded resource=wizard show={move |wizard: Option<WizardView>| match wizard {
                Some(wizard) => view! { <Wizard wizard check renew purchase /> }.into_any(),
                // No wizard of theirs runs: the way to start one, or, once someone else became
                // the admin, whom to ask.
                None => view! {
                    <BecomeAdmin entry=Entry::AdminTile label=translated!(i18n, wizard.start) />
                }
                .into_any(),
            }} />
        </Page>
    }
}

/// Whether the wizard's stored state may differ from what the page shows after this check.
fn wizard_may_have_moved(outcome: &Result<CheckOutcome, AppError>) -> bool {
    match outcome {
        Ok(outcome) => !matches!(
            outcome.state,
            WizardState::Started | WizardState::DomainPending
        ),
        Err(AppError::TooManyAttempts { .. }) => false,
        Err(_) => true,
    }
}

#[component]
fn Wizard(
    wizard: WizardView,
    check: ServerAction<CheckDomain>,
    renew: ServerAction<RenewChallenge>,
    purchase: ServerAction<Purchase>,
) -> impl IntoView {
    view! {
        <WizardSteps state=wizard.state />
        {match wizard.state {
            WizardState::Started | WizardState::DomainPending => {
                // A purchase refused for an old proof sent the wizard back here: say why.
                let refused = purchase.value().get_untracked().and_then(Result::err);
                view! {
                    {refused.map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })}
                    <DomainStep wizard check renew />
                }
                .into_any()
            }
            _ => view! { <LicensesStep wizard purchase /> }.into_any(),
        }}
        <AbandonButton />
    }
}

/// Step 3: the plans offered where the wizard was started, and the purchase.
#[component]
fn LicensesStep(wizard: WizardView, purchase: ServerAction<Purchase>) -> impl IntoView {
    let i18n = use_i18n();
    let domain = wizard.domain.clone();
    view! {
        <p class="success" role="status">{t!(i18n, wizard.verified_lead)} " " <strong>{domain}</strong></p>
        <h2>{t!(i18n, wizard.licenses_heading)}</h2>
        <PurchaseForm purchase />
    }
}

/// Plan, billing, quantity, live total, a preview of the upgrade, and the card: pay and upgrade.
#[component]
fn PurchaseForm(purchase: ServerAction<Purchase>) -> impl IntoView {
    let preview = Resource::new(|| (), |()| super::purchase_preview());
    view! {
        <Loaded resource=preview show={move |preview: PurchasePreview| view! {
            <div class="purchase">
                <PlansOffered preview=preview.clone() />
                <PurchaseFields preview purchase />
            </div>
        }} />
    }
}

#[component]
fn PurchaseFields(preview: PurchasePreview, purchase: ServerAction<Purchase>) -> impl IntoView {
    let i18n = use_i18n();
    let members = preview.members.len();
    let plans = preview.plans.clone();
    let plan_id = RwSignal::new(
        plans
            .first()
            .map(|plan| plan.id.clone())
            .unwrap_or_default(),
    );
    let billing = RwSignal::new(Billing::Annual);
    let quantity = RwSignal::new(members.to_string());
    let fewest = i64::try_from(members).unwrap_or(i64::MAX);
    // The price of the quantity entered, or the range the purchase accepts when it is outside.
    let total = {
        let plans = plans.clone();
        move || {
            let count: i64 = quantity.get().trim().parse().unwrap_or(0);
            let plan = plans.iter().find(|plan| plan.id == plan_id.get())?;
            let most = i64::from(plan.seat_cap);
            Some(if (fewest..=most).contains(&count) {
                Ok(plan.total(billing.get(), count).format(i18n.get_locale()))
            } else {
                Err(most)
            })
        }
    };
    let member_count = members;
    view! {
        <ActionForm action=purchase>
            <input type="hidden" name="idempotency_key" value=preview.idempotency_key.clone() />
            <fieldset>
                <legend>{t!(i18n, purchase.plan)}</legend>
                {plans
                    .iter()
                    .map(|plan| {
                        let id = plan.id.clone();
                        let checked = plan_id.get_untracked() == id;
                        let price = plan.annual.clone();
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="plan"
                                    value=id.clone()
                                    checked=checked
                                    on:change=move |_| plan_id.set(id.clone())
                                />
                                {plan.name.clone()} " · "
                                {move || price.format(i18n.get_locale())} " "
                                {t!(i18n, purchase.per_user_month)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="field">
                <label for="billing">{t!(i18n, purchase.billing)}</label>
                <select id="billing" name="billing" on:change=move |ev| {
                    billing.set(if event_target_value(&ev) == "Monthly" { Billing::Monthly } else { Billing::Annual })
                }>
                    <option value="Annual" selected>{t!(i18n, purchase.annual)}</option>
                    <option value="Monthly">{t!(i18n, purchase.monthly)}</option>
                </select>
            </div>
            <div class="field">
                <label for="quantity">{t!(i18n, purchase.quantity)}</label>
                <input id="quantity" name="quantity" type="number" min=member_count max="300" required
                    aria-describedby="quantity-hint" bind:value=quantity />
                <p class="hint" id="quantity-hint">{t!(i18n, purchase.quantity_hint, count = move || member_count)}</p>
            </div>
            <p class="total" aria-live="polite">
                {move || match total() {
                    Some(Ok(total)) => view! { {t!(i18n, purchase.total)} " " <strong>{total}</strong> }.into_any(),
                    Some(Err(most)) => t!(i18n, purchase.quantity_range, fewest = move || fewest, most = move || most).into_any(),
                    None => ().into_any(),
                }}
            </p>
            <section class="card" aria-labelledby="preview-heading">
                <h3 id="preview-heading">{t!(i18n, purchase.preview)}</h3>
                <p>{t!(i18n, purchase.preview_admin)} " " <strong>{preview.buyer.clone()}</strong></p>
                <p>{t!(i18n, purchase.preview_managed)} " " <strong>{preview.domain.clone()}</strong></p>
                <p>{t!(i18n, purchase.preview_licensed)}</p>
                <ul>
                    {preview.members.iter().map(|person| view! { <li>{person.name.clone()} " (" {person.email.clone()} ")"</li> }).collect_view()}
                </ul>
                <p>{t!(i18n, purchase.preview_settings)}</p>
            </section>
            <CardFields checkout=preview.checkout />
            {move || purchase.value().get().and_then(Result::err).map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })}
            <button type="submit" disabled=move || purchase.pending().get()>
                {if preview.checkout { t!(i18n, purchase.continue_checkout).into_any() } else { t!(i18n, purchase.pay).into_any() }}
            </button>
        </ActionForm>
    }
}

/// The plans this entry point offers, by name.
#[component]
fn PlansOffered(preview: PurchasePreview) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p>{t!(i18n, wizard.plans_offered)}</p>
        <ul class="plans">
            {preview.plans.into_iter().map(|plan| view! { <li>{plan.name}</li> }).collect_view()}
        </ul>
        <p class="hint">{t!(i18n, wizard.purchase_next)}</p>
    }
}
