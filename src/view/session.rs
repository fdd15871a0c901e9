//! The runs a page shows together (its own and the compared ones), advanced in lockstep one
//! bounded unit of work at a time, so the caller can stop at any unit: the page's worker gives
//! each slice a deadline and reads its messages in between, so Pause, Reset and a new
//! configuration are obeyed within one unit of work, however large the networks.

use super::live::{EvalProgress, LiveRun, Unit};
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
    /// A run's loss climbed far above its start (see [`LiveRun::take_warning`]): the caller pauses.
    Warned,
}

/// A curve of [`Session::curve`]: x values, the mean, and the range over seeds (empty for one).
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub x: Vec<f32>,
    pub mean: Vec<f32>,
    pub lo: Vec<f32>,
    pub hi: Vec<f32>,
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

    /// The evaluations under way, together: the earliest step evaluated, samples scored so far
    /// and in all, and the multiply-adds left over every run; None when none is under way.
    pub fn evaluation(&self) -> Option<EvalProgress> {
        self.runs.iter().filter_map(LiveRun::evaluation).reduce(|a, b| EvalProgress {
            step: a.step.min(b.step),
            done: a.done + b.done,
            total: a.total + b.total,
            remaining: a.remaining + b.remaining,
            work: a.work + b.work,
        })
    }

    /// Abandons every long evaluation under way (see [`LiveRun::preempt`]): called when a
    /// command moves training on, so that it is obeyed at once. Returns how many were abandoned.
    pub fn preempt(&mut self) -> usize {
        self.runs.iter_mut().map(|r| r.preempt() as usize).sum()
    }

    /// Changes whenever what the page shows may have changed (a step, a finished evaluation).
    pub fn revision(&self) -> u64 {
        self.runs.iter().map(LiveRun::revision).sum()
    }

    /// Whether every run has reached `target` steps (the runs step in turn, so the page's own may
    /// get there a step before the others).
    pub fn reached(&self, target: u64) -> bool {
        self.runs.iter().all(|r| r.trainer().steps() >= target)
    }

    /// Whether a run diverged.
    pub fn diverged(&self) -> bool {
        self.runs.iter().any(|r| r.trainer().diverged().is_some())
    }

    /// The curve of history column `column` over the runs `runs` (one rule's seeds): at every
    /// history point the mean over the runs and, with more than one, the smallest and largest
    /// value (NaN where no run has a finite value); against `xaxis`: `steps`, `passes` (forward
    /// passes, each run's passes per step times its steps) or `seconds` (training time, the mean
    /// over the runs). None for an unknown column or no runs.
    pub fn curve(&self, runs: &[usize], column: &str, xaxis: &str) -> Option<Curve> {
        let runs: Vec<&LiveRun> = runs.iter().filter_map(|&i| self.runs.get(i)).collect();
        let first = runs.first()?;
        let columns = first.history_columns();
        let c = columns.iter().position(|n| n == column)?;
        let secs = columns.iter().position(|n| n == "seconds")?;
        let n = runs.iter().map(|r| r.history().len()).min()?;
        let at = |r: &LiveRun, i: usize, c: usize| r.history().values()[i * r.history().width() + c];
        let stats = |i: usize, c: usize| {
            let v: Vec<f32> = runs.iter().map(|r| at(r, i, c)).filter(|v| v.is_finite()).collect();
            if v.is_empty() {
                (f32::NAN, f32::NAN, f32::NAN)
            } else {
                let mean = (v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64) as f32;
                (
                    mean,
                    v.iter().copied().fold(f32::INFINITY, f32::min),
                    v.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                )
            }
        };
        let mut curve = Curve { x: Vec::with_capacity(n), mean: Vec::with_capacity(n), lo: Vec::new(), hi: Vec::new() };
        for i in 0..n {
            let step = first.history().steps()[i];
            curve.x.push(match xaxis {
                "passes" => step * first.passes_per_step() as f32,
                "seconds" => stats(i, secs).0,
                _ => step,
            });
            let (mean, lo, hi) = stats(i, c);
            curve.mean.push(mean);
            if runs.len() > 1 {
                curve.lo.push(lo);
                curve.hi.push(hi);
            }
        }
        Some(curve)
    }

    /// The first warning not yet shown of any run (a loss climbing far above its start).
    pub fn take_warning(&mut self) -> Option<String> {
        self.runs.iter_mut().find_map(LiveRun::take_warning)
    }

    /// Works toward `target` steps for every run, one unit at a time: pending evaluations first,
    /// then a step of the run furthest behind (so the runs stay within one step of each other),
    /// until `clock()` passes `deadline` (checked after every unit). Each step's time on that
    /// clock goes to its run (the seconds axis). A divergence stops every run.
    pub fn advance(&mut self, target: u64, clock: &mut dyn FnMut() -> f64, deadline: f64) -> Advance {
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
            let started = clock();
            let unit = self.runs[i].work_unit(target);
            let now = clock();
            if unit == Unit::Stepped {
                self.runs[i].add_train_time(now - started);
            }
            if self.runs[i].has_warning() {
                return Advance::Warned;
            }
            if now >= deadline {
                return if self.diverged() && !self.busy() { Advance::Diverged } else { Advance::Yielded };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::live::LONG_EVAL;

    fn session(configs: &[&str]) -> Session {
        let runs: Vec<(String, RunConfig)> =
            configs.iter().map(|c| (c.to_string(), RunConfig::parse(c).unwrap())).collect();
        Session::new(&runs, &Default::default()).unwrap()
    }

    /// 4,000 samples through 2-1024-1024-2: about 4 G multiply-adds, a long evaluation.
    const WIDE: &str = "v=1&data=circle&n=10000&hidden=1024,1024&rule=np";

    #[test]
    fn a_long_evaluation_reports_its_progress_and_a_command_abandons_it_without_changing_the_run() {
        let mut s = session(&[WIDE]);
        let e = s.evaluation().expect("step 0 is evaluated first");
        assert!(e.long() && e.work > LONG_EVAL, "{e:?}");
        assert_eq!((e.step, e.done, e.total), (0, 0, 4000));
        let revision = s.revision();
        assert_eq!(s.runs_mut()[0].work_unit(1), Unit::Evaluated(false));
        let e = s.evaluation().unwrap();
        assert!(e.done > 0 && e.done < e.total && e.remaining < e.work, "one chunk scored: {e:?}");
        assert_eq!(s.revision(), revision, "nothing shown changed yet");
        // Play, Step or a replay: the evaluation is abandoned rather than waited for.
        assert_eq!(s.preempt(), 1);
        assert!(!s.busy() && s.evaluation().is_none());
        let mut clock = || 0.0;
        assert_eq!(s.advance(1, &mut clock, f64::INFINITY), Advance::Done);
        assert_eq!(s.steps(), 1, "the step followed at once");
        assert!(s.revision() > revision);
        // The run is the same as one that waited for every evaluation.
        let mut t = Trainer::new(RunConfig::parse(WIDE).unwrap()).unwrap();
        t.step().unwrap();
        assert_eq!(s.runs()[0].checksum(), t.checksum());
        assert_eq!(s.runs_mut()[0].summary(false).checksum.unwrap(), format!("{:016x}", t.checksum()));
    }

    #[test]
    fn a_short_evaluation_is_kept_through_a_command() {
        let mut s = session(&["v=1&data=xor&rule=np"]);
        let e = s.evaluation().unwrap();
        assert!(!e.long(), "{e:?}");
        assert_eq!(s.preempt(), 0);
        assert!(s.busy(), "a short evaluation is finished first");
        let mut clock = || 0.0;
        s.advance(0, &mut clock, f64::INFINITY);
        assert_eq!(s.runs_mut()[0].summary(true).evaluated_at, 0);
    }

    #[test]
    fn the_target_is_reached_when_every_run_got_there() {
        let mut s = session(&["v=1&data=xor&rule=np", "v=1&data=xor&rule=inp"]);
        let mut clock = || 0.0;
        s.advance(0, &mut clock, f64::INFINITY);
        assert!(s.reached(0) && !s.reached(1));
        // The runs step in turn: the page's own first.
        assert_eq!(s.runs_mut()[0].work_unit(1), Unit::Stepped);
        assert_eq!(s.steps(), 1);
        assert!(!s.reached(1), "the compared run is a step behind");
        s.advance(1, &mut clock, f64::INFINITY);
        assert!(s.reached(1) && !s.reached(2));
    }
}
