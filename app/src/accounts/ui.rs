//! The account pages: sign up, verify, sign in, forgot and reset password; and the member context.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use super::{
    ConfirmSignUp, DeviceKind, DeviceView, MemberView, NewPhoneLink, PhoneLink, PhoneLinkState,
    RequestPasswordReset, ResendCode, ResetPassword, SignIn, SignOut, SignOutDevice,
    SignOutOtherDevices, SignUp, UsePhoneLink,
};
use crate::components::{
    ever_failed_with, failure, path_param, query_param, translated, Field, FormError, Loaded,
    LocalTime, NewPasswordField, Page, Submit,
};
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
                // The floor of every password; an organization's policy may ask for more, and
                // says how much when it refuses one.
                <NewPasswordField
                    label=translated!(i18n, fields.password)
                    hint=Signal::derive(move || {
                        t_string!(i18n, sign_up.password_hint)
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
    let code = query_param("code");
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
    path_param("id")
}

/// Enter the mailed code that finishes a sign-up (or follow the link that fills it in).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmSignUp>::new();
    // Confirmed in a browser that did not start the sign-up: the password is chosen here.
    let choose = ever_failed_with(confirm.value(), AppError::SignUpPasswordNeeded);
    view! {
        <Page title=translated!(i18n, verify.title)>
            <p>{t!(i18n, verify.lead)}</p>
            <ActionForm action=confirm>
                <CodeFields />
                <Show when=move || choose.get()>
                    <NewPasswordField label=translated!(i18n, fields.password) />
                </Show>
                <Submit pending=confirm.pending() error=failure(confirm.value())>{t!(i18n, verify.submit)}</Submit>
            </ActionForm>
            <Resend
                id=pending_id()
                page_form_pending=confirm.pending()
                clear_page_form=Callback::new(move |()| confirm.value().set(None))
            />
        </Page>
    }
}

/// Mails a new code for the pending request `id`. Of its answer and the page form's, only the
/// newer stands: "That code is not right" is about the old code, and "wait a minute" is stale
/// once a code is tried.
#[component]
fn Resend(
    id: Signal<String>,
    #[prop(into)] page_form_pending: Signal<bool>,
    clear_page_form: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let resend = ServerAction::<ResendCode>::new();
    Effect::new(move || {
        if resend.pending().get() {
            clear_page_form.run(());
        }
    });
    Effect::new(move || {
        if page_form_pending.get() {
            resend.value().set(None);
        }
    });
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
    let choose_new = ever_failed_with(action.value(), AppError::PasswordChangeRequired);
    let next = query_param("next");
    view! {
        <Page title=translated!(i18n, sign_in.title)>
            <ActionForm action>
                <input type="hidden" name="next" value=move || next.get() />
                <EmailField autocomplete="username" />
                <Field label=translated!(i18n, fields.password) name="password" kind="password" autocomplete="current-password" />
                <Show when=move || choose_new.get()>
                    <p role="status">{t!(i18n, sign_in.choose_new)}</p>
                    <NewPasswordField label=translated!(i18n, fields.new_password) name="new_password" />
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
                <NewPasswordField label=translated!(i18n, fields.new_password) />
                <Submit pending=action.pending() error=failure(action.value())>{t!(i18n, reset.submit)}</Submit>
            </ActionForm>
            <Resend
                id=pending_id()
                page_form_pending=action.pending()
                clear_page_form=Callback::new(move |()| action.value().set(None))
            />
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
                                <A href="/account/devices">{t!(i18n, devices.title)}</A>
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

/// The member's signed-in devices, and setting up a phone.
#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOutDevice>::new();
    let others = ServerAction::<SignOutOtherDevices>::new();
    let devices = Resource::new(
        move || (sign_out.version().get(), others.version().get()),
        |_| super::my_devices(),
    );
    let on_sign_out = Callback::new(move |id: String| {
        sign_out.dispatch(SignOutDevice { id });
    });
    // What needs a signed-in member shows only with their devices; signed out, the page only
    // asks to sign in.
    view! {
        <Page title=translated!(i18n, devices.title)>
            <Loaded resource=devices show=move |devices| view! {
                <p><A href="/account/devices/phone" attr:class="button">{t!(i18n, devices.set_up_phone)}</A></p>
                <DeviceList devices on_sign_out />
                <FormError error=failure(sign_out.value()) />
                <ActionForm action=others>
                    <Submit pending=others.pending() error=failure(others.value()) secondary=true>
                        {t!(i18n, devices.sign_out_others)}
                    </Submit>
                </ActionForm>
                {move || matches!(others.value().get(), Some(Ok(()))).then(|| view! {
                    <p role="status" class="success">{t!(i18n, devices.others_signed_out)}</p>
                })}
            } />
        </Page>
    }
}

/// Devices as a table, each but the one asking with a button that signs it out (the one asking
/// signs out as usual, from the account menu).
#[component]
pub fn DeviceList(devices: Vec<DeviceView>, on_sign_out: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    if devices.is_empty() {
        return view! { <p>{t!(i18n, devices.none)}</p> }.into_any();
    }
    view! {
        <table class="devices">
            <caption>{t!(i18n, devices.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, devices.device)}</th>
                    <th scope="col">{t!(i18n, devices.first_seen)}</th>
                    <th scope="col">{t!(i18n, devices.last_seen)}</th>
                    <th scope="col">{t!(i18n, devices.network)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, devices.actions)}</span></th>
                </tr>
            </thead>
            <tbody>
                {devices.into_iter().map(|device| {
                    let id = device.id.clone();
                    let kind = device.kind.clone();
                    // Two devices may share a name ("Chrome on Linux"): the time tells them apart.
                    let last_seen = device.last_seen.clone();
                    let label = move || format!("{}, {last_seen}", device_name(i18n, &kind));
                    let kind = device.kind.clone();
                    view! {
                        <tr>
                            <th scope="row">
                                {move || device_name(i18n, &kind)}
                                {device.this_device.then(|| view! { " " <span class="badge">{t!(i18n, devices.this_device)}</span> })}
                            </th>
                            <td><LocalTime utc=device.first_seen /></td>
                            <td><LocalTime utc=device.last_seen /></td>
                            <td>{device.network}</td>
                            <td>
                                {(!device.this_device).then(|| view! {
                                    <button type="button" class="secondary"
                                        aria-label=move || format!("{} {} UTC", t_string!(i18n, devices.sign_out), label())
                                        on:click=move |_| on_sign_out.run(id.clone())>
                                        {t!(i18n, devices.sign_out)}
                                    </button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Shows a phone link as a QR code and says when the phone has used it, checking every two
/// seconds while the page is open.
#[component]
pub fn PhoneQr(link: PhoneLink, state: Signal<Option<PhoneLinkState>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="card phone-link">
            <p>{t!(i18n, devices.scan)}</p>
            <div class="qr" role="img" aria-label=move || t_string!(i18n, devices.qr_label).to_string()
                data-testid="phone-qr" inner_html=link.qr_svg.clone()></div>
            <p class="hint">{t!(i18n, devices.expires)} " " <LocalTime utc=link.expires.clone() /></p>
            <p role="status" aria-live="polite">
                {move || match state.get() {
                    Some(PhoneLinkState::Used) => t!(i18n, devices.phone_signed_in).into_any(),
                    Some(PhoneLinkState::Expired) => t!(i18n, devices.link_expired).into_any(),
                    _ => t!(i18n, devices.waiting).into_any(),
                }}
            </p>
        </div>
    }
}

/// A signal that counts up every two seconds once the page runs in the browser, for pages that
/// check on something until it happens.
fn every_two_seconds() -> Signal<u32> {
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            let _ = set_interval_with_handle(
                move || tick.update(|n| *n = n.wrapping_add(1)),
                std::time::Duration::from_secs(2),
            );
        }
    });
    tick.into()
}

/// The state of the phone link an action `created`, asked for with `check` every two seconds
/// until the phone has used it or it has expired.
pub fn watch_phone_link<F, Fut>(
    created: Signal<Option<Result<PhoneLink, AppError>>>,
    check: F,
) -> RwSignal<Option<PhoneLinkState>>
where
    F: Fn(String) -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<PhoneLinkState, AppError>> + 'static,
{
    let link_id = Signal::derive(move || created.get().and_then(Result::ok).map(|link| link.id));
    let tick = every_two_seconds();
    let state = RwSignal::new(None::<PhoneLinkState>);
    Effect::new(move |_| {
        let _ = tick.get();
        let Some(id) = link_id.get() else { return };
        if matches!(
            state.get_untracked(),
            Some(PhoneLinkState::Used | PhoneLinkState::Expired)
        ) {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(now) = check(id).await {
                state.set(Some(now));
            }
        });
    });
    state
}

/// Setting up the member's own phone: a QR code to scan, and word once the phone is in.
#[component]
pub fn PhoneSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<NewPhoneLink>::new();
    let state = watch_phone_link(create.value().into(), super::phone_link_state);
    view! {
        <Page title=translated!(i18n, devices.phone_title)>
            <p>{t!(i18n, devices.phone_lead)}</p>
            <ActionForm action=create>
                <Submit pending=create.pending() error=failure(create.value())>{t!(i18n, devices.show_qr)}</Submit>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|link| view! { <PhoneQr link state=state.into() /> })}
            <p><A href="/account/devices">{t!(i18n, devices.title)}</A></p>
        </Page>
    }
}

/// Opened on the phone from the QR code: signs the phone in once the person confirms.
#[component]
pub fn PhoneSignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = path_param("token");
    let link = Resource::new(move || token.get(), super::phone_link);
    let sign_in = ServerAction::<UsePhoneLink>::new();
    view! {
        <Page title=translated!(i18n, devices.phone_sign_in_title)>
            <Loaded resource=link show=move |link| view! {
                <p>{move || t_string!(i18n, devices.phone_sign_in_lead).replace("[name]", &link.name)}</p>
                <ActionForm action=sign_in>
                    <input type="hidden" name="token" prop:value=token />
                    <Submit pending=sign_in.pending() error=failure(sign_in.value())>{t!(i18n, devices.phone_sign_in)}</Submit>
                </ActionForm>
            } />
        </Page>
    }
}

/// A device's kind in the reader's language: "Chrome on Android".
fn device_name(i18n: leptos_i18n::I18nContext<Locale>, kind: &DeviceKind) -> String {
    let unknown_browser = t_string!(i18n, devices.unknown_browser).to_string();
    let unknown_system = t_string!(i18n, devices.unknown_system).to_string();
    t_string!(i18n, devices.kind)
        .replace(
            "[browser]",
            kind.browser.as_deref().unwrap_or(&unknown_browser),
        )
        .replace(
            "[system]",
            kind.system.as_deref().unwrap_or(&unknown_system),
        )
}
