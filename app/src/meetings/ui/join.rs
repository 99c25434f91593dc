//! Going to a meeting by its join link or code, pasted from an invitation.

use leptos::prelude::*;
use leptos_router::components::{Form, Redirect};
use leptos_router::NavigateOptions;

use crate::components::{query_param, translated, Page};
use crate::i18n::*;
use crate::meetings::code_in;

/// `/meet?code=…`: sends the browser on to the meeting, or asks again when what was pasted is
/// not a meeting's link or code. Whether the meeting exists, and who may join it, the meeting's
/// own page says.
#[component]
pub fn JoinPage() -> impl IntoView {
    let i18n = use_i18n();
    let pasted = query_param("code");
    view! {
        <Page title=translated!(i18n, meetings.join_title)>
            {move || {
                let pasted = pasted.get();
                match code_in(&pasted) {
                    Some(code) => view! {
                        <Redirect
                            path=format!("/meet/{code}")
                            options=NavigateOptions { replace: true, ..Default::default() }
                        />
                    }
                    .into_any(),
                    None => {
                        let refused = !pasted.trim().is_empty();
                        view! { <JoinByCode pasted refused /> }.into_any()
                    }
                }
            }}
        </Page>
    }
}

/// A field for a meeting's link or code, and the button that goes there.
#[component]
pub fn JoinByCode(
    #[prop(optional)] pasted: String,
    /// What was pasted is not a meeting's link or code.
    #[prop(optional)]
    refused: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Form method="GET" action="/meet" attr:class="card" attr:aria-labelledby="join-by-code">
            <h2 id="join-by-code">{t!(i18n, meetings.join_heading)}</h2>
            <div class="field">
                <label for="meeting-code">{t!(i18n, meetings.join_code)}</label>
                <input
                    id="meeting-code"
                    name="code"
                    required
                    autocomplete="off"
                    value=pasted
                    aria-invalid=refused.then_some("true")
                    aria-describedby=refused.then_some("meeting-code-error")
                />
            </div>
            {refused.then(|| view! {
                <p id="meeting-code-error" role="alert" class="error">{t!(i18n, meetings.join_code_refused)}</p>
            })}
            <button type="submit">{t!(i18n, meetings.join_go)}</button>
        </Form>
    }
}
