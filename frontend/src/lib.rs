//! The browser entry point: hydrates the server-rendered page, after loading the code of the
//! page being shown (pages are split into chunks of their own).

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::document;

    console_error_panic_hook::set_once();
    // Futures run on the browser's task queue; an error only means this is already so.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let native_clicks = NativeClicks::until_dropped();
    leptos::task::spawn_local(async move {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        drop(native_clicks);
        // Lets tests and scripts wait for the page to become interactive.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}

/// Keeps clicks away from the router while the page hydrates. The router listens from the
/// moment the app is built, before the page's own code has loaded; a link it took then left
/// the page as it was until that code had loaded. Meanwhile a click does what it does in the
/// server-rendered page: a link loads its page, a button sends its form.
#[cfg(target_arch = "wasm32")]
struct NativeClicks {
    listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

#[cfg(target_arch = "wasm32")]
impl NativeClicks {
    const CAPTURE: bool = true;

    fn until_dropped() -> Self {
        use wasm_bindgen::JsCast;
        // Stopped on the way down at the window, a click reaches no listener, the router's
        // included, while the browser still follows the link or submits the form.
        let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(
            |event: web_sys::Event| event.stop_propagation(),
        );
        let _ = leptos::prelude::window().add_event_listener_with_callback_and_bool(
            "click",
            listener.as_ref().unchecked_ref(),
            Self::CAPTURE,
        );
        Self { listener }
    }
}

#[cfg(target_arch = "wasm32")]
impl Drop for NativeClicks {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = leptos::prelude::window().remove_event_listener_with_callback_and_bool(
            "click",
            self.listener.as_ref().unchecked_ref(),
            Self::CAPTURE,
        );
    }
}
