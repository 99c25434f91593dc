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
use crate::components::{failure, translated, Field, Page, Submit};
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

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    view! {
        <Page title=translated!(i18n, sign_up.title)>
            <p>{t!(i18n, sign_up.lead)}</p>
            <ActionForm action>
                <EmailField autocomplete="email" hint=translated!(i18n, sign_up.email_hint) />
                <Field label=translated!(i18n, fields.display_name) name="display_name" autocomplete="name" />
                <Field
                    label=translated!(i18n, fields.password)
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=Signal::derive(move || {
                        td_string!(i18n.get_locale(), sign_up.password_hint)
                            .to_string()
                            .replace("[min]", &PASSWORD_MIN_CHARS.to_string())
                    })
                />
                <Submit pending=action.pending() error=failure(action.value())>{t!(i18n, sign_up.submit)}</Submit>
            </ActionForm>
            <p>
                {t!(i18n, sign_up.have_account)} " " <A href="/signin">{t!(i18n, sign_in.title)}</A>
            </p>
        </Page>
    }
}

/// The work email field of the account forms.
#[component]
fn EmailField(
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = translated!(i18n, fields.work_email);
    match hint {
        Some(hint) => {
            view! { <Field label name="email" kind="email" autocomplete hint /> }.into_any()
        }
        None => view! { <Field label name="email" kind="email" autocomplete /> }.into_any(),
    }
}

/// The pending request's id, from the page's address, and the mailed code, filled in when the
/// person followed the mail's link.
#[component]
fn CodeFields() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let code = Signal::derive(move || query.read().get("code").unwrap_or_default());
    view! {
        <input type="hidden" name="id" prop:value=pending_id() />
        <Field
            label=translated!(i18n, fields.code)
            name="code"
            autocomplete="one-time-code"
            inputmode="numeric"
            value=code
        />
    }
}

/// The id of the pending request on this page.
fn pending_id() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("id").unwrap_or_default())
}

/// Enter the mailed code that finishes a sign-up (or follow the link that fills it in).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmSignUp>::new();
    view! {
        <Page title=translated!(i18n, verify.title)>
            <p>{t!(i18n, verify.lead)}</p>
            <ActionForm action=confirm>
                <CodeFields />
                <Submit pending=confirm.pending() error=failure(confirm.value())>{t!(i18n, verify.submit)}</Submit>
            </ActionForm>
            <Resend id=pending_id() />
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
            <p role="status" aria-live="polite" class="success">
                {move || sent().then_some(t!(i18n, verify.resent))}
            </p>
            <Submit pending=resend.pending() error=failure(resend.value()) secondary=true>{t!(i18n, verify.resend)}</Submit>
        </ActionForm>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    // An admin's temporary password must be replaced before the member is signed in: the form
    // then asks for the new one as well, keeping what was typed.
    let choose_new = Memo::new(move |asked: Option<&bool>| {
        asked.copied().unwrap_or(false)
            || matches!(
                action.value().get(),
                Some(Err(AppError::PasswordChangeRequired))
            )
    });
    view! {
        <Page title=translated!(i18n, sign_in.title)>
            <ActionForm action>
                <EmailField autocomplete="username" />
                <Field label=translated!(i18n, fields.password) name="password" kind="password" autocomplete="current-password" />
                <Show when=move || choose_new.get()>
                    <p role="status">{t!(i18n, sign_in.choose_new)}</p>
                    <Field
                        label=translated!(i18n, fields.new_password)
                        name="new_password"
                        kind="password"
                        autocomplete="new-password"
                    />
                </Show>
                <Submit pending=action.pending() error=failure(action.value())>{t!(i18n, sign_in.submit)}</Submit>
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
        <Page title=translated!(i18n, forgot.title)>
            <p>{t!(i18n, forgot.lead)}</p>
            <ActionForm action>
                <EmailField autocomplete="username" />
                <Submit pending=action.pending() error=failure(action.value())>{t!(i18n, forgot.submit)}</Submit>
            </ActionForm>
        </Page>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ResetPassword>::new();
    view! {
        <Page title=translated!(i18n, reset.title)>
            <p>{t!(i18n, reset.lead)}</p>
            <ActionForm action>
                <CodeFields />
                <Field
                    label=translated!(i18n, fields.new_password)
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                />
                <Submit pending=action.pending() error=failure(action.value())>{t!(i18n, reset.submit)}</Submit>
            </ActionForm>
            <Resend id=pending_id() />
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
