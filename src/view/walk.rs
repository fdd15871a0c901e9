//! One update in slow motion: the sub-steps of the current rule for one sample of the last
//! minibatch, each with one line of narration and the values to paint on the network diagram's
//! nodes and links. Everything comes from the step's own buffers (the [`Probe`]) and the
//! diagram's weights: nothing is simulated again, so the walk shows exactly the update that
//! trained the network.

use serde::Serialize;

use super::diagram::Diagram;
use super::probe::Probe;

/// What the nodes or links of a sub-step show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// The clean pass's activations `h` (inputs: the sample).
    Activation,
    /// The injected noise `eps`.
    Noise,
    /// A pass's change against the reference pass, `a~ - a`.
    Change,
    /// The credit (BP: the error `delta`) that multiplies the layer input.
    Credit,
    /// A weight change.
    WeightChange,
    /// The layer inputs `x = R h` of a decorrelated network.
    Input,
}

/// The clean (reference) and noisy losses of the sample, and their difference.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Meter {
    pub reference: f32,
    pub noisy: f32,
    pub d_loss: f32,
}

/// One sub-step of the walk.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubStep {
    /// A short name ("noisy pass").
    pub title: String,
    /// One line of narration, with the sample's numbers.
    pub narration: String,
    /// The layers (0 = inputs, ..., L = outputs) this sub-step is about.
    pub focus: Vec<usize>,
    /// Per layer `0..=L`, a value per shown node (NaN: nothing to show there now).
    pub nodes: Vec<Vec<f32>>,
    pub node_quantity: Quantity,
    /// Per weight layer, a value per shown link (row-major `(shown out, shown in)`), if any.
    pub links: Option<Vec<Vec<f32>>>,
    pub link_quantity: Quantity,
    /// The loss meter, once the losses are known.
    pub meter: Option<Meter>,
}

/// The walk through the last step for one sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Walk {
    pub step: u64,
    pub sample: usize,
    pub rule: &'static str,
    pub steps: Vec<SubStep>,
}

fn g(v: f32) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 0.01 && v.abs() < 1000.0 {
        format!("{v:.4}")
    } else {
        format!("{v:.2e}")
    }
}

/// The walk of `probe` (one sample of the last step) on the diagram `d` of the same network.
pub fn walk(probe: &Probe, d: &Diagram) -> Walk {
    let layers = d.sizes.len(); // L + 1
    let n_weight = layers - 1;
    // The shown nodes' values of a per-layer vector (layer 0: the sample's input).
    let pick = |l: usize, v: &[f32]| -> Vec<f32> {
        d.shown[l].iter().map(|&j| v.get(j).copied().unwrap_or(f32::NAN)).collect()
    };
    let blank = |l: usize| vec![f32::NAN; d.shown[l].len()];
    let input = pick(0, &probe.input);
    // Per layer 0..=L from per-weight-layer vectors (layer 0 gets `first`).
    let per_layer = |first: Vec<f32>, f: &dyn Fn(usize) -> Vec<f32>| -> Vec<Vec<f32>> {
        std::iter::once(first).chain((0..n_weight).map(|l| pick(l + 1, &f(l)))).collect()
    };
    let activations = per_layer(input.clone(), &|l| probe.layers[l].clean_h.clone());
    let draws = probe.draws.max(1);
    let blind = probe.blind;
    let k_note =
        if draws > 1 { format!(" (draw 1 of K = {draws}; the update averages all {draws})") } else { String::new() };
    // Draw 1's pair of passes: the reference (clean, or the first noisy pass in blind mode) and
    // the noisy one.
    let (reference, noisy) = (0, 1);
    let meter = |p: usize, q: usize| Meter {
        reference: probe.losses[p],
        noisy: probe.losses[q],
        d_loss: probe.losses[q] - probe.losses[p],
    };
    let links_of = |f: &dyn Fn(usize, usize, usize) -> f32| -> Vec<Vec<f32>> {
        (0..n_weight)
            .map(|l| d.shown[l + 1].iter().flat_map(|&j| d.shown[l].iter().map(move |&i| f(l, j, i))).collect())
            .collect()
    };
    let lr = probe.learning_rate;
    let credit = per_layer(blank(0), &|l| probe.layers[l].signal.clone());
    let per_sample_dw = links_of(&|l, j, i| -lr * probe.layers[l].signal[j] * probe.layers[l].x[i]);
    let all: Vec<usize> = (0..layers).collect();
    let step = |title: &str, narration: String, focus: Vec<usize>, nodes: Vec<Vec<f32>>, q: Quantity| SubStep {
        title: title.to_string(),
        narration,
        focus,
        nodes,
        node_quantity: q,
        links: None,
        link_quantity: Quantity::WeightChange,
        meter: None,
    };
    let mut steps = Vec::new();
    let class = probe.label;
    if d.decorrelated {
        steps.push(step(
            "decorrelation",
            "Decorrelated network: in front of every layer a matrix R turns the layer's input into x = R h, a mix that a local rule keeps uncorrelated; the nodes show each layer's input x for this sample.".into(),
            all.clone(),
            std::iter::once(pick(0, &probe.layers[0].x))
                .chain((1..layers).map(|k| {
                    if k < n_weight { pick(k, &probe.layers[k].x) } else { pick(k, &probe.layers[k - 1].clean_h) }
                }))
                .collect(),
            Quantity::Input,
        ));
    }
    let sample_desc = format!("sample {} of the batch (class {class})", probe.sample);
    match probe.method {
        "bp" => {
            steps.push(step(
                "forward pass",
                format!(
                    "Forward pass: {sample_desc} goes through the network; each node shows its activation. Loss {}.",
                    g(probe.losses[0])
                ),
                all.clone(),
                activations.clone(),
                Quantity::Activation,
            ));
            for l in (0..n_weight).rev() {
                let mut nodes: Vec<Vec<f32>> = (0..layers).map(blank).collect();
                for (k, slot) in nodes.iter_mut().enumerate().skip(l + 1) {
                    *slot = pick(k, &probe.layers[k - 1].signal);
                }
                let what = if l + 1 == n_weight {
                    "Output error: backprop starts from the loss's derivative at each output, \u{3b4} = dL/da."
                        .to_string()
                } else {
                    format!(
                        "Backward wave: hidden layer {} gets its error from the layer above, \u{3b4} = (\u{3b4}\u{2032} W) f\u{2032}(a), exactly (no noise).",
                        l + 1
                    )
                };
                steps.push(step(
                    if l + 1 == n_weight { "output error" } else { "backward wave" },
                    what,
                    vec![l + 1],
                    nodes,
                    Quantity::Credit,
                ));
            }
        }
        method => {
            let inp = method == "inp";
            let anp = method == "anp";
            if blind {
                steps.push(step(
                    "first noisy pass",
                    format!("First noisy pass: {sample_desc} goes through the network with noise nobody can observe (noisy hardware); each node shows its activation. Its loss is the reference: {}.", g(probe.losses[reference])),
                    all.clone(),
                    activations.clone(),
                    Quantity::Activation,
                ));
            } else {
                steps.push(step(
                    "clean pass",
                    format!("Clean pass: {sample_desc} goes through the network without noise; each node shows its activation. Clean loss {}.", g(probe.losses[0])),
                    all.clone(),
                    activations.clone(),
                    Quantity::Activation,
                ));
            }
            if inp {
                // One noisy pass per layer (draw 1 of each).
                for l in 0..n_weight {
                    let p = 1 + l * draws;
                    let mut nodes: Vec<Vec<f32>> = (0..layers).map(blank).collect();
                    nodes[l + 1] = pick(l + 1, probe.layers[l].passes[p].eps.as_deref().unwrap_or(&[]));
                    let dl = probe.losses[p] - probe.losses[0];
                    let mut s = step(
                        "noise in one layer",
                        format!(
                            "Pass {}: noise \u{3b5} (\u{3c3} = {}) only in layer {}'s pre-activations{k_note}; the layers above see its effect. Loss {} against the clean {}: dL = {}.",
                            p,
                            g(probe.sigma),
                            l + 1,
                            g(probe.losses[p]),
                            g(probe.losses[0]),
                            g(dl)
                        ),
                        vec![l + 1],
                        nodes,
                        Quantity::Noise,
                    );
                    s.meter = Some(meter(0, p));
                    steps.push(s);
                }
                steps.push(step(
                    "credit",
                    "Credit: each layer is credited only with the loss change of its own pass, dL\u{b7}n\u{b7}\u{3b5}/\u{2016}\u{3b5}\u{2016}\u{b2} per node: no cross-talk between layers.".into(),
                    (1..layers).collect(),
                    credit.clone(),
                    Quantity::Credit,
                ));
            } else {
                let eps = per_layer(blank(0), &|l| probe.layers[l].passes[noisy].eps.clone().unwrap_or_default());
                if !blind {
                    steps.push(step(
                        "noise",
                        format!("Noise: \u{3b5} ~ N(0, \u{3c3}\u{b2}) with \u{3c3} = {} is added to every node's pre-activation{k_note}; the nodes show \u{3b5}.", g(probe.sigma)),
                        (1..layers).collect(),
                        eps,
                        Quantity::Noise,
                    ));
                }
                let change = per_layer(blank(0), &|l| {
                    let a = &probe.layers[l].passes[noisy].a;
                    let a0 = &probe.layers[l].clean_a;
                    a.iter().zip(a0).map(|(x, y)| x - y).collect()
                });
                steps.push(step(
                    if blind { "second noisy pass" } else { "noisy pass" },
                    if blind {
                        "Second noisy pass: the same sample with fresh noise, again unobserved; the nodes show how much each pre-activation differs from the first pass, \u{394}a = a\u{2082} \u{2212} a\u{2081}.".to_string()
                    } else {
                        "Noisy pass: the noise of each layer also changes every layer above it; the nodes show the measured change of each pre-activation, \u{394}a = \u{e3} \u{2212} a.".to_string()
                    },
                    (1..layers).collect(),
                    change,
                    Quantity::Change,
                ));
                let m = meter(reference, noisy);
                let mut s = step(
                    "loss change",
                    format!(
                        "Loss: {} {} against {} {}: dL = {}. {}",
                        if blind { "first pass" } else { "clean" },
                        g(m.reference),
                        if blind { "second pass" } else { "noisy" },
                        g(m.noisy),
                        g(m.d_loss),
                        if m.d_loss < 0.0 {
                            "The noise happened to help, so each node will be pushed toward it."
                        } else {
                            "The noise happened to hurt, so each node will be pushed against it."
                        }
                    ),
                    vec![layers - 1],
                    activations.clone(),
                    Quantity::Activation,
                );
                s.meter = Some(m);
                steps.push(s);
                let formula = if anp {
                    let norm2: f32 = probe
                        .layers
                        .iter()
                        .map(|l| l.passes[noisy].a.iter().zip(&l.clean_a).map(|(x, y)| (x - y) * (x - y)).sum::<f32>())
                        .sum();
                    let n: usize = probe.layers.iter().map(|l| l.n_out).sum();
                    format!(
                        "Credit: ANP uses the measured change, not the noise: N\u{b7}dL\u{b7}\u{394}a/\u{2016}\u{394}a\u{2016}\u{b2} per node, with \u{2016}\u{394}a\u{2016}\u{b2} = {} summed over the whole network (N = {n} nodes): a network-wide quantity.",
                        g(norm2)
                    )
                } else {
                    format!(
                        "Credit: each node's credit is dL\u{b7}\u{3b5}/\u{3c3}\u{b2} = {}\u{b7}\u{3b5}/{}: its own noise, weighted by the loss change that all the noise together caused.",
                        g(probe.d_loss.get(1).copied().unwrap_or(f32::NAN)),
                        g(probe.sigma * probe.sigma)
                    )
                };
                steps.push(step("credit", formula, (1..layers).collect(), credit.clone(), Quantity::Credit));
            }
        }
    }
    let mut s = step(
        "weight change",
        format!(
            "Weight change for this sample: every link changes by \u{2212}lr\u{b7}credit\u{b7}x (lr = {}), its node's credit times the input it carries.",
            g(lr)
        ),
        (1..layers).collect(),
        credit.clone(),
        Quantity::Credit,
    );
    s.links = Some(per_sample_dw);
    steps.push(s);
    if !d.update.is_empty() {
        let mut s = step(
            "batch average",
            format!(
                "The update applied: the batch's {} samples are averaged into G, and the optimiser ({}) moves every weight against it; the links show \u{2212}G.",
                probe.batch,
                if probe.optimizer == "adam" {
                    "Adam, which rescales each weight's step"
                } else {
                    "SGD: \u{2212}lr\u{b7}G"
                }
            ),
            (1..layers).collect(),
            (0..layers).map(blank).collect(),
            Quantity::Credit,
        );
        s.links = Some(d.update.iter().map(|g| g.iter().map(|v| -v).collect()).collect());
        steps.push(s);
    }
    Walk { step: probe.step, sample: probe.sample, rule: probe.rule, steps }
}
