//! The WebAssembly facade: the ONLY place that names wasm_bindgen, web_sys and js_sys. Thin
//! newtypes over the core; errors become JS errors with the core's message.
//!
//! Two instances of this module run in the page: the worker's owns a [`WasmTrainer`], the main
//! thread's draws charts (plotters measures text through `window`, which a worker lacks).

use js_sys::{Float32Array, Uint8ClampedArray};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;

use crate::config::{KEYS, NoiseMode, Rule, RunConfig};
use crate::history::History;
use crate::json::{self, Obj};
use crate::plot::{self, PALETTE, Series};
use crate::train::Trainer;
use crate::{activation::Activation, plane, probe};

/// Points kept per curve (older points are thinned as the run grows).
const HISTORY_POINTS: usize = 600;

/// Live curves evaluate on at most this many samples of each set (a fixed subset spread evenly).
const EVAL_MAX: usize = 2000;

thread_local! {
    /// The MNIST subset, once the page has fetched it (see [`set_digits`]).
    static DIGITS: std::cell::RefCell<Option<crate::mnist::Digits>> = const { std::cell::RefCell::new(None) };
}

thread_local! {
    /// The uploaded table, once the learner has loaded a CSV (see [`set_upload`]).
    static UPLOAD: std::cell::RefCell<Option<crate::userdata::Table>> = const { std::cell::RefCell::new(None) };
}

/// Parses an uploaded CSV and keeps it for `data=upload`. Returns
/// `{"ok":true,"rows","dim","classes","class_names","fits_in_url","pts"}` (`pts`: the points'
/// string when the table fits in a link) or `{"ok":false,"problems":[{"line","message"}]}`.
#[wasm_bindgen(js_name = setUpload)]
pub fn set_upload(csv: &str) -> String {
    match crate::userdata::parse_csv(csv) {
        Ok(t) => {
            let fits = crate::userdata::fits_in_url(&t);
            let pts = if fits {
                crate::userdata::table_to_points(&t).map(|p| crate::userdata::encode_points(&p))
            } else {
                None
            };
            let o = Obj::new()
                .bool("ok", true)
                .num("rows", t.rows() as f64)
                .num("dim", t.dim as f64)
                .num("classes", t.classes as f64)
                .raw("class_names", &json::list(t.class_names.iter().map(|n| json::string(n))))
                .bool("fits_in_url", fits && pts.is_some())
                .raw("pts", &pts.map_or("null".into(), |p| json::string(&p)))
                .end();
            UPLOAD.with(|u| *u.borrow_mut() = Some(t));
            o
        }
        Err(e) => Obj::new()
            .bool("ok", false)
            .raw(
                "problems",
                &json::list(
                    e.problems.iter().map(|p| Obj::new().num("line", p.line as f64).str("message", &p.message).end()),
                ),
            )
            .str("summary", &e.to_string())
            .end(),
    }
}

/// The point string for `[x, y, label, ...]` triples (what `pts` holds).
#[wasm_bindgen(js_name = encodePoints)]
pub fn encode_points(triples: &[f32]) -> Result<String, JsError> {
    let points: Vec<crate::userdata::Point> = triples
        .chunks_exact(3)
        .map(|t| crate::userdata::Point { x: t[0], y: t[1], label: (t[2] > 0.5) as u8 })
        .collect();
    if points.len() > crate::userdata::MAX_URL_POINTS {
        return Err(JsError::new(&format!("at most {} points fit in a link", crate::userdata::MAX_URL_POINTS)));
    }
    Ok(if points.is_empty() { String::new() } else { crate::userdata::encode_points(&points) })
}

/// `[x, y, label, ...]` triples of a point string (what `pts` holds), in its order.
#[wasm_bindgen(js_name = decodePoints)]
pub fn decode_points(pts: &str) -> Result<Vec<f32>, JsError> {
    let points = crate::userdata::decode_points_or_empty(pts).map_err(js_err)?;
    Ok(points.iter().flat_map(|p| [p.x, p.y, p.label as f32]).collect())
}

/// Hands this wasm instance the MNIST file's bytes; later trainers with `data=mnist` use them.
#[wasm_bindgen(js_name = setDigits)]
pub fn set_digits(bytes: &[u8]) -> Result<(), JsError> {
    let d = crate::mnist::parse(bytes).map_err(js_err)?;
    DIGITS.with(|cell| *cell.borrow_mut() = Some(d));
    Ok(())
}

/// Weight of the newest step in the moving averages of the step statistics (about 30 steps).
const SMOOTHING: f32 = 1.0 / 30.0;

/// History columns before the per-layer alignment.
const COLS: [&str; 7] =
    ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "batch_loss", "d_loss", "alignment_all"];

#[wasm_bindgen(js_name = Trainer)]
pub struct WasmTrainer {
    inner: Trainer,
    history: History,
    plane: plane::PlaneView,
    eval_trace: crate::network::Trace,
    latest: Vec<f32>,
    /// Moving averages of the step statistics (single-batch alignment is very noisy).
    smoothed: crate::metrics::Smoothed,
    /// Step of the latest evaluation.
    evaluated_at: u64,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen(js_class = Trainer)]
impl WasmTrainer {
    /// A trainer for a config string (`v=1&...`); a bad string throws the codec's message.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<WasmTrainer, JsError> {
        let cfg = RunConfig::parse(config).map_err(js_err)?;
        let inner = DIGITS
            .with(|d| {
                UPLOAD.with(|u| {
                    Trainer::with_external(
                        cfg,
                        &crate::data::External { digits: d.borrow().as_ref(), table: u.borrow().as_ref() },
                    )
                })
            })
            .map_err(js_err)?;
        let n_layers = inner.network().n_layers();
        // A history point evaluates `eval` samples, about the forward work of `eval / batch`
        // steps: where that is more than a trifle (2 MFLOP), record only every that-many steps.
        let eval = inner.data().train.len().min(EVAL_MAX) + inner.data().test.len().min(EVAL_MAX);
        let eval_flops = 2 * eval * crate::bench::forward_macs(&inner.network().sizes());
        let stride = if eval_flops <= 2_000_000 {
            1
        } else {
            ((eval / inner.config().batch_size).max(1) as u64).next_power_of_two()
        };
        let mut t = WasmTrainer {
            inner,
            history: History::with_stride(COLS.len() + n_layers, HISTORY_POINTS, stride),
            plane: Default::default(),
            eval_trace: Default::default(),
            latest: Vec::new(),
            smoothed: crate::metrics::Smoothed::new(n_layers, SMOOTHING),
            evaluated_at: u64::MAX,
        };
        t.record();
        Ok(t)
    }

    /// Runs up to `n` steps; stops early and throws when the run diverges.
    pub fn run(&mut self, n: u32) -> Result<u32, JsError> {
        for i in 0..n {
            match self.inner.step() {
                Ok(s) => self.smoothed.add(s),
                Err(e) => {
                    self.record();
                    return Err(js_err(format!("{e} (after {i} of {n} steps of this slice)")));
                }
            }
            if self.history.wants(self.inner.steps()) {
                self.record();
            }
        }
        Ok(n)
    }

    /// Evaluates and appends one history point at the current step.
    fn record(&mut self) {
        let ev = self.inner.evaluate_first(EVAL_MAX);
        self.evaluated_at = self.inner.steps();
        let mut row = vec![ev.train.loss, ev.test.loss, ev.train.accuracy, ev.test.accuracy];
        row.extend_from_slice(self.smoothed.values());
        self.history.record(self.inner.steps(), &row);
        self.latest = row;
    }

    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(&mut self, on: bool) {
        self.inner.set_diagnostics(on);
    }

    pub fn steps(&self) -> f64 {
        self.inner.steps() as f64
    }

    /// The parameter checksum as 16 hex digits (the CLI prints the same).
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.inner.checksum())
    }

    /// The canonical config string of this run.
    pub fn config(&self) -> String {
        self.inner.config().to_string()
    }

    /// `[n_0, n_1, ..., n_L]`.
    #[wasm_bindgen(js_name = layerSizes)]
    pub fn layer_sizes(&self) -> Vec<u32> {
        self.inner.network().sizes().into_iter().map(|s| s as u32).collect()
    }

    /// Small JSON summary: step, epoch, checksum, the latest evaluation (made now when `fresh`,
    /// else the latest history point's) and step statistics.
    pub fn summary(&mut self, fresh: bool) -> String {
        if fresh && self.evaluated_at != self.inner.steps() {
            self.record();
        }
        let s = self.inner.last_stats();
        let mut o = Obj::new()
            .num("step", self.inner.steps() as f64)
            .num("epoch", self.inner.epoch())
            .str("checksum", &self.checksum());
        for (k, v) in COLS.iter().zip(&self.latest) {
            o = o.f32(k, *v);
        }
        o.num("evaluated_at", self.evaluated_at as f64)
            .num("eval_train", self.inner.data().train.len().min(EVAL_MAX) as f64)
            .num("train_size", self.inner.data().train.len() as f64)
            .opt_f32s("alignment", s.alignment.as_deref())
            .raw("diverged", &self.inner.diverged().map_or("null".into(), |e| json::string(&e.to_string())))
            .end()
    }

    /// History steps (decimated, bounded).
    #[wasm_bindgen(js_name = historySteps)]
    pub fn history_steps(&self) -> Float32Array {
        Float32Array::from(self.history.steps())
    }

    /// History values, row-major `(points, columns)`: train loss, test loss, train accuracy,
    /// test accuracy, then moving averages (over about 1/SMOOTHING steps) of the batch loss, dL,
    /// the overall alignment and the alignment per layer.
    #[wasm_bindgen(js_name = historyValues)]
    pub fn history_values(&self) -> Float32Array {
        Float32Array::from(self.history.values())
    }

    #[wasm_bindgen(js_name = historyWidth)]
    pub fn history_width(&self) -> u32 {
        self.history.width() as u32
    }

    /// Activations `h_l` of the last minibatch's clean pass, `(batch, n_l)`, for layer `l`
    /// (1-based like the math: 1..=L).
    pub fn activations(&self, layer: usize) -> Float32Array {
        let ws = self.inner.workspace();
        let t = &ws.trace;
        match t.layers.get(layer.wrapping_sub(1)) {
            Some(lt) if t.batch > 0 => Float32Array::from(t.pass_rows(&lt.h, 0)),
            _ => Float32Array::new_with_length(0),
        }
    }

    /// Class-1 probability over a `res x res` grid of the plane (row 0 at the top); also computes
    /// the hidden-unit maps returned by [`WasmTrainer::unit_maps`].
    pub fn plane(&mut self, res: usize) -> Result<Float32Array, JsError> {
        if self.inner.network().layers[0].n_in() != 2 {
            return Err(JsError::new("the plane view needs 2-D data"));
        }
        let res = res.clamp(4, 256);
        self.plane = plane::view(self.inner.network(), res, &mut self.eval_trace);
        Ok(Float32Array::from(&self.plane.prob[..]))
    }

    /// Every hidden unit's output over the grid of the last [`WasmTrainer::plane`] call,
    /// `(hidden units, res * res)`.
    #[wasm_bindgen(js_name = unitMaps)]
    pub fn unit_maps(&self) -> Float32Array {
        Float32Array::from(&self.plane.units[..])
    }

    /// The grid resolution the plane view should use: 64 x 64 unless the network is so large that
    /// the grid's forward pass would cost more than about 20 MFLOP (then 32 or 16).
    #[wasm_bindgen(js_name = planeResolution)]
    pub fn plane_resolution(&self) -> usize {
        let params: usize = self.inner.network().layers.iter().map(|l| l.w.len()).sum();
        [64usize, 32, 16].into_iter().find(|r| r * r * params * 2 <= 20_000_000).unwrap_or(16)
    }

    /// `count` test samples spread evenly over the test set (which is ordered by class for the
    /// digits), as `[label, predicted, pixels...]` records.
    #[wasm_bindgen(js_name = testSamples)]
    pub fn test_samples(&mut self, count: usize) -> Float32Array {
        let total = self.inner.data().test.len();
        let n = count.min(total);
        let mut v = Vec::new();
        for k in 0..n {
            let i = k * total / n + (total / n) / 2;
            let label = self.inner.data().test.y[i] as f32;
            let predicted = self.inner.predict_test(i) as f32;
            v.push(label);
            v.push(predicted);
            v.extend_from_slice(self.inner.data().test.row(i));
        }
        Float32Array::from(&v[..])
    }

    /// Data points as `[x, y, label, is_test]` quadruples.
    pub fn points(&self) -> Float32Array {
        let d = self.inner.data();
        let mut v = Vec::with_capacity(4 * (d.train.len() + d.test.len()));
        for (set, flag) in [(&d.train, 0.0), (&d.test, 1.0)] {
            for i in 0..set.len() {
                let r = set.row(i);
                v.extend_from_slice(&[r[0], r[1], set.y[i] as f32, flag]);
            }
        }
        Float32Array::from(&v[..])
    }

    /// What the last step did to sample `sample` of its minibatch (JSON), or undefined.
    pub fn probe(&self, sample: usize) -> Option<String> {
        probe::probe_json(&self.inner, sample)
    }
}

/// Parses a URL fragment for the page: `{"ok":true,"config":canonical,"at":N|null,"compare":[rules]}`
/// or `{"ok":false,"key","value","message"}`. Besides the config keys the page's own keys are
/// accepted: `at` (train N steps, then pause) and `compare` (up to three more rules to run in
/// lockstep from the identical seed, e.g. `compare=inp,anp`).
#[wasm_bindgen(js_name = parseFragment)]
pub fn parse_fragment(fragment: &str) -> String {
    let fail = |key: &str, value: &str, message: &str| {
        Obj::new()
            .bool("ok", false)
            .str("key", key)
            .str("value", &value.chars().take(40).collect::<String>())
            .str("message", message)
            .end()
    };
    match RunConfig::parse_with_extras(fragment, &["at", "compare"]) {
        Ok((cfg, extras)) => {
            let mut at = "null".to_string();
            let mut compare: Vec<(String, String)> = Vec::new();
            for (k, v) in extras {
                match k.as_str() {
                    "at" => match v.parse::<u64>() {
                        Ok(n) if n <= 10_000_000 => at = n.to_string(),
                        _ => return fail("at", &v, "expected a whole number of steps from 0 to 10000000"),
                    },
                    _ => {
                        for item in v.split(',').filter(|s| !s.is_empty()) {
                            match compare_variant(&cfg, item) {
                                Ok(variant) => {
                                    if variant == cfg.to_string() || compare.iter().any(|(_, c)| *c == variant) {
                                        return fail(
                                            "compare",
                                            &v,
                                            &format!(
                                                "{item} is listed twice (the run's own settings are always shown)"
                                            ),
                                        );
                                    }
                                    compare.push((item.to_string(), variant));
                                }
                                Err(message) => return fail("compare", &v, &message),
                            }
                        }
                        if compare.len() > 3 {
                            return fail("compare", &v, "at most three runs besides the page's own");
                        }
                    }
                }
            }
            Obj::new()
                .bool("ok", true)
                .str("config", &cfg.to_string())
                .raw("at", &at)
                .raw(
                    "compare",
                    &json::list(
                        compare
                            .iter()
                            .map(|(label, config)| Obj::new().str("label", label).str("config", config).end()),
                    ),
                )
                .end()
        }
        Err(e) => fail(&e.key, &e.value, &e.message),
    }
}

/// One `compare` item, `rule[:blind|:clean][:kN]` (e.g. `inp`, `anp:blind`, `np:k4`): the run's
/// config with that rule, noise mode and number of draws, validated like any config.
fn compare_variant(cfg: &RunConfig, item: &str) -> Result<String, String> {
    let mut parts = item.split(':');
    let name = parts.next().unwrap_or_default();
    let mut c = cfg.clone();
    c.rule =
        Rule::from_key(name).ok_or_else(|| format!("{name} is not a rule; expected e.g. inp, anp:blind or np:k4"))?;
    for p in parts {
        match p {
            "blind" => c.mode = NoiseMode::Blind,
            "clean" => c.mode = NoiseMode::Clean,
            k if k.starts_with('k') => {
                c.draws = k[1..]
                    .parse()
                    .ok()
                    .filter(|d| (1..=crate::config::MAX_DRAWS).contains(d))
                    .ok_or_else(|| format!("{p}: expected k1 to k{}", crate::config::MAX_DRAWS))?;
            }
            _ => return Err(format!("{p}: expected blind, clean or kN after the rule")),
        }
    }
    // The decorrelation matrices exist only in D-variants, so the run is rebuilt from its string.
    let text = c.to_string();
    RunConfig::parse(&text).map_err(|e| format!("{item}: {}", e.message))?;
    Ok(text)
}

/// The key table: `[{"key","help","default"}]`.
#[wasm_bindgen(js_name = configKeys)]
pub fn config_keys() -> String {
    let d = RunConfig::default();
    json::list(KEYS.iter().map(|k| {
        Obj::new().str("key", k.key).str("help", k.help).str("default", &d.get(k.key).unwrap_or_default()).end()
    }))
}

/// Why `rule` cannot run with activation `act` and noise mode `mode`, if it cannot.
#[wasm_bindgen(js_name = ruleUnavailable)]
pub fn rule_unavailable(rule: &str, act: &str, mode: &str) -> Option<String> {
    let rule = Rule::from_key(rule)?;
    let act = Activation::from_key(act)?;
    let mode = if mode == "blind" { NoiseMode::Blind } else { NoiseMode::Clean };
    rule.unavailable_reason(act, mode)
}

/// Colours a grid of values (divided by `scale`, so `scale` maps to full colour) as RGBA pixels.
#[wasm_bindgen]
pub fn rgba(values: &[f32], scale: f32) -> Uint8ClampedArray {
    let s = if scale > 0.0 { 1.0 / scale } else { 1.0 };
    let scaled: Vec<f32> = values.iter().map(|v| v * s).collect();
    let mut out = Vec::new();
    plane::rgba(&scaled, &mut out);
    Uint8ClampedArray::from(&out[..])
}

fn canvas(id: &str) -> Result<CanvasBackend, JsError> {
    CanvasBackend::new(id).ok_or_else(|| JsError::new(&format!("no canvas with id {id}")))
}

/// Draws named curves `(points, series)` row-major against `steps` into canvas `id`; returns
/// `[left px, right px, first step, last step]` for hover read-outs.
#[wasm_bindgen(js_name = drawCurves)]
pub fn draw_curves(
    id: &str,
    title: &str,
    steps: &[f32],
    values: &[f32],
    names: Vec<String>,
    log_y: bool,
    fixed_unit_range: bool,
) -> Result<Vec<f64>, JsError> {
    let width = names.len().max(1);
    let columns: Vec<Vec<f32>> = (0..width).map(|j| values.iter().skip(j).step_by(width).copied().collect()).collect();
    let series: Vec<Series> = names
        .iter()
        .zip(&columns)
        .enumerate()
        .map(|(i, (n, ys))| Series { name: n, color: PALETTE[i % PALETTE.len()], ys })
        .collect();
    let root = canvas(id)?.into_drawing_area();
    let range = fixed_unit_range.then_some((if title.contains("alignment") { -0.2 } else { 0.0 }, 1.0));
    let map = plot::line_chart(&root, title, steps, &series, log_y, range).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(map.to_vec())
}

/// Draws a histogram of `values` into canvas `id`.
#[wasm_bindgen(js_name = drawHistogram)]
pub fn draw_histogram(id: &str, title: &str, values: &[f32], bins: usize) -> Result<(), JsError> {
    let root = canvas(id)?.into_drawing_area();
    plot::histogram(&root, title, values, bins.clamp(2, 100), PALETTE[0]).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(())
}

/// The CLI command that replays `config` for `steps` steps.
#[wasm_bindgen(js_name = cliCommand)]
pub fn cli_command(config: &str, steps: f64) -> String {
    format!("cargo run --release -- run '{}' --steps {} --json", config.replace('\'', ""), steps as u64)
}

/// A benchmark workload (see `bench::CASES` and `bench::RULES`): a trainer on synthetic data
/// with diagnostics off, stepped exactly as the page's worker steps its trainer.
#[wasm_bindgen(js_name = BenchRun)]
pub struct BenchRun {
    inner: Trainer,
}

#[wasm_bindgen(js_class = BenchRun)]
impl BenchRun {
    #[wasm_bindgen(constructor)]
    pub fn new(case: usize, rule: usize) -> Result<BenchRun, JsError> {
        let case = crate::bench::CASES.get(case).ok_or_else(|| JsError::new("no such case"))?;
        let (_, rule) = crate::bench::RULES.get(rule).ok_or_else(|| JsError::new("no such rule"))?;
        Ok(BenchRun { inner: crate::bench::trainer(case, rule).map_err(js_err)? })
    }

    pub fn run(&mut self, steps: u32) -> Result<(), JsError> {
        self.inner.run(steps as u64).map_err(js_err)
    }
}

/// The benchmark cases and rules: `{"cases":[{"name","sizes","batch"}],"rules":[label...]}`.
#[wasm_bindgen(js_name = benchPlan)]
pub fn bench_plan() -> String {
    let cases = json::list(crate::bench::CASES.iter().map(|c| {
        Obj::new()
            .str("name", c.name)
            .raw("sizes", &json::list(c.sizes.iter().map(|s| s.to_string())))
            .num("batch", c.batch as f64)
            .num("forward_macs", crate::bench::forward_macs(c.sizes) as f64)
            .end()
    }));
    let rules = json::list(crate::bench::RULES.iter().map(|(label, _)| json::string(label)));
    Obj::new().raw("cases", &cases).raw("rules", &rules).end()
}

/// Buffers for timing the matrix product from JavaScript.
#[wasm_bindgen(js_name = MatmulBench)]
pub struct MatmulBench {
    a: Vec<f32>,
    b: Vec<f32>,
    bias: Vec<f32>,
    c: Vec<f32>,
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
            shape: (m, k, n),
        }
    }

    /// Runs the product `reps` times.
    pub fn run(&mut self, reps: u32) {
        let (m, k, n) = self.shape;
        for _ in 0..reps {
            crate::kernels::gemm_nn_bias(&self.a, &self.b, &self.bias, &mut self.c, m, n, k);
        }
    }
}
