//! The account pages: sign up, verify, sign in, forgot and reset password; and the member context.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_location, use_params_map, use_query_map},
};

use super::{
    ConfirmSignUp, MemberView, RequestPasswordReset, ResendCode, ResetPassword, SignIn, SignOut,
    SignUp,
};
use crate::components::{Field, FormError, Page};
use crate::core::error::AppError;
use crate::domain::PASSWORD_MIN_CHARS;
use crate::i18n::*;

/// The signed-in member, loaded anew on every navigation (sign-in and sign-out navigate).
#[derive(Clone, Copy)]
pub struct MemberContext(pub Resource<Result<Option<MemberView>, AppError>>);

/// Provides [`MemberContext`] to everything inside it.
#[component]
pub fn MemberProvider(children: Children) -> impl IntoView {
    let location = use_location();
    let member = Resource::new(move || location.pathname.get(), |_| super::current_member());
    provide_context(MemberContext(member));
    children()
}

/// The error of an action's last run, if it failed.
fn failure(
    value: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, sign_up.title).to_string())>
            <p>{t!(i18n, sign_up.lead)}</p>
            <ActionForm action>
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.work_email).to_string())
                    name="email"
                    kind="email"
                    autocomplete="email"
                    hint=Signal::derive(move || t_string!(i18n, sign_up.email_hint).to_string())
                />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.display_name).to_string())
                    name="display_name"
                    autocomplete="name"
                />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.password).to_string())
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=Signal::derive(move || {
                        td_string!(i18n.get_locale(), sign_up.password_hint)
                            .to_string()
                            .replace("[min]", &PASSWORD_MIN_CHARS.to_string())
                    })
                />
                <FormError error=failure(action.value()) />
                <button type="submit" disabled=move || action.pending().get()>
                    {t!(i18n, sign_up.submit)}
                </button>
            </ActionForm>
            <p>
                {t!(i18n, sign_up.have_account)} " " <A href="/signin">{t!(i18n, sign_in.title)}</A>
            </p>
        </Page>
    }
}

/// Enter the mailed code that finishes a sign-up (or follow the link that fills it in).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let code = Signal::derive(move || query.read().get("code").unwrap_or_default());
    let confirm = ServerAction::<ConfirmSignUp>::new();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, verify.title).to_string())>
            <p>{t!(i18n, verify.lead)}</p>
            <ActionForm action=confirm>
                <input type="hidden" name="id" prop:value=id />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.code).to_string())
                    name="code"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    value=code
                />
                <FormError error=failure(confirm.value()) />
                <button type="submit" disabled=move || confirm.pending().get()>
                    {t!(i18n, verify.submit)}
                </button>
            </ActionForm>
            <Resend id />
        </Page>
    }
}

/// Mails a new code for the pending request `id`.
#[component]
fn Resend(id: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let resend = ServerAction::<ResendCode>::new();
    let sent = move || matches!(resend.value().get(), Some(Ok(())));
    view! {
        <ActionForm action=resend attr:class="secondary-form">
            <input type="hidden" name="id" prop:value=id />
            <p>{t!(i18n, verify.no_mail)}</p>
            <button type="submit" class="secondary" disabled=move || resend.pending().get()>
                {t!(i18n, verify.resend)}
            </button>
            <p role="status" aria-live="polite" class="success">
                {move || sent().then_some(t!(i18n, verify.resent))}
            </p>
            <FormError error=failure(resend.value()) />
        </ActionForm>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, sign_in.title).to_string())>
            <ActionForm action>
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.work_email).to_string())
                    name="email"
                    kind="email"
                    autocomplete="username"
                />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.password).to_string())
                    name="password"
                    kind="password"
                    autocomplete="current-password"
                />
                <FormError error=failure(action.value()) />
                <button type="submit" disabled=move || action.pending().get()>
                    {t!(i18n, sign_in.submit)}
                </button>
            </ActionForm>
            <p>
                <A href="/password/forgot">{t!(i18n, sign_in.forgot)}</A>
            </p>
            <p>
                {t!(i18n, sign_in.no_account)} " " <A href="/signup">{t!(i18n, sign_up.title)}</A>
            </p>
        </Page>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, forgot.title).to_string())>
            <p>{t!(i18n, forgot.lead)}</p>
            <ActionForm action>
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.work_email).to_string())
                    name="email"
                    kind="email"
                    autocomplete="username"
                />
                <FormError error=failure(action.value()) />
                <button type="submit" disabled=move || action.pending().get()>
                    {t!(i18n, forgot.submit)}
                </button>
            </ActionForm>
        </Page>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let code = Signal::derive(move || query.read().get("code").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, reset.title).to_string())>
            <p>{t!(i18n, reset.lead)}</p>
            <ActionForm action>
                <input type="hidden" name="id" prop:value=id />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.code).to_string())
                    name="code"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    value=code
                />
                <Field
                    label=Signal::derive(move || t_string!(i18n, fields.new_password).to_string())
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                />
                <FormError error=failure(action.value()) />
                <button type="submit" disabled=move || action.pending().get()>
                    {t!(i18n, reset.submit)}
                </button>
            </ActionForm>
            <Resend id />
        </Page>
    }
}

/// Who is signed in, with a sign-out button; or links to sign in and sign up.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let i18n = use_i18n();
    let MemberContext(member) = expect_context::<MemberContext>();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match member.await {
                    Ok(Some(member)) => {
                        view! {
                            <div class="account">
                                <span class="who">{member.display_name}</span>
                                <span class="hint">{member.organization_domain}</span>
                                <ActionForm action=sign_out>
                                    <button type="submit" class="secondary">{t!(i18n, shell.sign_out)}</button>
                                </ActionForm>
                            </div>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <div class="account">
                                <A href="/signin">{t!(i18n, sign_in.title)}</A>
                                <A href="/signup" attr:class="button">{t!(i18n, sign_up.title)}</A>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
