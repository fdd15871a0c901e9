//! The worker's side: a handle on a [`LiveRun`] per run, and the data that does not come from the
//! seed (digits, an uploaded table), held in an explicit [`DataStore`] that each trainer is built
//! from.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js_err, json};
use crate::data::{Sources, csv, mnist};
use crate::run::{RunConfig, Trainer};
use crate::view::live::LiveRun;

/// The digits and the uploaded table a trainer may need (`data=mnist`, `data=upload`).
#[wasm_bindgen]
#[derive(Default)]
pub struct DataStore {
    digits: Option<mnist::Digits>,
    table: Option<csv::Table>,
}

#[wasm_bindgen]
impl DataStore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> DataStore {
        DataStore::default()
    }

    /// Keeps the MNIST file's digits (its bytes, as fetched by the page).
    #[wasm_bindgen(js_name = setDigits)]
    pub fn set_digits(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.digits = Some(mnist::parse(bytes).map_err(js_err)?);
        Ok(())
    }

    /// Keeps an uploaded table (the page checked it with `csvReport` first).
    #[wasm_bindgen(js_name = setUpload)]
    pub fn set_upload(&mut self, text: &str) -> Result<(), JsError> {
        self.table = Some(csv::parse_csv(text).map_err(js_err)?);
        Ok(())
    }
}

#[wasm_bindgen(js_name = Trainer)]
pub struct WasmTrainer {
    inner: LiveRun,
}

#[wasm_bindgen(js_class = Trainer)]
impl WasmTrainer {
    /// A trainer for a config string (`v=1&...`) shown under `label`; a bad string throws the
    /// codec's message.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str, label: &str, data: &DataStore) -> Result<WasmTrainer, JsError> {
        let cfg = RunConfig::parse(config).map_err(js_err)?;
        let sources = Sources { digits: data.digits.as_ref(), table: data.table.as_ref() };
        let trainer = Trainer::with_sources(cfg, &sources).map_err(js_err)?;
        Ok(WasmTrainer { inner: LiveRun::new(trainer, label) })
    }

    /// Runs up to `n` steps; stops early and throws when the run diverges.
    pub fn run(&mut self, n: u32) -> Result<u32, JsError> {
        self.inner.run(n).map_err(js_err)
    }

    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(&mut self, on: bool) {
        self.inner.trainer_mut().set_diagnostics(on);
    }

    pub fn steps(&self) -> f64 {
        self.inner.trainer().steps() as f64
    }

    /// The parameter checksum as 16 hex digits (the CLI prints the same).
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.inner.trainer().checksum())
    }

    /// The canonical config string of this run.
    pub fn config(&self) -> String {
        self.inner.trainer().config().to_string()
    }

    pub fn label(&self) -> String {
        self.inner.label().to_string()
    }

    /// `[n_0, n_1, ..., n_L]`.
    #[wasm_bindgen(js_name = layerSizes)]
    pub fn layer_sizes(&self) -> Vec<u32> {
        self.inner.trainer().network().sizes().into_iter().map(|s| s as u32).collect()
    }

    /// The summary as JSON (see `view::live::Summary`), re-evaluated when due: `now_ms` is the
    /// page's clock, `running` whether training is under way.
    pub fn summary(&mut self, now_ms: f64, running: bool) -> String {
        json(&self.inner.summary(now_ms, running))
    }

    /// History steps (decimated, bounded).
    #[wasm_bindgen(js_name = historySteps)]
    pub fn history_steps(&self) -> Float32Array {
        Float32Array::from(self.inner.history().steps())
    }

    /// History values, row-major `(points, columns)`, columns named by [`Self::history_columns`].
    #[wasm_bindgen(js_name = historyValues)]
    pub fn history_values(&self) -> Float32Array {
        Float32Array::from(self.inner.history().values())
    }

    #[wasm_bindgen(js_name = historyColumns)]
    pub fn history_columns(&self) -> Vec<String> {
        self.inner.history_columns()
    }

    /// Activations `h_l` of the last minibatch's clean pass, `(batch, n_l)`, for layer `l`
    /// (1-based like the math: 1..=L).
    pub fn activations(&self, layer: usize) -> Float32Array {
        Float32Array::from(self.inner.activations(layer))
    }

    /// The grid resolution of the decision boundary for this network.
    #[wasm_bindgen(js_name = planeResolution)]
    pub fn plane_resolution(&self) -> usize {
        self.inner.plane_resolution()
    }

    /// Class-1 probability over a `res x res` grid of the plane (row 0 at the top).
    pub fn plane(&mut self, res: usize) -> Result<Float32Array, JsError> {
        let view = self.inner.plane(res, 0).ok_or_else(|| JsError::new("the plane view needs 2-D data"))?;
        Ok(Float32Array::from(&view.prob[..]))
    }

    /// The first `max_units` units of every hidden layer over a `res x res` grid of the plane,
    /// `(units, res * res)`, layer by layer.
    #[wasm_bindgen(js_name = unitMaps)]
    pub fn unit_maps(&mut self, res: usize, max_units: usize) -> Result<Float32Array, JsError> {
        let view = self.inner.plane(res, max_units).ok_or_else(|| JsError::new("the plane view needs 2-D data"))?;
        Ok(Float32Array::from(&view.units[..]))
    }

    /// How many units of each hidden layer the page shows as thumbnails.
    #[wasm_bindgen(js_name = unitMapsPerLayer)]
    pub fn unit_maps_per_layer(&self) -> usize {
        self.inner.unit_maps_per_layer()
    }

    /// `count` test samples spread evenly over the test set, as `[label, predicted, pixels...]`.
    #[wasm_bindgen(js_name = testSamples)]
    pub fn test_samples(&mut self, count: usize) -> Float32Array {
        Float32Array::from(&self.inner.test_samples(count)[..])
    }

    /// Data points of 2-D data as `[x, y, label, is_test]` quadruples.
    pub fn points(&self) -> Float32Array {
        Float32Array::from(&self.inner.points()[..])
    }

    /// What the last step did to sample `sample` of its minibatch (JSON), or undefined.
    pub fn probe(&self, sample: usize) -> Option<String> {
        self.inner.probe(sample).map(|p| json(&p))
    }
}
