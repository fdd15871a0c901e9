//! Bounded history of per-step numbers for the live curves: when full, every other point is
//! dropped and the recording stride doubles, so an hour-long run keeps at most `capacity` points
//! spread over the whole run (the newest point is always kept). A history with a stride also
//! keeps the three powers of two below it (stride/8, /4, /2), so a run's first steps show early,
//! and a point off the schedule when asked (the step a paused page shows).

#[derive(Clone, Debug)]
pub struct History {
    capacity: usize,
    stride: u64,
    /// Number of series besides the step.
    width: usize,
    steps: Vec<f32>,
    /// Row-major `(points, width)`.
    values: Vec<f32>,
}

impl History {
    pub fn new(width: usize, capacity: usize) -> Self {
        Self::with_stride(width, capacity, 1)
    }

    /// A history that starts by keeping every `stride`-th step (a power of two), for runs whose
    /// points are costly to compute.
    pub fn with_stride(width: usize, capacity: usize, stride: u64) -> Self {
        assert!(capacity >= 4 && capacity.is_multiple_of(2));
        assert!(stride.is_power_of_two());
        History { capacity, stride, width, steps: Vec::new(), values: Vec::new() }
    }

    /// Whether `step` is on the schedule of `stride`: a multiple of it, or one of the three powers
    /// of two below it.
    fn on_schedule(step: u64, stride: u64) -> bool {
        step.is_multiple_of(stride) || (step < stride && step.is_power_of_two() && 8 * step >= stride)
    }

    /// Records `values` at `step` whatever the schedule, if it is later than the last point.
    pub fn record_off_schedule(&mut self, step: u64, values: &[f32]) {
        debug_assert_eq!(values.len(), self.width);
        if self.steps.last().is_some_and(|&last| last as u64 >= step) {
            return;
        }
        if self.steps.len() == self.capacity {
            self.halve();
        }
        self.steps.push(step as f32);
        self.values.extend_from_slice(values);
    }

    /// Keeps every other point and doubles the stride.
    fn halve(&mut self) {
        let w = self.width;
        let mut k = 0;
        for i in (1..self.capacity).step_by(2) {
            self.steps[k] = self.steps[i];
            self.values.copy_within(i * w..(i + 1) * w, k * w);
            k += 1;
        }
        self.steps.truncate(k);
        self.values.truncate(k * w);
        self.stride *= 2;
    }

    /// Records `values` at `step` if the step falls on the current schedule (see [`History::wants`]).
    pub fn record(&mut self, step: u64, values: &[f32]) {
        debug_assert_eq!(values.len(), self.width);
        if !Self::on_schedule(step, self.stride) {
            return;
        }
        if self.steps.len() == self.capacity {
            self.halve();
            if !Self::on_schedule(step, self.stride) {
                return;
            }
        }
        self.steps.push(step as f32);
        self.values.extend_from_slice(values);
    }

    /// Whether [`History::record`] would keep a point at `step` (so its values need computing):
    /// a multiple of the stride, or a power of two below it.
    pub fn wants(&self, step: u64) -> bool {
        let stride = if self.steps.len() == self.capacity { self.stride * 2 } else { self.stride };
        Self::on_schedule(step, stride)
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn steps(&self) -> &[f32] {
        &self.steps
    }
    /// Row-major `(len, width)`.
    pub fn values(&self) -> &[f32] {
        &self.values
    }
    /// Series `j` as a vector.
    pub fn series(&self, j: usize) -> Vec<f32> {
        self.values.iter().skip(j).step_by(self.width).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_spans_the_run() {
        let mut h = History::new(1, 64);
        for s in 1..=100_000u64 {
            h.record(s, &[s as f32]);
            assert!(h.len() <= 64);
        }
        assert!(h.len() >= 32);
        assert!(h.steps()[0] < 5000.0, "early points survive: {}", h.steps()[0]);
        assert!(*h.steps().last().unwrap() > 95_000.0);
        assert_eq!(h.series(0), h.steps());
    }
}
