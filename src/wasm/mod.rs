//! The WebAssembly facade: the ONLY place that names wasm_bindgen, web_sys and js_sys. Thin
//! newtypes over the core; errors become JS errors with the core's message; structured answers
//! are the core's serde types as JSON.
//!
//! Two instances of this module run in the page: the worker's owns the runs ([`session`]), the
//! main thread's parses links and draws charts ([`page`], [`charts`];
//! plotters measures text through `window`, which a worker lacks). The benchmark page's exports
//! ([`bench`]) are built only with the `bench` feature.

#[cfg(feature = "bench")]
pub mod bench;
pub mod charts;
pub mod page;
pub mod session;
pub mod sweep;

use wasm_bindgen::prelude::*;

pub use charts::{draw_chart, draw_histogram};
pub use page::parse_fragment;
pub use session::{DataStore, Session};

/// Installed when the module starts (in both instances): a panic is reported on the console and
/// left where the page can read it (`self.npPanic`), before the instance traps. The page then
/// shows the message and replaces the instance (the worker, or the main thread's module).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&format!("NP Playground engine panic: {message}")));
        let _ = js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str("npPanic"), &JsValue::from_str(&message));
    }));
}

/// Panics with `message`: the test hook that proves the page survives a panic in either
/// instance (tests/e2e.test.mjs).
#[wasm_bindgen(js_name = testPanic)]
pub fn test_panic(message: &str) {
    panic!("{message}");
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The core's answer as JSON (its types serialise without fail: no maps with non-string keys).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the core's types serialise to JSON")
}
