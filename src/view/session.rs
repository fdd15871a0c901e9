//! The runs a page shows together (its own and the compared ones), advanced in lockstep one
//! bounded unit of work at a time, so the caller can stop at any unit: the page's worker gives
//! each slice a deadline and reads its messages in between, so Pause, Reset and a new
//! configuration are obeyed within one unit of work, however large the networks.

use super::live::LiveRun;
use crate::data::Sources;
use crate::run::Trainer;
use crate::run::config::{ConfigError, RunConfig};
use crate::run::cost::{self, Shape};

/// How a call to [`Session::advance`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// Every run reached the target and no evaluation is pending.
    Done,
    /// Out of time: call again to go on.
    Yielded,
    /// A run diverged: the session stops (its evaluations are finished first).
    Diverged,
}

#[derive(Clone, Debug)]
pub struct Session {
    runs: Vec<LiveRun>,
}

impl Session {
    /// Builds the runs `(label, config)` (the page's own first) on `sources`, after checking that
    /// all of them fit the memory and work limits together.
    pub fn new(runs: &[(String, RunConfig)], sources: &Sources) -> Result<Session, ConfigError> {
        let shapes: Vec<(&RunConfig, Shape)> =
            runs.iter().filter_map(|(_, c)| Shape::of(c, sources).map(|s| (c, s))).collect();
        if shapes.len() == runs.len() {
            cost::check(&shapes)?;
        }
        let runs = runs
            .iter()
            .map(|(label, c)| Trainer::with_sources(c.clone(), sources).map(|t| LiveRun::new(t, label)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Session { runs })
    }

    pub fn runs(&self) -> &[LiveRun] {
        &self.runs
    }
    pub fn runs_mut(&mut self) -> &mut [LiveRun] {
        &mut self.runs
    }
    pub fn len(&self) -> usize {
        self.runs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Steps of the page's own run.
    pub fn steps(&self) -> u64 {
        self.runs.first().map_or(0, |r| r.trainer().steps())
    }

    /// Whether an evaluation is under way in any run.
    pub fn busy(&self) -> bool {
        self.runs.iter().any(LiveRun::busy)
    }

    /// Whether a run diverged.
    pub fn diverged(&self) -> bool {
        self.runs.iter().any(|r| r.trainer().diverged().is_some())
    }

    /// Works toward `target` steps for every run, one unit at a time: pending evaluations first,
    /// then a step of the run furthest behind (so the runs stay within one step of each other),
    /// asking `out_of_time` after every unit. A divergence stops every run.
    pub fn advance(&mut self, target: u64, out_of_time: &mut dyn FnMut() -> bool) -> Advance {
        loop {
            let next = self.runs.iter().position(LiveRun::busy).or_else(|| {
                if self.diverged() {
                    return None;
                }
                let behind = self.runs.iter().enumerate().filter(|(_, r)| r.trainer().steps() < target);
                behind.min_by_key(|(_, r)| r.trainer().steps()).map(|(i, _)| i)
            });
            let Some(i) = next else {
                return if self.diverged() { Advance::Diverged } else { Advance::Done };
            };
            self.runs[i].work_unit(target);
            if out_of_time() {
                return if self.diverged() && !self.busy() { Advance::Diverged } else { Advance::Yielded };
            }
        }
    }
}
