//! Keeps keyboard focus in place when an action redraws what held it. A submit button is
//! disabled while its form is sent, and a list is drawn anew when its data loads again: either
//! way the browser drops the focus to the start of the page, and someone using the keyboard
//! would have to find their place again. The control last focused is remembered by what it is
//! (its id, or its kind, text, link and form), and the same control, redrawn, gets the focus back.

/// Remembers the control last focused on any page; call once, in the app shell.
pub fn remember_focus() {
    #[cfg(feature = "hydrate")]
    browser::remember();
}

/// Gives the focus back to the control last focused, or to its redrawn twin, once the page has
/// been redrawn, unless the focus has moved on meanwhile.
pub fn restore_focus() {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(browser::restore);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlElement, HtmlInputElement};

    /// What a control is, to find it again once redrawn.
    #[derive(Clone, PartialEq)]
    struct Mark {
        id: String,
        tag: String,
        text: String,
        href: Option<String>,
        name: Option<String>,
        form: Option<Form>,
    }

    impl Mark {
        fn of(element: &Element) -> Self {
            Mark {
                id: element.id(),
                tag: element.tag_name(),
                text: element.text_content().unwrap_or_default().trim().to_owned(),
                href: element.get_attribute("href"),
                name: element.get_attribute("name"),
                form: element
                    .closest("form")
                    .ok()
                    .flatten()
                    .map(|form| Form::of(&form)),
            }
        }
    }

    /// A form by where it is sent and its hidden fields, which tell apart the forms of a
    /// list's rows.
    #[derive(Clone, PartialEq)]
    struct Form {
        action: Option<String>,
        hidden: Vec<String>,
    }

    impl Form {
        fn of(form: &Element) -> Self {
            let inputs = form.get_elements_by_tag_name("input");
            let hidden = (0..inputs.length())
                .filter_map(|at| inputs.item(at))
                .filter_map(|input| input.dyn_into::<HtmlInputElement>().ok())
                .filter(|input| input.type_() == "hidden")
                .map(|input| input.value())
                .collect();
            Form {
                action: form.get_attribute("action"),
                hidden,
            }
        }
    }

    thread_local! {
        static LAST: RefCell<Option<Mark>> = const { RefCell::new(None) };
    }

    pub fn remember() {
        let handle = window_event_listener(leptos::ev::focusin, |event| {
            if let Some(element) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                LAST.with(|last| *last.borrow_mut() = Some(Mark::of(&element)));
            }
        });
        // For the life of the page.
        std::mem::forget(handle);
    }

    pub fn restore() {
        let document = document();
        let lost = document
            .active_element()
            .is_none_or(|active| Some(&active) == document.body().as_deref());
        if !lost {
            return;
        }
        // A copy: focusing fires `focusin`, which writes it.
        let Some(mark) = LAST.with(|last| last.borrow().clone()) else {
            return;
        };
        let found = if mark.id.is_empty() {
            let same_kind = document.get_elements_by_tag_name(&mark.tag);
            (0..same_kind.length())
                .filter_map(|at| same_kind.item(at))
                .find(|element| Mark::of(element) == mark)
        } else {
            document.get_element_by_id(&mark.id)
        };
        if let Some(element) = found.and_then(|found| found.dyn_into::<HtmlElement>().ok()) {
            let _ = element.focus();
        }
    }
}
