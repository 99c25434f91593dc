//! The admin's licensing page, the invoice, and the card fields every purchase uses.

use leptos::prelude::*;

use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{
    AssignLicense, Billing, BuyLicenses, InvoiceView, LicensingView, OrderStatus, OrderView,
    RemoveLicenses, SeatsView, UnassignLicense,
};
use crate::components::{
    emptied_after_success, path_param, translated, Changes, ErrorText, LatestFailure, Loaded,
    LocalTime, Page,
};
use crate::core::error::AppError;
use crate::i18n::*;
use crate::organizations::AdminNav;

/// The card, in the clearly labelled test mode; or, with Stripe, a note that paying continues on
/// Stripe's page.
#[component]
pub fn CardFields(checkout: bool) -> impl IntoView {
    let i18n = use_i18n();
    if checkout {
        return view! { <p class="hint">{t!(i18n, purchase.stripe_note)}</p> }.into_any();
    }
    view! {
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
    }
    .into_any()
}

/// Purchased, assigned and available licenses per plan; removing licenses; orders.
#[component]
pub fn LicensingPage() -> impl IntoView {
    let i18n = use_i18n();
    let remove = ServerAction::<RemoveLicenses>::new();
    let assign = ServerAction::<AssignLicense>::new();
    let unassign = ServerAction::<UnassignLicense>::new();
    let buy = ServerAction::<BuyLicenses>::new();
    let seat_failure = LatestFailure::new()
        .follow(assign.value())
        .follow(unassign.value())
        .error();
    // What removing licenses last said is stale once the licenses changed another way.
    Effect::new(move || {
        let bought = matches!(buy.value().get(), Some(Ok(_)));
        let assigned = matches!(assign.value().get(), Some(Ok(_)));
        let unassigned = matches!(unassign.value().get(), Some(Ok(_)));
        if bought || assigned || unassigned {
            remove.value().set(None);
        }
    });
    let changes = Changes::new()
        .follow(remove.value())
        .follow(assign.value())
        .follow(unassign.value())
        .follow(buy.value());
    // Back from Stripe Checkout: the payment may not be confirmed yet, so the buyer is not the
    // admin for a moment. The page says so and looks again until the webhook has been applied,
    // or says why the payment was not used.
    let query = use_query_map();
    let checkout_order = move || query.read().get("order");
    let from_checkout = move || checkout_order().is_some();
    let looks = RwSignal::new(0usize);
    let view_data = Resource::new(
        move || (changes.count(), looks.get()),
        |_| super::licensing(),
    );
    let order_status = Resource::new(
        move || (checkout_order(), looks.get()),
        |(order, _)| async move {
            match order {
                Some(id) => super::order_status(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // Every answer to buying may add an order, a declined one too, while the form keeps what
    // was typed: the orders are looked up on their own.
    let orders = Resource::new(
        move || (changes.count(), buy.version().get()),
        |_| super::orders(),
    );
    // Arrived here from paying for the upgrade with the card form.
    let upgraded = move || query.read().get("upgraded").is_some();
    view! {
        <Page title=translated!(i18n, licensing.title)>
            <AdminNav />
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Err(AppError::Forbidden) if from_checkout() => {
                            view! { <BackFromCheckout status=order_status.await looks /> }.into_any()
                        }
                        Ok(data) => view! {
                            {upgraded().then(|| view! { <p role="status" class="success">{t!(i18n, licensing.upgraded)}</p> })}
                            <Licensing data remove assign unassign buy seat_failure />
                            <OrderList orders />
                        }
                        .into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

/// The buyer back from Stripe before the payment made them the admin: waiting while Stripe
/// confirms it, or told that it did not go through or could not be used.
#[component]
fn BackFromCheckout(
    status: Result<Option<OrderStatus>, AppError>,
    /// Counts the looks at the order; one more looks again.
    looks: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let back =
        move || view! { <p><A href="/admin/wizard">{t!(i18n, licensing.back_to_wizard)}</A></p> };
    match status {
        Ok(Some(OrderStatus::Declined)) => {
            view! { <p role="alert" class="error">{t!(i18n, licensing.not_paid)}</p> {back()} }
                .into_any()
        }
        Ok(Some(OrderStatus::RefundDue | OrderStatus::Refunded)) => {
            view! { <p role="alert" class="error">{t!(i18n, licensing.not_applied)}</p> {back()} }
                .into_any()
        }
        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
        Ok(_) => {
            #[cfg(feature = "hydrate")]
            set_timeout(
                move || looks.update(|n| *n += 1),
                std::time::Duration::from_secs(3),
            );
            #[cfg(not(feature = "hydrate"))]
            let _ = looks;
            view! { <p role="status">{t!(i18n, licensing.confirming)}</p> }.into_any()
        }
    }
}

#[component]
fn Licensing(
    data: LicensingView,
    remove: ServerAction<RemoveLicenses>,
    assign: ServerAction<AssignLicense>,
    unassign: ServerAction<UnassignLicense>,
    buy: ServerAction<BuyLicenses>,
    /// What went wrong with the last assignment or unassignment.
    seat_failure: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = data.idempotency_key.clone();
    let checkout = data.checkout;
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
            let form = emptied_after_success(remove.value());
            view! {
                <ActionForm action=remove node_ref=form attr:class="card">
                    <input type="hidden" name="plan" value=plan />
                    <div class="field">
                        <label for="remove-quantity">{t!(i18n, licensing.remove_quantity)}</label>
                        <input id="remove-quantity" name="quantity" type="number" min="1" required />
                    </div>
                    {move || remove.value().get().and_then(Result::err).map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })}
                    <div role="status" aria-live="polite">
                        {move || matches!(remove.value().get(), Some(Ok(()))).then(|| view! { <p class="success">{t!(i18n, licensing.removed)}</p> })}
                    </div>
                    <button type="submit" class="secondary">{t!(i18n, licensing.remove)}</button>
                </ActionForm>
            }
        })}
        <h2>{t!(i18n, licensing.people)}</h2>
        {move || seat_failure.get().map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })}
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
        {data.seats.first().cloned().map(|seats| view! { <BuyMore seats buy key=key.clone() checkout /> })}
    }
}

/// The organization's orders, newest first.
#[component]
fn OrderList(orders: Resource<Result<Vec<OrderView>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2 id="orders">{t!(i18n, licensing.orders)}</h2>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(orders) => view! {
                        <ul aria-labelledby="orders">
                        {orders.iter().map(|order| {
                            let amount = order.amount.clone();
                            let status = order.status;
                            let refund = order.refund.clone().unwrap_or_default();
                            let invoice = order.invoice_number.map(|number| (number, order.id.clone()));
                            view! {
                                <li><LocalTime utc=order.date.clone() /> " · " {order.plan.clone()} " × " {order.quantity} " · "
                                    {move || amount.format(i18n.get_locale())} " · "
                                    {match status {
                                        OrderStatus::Paid => t!(i18n, licensing.paid).into_any(),
                                        OrderStatus::Pending => t!(i18n, licensing.pending).into_any(),
                                        OrderStatus::RefundDue => t!(i18n, licensing.refund_due).into_any(),
                                        OrderStatus::Refunded => {
                                            t!(i18n, licensing.refunded, reference = move || refund.clone()).into_any()
                                        }
                                        OrderStatus::Declined => t!(i18n, licensing.declined).into_any(),
                                    }}
                                    {invoice.map(|(number, id)| view! {
                                        " · "
                                        <a href=format!("/admin/invoices/{id}")>
                                            {move || t_string!(i18n, licensing.invoice).replace("[number]", &number.to_string())}
                                        </a>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Buys more licenses of the organization's plan, through the same purchase path.
#[component]
fn BuyMore(
    seats: SeatsView,
    buy: ServerAction<BuyLicenses>,
    key: String,
    checkout: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let unit = seats.unit_price.clone();
    let plan = seats.plan.clone();
    let monthly = seats.billing == Billing::Monthly;
    let room = (seats.seat_cap - seats.purchased).max(0);
    // The card's details do not stay on the screen once it has been charged.
    let form = emptied_after_success(buy.value());
    view! {
        <ActionForm action=buy node_ref=form attr:class="card" attr:aria-labelledby="buy-more">
            <h2 id="buy-more">{t!(i18n, licensing.buy_more)}</h2>
            <input type="hidden" name="idempotency_key" value=key />
            <input type="hidden" name="plan" value=seats.plan_id.clone() />
            <p>
                {move || {
                    let period = if monthly { t_string!(i18n, licensing.period_month) } else { t_string!(i18n, licensing.period_year) };
                    t_string!(i18n, licensing.buy_price)
                        .replace("[price]", &unit.format(i18n.get_locale()))
                        .replace("[period]", period)
                        .replace("[plan]", &plan)
                }}
            </p>
            <div class="field">
                <label for="buy-quantity">{t!(i18n, licensing.buy_quantity)}</label>
                <input id="buy-quantity" name="quantity" type="number" min="1" max=room value="1" required />
            </div>
            <CardFields checkout />
            // Success is announced politely; a failure is an alert of its own, announced once.
            <div role="status" aria-live="polite">
                {move || matches!(buy.value().get(), Some(Ok(_))).then(|| view! { <p class="success">{t!(i18n, licensing.bought)}</p> })}
            </div>
            {move || buy.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert"><ErrorText error /></p> })}
            <button type="submit" disabled=move || buy.pending().get()>
                {if checkout { t!(i18n, licensing.continue_checkout).into_any() } else { t!(i18n, licensing.buy).into_any() }}
            </button>
        </ActionForm>
    }
}

/// A printable invoice for one paid order.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = path_param("id");
    let invoice = Resource::new(move || id.get(), super::invoice);
    view! {
        <Page title=translated!(i18n, invoice.title)>
            <AdminNav />
            <Loaded resource=invoice show={|invoice| view! { <Invoice invoice /> }} />
        </Page>
    }
}

#[component]
fn Invoice(invoice: InvoiceView) -> impl IntoView {
    let i18n = use_i18n();
    let unit = invoice.unit_price.clone();
    let total = invoice.total.clone();
    let total_again = invoice.total.clone();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <article class="invoice card">
            <dl>
                <dt>{t!(i18n, invoice.number)}</dt><dd>{invoice.number}</dd>
                <dt>{t!(i18n, invoice.date)}</dt><dd>{invoice.date.clone()}</dd>
                <dt>{t!(i18n, invoice.seller)}</dt><dd>{t!(i18n, invoice.seller_name)}</dd>
                <dt>{t!(i18n, invoice.bill_to)}</dt>
                <dd>{invoice.bill_to.clone()} " (" {invoice.bill_to_email.clone()} ") · " {invoice.organization.clone()}</dd>
            </dl>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, invoice.description)}</th>
                        <th scope="col">{t!(i18n, invoice.billing)}</th>
                        <th scope="col">{t!(i18n, invoice.quantity)}</th>
                        <th scope="col">{t!(i18n, invoice.unit_price)}</th>
                        <th scope="col">{t!(i18n, invoice.total)}</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <td>{if invoice.additional {
                            let plan = invoice.plan.clone();
                            view! { {move || t_string!(i18n, invoice.additional).replace("[plan]", &plan)} }.into_any()
                        } else {
                            invoice.plan.clone().into_any()
                        }}</td>
                        <td>{match invoice.billing {
                            Billing::Monthly => t!(i18n, invoice.monthly).into_any(),
                            Billing::Annual => t!(i18n, invoice.annual).into_any(),
                        }}</td>
                        <td>{invoice.quantity}</td>
                        <td>{move || unit.format(i18n.get_locale())}</td>
                        <td>{move || total.format(i18n.get_locale())}</td>
                    </tr>
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row" colspan="4">{t!(i18n, invoice.total)}</th>
                        <td><strong>{move || total_again.format(i18n.get_locale())}</strong></td>
                    </tr>
                </tfoot>
            </table>
            <p>
                {t!(i18n, invoice.payment)} ": "
                {if invoice.test_mode { t!(i18n, purchase.test_mode).into_any() } else { "Stripe".into_any() }}
                " · " {invoice.payment_reference.clone()}
            </p>
            <p>{t!(i18n, invoice.paid)}</p>
        </article>
        <p class="no-print">
            <button type="button" on:click=print>{t!(i18n, invoice.print)}</button>
            " " <a href="/admin/licenses">{t!(i18n, invoice.back)}</a>
        </p>
    }
}
