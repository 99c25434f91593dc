//! The purchase step of the wizard and the admin's licensing page.

use leptos::prelude::*;

use super::{
    AssignLicense, Billing, LicensingView, Purchase, PurchasePreview, RemoveLicenses,
    UnassignLicense,
};
use crate::components::{ErrorText, Page};
use crate::i18n::*;

/// Plan, billing, quantity, live total, a preview of the upgrade, and the card: pay and upgrade.
#[component]
pub fn PurchaseForm() -> impl IntoView {
    let i18n = use_i18n();
    let preview = Resource::new(|| (), |()| super::purchase_preview());
    view! {
        <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(preview) => view! { <PurchaseFields preview /> }.into_any(),
                    Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PurchaseFields(preview: PurchasePreview) -> impl IntoView {
    let i18n = use_i18n();
    let purchase = ServerAction::<Purchase>::new();
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
    let total = {
        let plans = plans.clone();
        move || {
            let count: i64 = quantity.get().trim().parse().unwrap_or(0);
            plans
                .iter()
                .find(|plan| plan.id == plan_id.get())
                .map(|plan| {
                    plan.total(billing.get(), count.max(0))
                        .format(i18n.get_locale())
                })
                .unwrap_or_default()
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
            <p class="total" aria-live="polite">{t!(i18n, purchase.total)} " " <strong>{total}</strong></p>
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
            <fieldset>
                <legend>{t!(i18n, purchase.payment)} " " <span class="badge">{t!(i18n, purchase.test_mode)}</span></legend>
                <p class="hint">{t!(i18n, purchase.test_cards)}</p>
                <div class="field">
                    <label for="card_number">{t!(i18n, purchase.card_number)}</label>
                    <input id="card_number" name="card_number" autocomplete="cc-number" inputmode="numeric" required />
                </div>
                <div class="field">
                    <label for="card_expiry">{t!(i18n, purchase.card_expiry)}</label>
                    <input id="card_expiry" name="card_expiry" autocomplete="cc-exp" placeholder="MM/YY" required />
                </div>
                <div class="field">
                    <label for="card_cvc">{t!(i18n, purchase.card_cvc)}</label>
                    <input id="card_cvc" name="card_cvc" autocomplete="cc-csc" inputmode="numeric" required />
                </div>
            </fieldset>
            <div role="alert" aria-live="assertive">
                {move || purchase.value().get().and_then(Result::err).map(|error| view! { <p class="error"><ErrorText error /></p> })}
            </div>
            <button type="submit" disabled=move || purchase.pending().get()>{t!(i18n, purchase.pay)}</button>
        </ActionForm>
    }
}

/// Purchased, assigned and available licenses per plan; removing licenses; orders.
#[component]
pub fn LicensingPage() -> impl IntoView {
    let i18n = use_i18n();
    let remove = ServerAction::<RemoveLicenses>::new();
    let assign = ServerAction::<AssignLicense>::new();
    let unassign = ServerAction::<UnassignLicense>::new();
    let view_data = Resource::new(
        move || {
            (
                remove.version().get(),
                assign.version().get(),
                unassign.version().get(),
            )
        },
        |_| super::licensing(),
    );
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, licensing.title).to_string())>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(data) => view! { <Licensing data remove assign unassign /> }.into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn Licensing(
    data: LicensingView,
    remove: ServerAction<RemoveLicenses>,
    assign: ServerAction<AssignLicense>,
    unassign: ServerAction<UnassignLicense>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="seats">
            <caption>{t!(i18n, licensing.seats)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, licensing.plan)}</th>
                    <th scope="col">{t!(i18n, licensing.purchased)}</th>
                    <th scope="col">{t!(i18n, licensing.assigned)}</th>
                    <th scope="col">{t!(i18n, licensing.available)}</th>
                    <th scope="col">{t!(i18n, licensing.chart)}</th>
                </tr>
            </thead>
            <tbody>
                {data.seats.iter().map(|seats| {
                    let used = if seats.purchased > 0 { seats.assigned * 100 / seats.purchased } else { 0 };
                    view! {
                        <tr>
                            <th scope="row">{seats.plan.clone()}</th>
                            <td>{seats.purchased}</td>
                            <td>{seats.assigned}</td>
                            <td>{seats.purchased - seats.assigned}</td>
                            <td>
                                <meter min="0" max=seats.purchased value=seats.assigned
                                    aria-label=move || t_string!(i18n, licensing.assigned).to_string()>
                                    {used} "%"
                                </meter>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {data.seats.first().map(|seats| {
            let plan = seats.plan.clone();
            view! {
                <ActionForm action=remove attr:class="card">
                    <input type="hidden" name="plan" value=plan />
                    <div class="field">
                        <label for="remove-quantity">{t!(i18n, licensing.remove_quantity)}</label>
                        <input id="remove-quantity" name="quantity" type="number" min="1" required />
                    </div>
                    <div role="alert">
                        {move || remove.value().get().and_then(Result::err).map(|error| view! { <p class="error"><ErrorText error /></p> })}
                    </div>
                    <button type="submit" class="secondary">{t!(i18n, licensing.remove)}</button>
                </ActionForm>
            }
        })}
        <h2>{t!(i18n, licensing.people)}</h2>
        <div role="alert">
            {move || assign.value().get().and_then(Result::err).map(|error| view! { <p class="error"><ErrorText error /></p> })}
        </div>
        <ul class="people">
            {data.people.iter().map(|person| {
                let email = person.email.clone();
                let label = person.name.clone();
                view! {
                    <li>{person.name.clone()} " (" {person.email.clone()} ") · "
                        {if person.licensed {
                            view! {
                                {t!(i18n, licensing.licensed)}
                                <ActionForm action=unassign>
                                    <input type="hidden" name="email" value=email />
                                    <button type="submit" class="secondary"
                                        aria-label=move || format!("{} {label}", t_string!(i18n, licensing.unassign))>
                                        {t!(i18n, licensing.unassign)}
                                    </button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! {
                                {t!(i18n, licensing.unlicensed)}
                                <ActionForm action=assign>
                                    <input type="hidden" name="email" value=email />
                                    <button type="submit" class="secondary"
                                        aria-label=move || format!("{} {label}", t_string!(i18n, licensing.assign))>
                                        {t!(i18n, licensing.assign)}
                                    </button>
                                </ActionForm>
                            }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
        <h2>{t!(i18n, licensing.orders)}</h2>
        <ul>
            {data.orders.iter().map(|order| {
                let amount = order.amount.clone();
                view! {
                    <li>{order.date.clone()} " · " {order.plan.clone()} " × " {order.quantity} " · "
                        {move || amount.format(i18n.get_locale())} " · "
                        {if order.paid { t!(i18n, licensing.paid).into_any() } else { t!(i18n, licensing.declined).into_any() }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
