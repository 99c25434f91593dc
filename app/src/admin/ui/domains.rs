//! The domains page: more domains for the organization, each proven by a DNS record.

use leptos::prelude::*;

use super::{AddDomain, DomainState, DomainsView, RemoveDomain, VerifyDomain};
use crate::components::{
    emptied_after_success, failure, translated, Changes, Field, FormError, Loaded, Page, Submit,
};
use crate::i18n::*;
use crate::organizations::AdminNav;
use crate::wizard::FindingText;

/// `/admin/domains`: the organization's domains, adding one and proving it with a DNS record.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddDomain>::new();
    let verify = ServerAction::<VerifyDomain>::new();
    let remove = ServerAction::<RemoveDomain>::new();
    let changes = Changes::new()
        .follow(add.value())
        .follow(verify.value())
        .follow(remove.value());
    let domains = Resource::new(move || changes.count(), |_| crate::admin::domains());
    let added = emptied_after_success(add.value());
    view! {
        <Page title=translated!(i18n, domains.title)>
            <AdminNav />
            <p>{t!(i18n, domains.lead)}</p>
            <FormError error=Signal::derive(move || failure(verify.value()).get().or_else(|| failure(remove.value()).get())) />
            <div role="status" aria-live="polite">
                {move || verify.value().get().and_then(Result::ok).map(|check| view! {
                    <FindingText finding=check.finding />
                    {(check.joined > 0).then(|| view! {
                        <p class="success">{t!(i18n, domains.joined, count = move || check.joined)}</p>
                    })}
                })}
            </div>
            <Loaded resource=domains show=move |view| view! { <DomainList view verify remove /> } />
            <ActionForm action=add node_ref=added attr:class="card">
                <h2>{t!(i18n, domains.add_heading)}</h2>
                <Field label=translated!(i18n, domains.domain) name="domain" autocomplete="off" />
                <Submit pending=add.pending() error=failure(add.value())>{t!(i18n, domains.add)}</Submit>
            </ActionForm>
        </Page>
    }
}

#[component]
fn DomainList(
    view: DomainsView,
    verify: ServerAction<VerifyDomain>,
    remove: ServerAction<RemoveDomain>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="domains">
            {view.domains.into_iter().map(|domain| {
                let stored = StoredValue::new(domain.stored.clone());
                let status = domain.status;
                // Every card has these buttons: their names say which domain they act on.
                let name = StoredValue::new(domain.domain.clone());
                view! {
                    <li class="card">
                        <h2>{domain.domain.clone()}</h2>
                        <p>
                            {match status {
                                DomainState::Verified => t!(i18n, domains.verified).into_any(),
                                DomainState::Pending => t!(i18n, domains.pending).into_any(),
                                DomainState::Failed => t!(i18n, domains.failed).into_any(),
                            }}
                            {domain.primary.then(|| view! { " · " {t!(i18n, domains.primary)} })}
                            " · " {t!(i18n, domains.people, count = move || domain.people)}
                        </p>
                        {(status != DomainState::Verified).then(|| view! {
                            <p>{t!(i18n, domains.add_record)}</p>
                            <table class="record">
                                <tbody>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_type)}</th>
                                        <td><code>"TXT"</code></td>
                                    </tr>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_name)}</th>
                                        <td><code>{domain.txt_name.clone()}</code></td>
                                    </tr>
                                    <tr>
                                        <th scope="row">{t!(i18n, wizard.record_value)}</th>
                                        <td><code data-testid="domain-txt-value">{domain.txt_value.clone()}</code></td>
                                    </tr>
                                </tbody>
                            </table>
                            <ActionForm action=verify>
                                <input type="hidden" name="domain" value=stored.get_value() />
                                <button type="submit" aria-label=move || format!("{} {}", t_string!(i18n, domains.verify), name.get_value())>
                                    {t!(i18n, domains.verify)}
                                </button>
                            </ActionForm>
                        })}
                        {(!domain.primary).then(|| view! {
                            <ActionForm action=remove>
                                <input type="hidden" name="domain" value=stored.get_value() />
                                <button type="submit" class="secondary" aria-label=move || format!("{} {}", t_string!(i18n, domains.remove), name.get_value())>
                                    {t!(i18n, domains.remove)}
                                </button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
