//! Form parts every feature's forms are built from: labelled fields and choices, the password
//! field, the submit button with the last error announced above it, and a copy button.

use leptos::prelude::*;

use super::ErrorText;
use crate::core::error::AppError;
use crate::i18n::*;

/// The end of a form: what went wrong last time, announced, and the submit button, disabled
/// while the form is being sent.
#[component]
pub fn Submit(
    #[prop(into)] pending: Signal<bool>,
    error: Signal<Option<AppError>>,
    #[prop(optional)] secondary: bool,
    children: Children,
) -> impl IntoView {
    // Disabled while sent, the button loses the focus; it gets it back when the answer comes.
    Effect::new(move |was_pending: Option<bool>| {
        let pending = pending.get();
        if was_pending == Some(true) && !pending {
            super::restore_focus();
        }
        pending
    });
    view! {
        <FormError error />
        <button type="submit" class:secondary=secondary disabled=move || pending.get()>
            {children()}
        </button>
    }
}

/// The reference for an `ActionForm` that empties itself once its action went through, ready
/// for the next entry; after a failure it keeps what was typed, so nothing is lost.
pub fn emptied_after_success<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> NodeRef<leptos::html::Form> {
    let form = NodeRef::<leptos::html::Form>::new();
    // Only an answer that comes after the form was made empties it: a form made again later
    // (its part of the page redrawn) keeps what is being typed into it.
    Effect::new(move |made: Option<()>| {
        let succeeded = matches!(value.get(), Some(Ok(_)));
        if made.is_some() && succeeded {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    form
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

/// What went wrong with a form's last submission, announced to screen readers as it appears:
/// nothing at all while there is nothing to say, so a page holds only the alerts that speak.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|error| view! { <p role="alert" class="error"><ErrorText error /></p> })
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
