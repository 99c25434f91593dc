//! Adding people, one by one or from CSV rows, and the page where an invited person accepts.

use super::RoleName;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

use super::{AcceptInvitation, AddPeople, AddPerson};
use crate::components::{
    emptied_after_success, failure, path_param, translated, Field, Loaded, NewPasswordField, Page,
    Submit,
};
use crate::core::error::AppError;
use crate::organizations::AdminNav;
use crate::organizations::Role;

/// Adds a person: name, address on the organization's domain, license, role.
#[component]
pub fn AddPersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddPerson>::new();
    let no_license = move || matches!(add.value().get(), Some(Err(AppError::NoLicenseAvailable)));
    let form = emptied_after_success(add.value());
    view! {
        <Page title=translated!(i18n, people.add_title)>
            <AdminNav />
            <p>{t!(i18n, people.add_lead)}</p>
            <ActionForm action=add node_ref=form>
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

/// An invited person chooses their password and is signed in.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = path_param("token");
    let invitation = Resource::new(move || token.get(), crate::people::invitation);
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
                        <NewPasswordField label=translated!(i18n, invitation.password) />
                        <Submit pending=accept.pending() error=failure(accept.value())>{t!(i18n, invitation.submit)}</Submit>
                    </ActionForm>
                }
            } />
        </Page>
    }
}

/// Adds many people at once from CSV rows; every row is checked first.
#[component]
fn AddMany() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddPeople>::new();
    let rows = RwSignal::new(String::new());
    let file_problem = RwSignal::new(None::<FileProblem>);
    let form = emptied_after_success(add.value());
    // The rows field shows `rows`, which the emptied form must not bring back.
    Effect::new(move || {
        if matches!(add.value().get(), Some(Ok(_))) {
            rows.set(String::new());
        }
    });
    view! {
        <ActionForm action=add node_ref=form attr:class="card">
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
                    t!(i18n, people.bulk_added, count = move || i64::try_from(count).unwrap_or(i64::MAX))
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
