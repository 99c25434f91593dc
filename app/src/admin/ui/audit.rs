//! The audit log page: what happened in the organization, who did it, filtered and paged.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{AuditFilter, AuditLog};
use crate::components::{next_page, query_params, translated, Choice, Loaded, LocalTime, Page};
use crate::i18n::*;
use crate::organizations::{AdminNav, Role};
use crate::people::RoleName;

/// An audit event's kind in words; kinds without words show as stored.
#[component]
pub(super) fn ActionName(kind: String) -> impl IntoView {
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
        "device.phone_link_created" => t!(i18n, audit.phone_link_created).into_any(),
        "device.phone_link_cancelled" => t!(i18n, audit.phone_link_cancelled).into_any(),
        "domain.challenge_renewed" => t!(i18n, audit.challenge_renewed).into_any(),
        "domain.rechecked" => t!(i18n, audit.domain_rechecked).into_any(),
        "domain.removed" => t!(i18n, audit.domain_removed).into_any(),
        "licenses.added" => t!(i18n, audit.licenses_added).into_any(),
        "licenses.assigned" => t!(i18n, audit.licenses_assigned).into_any(),
        "licenses.removed" => t!(i18n, audit.licenses_removed).into_any(),
        "order.paid" => t!(i18n, audit.order_paid).into_any(),
        "order.payment_mismatch" => t!(i18n, audit.payment_mismatch).into_any(),
        "order.refund_due" => t!(i18n, audit.refund_due).into_any(),
        "order.refunded" => t!(i18n, audit.order_refunded).into_any(),
        "people.added_in_bulk" => t!(i18n, audit.people_added_in_bulk).into_any(),
        "person.invitation_cancelled" => t!(i18n, audit.invitation_cancelled).into_any(),
        "person.reinvited" => t!(i18n, audit.person_reinvited).into_any(),
        "policy.new_passwords_required" => t!(i18n, audit.new_passwords_required).into_any(),
        "policy.signed_everyone_out" => t!(i18n, audit.signed_everyone_out).into_any(),
        "wizard.started" => t!(i18n, audit.wizard_started).into_any(),
        "wizard.resumed" => t!(i18n, audit.wizard_resumed).into_any(),
        "wizard.domain_pending" => t!(i18n, audit.wizard_domain_pending).into_any(),
        "wizard.domain_verified" => t!(i18n, audit.wizard_domain_verified).into_any(),
        "wizard.abandoned" => t!(i18n, audit.wizard_abandoned).into_any(),
        "wizard.purchase_pending" => t!(i18n, audit.wizard_purchase_pending).into_any(),
        "wizard.completed" => t!(i18n, audit.wizard_completed).into_any(),
        "wizard.superseded" => t!(i18n, audit.wizard_superseded).into_any(),
        _ => kind.into_any(),
    }
}

/// What an event recorded beyond its summary, in words: each field by its name and its value,
/// where both are known; anything else as stored.
#[component]
fn Details(detail: Vec<(String, String)>) -> impl IntoView {
    let last = detail.len().saturating_sub(1);
    detail
        .into_iter()
        .enumerate()
        .map(|(at, (name, value))| {
            view! {
                {(!name.is_empty()).then(|| view! { <FieldName name=name.clone() /> ": " })}
                <FieldValue name value />
                {(at < last).then_some(", ")}
            }
        })
        .collect_view()
}

#[component]
fn FieldName(name: String) -> impl IntoView {
    let i18n = use_i18n();
    match name.as_str() {
        "device" => t!(i18n, audit_detail.device).into_any(),
        "network" => t!(i18n, audit_detail.network).into_any(),
        "domain" => t!(i18n, audit_detail.domain).into_any(),
        "email" => t!(i18n, audit_detail.email).into_any(),
        "licensed" => t!(i18n, audit_detail.licensed).into_any(),
        "role" => t!(i18n, audit_detail.role).into_any(),
        "from" => t!(i18n, audit_detail.from).into_any(),
        "to" => t!(i18n, audit_detail.to).into_any(),
        "how" => t!(i18n, audit_detail.how).into_any(),
        "purchased" => t!(i18n, audit_detail.purchased).into_any(),
        "removed" => t!(i18n, audit_detail.removed).into_any(),
        "added" => t!(i18n, audit_detail.added).into_any(),
        "quantity" => t!(i18n, audit_detail.quantity).into_any(),
        "plan" => t!(i18n, audit_detail.plan).into_any(),
        "billing" => t!(i18n, audit_detail.billing).into_any(),
        "count" => t!(i18n, audit_detail.count).into_any(),
        "entry" => t!(i18n, audit_detail.entry).into_any(),
        "finding" => t!(i18n, audit_detail.finding).into_any(),
        "method" => t!(i18n, audit_detail.method).into_any(),
        "joined" => t!(i18n, audit_detail.joined).into_any(),
        "policy" => t!(i18n, audit_detail.policy).into_any(),
        "subject" => t!(i18n, audit_detail.subject).into_any(),
        "recipients" => t!(i18n, audit_detail.recipients).into_any(),
        "people" => t!(i18n, audit_detail.people).into_any(),
        "everyone" => t!(i18n, audit_detail.everyone).into_any(),
        "meetings_cancelled" => t!(i18n, audit_detail.meetings_cancelled).into_any(),
        "license_freed" => t!(i18n, audit_detail.license_freed).into_any(),
        "reference" => t!(i18n, audit_detail.reference).into_any(),
        "refund" => t!(i18n, audit_detail.refund).into_any(),
        "paid" => t!(i18n, audit_detail.paid).into_any(),
        "expected" => t!(i18n, audit_detail.expected).into_any(),
        "sessions" => t!(i18n, audit_detail.sessions).into_any(),
        _ => name.replace('_', " ").into_any(),
    }
}

#[component]
fn FieldValue(name: String, value: String) -> impl IntoView {
    let i18n = use_i18n();
    if matches!(name.as_str(), "role" | "from" | "to") {
        if let Some(role) = Role::parse(&value) {
            return view! { <RoleName role /> }.into_any();
        }
    }
    if name == "policy" {
        // A policy by the name the policies page gives it.
        match value.as_str() {
            "admins_add_people" => return t!(i18n, policies.admins_add_people).into_any(),
            "guests_allowed" => return t!(i18n, policies.guests_allowed).into_any(),
            "default_lobby" => return t!(i18n, policies.default_lobby).into_any(),
            "max_participants" => return t!(i18n, policies.max_participants).into_any(),
            "password_min_length" => return t!(i18n, policies.password_min_length).into_any(),
            "session_idle_minutes" => return t!(i18n, policies.session_idle_minutes).into_any(),
            "session_max_hours" => return t!(i18n, policies.session_max_hours).into_any(),
            "device_days" => return t!(i18n, policies.device_days).into_any(),
            _ => {}
        }
    }
    match value.as_str() {
        "true" => t!(i18n, audit_detail.yes).into_any(),
        "false" => t!(i18n, audit_detail.no).into_any(),
        "annual" if name == "billing" => t!(i18n, audit_detail.annual).into_any(),
        "monthly" if name == "billing" => t!(i18n, audit_detail.monthly).into_any(),
        "admin_tile" => t!(i18n, audit_detail.admin_tile).into_any(),
        "meetings_upgrade" => t!(i18n, audit_detail.meetings_upgrade).into_any(),
        "mailed" if name == "how" => t!(i18n, audit_detail.mailed).into_any(),
        "temporary" if name == "how" => t!(i18n, audit_detail.temporary).into_any(),
        "Txt" if name == "method" => t!(i18n, audit_detail.txt).into_any(),
        "Mx" if name == "method" => t!(i18n, audit_detail.mx).into_any(),
        "Verified" if name == "finding" => t!(i18n, audit_detail.verified).into_any(),
        "NoRecord" if name == "finding" => t!(i18n, audit_detail.no_record).into_any(),
        "OtherValues" if name == "finding" => t!(i18n, audit_detail.other_values).into_any(),
        _ => value.into_any(),
    }
}

/// `/admin/audit`: every admin action and security event, filtered, paged and exported.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let selected = query_params(["person", "kind", "from", "to", "before"]);
    let log = Resource::new(
        move || selected.get(),
        |[person, kind, from, to, before]| crate::admin::audit_log(person, kind, from, to, before),
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
    let next = log
        .next
        .map(|before| next_page("/admin/audit", &query, "before", &before.to_string()));
    view! {
        <form method="get" action="/admin/audit" class="filters" role="search">
            <div class="field">
                <label for="audit-person">{t!(i18n, audit.person)}</label>
                <input id="audit-person" name="person" type="email" value=filter.person.clone() />
            </div>
            <Choice label=translated!(i18n, audit.action) id="audit-kind" name="kind">
                <option value="" selected=filter.kind.is_empty()>{t!(i18n, people.any)}</option>
                {log.kinds.into_iter().map(|kind| {
                    let selected = kind == filter.kind;
                    let value = kind.clone();
                    view! { <option value=value selected=selected><ActionName kind /></option> }
                }).collect_view()}
            </Choice>
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
                        <td>
                            <Details detail=event.detail />
                            {event.amount.map(|amount| view! { " " {move || amount.format(i18n.get_locale())} })}
                            {event.more_recorded.then(|| view! {
                                <details>
                                    <summary>{t!(i18n, audit.recorded)}</summary>
                                    <pre>{event.technical}</pre>
                                </details>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {next.map(|href| view! { <p><a href=href rel="next">{t!(i18n, people.next_page)}</a></p> })}
    }
}
