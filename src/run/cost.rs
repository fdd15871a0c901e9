//! What a configuration costs before it runs: the memory every buffer of a run allocates (its
//! data, parameters, optimiser state, the stacked trace of one step, the diagnostics', the
//! evaluation's) and the work of one step (multiply-adds of every product, noise draws,
//! activations, the alignment's backward pass), for all the runs a page shows together. A link
//! whose runs exceed the limits is refused before anything is allocated, with a message that
//! names the setting to lower; so no link can freeze the page or ask for gigabytes.
//!
//! The model follows the engine's own buffers and products (`Trace::prepare`, `forward_passes`,
//! the rules, `decorrelation::update`, the diagnostics); `tests/cost.rs` checks it against the
//! sizes a trainer really allocates.

use super::config::{ConfigError, RunConfig, err};
use crate::data::{DataSet, Sources, csv::Table, mnist, points, split_count};
use crate::network::Passes;
use crate::rules::{Method, NoiseMode};

/// Memory all runs of a page may hold together: 512 MiB.
pub const MAX_BYTES: u64 = 512 << 20;
/// Work of one step of all runs together, in multiply-add equivalents: about 0.1 s in
/// WebAssembly on a 2-core machine (docs/engine.md has the measurements).
pub const MAX_WORK: u64 = 500_000_000;
/// A normal draw (ziggurat) costs about as much as this many multiply-adds of the products.
const DRAW: u64 = 40;
/// An activation (rational tanh, sigmoid, ...) or a per-sample loss term, in multiply-adds.
const ACT: u64 = 4;
/// An optimiser update of one parameter (Adam), in multiply-adds.
const OPT: u64 = 10;
/// Rows the evaluation pushes through the network at once (`evaluation::CHUNK`).
const EVAL_ROWS: u64 = 256;

/// The data's shape: what the cost depends on besides the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub inputs: usize,
    pub classes: usize,
    /// Samples, train and test together.
    pub samples: usize,
}

impl Shape {
    /// The shape of `config`'s data: known from the configuration for generated sets, drawn
    /// points and the digits (their real file, or the one in `sources`), from the table for an
    /// upload (None without one).
    pub fn of(config: &RunConfig, sources: &Sources) -> Option<Shape> {
        match config.data {
            DataSet::Mnist | DataSet::Mnist14 => {
                let (side, count) = match sources.digits {
                    Some(d) => (d.rows * d.cols, d.len()),
                    None => (28 * 28, mnist::TRAIN_DIGITS * 5 / 4),
                };
                let inputs = if config.data == DataSet::Mnist14 { side / 4 } else { side };
                Some(Shape { inputs, classes: 10, samples: count })
            }
            // The network's inputs: the features of 2-D points (issue 20).
            DataSet::Upload => sources.table.map(|t| Shape { inputs: config.input_dim(t.dim), ..Shape::of_table(t) }),
            DataSet::Points => Some(Shape {
                inputs: config.features.count(),
                classes: 2,
                samples: points::point_count(&config.drawn_points),
            }),
            _ => Some(Shape {
                inputs: config.features.count(),
                classes: if config.data.is_regression() { 1 } else { 2 },
                samples: config.points,
            }),
        }
    }

    /// The shape of a data set that exists.
    pub fn of_dataset(d: &crate::data::Dataset) -> Shape {
        Shape { inputs: d.dim(), classes: d.classes, samples: d.train.len() + d.test.len() }
    }

    pub fn of_table(t: &Table) -> Shape {
        Shape { inputs: t.dim, classes: t.classes, samples: t.rows() }
    }

    /// Training samples of this shape under `config`'s split.
    pub fn train(&self, config: &RunConfig) -> usize {
        match config.data {
            DataSet::Mnist | DataSet::Mnist14 => self.samples * 4 / 5,
            _ => split_count(self.samples, config.train_fraction),
        }
    }
}

/// Memory in bytes and work per step in multiply-add equivalents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub bytes: u64,
    pub work: u64,
    /// The part of `work` the alignment measurement costs (BP's backward pass and gradient).
    pub alignment: u64,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            bytes: self.bytes.saturating_add(o.bytes),
            work: self.work.saturating_add(o.work),
            alignment: self.alignment.saturating_add(o.alignment),
        }
    }
}

/// The cost of one run of `config` on data of `shape`, with the alignment diagnostics on (the
/// page's default; they are the larger case).
pub fn cost(config: &RunConfig, shape: &Shape) -> Cost {
    let sizes = config.layer_sizes(shape.inputs, shape.classes);
    let n_layers = sizes.len() - 1;
    let b = config.batch_size as u64;
    let spec = config.update_spec();
    let plan: Passes = spec.passes(n_layers);
    let passes = plan.count() as u64;
    let decor = config.rule.decorrelated;
    let f = 4u64; // bytes per f32
    let (mut bytes, mut work, mut alignment) = (0u64, 0u64, 0u64);
    let mut add = |bytes_: u64, work_: u64| {
        bytes = bytes.saturating_add(bytes_);
        work = work.saturating_add(work_);
    };
    // The data set (features and labels) and the evaluation's buffers.
    add(shape.samples as u64 * (shape.inputs as u64 * f + 8), 0);
    let widths: u64 = sizes.windows(2).map(|w| (w[0] + 3 * w[1]) as u64).sum();
    add(EVAL_ROWS * widths * f, 0);
    let (mut params, mut r_params, mut widest, mut transpose, mut decor_scratch) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (l, w) in sizes.windows(2).enumerate() {
        let (n_in, n_out) = (w[0] as u64, w[1] as u64);
        let rows_c = plan.computed_at(l) as u64 * b;
        let rows_a = plan.active_at(l) as u64 * b;
        let mut noised: u64 = (0..plan.active_at(l)).filter(|&p| plan.noised(p, l)).count() as u64 * b;
        if spec.method == Method::Wp {
            // WP's passes add no activity noise (its weight noise is counted below), and every
            // pass runs the input layer's product with its own weights.
            noised = 0;
            if l == 0 {
                add(0, (passes - 1) * b * n_in * n_out);
            }
        }
        let r = if decor { n_in * n_in } else { 0 };
        params += n_in * n_out + n_out;
        r_params += r;
        widest = widest.max(n_in).max(n_out);
        transpose = transpose.max(n_in * n_out).max(r);
        // The step's trace: x for the passes computed here, a, h and eps for every pass.
        add(f * (rows_c * n_in + 3 * passes * b * n_out), 0);
        // Forward: x = h R^T, a = x W^T + b, the noise and the activation.
        add(0, rows_c * (r + n_in * n_out) + noised * DRAW + rows_a * n_out * ACT);
        // The update G = S^T X / B and the signals; for the alignment, BP's gradient and its
        // backward pass.
        let align = b * n_in * n_out + if l > 0 { b * n_in * n_out + b * r } else { 0 };
        alignment += align;
        add(0, b * n_in * n_out + passes * b * n_out + align);
        if decor {
            // R <- R - eta (X^T (X R) / B - diag(M) R); its scratch is reused layer by layer.
            decor_scratch = decor_scratch.max(b * n_in + n_in * n_in + n_in);
            add(0, 2 * b * n_in * n_in);
        }
        if spec.blind {
            // The alignment's own clean pass.
            alignment += b * (r + n_in * n_out);
            add(f * b * (n_in + 3 * n_out), b * (r + n_in * n_out));
        }
    }
    let units: u64 = sizes[1..].iter().map(|&n| n as u64).sum();
    let (family_bytes, family_work) = family(config, &sizes);
    add(family_bytes, family_work);
    let adam = config.optimizer == crate::optimizer::Optimizer::Adam;
    // Parameters (W and b: their optimiser state, the update and the alignment's gradient too;
    // R once), and the decorrelation's scratch.
    add(f * (params * (1 + if adam { 2 } else { 0 } + 2) + r_params + decor_scratch), (params + r_params) * OPT);
    // Input rows, losses, signals (the rule's and BP's), BP's scratch, transposes.
    add(f * (b * sizes[0] as u64 + passes * b + 2 * b * units + 2 * b * widest + transpose), passes * b * ACT);
    Cost { bytes, work, alignment }
}

/// What weight perturbation and the forward gradients add to the model above (bytes, work): their
/// probes (`K` weight noises or tangents over every parameter, drawn and summed into the update),
/// the forward gradients' tangent passes (per draw, `x dW^T` at every layer for FG-W, and the
/// propagation `(f' * da) R^T W^T` above the first layer for both), their tangents and
/// temporaries. Zero for the other rules.
fn family(config: &RunConfig, sizes: &[usize]) -> (u64, u64) {
    let method = config.rule.method;
    if !matches!(method, Method::Wp | Method::Fgw | Method::Fga) {
        return (0, 0);
    }
    let (k, b, f) = (config.draws as u64, config.batch_size as u64, 4u64);
    let decor = config.rule.decorrelated;
    let params: u64 = sizes.windows(2).map(|w| (w[0] * w[1] + w[1]) as u64).sum();
    let units: u64 = sizes[1..].iter().map(|&n| n as u64).sum();
    let widest_in = sizes[..sizes.len() - 1].iter().copied().max().unwrap_or(0) as u64;
    let widest_out = sizes[1..].iter().copied().max().unwrap_or(0) as u64;
    let largest = sizes.windows(2).map(|w| (w[0] * w[1] + w[1]) as u64).max().unwrap_or(0);
    let (mut bytes, mut work) = (0u64, 0u64);
    if method == Method::Wp {
        // K noises over every parameter, held (the page shows them), added to the weights of
        // each pass and summed into the update; one layer's perturbed weights.
        bytes += f * (k * params + largest);
        work += k * params * (DRAW + 2);
        return (bytes, work);
    }
    // The tangent passes.
    for (l, w) in sizes.windows(2).enumerate() {
        let (n_in, n_out) = (w[0] as u64, w[1] as u64);
        let r = if decor { n_in * n_in } else { 0 };
        if method == Method::Fgw {
            work += k * b * n_in * n_out + k * b * n_out;
        }
        if l > 0 {
            work += k * b * (n_in * n_out + r + n_in * ACT);
        }
    }
    // The directional derivatives, and the scratch of the propagation.
    work += k * b * sizes[sizes.len() - 1] as u64;
    bytes += f * (k * b * units + 2 * k * b * widest_in + b * widest_out + k * b);
    if method == Method::Fgw {
        // K tangents over every parameter, drawn and summed into the update.
        bytes += f * k * params;
        work += k * params * (DRAW + 1);
    } else {
        // A tangent on every unit of every sample, and the signals from them.
        bytes += f * k * b * units;
        work += k * b * units * (DRAW + 1);
    }
    (bytes, work)
}

/// Multiply-adds of one forward pass of one sample (evaluation, the plane view).
pub fn forward_work(config: &RunConfig, shape: &Shape) -> u64 {
    let sizes = config.layer_sizes(shape.inputs, shape.classes);
    let r = |n: usize| if config.rule.decorrelated { (n * n) as u64 } else { 0 };
    sizes.windows(2).map(|w| (w[0] * w[1]) as u64 + r(w[0])).sum()
}

/// The cost of `runs` together (each with its data's shape).
pub fn total(runs: &[(&RunConfig, Shape)]) -> Cost {
    runs.iter().map(|(c, s)| cost(c, s)).fold(Cost::default(), |a, b| a + b)
}

/// Whether a total is within both limits.
pub fn within(c: Cost) -> bool {
    c.bytes <= MAX_BYTES && c.work <= MAX_WORK
}

/// Whether `runs` fit the limits together.
pub fn fits(runs: &[(&RunConfig, Shape)]) -> bool {
    within(total(runs))
}

/// What `total` exceeds, with the figures: the limit (or both) it is over, what it needs and the
/// limit, and the one it keeps within. `rule_note` is said beside the work.
pub fn exceeded(total: Cost, rule_note: &str) -> String {
    let bytes = format!("{} of memory", human_bytes(total.bytes));
    let work = format!("{} multiply-adds per step{rule_note}", human_count(total.work));
    let work_limit = format!(
        "the work limit of {} (which keeps a step of any link under about 0.1 s in a browser)",
        human_count(MAX_WORK)
    );
    match (total.bytes > MAX_BYTES, total.work > MAX_WORK) {
        (true, true) => {
            format!("{bytes}, over the memory limit of {}, and {work}, over {work_limit}", human_bytes(MAX_BYTES))
        }
        (true, false) => format!(
            "{bytes}, over the memory limit of {}; the work per step, {}, is within the limit of {}",
            human_bytes(MAX_BYTES),
            human_count(total.work),
            human_count(MAX_WORK)
        ),
        _ => format!(
            "{work}, over {work_limit}; the memory, {}, is within the limit of {}",
            human_bytes(total.bytes),
            human_bytes(MAX_BYTES)
        ),
    }
}

/// A setting that, changed alone in every run, makes `runs` fit: the largest batch, or else the
/// hidden layers halved (again and again) until they do, where such a value exists; each is
/// checked against the limits with the same model. (Compared runs share the batch and the layers
/// with the page's own, so this is the change of one key of the link.)
pub fn fitting_changes(runs: &[(&RunConfig, Shape)]) -> Vec<(&'static str, String)> {
    let fits_with = |batch: usize, hidden: &[usize]| {
        let changed: Vec<RunConfig> = runs
            .iter()
            .map(|(c, _)| RunConfig { batch_size: batch, hidden_sizes: hidden.to_vec(), ..(*c).clone() })
            .collect();
        let with: Vec<(&RunConfig, Shape)> = changed.iter().zip(runs).map(|(c, (_, s))| (c, *s)).collect();
        fits(&with)
    };
    let config = runs[0].0;
    let mut out = Vec::new();
    // The largest batch that fits (work and memory grow with the batch).
    if config.batch_size > 1 && fits_with(1, &config.hidden_sizes) {
        let (mut lo, mut hi) = (1, config.batch_size); // lo fits, hi does not
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits_with(mid, &config.hidden_sizes) { lo = mid } else { hi = mid }
        }
        out.push(("batch", lo.to_string()));
    }
    // The hidden layers halved until they fit.
    let mut widths = config.hidden_sizes.clone();
    while widths.iter().any(|&w| w > 1) {
        widths = widths.iter().map(|&w| (w / 2).max(1)).collect();
        if fits_with(config.batch_size, &widths) {
            out.push(("hidden", codec_widths(&widths)));
            break;
        }
    }
    out
}

/// `key=value, key=value or key=value`.
pub fn either(changes: &[(&str, String)]) -> String {
    let parts: Vec<String> = changes.iter().map(|(k, v)| format!("{k}={v}")).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} or {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// Checks that `runs` (the page's own first, then the compared ones; each with its data's shape)
/// fit the limits together. The message names the limit exceeded with both figures (and the one
/// kept), the setting to lower, and the values of batch, hidden and draws that would fit.
pub fn check(runs: &[(&RunConfig, Shape)]) -> Result<(), ConfigError> {
    let total = total(runs);
    if within(total) {
        return Ok(());
    }
    let (config, shape) = runs[0];
    // Which setting, lowered, helps most: the batch, the draws or the widths (or the number of
    // runs side by side); it is the key the message names.
    let relative = |c: RunConfig| {
        let x = cost(&c, &shape);
        let all = total.bytes as f64 / MAX_BYTES as f64 + total.work as f64 / MAX_WORK as f64;
        let one = cost(config, &shape);
        let mine = one.bytes as f64 / MAX_BYTES as f64 + one.work as f64 / MAX_WORK as f64;
        let after = x.bytes as f64 / MAX_BYTES as f64 + x.work as f64 / MAX_WORK as f64;
        (mine - after) / all
    };
    let mut options: Vec<(&str, String, f64)> = Vec::new();
    if config.batch_size > 1 {
        let mut c = config.clone();
        c.batch_size = (c.batch_size / 2).max(1);
        options.push(("batch", config.batch_size.to_string(), relative(c)));
    }
    if config.draws > 1 {
        let mut c = config.clone();
        c.draws = (c.draws / 2).max(1);
        options.push(("draws", config.draws.to_string(), relative(c)));
    }
    if !config.hidden_sizes.is_empty() {
        let mut c = config.clone();
        c.hidden_sizes = c.hidden_sizes.iter().map(|&w| (w / 2).max(1)).collect();
        options.push(("hidden", codec_widths(&config.hidden_sizes), relative(c)));
    }
    if runs.len() > 1 {
        options.push(("compare", format!("{} runs", runs.len()), 1.0 - 1.0 / runs.len() as f64));
    }
    options.sort_by(|a, b| b.2.total_cmp(&a.2));
    let (key, value) = options.first().map_or(("hidden", String::new()), |(k, v, _)| (*k, v.clone()));
    let what = match key {
        "batch" => "lower the batch size",
        "draws" => "use fewer noise draws",
        "hidden" => "use fewer or narrower hidden layers",
        _ => "compare fewer rules at once",
    };
    let rule_note = if config.rule.method == Method::Inp && config.mode == NoiseMode::Clean {
        " (INP runs one noisy pass per layer and draw)"
    } else {
        ""
    };
    let mut changes = fitting_changes(runs);
    // The named setting's change first.
    if let Some(i) = changes.iter().position(|(k, _)| *k == key) {
        let named = changes.remove(i);
        changes.insert(0, named);
    }
    let fit = if changes.is_empty() {
        let names: Vec<&str> = options.iter().map(|o| o.0).collect();
        format!("no one setting alone fits; lower several of {}", names.join(", "))
    } else {
        format!("{} would fit", either(&changes))
    };
    Err(err(
        key,
        &value,
        format!(
            "too large: {} would need {}; {what} ({fit})",
            if runs.len() > 1 { format!("these {} runs", runs.len()) } else { "this run".to_string() },
            exceeded(total, rule_note),
        ),
    ))
}

fn codec_widths(w: &[usize]) -> String {
    w.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")
}

/// Bytes in MiB (GiB from 1 GiB), rounded up to a tenth, so a figure over a limit never reads as
/// the limit itself.
pub fn human_bytes(b: u64) -> String {
    let up = |v: f64| (v * 10.0).ceil() / 10.0;
    if b >= 1 << 30 {
        format!("{:.1} GiB", up(b as f64 / (1u64 << 30) as f64))
    } else {
        let mib = up(b as f64 / (1u64 << 20) as f64);
        if mib.fract() == 0.0 { format!("{mib:.0} MiB") } else { format!("{mib:.1} MiB") }
    }
}

/// A count in M (G from 10^9), rounded up to a tenth.
pub fn human_count(n: u64) -> String {
    let up = |v: f64| (v * 10.0).ceil() / 10.0;
    if n >= 1_000_000_000 {
        format!("{:.1} G", up(n as f64 / 1e9))
    } else {
        let m = up(n as f64 / 1e6);
        if m.fract() == 0.0 { format!("{m:.0} M") } else { format!("{m:.1} M") }
    }
}
