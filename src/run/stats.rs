//! The numbers a training step reports ([`StepStats`]) and the two ways they are summarised for
//! curves: window means over a report interval ([`StepMeans`], the CLI) and exponential moving
//! averages ([`Smoothed`], the page's live curves).

/// What a step measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepStats {
    /// Mean loss of the minibatch in the clean pass (in blind mode: the reference pass).
    pub batch_loss: f32,
    /// Mean loss change `dL` over the minibatch and the noisy passes (None for BP).
    pub d_loss: Option<f32>,
    /// Per-layer cosine between the rule's update and the exact BP gradient on the same batch
    /// and the same `R` (None when diagnostics are off or BP has no useful gradient).
    pub alignment: Option<Vec<f32>>,
    /// The same cosine over all layers together.
    pub alignment_all: Option<f32>,
}

/// Means of the per-step numbers over a window of steps (one report interval, one history
/// point): single-batch alignment and `dL` are noisy, their window means are what a curve shows.
#[derive(Clone, Debug, Default)]
pub struct StepMeans {
    steps: u32,
    batch_loss: f64,
    d_loss: f64,
    d_loss_steps: u32,
    alignment: Vec<f64>,
    alignment_all: f64,
    aligned_steps: u32,
}

impl StepMeans {
    pub fn add(&mut self, s: &StepStats) {
        self.steps += 1;
        self.batch_loss += s.batch_loss as f64;
        if let Some(d) = s.d_loss {
            self.d_loss += d as f64;
            self.d_loss_steps += 1;
        }
        if let (Some(a), Some(all)) = (&s.alignment, s.alignment_all) {
            self.alignment.resize(a.len(), 0.0);
            for (acc, &v) in self.alignment.iter_mut().zip(a) {
                *acc += v as f64;
            }
            self.alignment_all += all as f64;
            self.aligned_steps += 1;
        }
    }
    pub fn steps(&self) -> u32 {
        self.steps
    }
    pub fn batch_loss(&self) -> Option<f32> {
        (self.steps > 0).then(|| (self.batch_loss / self.steps as f64) as f32)
    }
    pub fn d_loss(&self) -> Option<f32> {
        (self.d_loss_steps > 0).then(|| (self.d_loss / self.d_loss_steps as f64) as f32)
    }
    pub fn alignment(&self) -> Option<Vec<f32>> {
        (self.aligned_steps > 0)
            .then(|| self.alignment.iter().map(|&v| (v / self.aligned_steps as f64) as f32).collect())
    }
    pub fn alignment_all(&self) -> Option<f32> {
        (self.aligned_steps > 0).then(|| (self.alignment_all / self.aligned_steps as f64) as f32)
    }
}

/// Exponential moving averages of the per-step numbers, for live curves: `[batch loss, dL,
/// overall alignment, alignment per layer...]`, each averaged over about `1 / alpha` steps.
/// A value that a step does not report (alignment with diagnostics off, `dL` for BP) becomes NaN,
/// so the curve shows a gap rather than a stale flat line.
#[derive(Clone, Debug)]
pub struct Smoothed {
    alpha: f32,
    values: Vec<f32>,
}

impl Smoothed {
    pub fn new(n_layers: usize, alpha: f32) -> Self {
        Smoothed { alpha, values: vec![f32::NAN; 3 + n_layers] }
    }

    pub fn add(&mut self, s: &StepStats) {
        let n_layers = self.values.len() - 3;
        let mut put = |i: usize, v: Option<f32>| {
            let old = self.values[i];
            self.values[i] = match v {
                Some(v) if old.is_finite() => old + self.alpha * (v - old),
                Some(v) => v,
                None => f32::NAN,
            };
        };
        put(0, Some(s.batch_loss));
        put(1, s.d_loss);
        put(2, s.alignment_all);
        for l in 0..n_layers {
            put(3 + l, s.alignment.as_ref().map(|a| a[l]));
        }
    }

    /// Like [`Smoothed::add`] for a step whose alignment was skipped on purpose (measured on a
    /// schedule): the alignment averages keep their value instead of showing a gap.
    pub fn add_without_alignment(&mut self, s: &StepStats) {
        let keep = self.values[2..].to_vec();
        self.add(s);
        self.values[2..].copy_from_slice(&keep);
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }
}
