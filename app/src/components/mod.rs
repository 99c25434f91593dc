//! Widgets shared by every page: the page frame, the language switch, the 404 page, form fields
//! and the one place errors become messages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::core::error::{AppError, Decline, Invalid, RowIssue};
use crate::domain::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::i18n::*;

/// The route's parameter `name` (`/people/:id`), empty when the address has none.
pub fn path_param(name: &'static str) -> Signal<String> {
    let params = leptos_router::hooks::use_params_map();
    Signal::derive(move || params.read().get(name).unwrap_or_default())
}

/// The address's query parameter `name` (`?to=…`), empty when the address has none.
pub fn query_param(name: &'static str) -> Signal<String> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || query.read().get(name).unwrap_or_default())
}

/// The address's query parameters `keys`, each empty when the address has none, for a page that
/// loads what they select.
pub fn query_params<const N: usize>(keys: [&'static str; N]) -> Signal<[String; N]> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        let query = query.read();
        keys.map(|key| query.get(key).unwrap_or_default())
    })
}

/// `path?query` with `key=value` added, for the link to a list's next page.
pub fn next_page(path: &str, query: &str, key: &str, value: &str) -> String {
    let separator = if query.is_empty() { "" } else { "&" };
    format!("{path}?{query}{separator}{key}={value}")
}

/// A translated text as a signal, so it follows the language chosen on the page:
/// `translated!(i18n, sign_in.title)`.
macro_rules! translated {
    ($i18n:ident, $($key:tt)+) => {
        ::leptos::prelude::Signal::derive(move || $crate::i18n::t_string!($i18n, $($key)+).to_string())
    };
}
pub(crate) use translated;

/// The error of an action's last run, if it failed.
pub fn failure<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// What went wrong with whichever of a page's actions answered last, for a page with one
/// place for errors: a failure does not linger once a later action has gone through. Create it
/// where the actions are created, and [`follow`](LatestFailure::follow) each of them.
#[derive(Clone, Copy)]
pub struct LatestFailure(RwSignal<Option<AppError>>);

impl LatestFailure {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    pub fn follow<T, S>(self, value: S) -> Self
    where
        T: Clone + Send + Sync + 'static,
        S: Get<Value = Option<Result<T, AppError>>>
            + GetUntracked<Value = Option<Result<T, AppError>>>
            + Send
            + Sync
            + 'static,
    {
        let latest = self.0;
        // A form posted without the page's script answers with the page itself, rendered on the
        // server where effects do not run: start from that answer.
        if latest.get_untracked().is_none() {
            if let Some(Err(error)) = value.get_untracked() {
                latest.set(Some(error));
            }
        }
        Effect::new(move |_| {
            if let Some(outcome) = value.get() {
                latest.set(outcome.err());
            }
        });
        self
    }

    pub fn error(self) -> Signal<Option<AppError>> {
        self.0.into()
    }
}

impl Default for LatestFailure {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether an action has ever answered with `error`: a form that then asks for one more field
/// keeps it after later answers.
pub fn ever_failed_with<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    error: AppError,
) -> Memo<bool> {
    Memo::new(move |asked: Option<&bool>| {
        asked.copied().unwrap_or(false) || value.get().and_then(Result::err) == Some(error.clone())
    })
}

/// The end of a form: what went wrong last time, announced, and the submit button, disabled
/// while the form is being sent.
#[component]
pub fn Submit(
    #[prop(into)] pending: Signal<bool>,
    error: Signal<Option<AppError>>,
    #[prop(optional)] secondary: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <FormError error />
        <button type="submit" class:secondary=secondary disabled=move || pending.get()>
            {children()}
        </button>
    }
}

/// Shows what `resource` loaded through `show`: "Loading…" until then, and the error in words
/// when loading failed. Pages that load data show it through this.
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, show: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Chooses the interface language; the choice is remembered in a cookie.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        if let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == chosen) {
            i18n.set_locale(*locale);
        }
    };
    view! {
        <label class="language">
            <span>{t!(i18n, shell.language)}</span>
            <select on:change=on_change prop:value=move || i18n.get_locale().as_str()>
                <option value="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
                <option value="nl" selected=move || i18n.get_locale() == Locale::nl>"Nederlands"</option>
            </select>
        </label>
    }
}

/// The frame of a page: its title in the tab and as the heading, and an error boundary
/// so a failing part shows a message instead of a broken page.
#[component]
pub fn Page(#[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || title.get() />
        <h1>{move || title.get()}</h1>
        <ErrorBoundary fallback=move |errors| {
            view! {
                <div role="alert" class="error">
                    <p>{t!(i18n, errors.page_failed)}</p>
                    <ul>
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                                .collect_view()
                        }}
                    </ul>
                </div>
            }
        }>{children()}</ErrorBoundary>
    }
}

/// The page for an address that leads nowhere; the server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Page title=translated!(i18n, not_found.title)>
            <p>{t!(i18n, not_found.explain)}</p>
            <A href="/">{t!(i18n, not_found.home)}</A>
        </Page>
    }
}

/// The message a person sees for an error, in their language, saying what to do next.
#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Invalid(problem) => view! { <InvalidText problem /> }.into_any(),
        AppError::WrongCredentials => t!(i18n, errors.wrong_credentials).into_any(),
        AppError::CodeWrong => t!(i18n, errors.code_wrong).into_any(),
        AppError::CodeExpired => t!(i18n, errors.code_expired).into_any(),
        AppError::CodeAttemptsSpent => t!(i18n, errors.code_attempts_spent).into_any(),
        AppError::OrganizationManaged { admin: Some(admin) } => t!(
            i18n,
            errors.organization_managed_by,
            admin = move || admin.clone()
        )
        .into_any(),
        AppError::OrganizationManaged { admin: None } => {
            t!(i18n, errors.organization_managed).into_any()
        }
        AppError::ChallengeExpired => t!(i18n, errors.challenge_expired).into_any(),
        AppError::DomainNotVerified => t!(i18n, errors.domain_not_verified).into_any(),
        AppError::ProofStale => t!(i18n, errors.proof_stale).into_any(),
        AppError::QuantityBelowMembers { members } => {
            t!(i18n, errors.quantity_below_members, count = move || members).into_any()
        }
        AppError::SeatCapExceeded { cap } => {
            t!(i18n, errors.seat_cap, cap = move || cap).into_any()
        }
        AppError::PaymentDeclined(decline) => match decline {
            Decline::InvalidNumber => t!(i18n, errors.card_number).into_any(),
            Decline::Expired => t!(i18n, errors.card_expired).into_any(),
            Decline::InvalidCvc => t!(i18n, errors.card_cvc).into_any(),
            Decline::Declined => t!(i18n, errors.card_declined).into_any(),
            Decline::InsufficientFunds => t!(i18n, errors.card_funds).into_any(),
        },
        AppError::IdempotencyMismatch => t!(i18n, errors.idempotency_mismatch).into_any(),
        AppError::PurchaseInProgress => t!(i18n, errors.purchase_in_progress).into_any(),
        AppError::NoLicenseAvailable => t!(i18n, errors.no_license_available).into_any(),
        AppError::LicensesInUse { unassign_first } => {
            t!(i18n, errors.licenses_in_use, count = move || unassign_first).into_any()
        }
        AppError::MeetingFull { limit } => {
            t!(i18n, errors.meeting_full, limit = move || limit).into_any()
        }
        AppError::SignInBlocked => t!(i18n, errors.sign_in_blocked).into_any(),
        AppError::PasswordChangeRequired => t!(i18n, errors.password_change_required).into_any(),
        AppError::SignUpPasswordNeeded => t!(i18n, errors.sign_up_password_needed).into_any(),
        AppError::DomainNotAllowed { domains } => {
            let domains = domains.join(", ");
            t!(
                i18n,
                errors.domain_not_allowed,
                domains = move || domains.clone()
            )
            .into_any()
        }
        AppError::AddressTaken => t!(i18n, errors.address_taken).into_any(),
        AppError::LastGlobalAdmin => t!(i18n, errors.last_global_admin).into_any(),
        AppError::InvitationInvalid => t!(i18n, errors.invitation_invalid).into_any(),
        AppError::PasswordBelowPolicy { min } => {
            t!(i18n, errors.password_below_policy, min = move || min).into_any()
        }
        AppError::SignUpClosed { admin: Some(admin) } => t!(
            i18n,
            errors.sign_up_closed_by,
            admin = move || admin.clone()
        )
        .into_any(),
        AppError::SignUpClosed { admin: None } => t!(i18n, errors.sign_up_closed).into_any(),
        AppError::GuestsNotAllowed => t!(i18n, errors.guests_not_allowed).into_any(),
        AppError::PolicyOutOfBounds { field, min, max } => {
            // The policies form has five number fields: say which one.
            let label = move || {
                let label = match field.as_str() {
                    "max_participants" => t_string!(i18n, policies.max_participants).to_string(),
                    "password_min_length" => t_string!(i18n, policies.password_min_length).to_string(),
                    "session_idle_minutes" => t_string!(i18n, policies.session_idle_minutes).to_string(),
                    "session_max_hours" => t_string!(i18n, policies.session_max_hours).to_string(),
                    "device_days" => t_string!(i18n, policies.device_days).to_string(),
                    _ => return String::new(),
                };
                format!("{label}: ")
            };
            view! {
                {label}
                {t!(
                    i18n,
                    errors.policy_out_of_bounds,
                    min = move || min,
                    max = move || max
                )}
            }
            .into_any()
        }
        AppError::PhoneLinkInvalid => t!(i18n, errors.phone_link_invalid).into_any(),
        AppError::DomainOwnedElsewhere => t!(i18n, errors.domain_owned_elsewhere).into_any(),
        AppError::RowsRefused { rows } => view! {
            {t!(i18n, errors.rows_refused)}
            <ul>
                {rows.into_iter().map(|row| view! {
                    <li>
                        {(row.line > 0).then(|| view! { {t!(i18n, errors.row_line, line = move || row.line)} " " })}
                        <RowIssueText issue=row.problem />
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        AppError::DomainInUse { people } => {
            t!(i18n, errors.domain_in_use, count = move || people).into_any()
        }
        AppError::Unauthorized => view! { <SignInToContinue /> }.into_any(),
        AppError::Forbidden => t!(i18n, errors.forbidden).into_any(),
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::TooManyAttempts { retry_after_secs } => t!(
            i18n,
            errors.too_many_attempts,
            seconds = move || retry_after_secs
        )
        .into_any(),
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::Internal => t!(i18n, errors.internal).into_any(),
        AppError::Request(_) => t!(i18n, errors.request).into_any(),
    }
}

/// What is wrong with a row of a bulk addition.
#[component]
fn RowIssueText(issue: RowIssue) -> impl IntoView {
    let i18n = use_i18n();
    match issue {
        RowIssue::Invalid(problem) => view! { <InvalidText problem /> }.into_any(),
        RowIssue::DomainNotAllowed => t!(i18n, errors.row_domain).into_any(),
        RowIssue::Repeated => t!(i18n, errors.row_repeated).into_any(),
        RowIssue::Taken => t!(i18n, errors.address_taken).into_any(),
        RowIssue::NotEnoughLicenses { wanted, free } => t!(
            i18n,
            errors.row_licenses,
            wanted = move || wanted,
            free = move || free
        )
        .into_any(),
    }
}

/// The message for a refused input.
#[component]
pub fn InvalidText(problem: Invalid) -> impl IntoView {
    let i18n = use_i18n();
    match problem {
        Invalid::EmailMissing => t!(i18n, invalid.email_missing).into_any(),
        Invalid::EmailShape => t!(i18n, invalid.email_shape).into_any(),
        Invalid::EmailLocalPart => t!(i18n, invalid.email_local_part).into_any(),
        Invalid::EmailDomain => t!(i18n, invalid.email_domain).into_any(),
        Invalid::EmailTooLong => t!(i18n, invalid.email_too_long).into_any(),
        Invalid::ConsumerDomain => t!(i18n, invalid.consumer_domain).into_any(),
        Invalid::PublicSuffix => t!(i18n, invalid.public_suffix).into_any(),
        Invalid::SubAddress => t!(i18n, invalid.sub_address).into_any(),
        Invalid::NameMissing => t!(i18n, invalid.name_missing).into_any(),
        Invalid::NameTooLong => t!(i18n, invalid.name_too_long).into_any(),
        Invalid::NameTaken => t!(i18n, invalid.name_taken).into_any(),
        Invalid::PasswordTooShort => t!(
            i18n,
            invalid.password_too_short,
            min = || PASSWORD_MIN_CHARS
        )
        .into_any(),
        Invalid::PasswordTooLong => {
            t!(i18n, invalid.password_too_long, max = || PASSWORD_MAX_CHARS).into_any()
        }
        Invalid::PasswordCommon => t!(i18n, invalid.password_common).into_any(),
        Invalid::CodeShape => t!(i18n, invalid.code_shape).into_any(),
        Invalid::MeetingTitle => t!(i18n, invalid.meeting_title).into_any(),
        Invalid::MeetingTime => t!(i18n, invalid.meeting_time).into_any(),
        Invalid::Quantity => t!(i18n, invalid.quantity).into_any(),
        Invalid::MessageSubject => t!(i18n, invalid.message_subject).into_any(),
        Invalid::MessageBody => t!(i18n, invalid.message_body).into_any(),
        Invalid::NoRecipients => t!(i18n, invalid.no_recipients).into_any(),
        Invalid::TooManyRows => t!(i18n, invalid.too_many_rows).into_any(),
        Invalid::NoRows => t!(i18n, invalid.no_rows).into_any(),
    }
}

/// A field for a password being chosen, which browsers offer to generate and remember.
#[component]
pub fn NewPasswordField(
    #[prop(into)] label: Signal<String>,
    #[prop(default = "password")] name: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
) -> impl IntoView {
    match hint {
        Some(hint) => {
            view! { <Field label name kind="password" autocomplete="new-password" hint /> }
                .into_any()
        }
        None => {
            view! { <Field label name kind="password" autocomplete="new-password" /> }.into_any()
        }
    }
}

/// A labelled drop-down whose options are its children.
#[component]
pub fn Choice(
    /// The visible label, which is also the list's accessible name.
    #[prop(into)]
    label: Signal<String>,
    id: &'static str,
    name: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <select id=id name=name>{children()}</select>
        </div>
    }
}

/// A labelled input with an optional hint under it.
#[component]
pub fn Field(
    /// The visible label, which is also the input's accessible name.
    #[prop(into)]
    label: Signal<String>,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional, into)] value: Option<Signal<String>>,
    #[prop(optional)] inputmode: &'static str,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-describedby=described
                required
                prop:value=move || value.map(|v| v.get()).unwrap_or_default()
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{move || hint.get()}</p> })}
        </div>
    }
}

/// The outcome of a form's last submission, announced to screen readers.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div role="alert" aria-live="assertive">
            {move || error.get().map(|error| view! { <p class="error"><ErrorText error /></p> })}
        </div>
    }
}

/// Copies `value` to the clipboard and says so.
#[component]
pub fn CopyButton(value: String, #[prop(into)] what: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&value);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &value;
        copied.set(true);
    };
    view! {
        <button type="button" class="secondary copy" on:click=copy
            aria-label=move || format!("{} {}", t_string!(i18n, wizard.copy), what.get())>
            {move || if copied.get() { t_string!(i18n, wizard.copied) } else { t_string!(i18n, wizard.copy) }}
        </button>
    }
}

/// A moment given in UTC as `2030-01-15 09:00`: rendered so by the server (labelled UTC), then
/// shown in the viewer's own time zone and language once the page runs.
#[component]
pub fn LocalTime(utc: String) -> impl IntoView {
    let i18n = use_i18n();
    let iso = format!("{}:00Z", utc.replacen(' ', "T", 1));
    let text = RwSignal::new(format!("{utc} UTC"));
    Effect::new({
        let iso = iso.clone();
        move |_| {
            let language = match i18n.get_locale() {
                Locale::nl => "nl",
                Locale::en => "en",
            };
            #[cfg(feature = "hydrate")]
            {
                use leptos::wasm_bindgen::JsValue;
                use leptos::web_sys::js_sys::{Date, Object, Reflect};
                let date = Date::new(&JsValue::from_str(&iso));
                if !date.get_time().is_nan() {
                    let options = Object::new();
                    let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
                    let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
                    if let Some(local) = date.to_locale_string(language, &options).as_string() {
                        text.set(local);
                    }
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (language, &iso, text);
        }
    });
    view! { <time datetime=iso>{text}</time> }
}

/// The admin center's navigation.
#[component]
pub fn AdminNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="admin-nav" aria-label=move || t_string!(i18n, admin_center.navigation).to_string()>
            <A href="/admin">{t!(i18n, admin_center.home)}</A>
            <A href="/admin/people">{t!(i18n, people.title)}</A>
            <A href="/admin/licenses">{t!(i18n, licensing.title)}</A>
            <A href="/admin/domains">{t!(i18n, domains.title)}</A>
            <A href="/admin/policies">{t!(i18n, policies.title)}</A>
            <A href="/admin/audit">{t!(i18n, audit.title)}</A>
        </nav>
    }
}

/// "Sign in to continue", with a link that comes back to this page once signed in.
#[component]
fn SignInToContinue() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let href = move || {
        // `search` comes without its `?`.
        let search = location.search.get();
        let separator = if search.is_empty() { "" } else { "?" };
        let here = format!("{}{separator}{search}", location.pathname.get());
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &here)
            .finish();
        format!("/signin?{query}")
    };
    view! { {t!(i18n, errors.unauthorized)} " " <A href=href>{t!(i18n, sign_in.title)}</A> }
}
