//! The benchmark page's exports (built with the `bench` feature only): the workloads of
//! `run::workloads`, stepped exactly as the page's worker steps its trainer, and the bare matrix
//! product (the engine's kernel and the benchmark's reference kernel).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js_err, json};
use crate::run::Trainer;
use crate::run::workloads::{self, CASES, RULES};

/// A benchmark workload: a trainer on synthetic data with diagnostics off.
#[wasm_bindgen(js_name = BenchRun)]
pub struct BenchRun {
    inner: Trainer,
}

#[wasm_bindgen(js_class = BenchRun)]
impl BenchRun {
    #[wasm_bindgen(constructor)]
    pub fn new(case: usize, rule: usize) -> Result<BenchRun, JsError> {
        let case = CASES.get(case).ok_or_else(|| JsError::new("no such case"))?;
        let (_, rule) = RULES.get(rule).ok_or_else(|| JsError::new("no such rule"))?;
        Ok(BenchRun { inner: workloads::trainer(case, rule).map_err(js_err)? })
    }

    pub fn run(&mut self, steps: u32) -> Result<(), JsError> {
        self.inner.run(steps as u64).map_err(js_err)
    }
}

#[derive(Serialize)]
struct Plan {
    cases: Vec<PlanCase>,
    rules: Vec<&'static str>,
}

#[derive(Serialize)]
struct PlanCase {
    name: &'static str,
    sizes: &'static [usize],
    batch: usize,
    forward_macs: usize,
}

/// The benchmark cases and rules: `{"cases":[{"name","sizes","batch","forward_macs"}],"rules":[label...]}`.
#[wasm_bindgen(js_name = benchPlan)]
pub fn bench_plan() -> String {
    json(&Plan {
        cases: CASES
            .iter()
            .map(|c| PlanCase {
                name: c.name,
                sizes: c.sizes,
                batch: c.batch,
                forward_macs: workloads::forward_macs(c.sizes),
            })
            .collect(),
        rules: RULES.iter().map(|(label, _)| *label).collect(),
    })
}

/// Buffers for timing the matrix product from JavaScript: the engine's kernel and the
/// benchmark's reference kernel ([`crate::kernels::gemm_nn_bias_reference`]).
#[wasm_bindgen(js_name = MatmulBench)]
pub struct MatmulBench {
    a: Vec<f32>,
    b: Vec<f32>,
    bias: Vec<f32>,
    c: Vec<f32>,
    packed: Vec<f32>,
    shape: (usize, usize, usize),
}

#[wasm_bindgen(js_class = MatmulBench)]
impl MatmulBench {
    /// `c (m, n) = a (m, k) b (k, n) + bias`.
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize) -> MatmulBench {
        MatmulBench {
            a: (0..m * k).map(|i| (i % 13) as f32 * 0.01).collect(),
            b: (0..k * n).map(|i| (i % 7) as f32 * 0.01).collect(),
            bias: vec![0.0; n],
            c: vec![0.0; m * n],
            packed: Vec::new(),
            shape: (m, k, n),
        }
    }

    /// Runs the engine's product `reps` times.
    pub fn run(&mut self, reps: u32) {
        let (m, k, n) = self.shape;
        for _ in 0..reps {
            crate::kernels::gemm_nn_bias(&self.a, &self.b, &self.bias, &mut self.c, m, n, k);
        }
    }

    /// Runs the reference kernel's product `reps` times (the same bits as [`MatmulBench::run`]).
    #[wasm_bindgen(js_name = runReference)]
    pub fn run_reference(&mut self, reps: u32) {
        let (m, k, n) = self.shape;
        for _ in 0..reps {
            crate::kernels::gemm_nn_bias_reference(
                &self.a,
                &self.b,
                &self.bias,
                &mut self.c,
                m,
                n,
                k,
                &mut self.packed,
            );
        }
    }

    /// The kernel path the engine takes here ("portable": f32x4 `simd128` in WebAssembly).
    pub fn path() -> String {
        crate::kernels::Path::detect().name().to_string()
    }
}
