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

/// The plane view's resolution policy counts the grid's work in 64 bits: with a 32-bit usize the
/// product for the largest networks (8 layers of 1,024 with decorrelation, 16.8 M weights)
/// wrapped round to a small number, and the worker mapped a 64 x 64 grid through them (515 MiB).
#[wasm_bindgen_test]
fn plane_resolution_does_not_overflow_on_wasm32() {
    use np_playground::activation::Activation;
    use np_playground::loss::Loss;
    use np_playground::network::Network;
    use np_playground::rng::{Rng, Stream};
    use np_playground::view::plane;
    let net = |sizes: &[usize], decorrelated| {
        Network::new(sizes, Activation::Tanh, Loss::CrossEntropy, decorrelated, &mut Rng::stream(1, Stream::Init))
    };
    let mut huge = vec![2];
    huge.extend([1024; 8]);
    huge.push(2);
    assert_eq!(plane::resolution(&net(&huge, true)), None);
    assert_eq!(plane::resolution(&net(&[2, 1024, 1024, 2], false)), None);
    assert_eq!(plane::resolution(&net(&[2, 8, 8, 2], false)), Some(64));
}
