//! A pool worker's side of a sweep (`run::sweep`): the sweep read from its canonical link, and
//! one cell trained a few steps at a time, its result the line `np-playground sweep` writes. The
//! page learns the cells from `parseFragment` (the link's reply lists them).

use wasm_bindgen::prelude::*;

use super::js_err;
use super::session::DataStore;
use crate::data::Sources;
use crate::run::sweep::{Cell, CellRun, Sweep};

/// A sweep and its cells, in the sweep's order.
#[wasm_bindgen]
pub struct SweepPlan {
    sweep: Sweep,
    cells: Vec<Cell>,
}

#[wasm_bindgen]
impl SweepPlan {
    /// The sweep of `fragment` (a configuration with `sweep=`, `sweep_steps=`, `sweep_metric=`),
    /// read strictly: the first problem throws its message.
    #[wasm_bindgen(constructor)]
    pub fn new(fragment: &str) -> Result<SweepPlan, JsError> {
        let sweep = Sweep::parse_strict(fragment).map_err(js_err)?;
        let cells = sweep.cells();
        Ok(SweepPlan { sweep, cells })
    }

    /// Cell `cell` of the sweep on the data in `data`, ready to train.
    pub fn run(&self, cell: usize, data: &DataStore) -> Result<SweepCellRun, JsError> {
        let c = self.cells.get(cell).ok_or_else(|| JsError::new(&format!("no cell {cell}")))?;
        let sources = Sources { digits: data.digits(), table: None };
        let run = CellRun::new(&self.sweep, c, &sources).map_err(js_err)?;
        Ok(SweepCellRun { run: Some(run), sweep: self.sweep.clone(), cell: c.clone() })
    }
}

/// One cell being trained.
#[wasm_bindgen]
pub struct SweepCellRun {
    run: Option<CellRun>,
    sweep: Sweep,
    cell: Cell,
}

#[wasm_bindgen]
impl SweepCellRun {
    /// Trains up to `steps` more steps; true once the cell is done (its steps run, or diverged).
    pub fn advance(&mut self, steps: f64) -> bool {
        self.run.as_mut().is_none_or(|r| r.advance(steps.max(0.0) as u64))
    }

    /// Steps trained so far.
    pub fn steps(&self) -> f64 {
        self.run.as_ref().map_or(0.0, |r| r.steps() as f64)
    }

    /// The cell's result (evaluated on the whole sets) as one JSON line, the line
    /// `np-playground sweep` writes for it; only once.
    pub fn finish(&mut self) -> Result<String, JsError> {
        let run = self.run.take().ok_or_else(|| JsError::new("the cell was finished already"))?;
        Ok(run.finish(&self.sweep, &self.cell).json_line())
    }
}
