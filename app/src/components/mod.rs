//! Widgets shared by every page: the page frame, the language switch, the 404 page, loading and
//! times; form parts in `forms`, error messages in `messages`, keeping the keyboard's place in
//! `focus`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::core::error::AppError;
use crate::i18n::*;

mod focus;
mod forms;
mod messages;

pub use focus::{remember_focus, restore_focus};
pub use forms::{
    emptied_after_success, Choice, CopyButton, Field, FormError, NewPasswordField, Submit,
};
pub use messages::{ErrorText, InvalidText};

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

/// How many changes a page's actions have made, for a page that loads its data again after each:
/// a refused form is not drawn anew, so it keeps what was typed in it beside the error. Create it
/// where the actions are created, and [`follow`](Changes::follow) each of them.
#[derive(Clone, Copy)]
pub struct Changes(RwSignal<usize>);

impl Changes {
    pub fn new() -> Self {
        Self(RwSignal::new(0))
    }

    pub fn follow<T, S>(self, value: S) -> Self
    where
        T: Clone + Send + Sync + 'static,
        S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    {
        let made = self.0;
        Effect::new(move |_| {
            if let Some(Ok(_)) = value.get() {
                made.update(|count| *count += 1);
            }
        });
        self
    }

    pub fn count(self) -> usize {
        self.0.get()
    }
}

impl Default for Changes {
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
                    let shown = match resource.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <p role="alert" class="error"><ErrorText error /></p> }.into_any(),
                    };
                    restore_focus();
                    shown
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

/// "Sign in to continue", with a link that comes back to this page once signed in.
#[component]
pub(crate) fn SignInToContinue() -> impl IntoView {
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
