//! The worker's side: a handle on the [`Session`] of runs the page shows (its own first, then the
//! compared ones), and the data that does not come from the seed (digits, an uploaded table),
//! held in an explicit [`DataStore`] that every session is built from.

use std::cell::Cell;

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js_err, json};
use crate::data::{DataSet, Sources, csv, mnist};
use crate::run::{RunConfig, runfile};
use crate::view::session::{self, Advance};

/// An uploaded table as kept: parsed once, with its text as read (what a run file carries).
struct Kept {
    table: csv::Table,
    text: String,
}

/// The digits and the uploaded tables a run may need (`data=mnist`, `data=upload`). Each table is
/// parsed once, when it arrives, and kept across sessions (Reset, New seed, a setting change);
/// a run finds its table by the id its config names. At most two are kept: the one the last
/// session was built on and the newest (a table the page then refuses leaves the running one).
#[wasm_bindgen]
#[derive(Default)]
pub struct DataStore {
    digits: Option<mnist::Digits>,
    tables: Vec<Kept>,
    /// The id of the table the last session was built on.
    in_use: Cell<Option<u64>>,
}

impl DataStore {
    /// The digits, once the page handed them over.
    pub(crate) fn digits(&self) -> Option<&mnist::Digits> {
        self.digits.as_ref()
    }

    /// The table `config` trains on: the one it names, or for a config naming none (a link from
    /// before the `table` key) the newest; an error says which table is missing.
    fn table_for(&self, config: &RunConfig) -> Result<Option<&Kept>, JsError> {
        if config.data != DataSet::Upload {
            return Ok(None);
        }
        match config.table {
            None => Ok(self.tables.last()),
            Some(id) => self.tables.iter().find(|k| k.table.id == id).map(Some).ok_or_else(|| {
                JsError::new(&format!(
                    "table={id:016x}: this run's table is not loaded: upload it again, or import the run's exported file (it holds the table)"
                ))
            }),
        }
    }

    /// Keeps `table`, dropping every other except the one in use.
    fn keep(&mut self, table: csv::Table, text: String) {
        let in_use = self.in_use.get();
        self.tables.retain(|k| Some(k.table.id) == in_use && k.table.id != table.id);
        self.tables.push(Kept { table, text });
    }
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

    /// Reads an uploaded file's bytes once and keeps its table when it parses (a file that does
    /// not leaves the tables as they were). Returns the report as JSON (see `data::csv::Report`):
    /// `{"ok":true,"rows","dim","classes","class_names","fits_in_url","pts","table","note"}` or
    /// `{"ok":false,"problems":[{"line","message"}],"more","summary"}`.
    #[wasm_bindgen(js_name = loadTable)]
    pub fn load_table(&mut self, bytes: &[u8]) -> String {
        let (report, parsed) = csv::load(bytes);
        if let Some((table, text)) = parsed {
            self.keep(table, text);
        }
        json(&report)
    }

    /// Whether the table with id `id` (16 hex digits) is kept.
    #[wasm_bindgen(js_name = hasTable)]
    pub fn has_table(&self, id: &str) -> bool {
        csv::parse_table_id(id).is_some_and(|id| self.tables.iter().any(|k| k.table.id == id))
    }

    /// A run file (JSON text) of the page's link `fragment` at step `step`, with each run's label
    /// and checksum (`labels[i]`, `checksums[i]`: the runs of the link in the page's order; an
    /// empty checksum when unknown) and, for `data=upload`, the kept table the link names (or the
    /// newest); see `run::runfile::write`.
    #[wasm_bindgen(js_name = writeRunFile)]
    pub fn write_run_file(
        &self,
        fragment: &str,
        step: f64,
        labels: Vec<String>,
        checksums: Vec<String>,
    ) -> Result<String, JsError> {
        let link = runfile::link_of(fragment).map_err(js_err)?;
        let kept = self.table_for(&link.config)?;
        runfile::write(&link, &runfile::runs_of(step, labels, checksums), kept.map(|k| (&k.table, k.text.as_str())))
            .map_err(js_err)
    }

    /// Reads a run file (its text; see `run::runfile::read`) and keeps its table, if it has one,
    /// parsed once: the reply (JSON, see `run::runfile::Reply`: `{"ok", "version", "fragment"
    /// (the link to open, with at=step), "step", "checksums": [{"label", "checksum"}], "table"
    /// (its id), "csv", "problems": [{"field", "message"}]}`) then leaves `csv` null.
    #[wasm_bindgen(js_name = readRunFile)]
    pub fn read_run_file(&mut self, text: &str) -> String {
        let (mut reply, table) = runfile::read(text);
        if let Some((table, text)) = table {
            self.keep(table, text);
            reply.csv = None;
        }
        reply.to_json()
    }
}

#[wasm_bindgen]
pub struct Session {
    inner: session::Session,
}

/// `f` on run `i` (0: the page's own), or an error naming the index.
fn run<T>(s: &Session, i: usize, f: impl FnOnce(&crate::view::live::LiveRun) -> T) -> Result<T, JsError> {
    s.inner.runs().get(i).map(f).ok_or_else(|| JsError::new(&format!("no run {i}")))
}

fn run_mut<T>(s: &mut Session, i: usize, f: impl FnOnce(&mut crate::view::live::LiveRun) -> T) -> Result<T, JsError> {
    s.inner.runs_mut().get_mut(i).map(f).ok_or_else(|| JsError::new(&format!("no run {i}")))
}

#[wasm_bindgen]
impl Session {
    /// The runs `labels[i]` of `configs[i]` (the page's own first) on the data in `data`; a bad
    /// config, or runs too large together, throw the core's message naming the key. (Two string
    /// arrays rather than JSON: the module then needs no JSON reader.)
    #[wasm_bindgen(constructor)]
    pub fn new(labels: Vec<String>, configs: Vec<String>, data: &DataStore) -> Result<Session, JsError> {
        if labels.len() != configs.len() {
            return Err(JsError::new("Session: labels and configs do not match"));
        }
        let runs = labels
            .into_iter()
            .zip(configs)
            .map(|(label, config)| RunConfig::parse(&config).map(|c| (label, c)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(js_err)?;
        let kept = match runs.first() {
            Some((_, c)) => data.table_for(c)?,
            None => None,
        };
        let sources = Sources { digits: data.digits.as_ref(), table: kept.map(|k| &k.table) };
        let inner = session::Session::new(&runs, &sources).map_err(js_err)?;
        data.in_use.set(kept.map(|k| k.table.id));
        Ok(Session { inner })
    }

    /// Works toward `target` steps (every run, in lockstep) for about `budget_ms` milliseconds on
    /// `clock` (the page's `performance.now`): returns 0 when done, 1 when out of time (call
    /// again), 2 when a run diverged, 3 when a run's loss climbed far above its start (pause and
    /// show `takeWarning`).
    pub fn advance(&mut self, target: f64, budget_ms: f64, clock: &js_sys::Function) -> u8 {
        let mut now = || clock.call0(&JsValue::NULL).ok().and_then(|v| v.as_f64()).unwrap_or_else(js_sys::Date::now);
        let deadline = now() + budget_ms;
        let target = if target.is_finite() { target.max(0.0) as u64 } else { u64::MAX };
        match self.inner.advance(target, &mut now, deadline) {
            Advance::Done => 0,
            Advance::Yielded => 1,
            Advance::Diverged => 2,
            Advance::Warned => 3,
        }
    }

    /// The curve of history column `column` over the runs `runs` (one rule's seeds) against
    /// `xaxis` (steps, passes or seconds), as `[x..., mean..., lo..., hi...]` (four blocks of
    /// equal length; lo and hi equal the mean for a single run); empty for an unknown column.
    pub fn curve(&self, runs: Vec<u32>, column: &str, xaxis: &str) -> Float32Array {
        let runs: Vec<usize> = runs.into_iter().map(|i| i as usize).collect();
        let Some(c) = self.inner.curve(&runs, column, xaxis) else { return Float32Array::new_with_length(0) };
        let (lo, hi) = if c.lo.is_empty() { (&c.mean, &c.mean) } else { (&c.lo, &c.hi) };
        let v: Vec<f32> = c.x.iter().chain(&c.mean).chain(lo).chain(hi).copied().collect();
        Float32Array::from(&v[..])
    }

    /// A warning not yet shown (a loss climbing far above its start), if any.
    #[wasm_bindgen(js_name = takeWarning)]
    pub fn take_warning(&mut self) -> Option<String> {
        self.inner.take_warning()
    }

    /// Whether an evaluation is under way (the figures are not yet of the current step).
    pub fn busy(&self) -> bool {
        self.inner.busy()
    }

    /// The evaluations under way as `[step, samples scored, samples in all]` (the earliest step,
    /// samples over every run), when they are long (more than `view::live::LONG_EVAL`
    /// multiply-adds in all, so the page shows their progress); undefined otherwise.
    pub fn evaluating(&self) -> Option<Vec<f64>> {
        let e = self.inner.evaluation().filter(|e| e.long())?;
        Some(vec![e.step as f64, e.done as f64, e.total as f64])
    }

    /// Abandons every long evaluation under way, so that a command moving training on (Play,
    /// Step, a replay) is obeyed at once; returns how many were abandoned.
    pub fn preempt(&mut self) -> usize {
        self.inner.preempt()
    }

    /// Changes whenever what a snapshot shows may have changed (a step, a finished evaluation).
    pub fn revision(&self) -> f64 {
        self.inner.revision() as f64
    }

    /// Whether every run has reached `target` steps.
    pub fn reached(&self, target: f64) -> bool {
        self.inner.reached(target.max(0.0) as u64)
    }

    pub fn count(&self) -> usize {
        self.inner.len()
    }

    /// Steps of the page's own run.
    pub fn steps(&self) -> f64 {
        self.inner.steps() as f64
    }

    /// Switches the alignment measurement on or off in every run (it never changes a run).
    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(&mut self, on: bool) {
        for r in self.inner.runs_mut() {
            r.set_alignment(on);
        }
    }

    /// How often the own run measures the alignment: every that many steps.
    #[wasm_bindgen(js_name = alignmentEvery)]
    pub fn alignment_every(&self) -> f64 {
        self.inner.runs()[0].alignment_every() as f64
    }

    /// Run `i`'s label (its rule, or its compare item).
    pub fn label(&self, i: usize) -> Result<String, JsError> {
        run(self, i, |r| r.label().to_string())
    }

    /// Run `i`'s canonical config string.
    pub fn config(&self, i: usize) -> Result<String, JsError> {
        run(self, i, |r| r.trainer().config().to_string())
    }

    /// Run `i`'s parameter checksum as 16 hex digits (the CLI prints the same).
    pub fn checksum(&self, i: usize) -> Result<String, JsError> {
        run(self, i, |r| format!("{:016x}", r.checksum()))
    }

    /// Run `i`'s summary as JSON (see `view::live::Summary`); while paused (`running` false) it
    /// starts the evaluation of the current step when the figures are of an earlier one.
    pub fn summary(&mut self, i: usize, running: bool) -> Result<String, JsError> {
        run_mut(self, i, |r| json(&r.summary(running)))
    }

    /// Run `i`'s history steps (decimated, bounded).
    #[wasm_bindgen(js_name = historySteps)]
    pub fn history_steps(&self, i: usize) -> Result<Float32Array, JsError> {
        run(self, i, |r| Float32Array::from(r.history().steps()))
    }

    /// Run `i`'s history values, row-major `(points, columns)`, columns named by
    /// [`Self::history_columns`].
    #[wasm_bindgen(js_name = historyValues)]
    pub fn history_values(&self, i: usize) -> Result<Float32Array, JsError> {
        run(self, i, |r| Float32Array::from(r.history().values()))
    }

    #[wasm_bindgen(js_name = historyColumns)]
    pub fn history_columns(&self, i: usize) -> Result<Vec<String>, JsError> {
        run(self, i, |r| r.history_columns())
    }

    /// `[n_0, n_1, ..., n_L]` of the page's own run.
    #[wasm_bindgen(js_name = layerSizes)]
    pub fn layer_sizes(&self) -> Vec<u32> {
        self.inner.runs()[0].trainer().network().sizes().into_iter().map(|s| s as u32).collect()
    }

    /// Activations `h_l` of the own run's last minibatch (clean pass), `(batch, n_l)`, for layer
    /// `l` (1-based like the math: 1..=L).
    pub fn activations(&self, layer: usize) -> Float32Array {
        Float32Array::from(self.inner.runs()[0].activations(layer))
    }

    /// The grid resolution of the decision boundary; 0 when it is not drawn (data that is not
    /// 2-D, or a network too large to map every snapshot).
    #[wasm_bindgen(js_name = planeResolution)]
    pub fn plane_resolution(&self) -> usize {
        self.inner.runs()[0].plane_resolution().unwrap_or(0)
    }

    /// Run `i`'s class-1 probability over a `res x res` grid of the plane (row 0 at the top).
    pub fn plane(&mut self, i: usize, res: usize) -> Result<Float32Array, JsError> {
        let view = run_mut(self, i, |r| r.plane(res))?.ok_or_else(|| JsError::new("the plane view needs 2-D data"))?;
        Ok(Float32Array::from(&view.prob[..]))
    }

    /// The own run's diagram nodes (every shown unit of layers 1..=L, layer by layer) over a
    /// `res x res` grid of the plane, `(nodes, res * res)`.
    #[wasm_bindgen(js_name = nodeMaps)]
    pub fn node_maps(&mut self, res: usize) -> Result<Float32Array, JsError> {
        let view =
            self.inner.runs_mut()[0].node_maps(res).ok_or_else(|| JsError::new("the plane view needs 2-D data"))?;
        Ok(Float32Array::from(&view.units[..]))
    }

    /// The own run's input nodes over a `res x res` grid of the plane: every feature it reads,
    /// `(features, res * res)` (see `view::plane::feature_maps`).
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, res: usize) -> Float32Array {
        let f = self.inner.runs()[0].trainer().config().features;
        Float32Array::from(&crate::view::plane::feature_maps(f, res.clamp(4, 256))[..])
    }

    /// The own run's network diagram as JSON (see `view::diagram::Diagram`).
    pub fn diagram(&self) -> String {
        json(&self.inner.runs()[0].diagram())
    }

    /// `count` test samples of the own run, spread evenly, as `[label, predicted, pixels...]`.
    #[wasm_bindgen(js_name = testSamples)]
    pub fn test_samples(&mut self, count: usize) -> Float32Array {
        Float32Array::from(&self.inner.runs_mut()[0].test_samples(count)[..])
    }

    /// Data points of 2-D data as `[x, y, label, is_test]` quadruples (empty for other data).
    pub fn points(&self) -> Float32Array {
        Float32Array::from(&self.inner.runs()[0].points()[..])
    }

    /// The own run's last step in slow motion for sample `sample` (JSON, see `view::walk::Walk`),
    /// or undefined before the first step.
    pub fn walk(&self, sample: usize) -> Option<String> {
        self.inner.runs()[0].walk(sample).map(|w| json(&w))
    }

    /// Run `i`'s weights as JSON: every layer's W, b and R, with the config and checksum (see
    /// `run::weights`).
    pub fn weights(&self, i: usize) -> Result<String, JsError> {
        run(self, i, |r| crate::run::weights::weights_json(r.trainer()))
    }

    /// Sets a weight of run `i` by hand now, `item` = `LAYER:ROW:COL:VALUE` (see `run::edits`):
    /// returns the run's config string, which now carries the edit (`edit=STEP:...`).
    pub fn edit(&mut self, i: usize, item: &str) -> Result<String, JsError> {
        run_mut(self, i, |r| {
            let e = crate::run::edits::parse_edit_at(r.trainer().steps(), item).map_err(js_err)?;
            r.edit(e).map(|()| r.trainer().config().to_string()).map_err(js_err)
        })?
    }

    /// What setting a weight of run `i` (`LAYER:ROW:COL:VALUE`) would do on its current
    /// minibatch, without doing it: JSON, see `run::edits::EditEffect::to_json`.
    #[wasm_bindgen(js_name = editEffect)]
    pub fn edit_effect(&self, i: usize, item: &str) -> Result<String, JsError> {
        run(self, i, |r| {
            let e = crate::run::edits::parse_edit_at(r.trainer().steps(), item).map_err(js_err)?;
            r.trainer().edit_effect(&e).map(|x| x.to_json()).map_err(js_err)
        })?
    }

    /// What the own run's last step did to sample `sample` of its minibatch (JSON), or undefined.
    pub fn probe(&self, sample: usize) -> Option<String> {
        self.inner.runs()[0].probe(sample).map(|p| json(&p))
    }
}
