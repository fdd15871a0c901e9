//! The WebAssembly facade: the ONLY place that names wasm_bindgen, web_sys and js_sys. Thin
//! newtypes over the core; errors become JS errors with the core's message; structured answers
//! are the core's serde types as JSON.
//!
//! Two instances of this module run in the page: the worker's owns the trainers
//! ([`trainer`]), the main thread's parses links and draws charts ([`page`], [`charts`];
//! plotters measures text through `window`, which a worker lacks). The benchmark page's exports
//! ([`bench`]) are built only with the `bench` feature.

#[cfg(feature = "bench")]
pub mod bench;
pub mod charts;
pub mod page;
pub mod trainer;

use wasm_bindgen::JsError;

pub use charts::{draw_curves, draw_histogram};
pub use page::parse_fragment;
pub use trainer::{DataStore, WasmTrainer};

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The core's answer as JSON (its types serialise without fail: no maps with non-string keys).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the core's types serialise to JSON")
}
