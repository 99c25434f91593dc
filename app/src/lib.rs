//! Tenantry's pages, shared domain types and server functions, for the server and the browser.

#![recursion_limit = "256"]

use leptos::prelude::*;
use leptos::tachys::view::any_view::{AnyView, IntoAny};
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute,
};

// Layers, lowest first; a module imports only from layers below it and itself (see
// `tests/layers.rs`). The base:
pub mod components;
pub mod core;
pub mod domain;
// Features, each above the ones it uses:
pub mod accounts;
pub mod licensing;
pub mod mailbox;
pub mod meetings;
pub mod organizations;
pub mod people;
pub mod policies;
pub mod status;
pub mod upgrade;
pub mod wizard;
// The admin center's home and audit log, above the features it summarises.
pub mod admin;
// The app shell: the launcher and landing pages, routes and the document.
pub mod pages;

/// Translations, generated at compile time from `app/locales/*.json`.
#[expect(
    deprecated,
    reason = "the build-script generator needs ICU datagen crates that add minutes to every cold build"
)]
mod translations {
    leptos_i18n::load_locales!();
}
pub use translations::i18n;

use components::NotFound;
use i18n::*;
use pages::AppHeader;

/// The HTML document around the app; the server renders it for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options) />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The stylesheet's address: under its content-hashed name when the build hashes file names,
/// read once from the build's hash file beside the server binary.
fn stylesheet_href(options: &LeptosOptions) -> String {
    #[cfg(feature = "ssr")]
    {
        static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        HREF.get_or_init(|| {
            let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
            let hash = options
                .hash_files
                .then(|| {
                    let exe = std::env::current_exe().ok()?;
                    let hashes =
                        std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref()))
                            .ok()?;
                    hashes.lines().find_map(|line| {
                        let (file, hash) = line.split_once(':')?;
                        (file.trim() == "css").then(|| hash.trim().to_owned())
                    })
                })
                .flatten();
            match hash {
                Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
                None => format!("/{pkg}/{name}.css"),
            }
        })
        .clone()
    }
    #[cfg(not(feature = "ssr"))]
    {
        format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
    }
}

/// Allows only our own scripts and the inline hydration script that carries this response's nonce.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|nonce| format!(" 'nonce-{nonce}'"))
        .unwrap_or_default();
    // `cargo leptos watch` reloads the page through a websocket on its own port.
    let reload = if options.reload_port != 0 && cfg!(debug_assertions) {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The whole application: header, routes and the error boundary around every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::remember_focus();
    // The chosen language is remembered for a year on this device, on every page.
    let language_cookie = leptos_i18n::context::CookieOptions::<i18n::Locale>::default()
        .path("/")
        .max_age(365_i64 * 24 * 60 * 60 * 1000);
    view! {
        <I18nContextProvider cookie_name="lang" cookie_options=language_cookie>
            <Title formatter=|page: String| {
                if page.is_empty() { "Tenantry".to_owned() } else { format!("{page} · Tenantry") }
            } />
            <Router>
                <accounts::MemberProvider>
                    <mailbox::DevMailboxBanner />
                    <AppHeader />
                    <main id="main" tabindex="-1">
                        <Routes fallback=NotFound>
                            <Route path=path!("") view=pages::LauncherPage />
                            <Route path=path!("/meetings") view={Lazy::<MeetingsRoute>::new()} />
                            <Route path=path!("/meet") view={Lazy::<JoinRoute>::new()} />
                            <Route path=path!("/meet/:code") view={Lazy::<MeetingRoute>::new()} />
                            <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} />
                            <Route path=path!("/admin/people") view={Lazy::<PeopleRoute>::new()} />
                            <Route path=path!("/admin/people/new") view={Lazy::<AddPersonRoute>::new()} />
                            <Route path=path!("/admin/people/:id") view={Lazy::<PersonRoute>::new()} />
                            <Route path=path!("/admin/contact") view={Lazy::<ContactRoute>::new()} />
                            <Route path=path!("/admin/audit") view={Lazy::<AuditRoute>::new()} />
                            <Route path=path!("/admin/policies") view={Lazy::<PoliciesRoute>::new()} />
                            <Route path=path!("/admin/domains") view={Lazy::<DomainsRoute>::new()} />
                            <Route path=path!("/account/devices") view={Lazy::<DevicesRoute>::new()} />
                            <Route path=path!("/account/devices/phone") view={Lazy::<PhoneSetupRoute>::new()} />
                            <Route path=path!("/phone/:token") view={Lazy::<PhoneSignInRoute>::new()} />
                            <Route path=path!("/invitation/:token") view={Lazy::<InvitationRoute>::new()} />
                            <Route path=path!("/admin/wizard") view={Lazy::<WizardRoute>::new()} />
                            <Route path=path!("/admin/licenses") view={Lazy::<LicensingRoute>::new()} />
                            <Route path=path!("/admin/invoices/:id") view={Lazy::<InvoiceRoute>::new()} />
                            <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                            <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} />
                            <Route path=path!("/signup/verify/:id") view={Lazy::<VerifyRoute>::new()} />
                            <Route path=path!("/signin") view={Lazy::<SignInRoute>::new()} />
                            <Route path=path!("/password/forgot") view={Lazy::<ForgotPasswordRoute>::new()} />
                            <Route path=path!("/password/reset/:id") view={Lazy::<ResetPasswordRoute>::new()} />
                            <Route path=path!("/dev/mailbox") view={Lazy::<MailboxRoute>::new()} />
                        </Routes>
                    </main>
                </accounts::MemberProvider>
            </Router>
        </I18nContextProvider>
    }
}

/// Declares a page whose code the browser downloads when the page is first shown, so the first
/// page of a visit does not wait for every other page.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    MeetingsRoute => meetings::MeetingsPage,
    MeetingRoute => meetings::MeetingPage,
    JoinRoute => meetings::JoinPage,
    AdminRoute => admin::AdminHome,
    PeopleRoute => people::PeoplePage,
    AddPersonRoute => people::AddPersonPage,
    PersonRoute => people::PersonPage,
    ContactRoute => people::ContactPage,
    AuditRoute => admin::AuditPage,
    PoliciesRoute => admin::PoliciesPage,
    DomainsRoute => admin::DomainsPage,
    DevicesRoute => accounts::DevicesPage,
    PhoneSetupRoute => accounts::PhoneSetupPage,
    PhoneSignInRoute => accounts::PhoneSignInPage,
    InvitationRoute => people::AcceptInvitationPage,
    WizardRoute => upgrade::UpgradePage,
    LicensingRoute => licensing::LicensingPage,
    InvoiceRoute => licensing::InvoicePage,
    SettingsRoute => pages::SettingsPage,
    SignUpRoute => accounts::SignUpPage,
    VerifyRoute => accounts::VerifyPage,
    SignInRoute => accounts::SignInPage,
    ForgotPasswordRoute => accounts::ForgotPasswordPage,
    ResetPasswordRoute => accounts::ResetPasswordPage,
    MailboxRoute => mailbox::MailboxPage,
}
