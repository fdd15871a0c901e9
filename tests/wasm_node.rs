//! The WebAssembly build gives the same bits as the native one: the golden checksums (made by the
//! native CLI) must come out of the wasm32 build too. Runs under Node with
//! `cargo test --target wasm32-unknown-unknown --release --test wasm_node`.
#![cfg(target_arch = "wasm32")]

mod golden;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn golden_checksums_match_in_webassembly() {
    for &(config, steps, want) in golden::RUNS {
        let got = golden::checksum_after(config, steps);
        assert_eq!(got, want, "{config} after {steps} steps: wasm {got:016x}, native golden {want:016x}");
    }
}
