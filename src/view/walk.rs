//! One update in slow motion: the sub-steps of the current rule for one sample of the last
//! minibatch, each with one line of narration and the values to paint on the network diagram's
//! nodes and links, down to the two numbers every link ends with: the rule's estimate `G` (the
//! batch mean, which the rule hands to the optimiser) and the change the optimiser actually
//! applied, `w_after - w_before` (Adam's or SGD's step). Everything comes from the step's own
//! buffers (the [`Probe`], the trace, the optimiser's record of its step) and the diagram's
//! weights: nothing is simulated again, so the walk shows exactly the update that trained the
//! network.

use ndarray::Array2;
use serde::Serialize;

use super::diagram::{self, Diagram};
use super::probe::{self, Probe};
use crate::optimizer::Optimizer;
use crate::rules::{Method, anp, signal_buffers};
use crate::run::Trainer;

/// What the nodes or links of a sub-step show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// The reference pass's activations `h` (inputs: the sample; outputs: the logits).
    Activation,
    /// The noisy pass's activations `h~` (NP: only its loss is used).
    NoisyActivation,
    /// The injected noise `eps`.
    Noise,
    /// A pass's measured change against its reference pass, `a~ - a` (what ANP uses).
    Change,
    /// The credit (BP: the error `delta`) that multiplies the layer input.
    Credit,
    /// The layer inputs `x = R h` of a decorrelated network.
    Input,
    /// This sample's share of `G`: its term of the batch mean.
    SampleShare,
    /// The rule's estimate `G` (the batch mean), as handed to the optimiser.
    Estimate,
    /// The change the optimiser applied, `w_after - w_before`.
    Applied,
    /// WP: the weight noise `xi` on the links (the nodes: their bias's).
    WeightNoise,
    /// FG-W: the tangent `v` on the links; FG-A: the tangent `u` on the nodes.
    Tangent,
    /// The forward wave: each pre-activation's exact derivative along the tangent.
    Wave,
}

/// The reference and other losses of the sample, and their difference.
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
    /// What the nodes show, in words (the legend's "nodes: ..." and the hover read-out).
    pub node_label: String,
    /// Per weight layer, a value per shown link (row-major `(shown out, shown in)`), if any.
    pub links: Option<Vec<Vec<f32>>>,
    pub link_quantity: Option<Quantity>,
    /// What the links show, in words (the legend's "links: ..."), when they show a value.
    pub link_label: Option<String>,
    /// The loss meter, once the losses are known.
    pub meter: Option<Meter>,
}

/// The walk through the last step for one sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Walk {
    pub step: u64,
    pub sample: usize,
    pub rule: &'static str,
    /// `adam` or `sgd`: who turned `G` into the applied change.
    pub optimizer: &'static str,
    pub batch: usize,
    pub draws: usize,
    /// Per weight layer, this sample's share of `G` on the shown links (its term of the batch
    /// mean, the `1/B` included), row-major like the diagram's weights.
    pub share: Vec<Vec<f32>>,
    /// Per weight layer, the rule's estimate `G` on the shown links: exactly what the optimiser
    /// received.
    pub estimate: Vec<Vec<f32>>,
    /// Per weight layer, the bias's `G` of the shown units.
    pub bias_estimate: Vec<Vec<f32>>,
    /// Per weight layer, the change the optimiser applied on the shown links, exactly
    /// `w_after - w_before`; None when the step did not reach the optimiser (a diverged run).
    pub applied: Option<Vec<Vec<f32>>>,
    /// Per weight layer, the change applied to the shown units' biases.
    pub bias_applied: Option<Vec<Vec<f32>>>,
    pub steps: Vec<SubStep>,
}

/// A number for the narration: 4 decimals between 0.01 and 1000, 5 between 0.001 and 0.01, else
/// 3 significant digits.
#[inline(never)]
pub fn g(v: f32) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (0.01..1000.0).contains(&a) {
        format!("{v:.4}")
    } else if (0.001..0.01).contains(&a) {
        format!("{v:.5}")
    } else {
        format!("{v:.2e}")
    }
}

/// The diagram's name of layer `l` (`1..=L`) as a possessive: "layer l's", or "the outputs'"
/// for the last.
fn layer_possessive(l: usize, n_weight: usize) -> String {
    if l == n_weight { "the outputs'".into() } else { format!("layer {l}'s") }
}

/// A sub-step without links or meter (not inlined: a walk makes a dozen).
#[inline(never)]
fn sub_step(
    title: &str,
    narration: String,
    focus: Vec<usize>,
    nodes: Vec<Vec<f32>>,
    q: Quantity,
    label: &str,
) -> SubStep {
    SubStep {
        title: title.to_string(),
        narration,
        focus,
        nodes,
        node_quantity: q,
        node_label: label.to_string(),
        links: None,
        link_quantity: None,
        link_label: None,
        meter: None,
    }
}

/// `n` in decimal (not inlined: one copy for every count the narration cites).
#[inline(never)]
fn int(n: usize) -> String {
    n.to_string()
}

/// `t` with each `{}` replaced by the next of `args` (one small function instead of a `format!`
/// per sentence keeps the module small).
#[inline(never)]
fn fill(t: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(t.len() + 16 * args.len());
    let mut parts = t.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for (k, part) in parts.enumerate() {
        out.push_str(args.get(k).copied().unwrap_or_default());
        out.push_str(part);
    }
    out
}

/// The walk through the last step of `t` for sample `sample` of its minibatch; None before the
/// first step or for a sample outside the batch.
pub fn walk(t: &Trainer, sample: usize) -> Option<Walk> {
    let probe = probe::probe(t, sample)?;
    let d = diagram::diagram(t);
    Some(walk_of(t, &probe, &d))
}

/// Per weight layer, `m` on the diagram's shown links.
fn shown_links(d: &Diagram, m: &[Array2<f32>]) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(m.len());
    for (l, m) in m.iter().enumerate() {
        let (v, n) = (m.as_slice().unwrap(), m.ncols());
        out.push(d.shown[l + 1].iter().flat_map(|&j| d.shown[l].iter().map(move |&i| v[j * n + i])).collect());
    }
    out
}

/// Per weight layer, the bias vectors `b` on the diagram's shown units.
fn shown_units(d: &Diagram, b: &[ndarray::Array1<f32>]) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(b.len());
    for (l, b) in b.iter().enumerate() {
        out.push(d.shown[l + 1].iter().map(|&j| b[j]).collect());
    }
    out
}

/// This sample's share of `G` on the shown links: `G = sum_b share_b`. With a clean reference
/// pass the signal already averages the draws and multiplies pass 0's input:
/// `share = S[b] x[b]^T / B`. In blind mode with several draws each draw's signal multiplies the
/// input of its own pair's first pass (as the rule computes it), so the draws' terms are summed.
fn sample_share(t: &Trainer, d: &Diagram, sample: usize) -> Vec<Vec<f32>> {
    let net = t.network();
    let buf = t.last_update();
    let trace = &buf.trace;
    let plan = t.plan();
    let cfg = t.config();
    let bsz = trace.batch;
    let inv_b = 1.0 / bsz as f32;
    let mut out: Vec<Vec<f32>> =
        (0..net.n_layers()).map(|l| vec![0.0; d.shown[l + 1].len() * d.shown[l].len()]).collect();
    // Adds the sample's `signals * x / B`, with `x` the layer inputs of pass `pass`.
    let mut add = |signals: &[Array2<f32>], pass: usize| {
        for (l, share) in out.iter_mut().enumerate() {
            let (n_in, n_out) = (net.layers[l].n_in(), net.layers[l].n_out());
            let p = if pass < plan.computed_at(l) { pass } else { 0 };
            let x = &trace.pass_rows(&trace.layers[l].x, p)[sample * n_in..(sample + 1) * n_in];
            let s = &signals[l].as_slice().unwrap()[sample * n_out..(sample + 1) * n_out];
            let mut k = 0;
            for &j in &d.shown[l + 1] {
                for &i in &d.shown[l] {
                    share[k] += s[j] * x[i] * inv_b;
                    k += 1;
                }
            }
        }
    };
    if let Some((links, _)) = weight_space_share(t, d, sample) {
        return links;
    }
    if cfg.mode == crate::rules::NoiseMode::Blind && cfg.draws > 1 {
        let mut s = signal_buffers(net, bsz);
        let mut norms = Vec::new();
        for (r, q) in anp::pairs(plan.count(), true) {
            anp::signals(trace, &buf.losses, &[(r, q)], cfg.draws, &mut s, &mut norms);
            add(&s, r);
        }
    } else {
        add(&buf.signals, 0);
    }
    out
}

/// A value per shown link (or unit) of every weight layer.
type PerLayer = Vec<Vec<f32>>;

/// WP and FG-W: this sample's share of `G` on the shown links and units. Their `G` is a sum of
/// whole-network directions, one per draw, each scaled by the minibatch's mean of a per-sample
/// number (WP: `dL_{k,b} / sigma^2`; FG-W: `d_{k,b}`), so the sample's share is
/// `(1/K) sum_k c_{k,b} / B * probe_k`. None for the other rules.
fn weight_space_share(t: &Trainer, d: &Diagram, sample: usize) -> Option<(PerLayer, PerLayer)> {
    let buf = t.last_update();
    let cfg = t.config();
    let bsz = buf.trace.batch;
    let draws = buf.probes.len();
    let c: Vec<f32> = match cfg.rule.method {
        Method::Wp => {
            let inv_var = 1.0 / (cfg.noise_std * cfg.noise_std);
            (0..draws).map(|k| (buf.losses[(k + 1) * bsz + sample] - buf.losses[sample]) * inv_var).collect()
        }
        Method::Fgw => (0..draws).map(|k| probe::fgw_sample_d(t, k, sample)).collect(),
        _ => return None,
    };
    let mut sum = crate::rules::Grads::zeros_like(t.network());
    for (k, probe) in buf.probes.iter().enumerate() {
        sum.add_scaled(c[k] / (bsz * draws) as f32, probe);
    }
    Some((shown_links(d, &sum.w), shown_units(d, &sum.b)))
}

/// The shown nodes' values of layer `l`'s vector `v` (NaN where `v` has none).
fn pick(d: &Diagram, l: usize, v: &[f32]) -> Vec<f32> {
    d.shown[l].iter().map(|&j| v.get(j).copied().unwrap_or(f32::NAN)).collect()
}

/// Per layer `0..=L` from per-weight-layer vectors `f(l)` (layer 0 gets `first`).
fn per_layer<'a>(d: &Diagram, first: Vec<f32>, f: &dyn Fn(usize) -> &'a [f32]) -> Vec<Vec<f32>> {
    std::iter::once(first).chain((1..d.sizes.len()).map(|l| pick(d, l, f(l - 1)))).collect()
}

fn walk_of(t: &Trainer, probe: &Probe, d: &Diagram) -> Walk {
    let layers = d.sizes.len(); // L + 1
    let n_weight = layers - 1;
    let buf = t.last_update();
    let trace = &buf.trace;
    let bsz = trace.batch;
    let sample = probe.sample;
    let blank = |l: usize| vec![f32::NAN; d.shown[l].len()];
    let input = pick(d, 0, &probe.input);
    let activations = per_layer(d, input.clone(), &|l| &probe.layers[l].clean_h);
    let draws = probe.draws.max(1);
    let k = int(draws);
    let several = draws > 1;
    let blind = probe.blind;
    let k_note =
        if several { fill(" (draw 1 of K = {}; the update averages all {})", &[&k, &k]) } else { String::new() };
    let averaged = if several { fill(", averaged over the K = {} draws", &[&k]) } else { String::new() };
    // Draw 1's pair of passes: the reference (clean, or the first noisy pass in blind mode) and
    // the noisy one.
    let (reference, noisy) = probe.pairs().first().copied().unwrap_or((0, 0));
    let meter = |p: usize, q: usize| Meter {
        reference: probe.losses[p],
        noisy: probe.losses[q],
        d_loss: probe.losses[q] - probe.losses[p],
    };
    let bp = probe.method == "bp";
    let credit = per_layer(d, blank(0), &|l| &probe.layers[l].signal);
    let credit_label = if bp { "error \u{3b4}" } else { "credit" };
    let all: Vec<usize> = (0..layers).collect();
    let upper: Vec<usize> = (1..layers).collect();
    let step = sub_step;
    let mut steps = Vec::new();
    if d.decorrelated {
        steps.push(step(
            "decorrelation",
            "Decorrelated network: in front of each layer a matrix R turns its input into x = R h; after each step a local rule updates R to push the off-diagonal of the batch's mean x x\u{1d40} toward zero. The nodes show each layer's input x (the outputs: the logits).".into(),
            all.clone(),
            std::iter::once(pick(d, 0, &probe.layers[0].x))
                .chain((1..layers).map(|k| {
                    if k < n_weight { pick(d, k, &probe.layers[k].x) } else { pick(d, k, &probe.layers[k - 1].clean_h) }
                }))
                .collect(),
            Quantity::Input,
            "layer input x = R h",
        ));
    }
    let sample_desc = if t.data().is_regression() {
        // Regression: the label carries the real target (issue 20).
        let target = format!("{:.3}", crate::loss::label_target(probe.label));
        fill("sample {} of the batch (target {})", &[&int(probe.sample), &target])
    } else {
        fill("sample {} of the batch (class {})", &[&int(probe.sample), &int(probe.label)])
    };
    // Why no backward pass is needed: one number per pass reaches every node.
    let no_backward = |who: &str, what: &str| {
        fill(
            "No backward pass is needed: {}, and each node combines it with its own {}, then with its own input x.",
            &[who, what],
        )
    };
    let first = if bp {
        "forward pass"
    } else if blind {
        "first noisy pass"
    } else {
        "clean pass"
    };
    let first_label = if blind { "activation h of the first noisy pass" } else { "activation h" };
    steps.push(step(
        first,
        fill(
            "{}: {} goes through the network{}; the nodes show its activations (the outputs: the logits). {}{}.",
            &[
                if bp {
                    "Forward pass"
                } else if blind {
                    "First noisy pass"
                } else {
                    "Clean pass"
                },
                &sample_desc,
                if bp {
                    ""
                } else if blind {
                    " with noise nobody can observe (noisy hardware)"
                } else {
                    " without noise"
                },
                if blind && several {
                    "Its loss is draw 1's reference: "
                } else if blind {
                    "Its loss is the reference: "
                } else {
                    "Loss "
                },
                &g(probe.losses[0]),
            ],
        ),
        all.clone(),
        activations.clone(),
        Quantity::Activation,
        first_label,
    ));
    let b = int(bsz);
    match probe.method {
        "bp" => {
            for l in (0..n_weight).rev() {
                let mut nodes: Vec<Vec<f32>> = (0..layers).map(blank).collect();
                for (k, slot) in nodes.iter_mut().enumerate().skip(l + 1) {
                    *slot = pick(d, k, &probe.layers[k - 1].signal);
                }
                let last = l + 1 == n_weight;
                let what = if last {
                    "Output error: backprop starts from the loss's derivative at each output, \u{3b4} = dL/da.".into()
                } else {
                    fill(
                        "Backward wave: layer {} gets its error exactly (no noise) from the layer above, \u{3b4} = {} \u{2299} f\u{2032}(a){}.",
                        &[
                            &int(l + 1),
                            if d.decorrelated { "((\u{3b4}\u{2032} W) R)" } else { "(\u{3b4}\u{2032} W)" },
                            if d.decorrelated { ", R being the matrix in front of the layer above" } else { "" },
                        ],
                    )
                };
                steps.push(step(
                    if last { "output error" } else { "backward wave" },
                    what,
                    vec![l + 1],
                    nodes,
                    Quantity::Credit,
                    credit_label,
                ));
            }
        }
        "inp" => {
            // One noisy pass per layer (draw 1 of each).
            for l in 0..n_weight {
                let p = 1 + l * draws;
                let mut nodes: Vec<Vec<f32>> = (0..layers).map(blank).collect();
                nodes[l + 1] = pick(d, l + 1, probe.layers[l].passes[p].eps.as_deref().unwrap_or(&[]));
                let m = meter(0, p);
                let mut s = step(
                    "noise in one layer",
                    fill(
                        "Pass {}: noise \u{3b5} (\u{3c3} = {}) only in {} pre-activations{}{}. Loss {} against the clean {}: dL = {}.",
                        &[
                            &int(p),
                            &g(probe.sigma),
                            &layer_possessive(l + 1, n_weight),
                            &k_note,
                            if l + 1 < n_weight { "; the layers above see its effect" } else { "" },
                            &g(m.noisy),
                            &g(m.reference),
                            &g(m.d_loss),
                        ],
                    ),
                    vec![l + 1],
                    nodes,
                    Quantity::Noise,
                    "noise \u{3b5}",
                );
                s.meter = Some(m);
                steps.push(s);
            }
            steps.push(step(
                "credit",
                fill(
                    "Credit: each layer is credited only with the loss change of its own pass, dL\u{b7}n\u{b7}\u{3b5}/\u{2016}\u{3b5}\u{2016}\u{b2} per node (n: the layer's nodes){}: no cross-talk between layers. {}",
                    &[&averaged, &no_backward("each layer's one number dL reaches all its nodes", "noise \u{3b5}")],
                ),
                upper.clone(),
                credit.clone(),
                Quantity::Credit,
                credit_label,
            ));
        }
        "wp" | "fgw" | "fga" => {
            let (wp, fga) = (probe.method == "wp", probe.method == "fga");
            let sym = if wp {
                "\u{3be}"
            } else if fga {
                "u"
            } else {
                "v"
            };
            // Draw 1's probe: WP's noise and FG-W's tangent over every weight and bias, shared by
            // the whole minibatch (the nodes: their bias's); FG-A's tangent on every unit.
            let probe_nodes = per_layer(d, blank(0), &|l| {
                let v = &probe.layers[l];
                v.unit_tangent.as_deref().or(v.bias_probe.as_deref()).unwrap_or(&[])
            });
            let links = buf.probes.first().map(|p| shown_links(d, &p.w));
            let (title, text, q, label) = if wp {
                (
                    "weight noise",
                    "Weight noise{}: \u{3be} ~ N(0, \u{3c3}\u{b2}) with \u{3c3} = {} is added to every weight and bias, one draw for the whole minibatch: every sample meets the same jittered network. The links show \u{3be}, the nodes their bias's \u{3be}.",
                    Quantity::WeightNoise,
                    "bias's noise \u{3be}",
                )
            } else if fga {
                (
                    "tangent",
                    "Tangent{}: a random direction u ~ N(0, 1) on every node's pre-activation, drawn afresh for every sample. Nothing is added: u only says along which direction to differentiate (NP would add \u{3c3}u as noise). The nodes show u.",
                    Quantity::Tangent,
                    "tangent u",
                )
            } else {
                (
                    "tangent",
                    "Tangent{}: a random direction v ~ N(0, 1) over every weight and bias, one for the whole minibatch. Nothing is added to the weights: v only says along which direction to differentiate. The links show v, the nodes their bias's v.",
                    Quantity::Tangent,
                    "bias's tangent v",
                )
            };
            let mut s =
                step(title, fill(text, &[&k_note, &g(probe.sigma)]), upper.clone(), probe_nodes.clone(), q, label);
            if let Some(links) = &links {
                s.links = Some(links.clone());
                s.link_quantity = Some(q);
                s.link_label = Some(fill(if wp { "weight noise {}" } else { "tangent {}" }, &[sym]));
            }
            steps.push(s);
            let bd = probe.batch_d.first().copied().unwrap_or(f32::NAN);
            let sd = probe.sample_d.first().copied().unwrap_or(f32::NAN);
            let helped = bd < 0.0;
            if wp {
                let noisy_h = per_layer(d, input.clone(), &|l| {
                    let n = probe.layers[l].n_out;
                    &trace.pass_rows(&trace.layers[l].h, noisy)[sample * n..(sample + 1) * n]
                });
                steps.push(step(
                    "noisy pass",
                    "Noisy pass: the same sample through the jittered weights W + \u{3be}; the nodes show its activations (the outputs: the logits). WP uses only this pass's loss.".into(),
                    upper.clone(),
                    noisy_h,
                    Quantity::NoisyActivation,
                    "noisy activation h\u{303}",
                ));
                let m = meter(reference, noisy);
                let mut s = step(
                    "loss change",
                    fill(
                        "Loss: clean {} against noisy {}: this sample's dL = {}. WP uses only the minibatch's mean, dL = {} over the B = {} samples: they all met the same \u{3be}, so together they give one probe, not {}.",
                        &[&g(m.reference), &g(m.noisy), &g(m.d_loss), &g(bd), &b, &b],
                    ),
                    vec![n_weight],
                    activations.clone(),
                    Quantity::Activation,
                    first_label,
                );
                s.meter = Some(m);
                steps.push(s);
            } else {
                let wave = per_layer(d, blank(0), &|l| probe.layers[l].tangent_a.as_deref().unwrap_or(&[]));
                let label = fill("derivative \u{227} along {}", &[sym]);
                steps.push(step(
                    "forward wave",
                    if fga {
                        "Forward wave: beside the clean pass, forward mode carries the tangents up the network: each node's pre-activation changes at the rate \u{227} = u + W\u{1e8b}, its own u plus what the layers below pass on through f\u{2032}. The nodes show \u{227}: no noise, no finite difference."
                    } else {
                        "Forward wave: beside the clean pass, forward mode carries each pre-activation's exact derivative along v up the network, \u{227} = v\u{2096}x + W\u{1e8b} + v\u{2086} layer by layer (\u{1e8b}: the derivative of the layer's input, through f\u{2032} of the layer below). The nodes show \u{227}: no noise, no finite difference."
                    }
                    .into(),
                    upper.clone(),
                    wave.clone(),
                    Quantity::Wave,
                    &label,
                ));
                steps.push(step(
                    "derivative d",
                    fill(
                        if fga {
                            "Derivative: at the outputs the wave gives this sample's loss's exact rate of change along u, d = {}: what NP's dL/\u{3c3} tends to as \u{3c3} \u{2192} 0, without a finite difference's error. Every sample has its own u and its own d."
                        } else {
                            "Derivative: at the outputs the wave gives this sample's loss's exact rate of change along v, d = {}. FG-W uses only the minibatch's mean, d = {} over the B = {} samples: they all share v, so together they give one probe, not {}."
                        },
                        &[&g(sd), &g(bd), &b, &b],
                    ),
                    vec![n_weight],
                    wave,
                    Quantity::Wave,
                    &label,
                ));
            }
            if fga {
                steps.push(step(
                    "credit",
                    fill(
                        "Credit: each node's credit is d\u{b7}u{}: its own tangent, weighted by the derivative that all the tangents together produced. {}",
                        &[&averaged, &no_backward("the one number d reaches every node", "tangent u")],
                    ),
                    upper.clone(),
                    credit.clone(),
                    Quantity::Credit,
                    credit_label,
                ));
            } else {
                // Draw 1's term of G on the links: one number times the probe.
                let c = if wp { bd / (probe.sigma * probe.sigma) } else { bd };
                let term = links
                    .unwrap_or_default()
                    .iter()
                    .map(|l| l.iter().map(|v| c * v / draws as f32).collect())
                    .collect();
                let what = if wp { "noise" } else { "tangent" };
                let mut s = step(
                    &fill("update along {}", &[sym]),
                    fill(
                        "Update: G = {} = {}\u{b7}{}{}: one number for the whole network and minibatch times each weight's own {} {}. {} happened to {} (the minibatch's {} {}), so \u{2212}G points every weight {} its {}. No backward pass is needed.",
                        &[
                            if wp { "dL\u{b7}\u{3be}/\u{3c3}\u{b2}" } else { "d\u{b7}v" },
                            &g(c),
                            sym,
                            &if several {
                                fill(" for draw 1 (the update averages all K = {})", &[&k])
                            } else {
                                String::new()
                            },
                            what,
                            sym,
                            if several { "Draw 1" } else { "This draw" },
                            match (wp, helped) {
                                (true, true) => "help",
                                (true, false) => "hurt",
                                (false, true) => "point downhill",
                                (false, false) => "point uphill",
                            },
                            if wp { "dL" } else { "d" },
                            if helped { "< 0" } else { "\u{2265} 0" },
                            if helped { "along" } else { "against" },
                            what,
                        ],
                    ),
                    upper.clone(),
                    probe_nodes,
                    q,
                    label,
                );
                s.links = Some(term);
                s.link_quantity = Some(Quantity::Estimate);
                s.link_label = Some(if several { "draw 1's term of G" } else { "G of this draw" }.into());
                steps.push(s);
            }
        }
        method => {
            let anp = method == "anp";
            if !blind {
                steps.push(step(
                    "noise",
                    fill(
                        "Noise: \u{3b5} ~ N(0, \u{3c3}\u{b2}) with \u{3c3} = {} is added to every node's pre-activation{}; the nodes show \u{3b5}.",
                        &[&g(probe.sigma), &k_note],
                    ),
                    upper.clone(),
                    per_layer(d, blank(0), &|l| probe.layers[l].passes[noisy].eps.as_deref().unwrap_or(&[])),
                    Quantity::Noise,
                    "noise \u{3b5}",
                ));
            }
            if anp {
                let change: Vec<Vec<f32>> = std::iter::once(blank(0))
                    .chain(probe.layers.iter().enumerate().map(|(l, layer)| {
                        let (a, a0) = (&layer.passes[noisy].a, &layer.passes[reference].a);
                        pick(d, l + 1, &a.iter().zip(a0).map(|(x, y)| x - y).collect::<Vec<f32>>())
                    }))
                    .collect();
                steps.push(step(
                    if blind { "second noisy pass" } else { "noisy pass" },
                    if blind {
                        "Second noisy pass: the same sample with fresh, again unobserved noise; the nodes show each pre-activation's difference from the first pass, \u{394}a = a\u{2082} \u{2212} a\u{2081}, which ANP uses in place of the noise.".into()
                    } else {
                        "Noisy pass: the same sample with the noise, which also changes every layer above its own. The nodes show the measured change of each pre-activation, \u{394}a = \u{e3} \u{2212} a, which ANP uses instead of \u{3b5}.".into()
                    },
                    upper.clone(),
                    change,
                    Quantity::Change,
                    "measured change \u{394}a",
                ));
            } else {
                // NP uses only this pass's loss: show what the noisy pass computed.
                let noisy_h = per_layer(d, input.clone(), &|l| {
                    let n = probe.layers[l].n_out;
                    let p = if noisy < t.plan().active_at(l) { noisy } else { 0 };
                    &trace.pass_rows(&trace.layers[l].h, p)[sample * n..(sample + 1) * n]
                });
                steps.push(step(
                    "noisy pass",
                    "Noisy pass: the same sample with the noise; the nodes show its noisy activations (the outputs: the noisy logits), changed by their own noise and the noise below. NP uses only this pass's loss.".into(),
                    upper.clone(),
                    noisy_h,
                    Quantity::NoisyActivation,
                    "noisy activation h\u{303}",
                ));
            }
            let m = meter(reference, noisy);
            let helped = m.d_loss < 0.0;
            let mut s = step(
                "loss change",
                fill(
                    "Loss: {} {} against {} {}: dL = {}. {} happened to {} (dL {}), so {} pushes each node's pre-activation {} {}{}.",
                    &[
                        if blind { "first pass" } else { "clean" },
                        &g(m.reference),
                        if blind { "second pass" } else { "noisy" },
                        &g(m.noisy),
                        &g(m.d_loss),
                        if several { "Draw 1's noise" } else { "The noise" },
                        if helped { "help" } else { "hurt" },
                        if helped { "< 0" } else { "\u{2265} 0" },
                        if several { "its part of the credit" } else { "this sample's share of \u{2212}G" },
                        if helped { "toward" } else { "away from" },
                        if anp { "its measured change \u{394}a" } else { "its noise \u{3b5}" },
                        if several { "; every draw has its own dL" } else { "" },
                    ],
                ),
                vec![n_weight],
                activations.clone(),
                Quantity::Activation,
                first_label,
            );
            s.meter = Some(m);
            steps.push(s);
            let formula = if anp {
                let norm2: f32 = probe
                    .layers
                    .iter()
                    .map(|l| {
                        l.passes[noisy]
                            .a
                            .iter()
                            .zip(&l.passes[reference].a)
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum::<f32>()
                    })
                    .sum();
                let n: usize = probe.layers.iter().map(|l| l.n_out).sum();
                fill(
                    "Credit: ANP uses the measured change, not the noise: N\u{b7}dL\u{b7}\u{394}a/\u{2016}\u{394}a\u{2016}\u{b2} per node{}, with \u{2016}\u{394}a\u{2016}\u{b2} = {}{} summed over the whole network (N = {} nodes), a network-wide quantity. {}",
                    &[
                        &averaged,
                        &g(norm2),
                        if several { " (draw 1)" } else { "" },
                        &int(n),
                        &no_backward("the one number dL, divided by that one norm, reaches every node", "\u{394}a"),
                    ],
                )
            } else {
                let shown = if several {
                    "the mean over the K = {} draws of dL\u{b7}\u{3b5}/\u{3c3}\u{b2} (draw 1: dL = {}, \u{3c3}\u{b2} = {})"
                } else {
                    "dL\u{b7}\u{3b5}/\u{3c3}\u{b2} = {}{}\u{b7}\u{3b5}/{}"
                };
                let shown = fill(shown, &[if several { &k } else { "" }, &g(m.d_loss), &g(probe.sigma * probe.sigma)]);
                fill(
                    "Credit: each node's credit is {}: its own noise, weighted by the loss change that all the noise together caused. {}",
                    &[&shown, &no_backward("the one number dL reaches every node", "noise \u{3b5}")],
                )
            };
            steps.push(step("credit", formula, upper.clone(), credit.clone(), Quantity::Credit, credit_label));
        }
    }
    // The update: this sample's share, the batch's estimate G, and the optimiser's step.
    let share = sample_share(t, d, sample);
    let grads = &buf.grads;
    let estimate = shown_links(d, &grads.w);
    let bias_estimate = shown_units(d, &grads.b);
    let applied_all = t.last_applied();
    let applied = applied_all.map(|a| shown_links(d, &a.w));
    let bias_applied = applied_all.map(|a| shown_units(d, &a.b));
    let what = if bp { "\u{3b4}" } else { "credit" };
    let wp_rule = probe.method == "wp";
    let weight_space = wp_rule || probe.method == "fgw";
    // What a link's share multiplies: credit times input, or (WP, FG-W) the one number times
    // the link's own probe.
    let product = if wp_rule {
        "dL\u{b7}\u{3be}/\u{3c3}\u{b2}"
    } else if weight_space {
        "d\u{b7}v"
    } else if bp {
        "\u{3b4}\u{b7}x"
    } else {
        "credit\u{b7}x"
    };
    let share_nodes = match weight_space_share(t, d, sample) {
        Some((_, bias)) => std::iter::once(blank(0)).chain(bias).collect(),
        None => credit,
    };
    let with_links = |mut s: SubStep, links: &[Vec<f32>], q: Quantity, label: String| {
        s.links = Some(links.to_vec());
        s.link_quantity = Some(q);
        s.link_label = Some(label);
        s
    };
    steps.push(with_links(
        step(
            "this sample's share",
            fill(
                "This sample's share of G: each link gets {} divided by the batch size B = {}, because G is the batch mean.",
                &[
                    &if blind && several {
                        fill(
                            "the mean over the K = {} draws of credit\u{b7}x/B, each draw's credit times the input x of its own first pass",
                            &[&k],
                        )
                    } else if weight_space {
                        fill(
                            "{}/B{}, this sample's {} times the link's own {}",
                            &[
                                product,
                                if several { " (the mean over the K draws)" } else { "" },
                                if wp_rule { "loss change dL over \u{3c3}\u{b2}" } else { "derivative d" },
                                if wp_rule { "noise \u{3be}" } else { "tangent v" },
                            ],
                        )
                    } else {
                        fill("{}\u{b7}x/B, its node's {} times the input x it carries", &[what, what])
                    },
                    &b,
                ],
            ),
            upper.clone(),
            share_nodes,
            if weight_space { Quantity::SampleShare } else { Quantity::Credit },
            if weight_space { "this sample's share of the bias's G" } else { credit_label },
        ),
        &share,
        Quantity::SampleShare,
        "this sample's share of G".into(),
    ));
    let alignment = match t.last_stats().alignment_all {
        Some(c) if !bp => fill(
            " On this batch G has cosine {} with the exact gradient (backprop's): 1 is the same direction, 0 unrelated, below 0 G points away from it.",
            &[&format!("{c:.2}")],
        ),
        _ => String::new(),
    };
    steps.push(with_links(
        step(
            "estimate G",
            fill(
                "The rule's estimate G: the {} samples' shares added up, the mean of {} over the batch{}. {}It is what the optimiser receives; the links show G, the nodes their bias's G.{}",
                &[
                    &b,
                    product,
                    if several && !bp { " and the draws" } else { "" },
                    if bp { "For BP it is the exact gradient of the batch's mean loss. " } else { "" },
                    &alignment,
                ],
            ),
            upper.clone(),
            per_layer(d, blank(0), &|l| grads.b[l].as_slice().unwrap()),
            Quantity::Estimate,
            "bias's G",
        ),
        &estimate,
        Quantity::Estimate,
        "G, the rule's estimate".into(),
    ));
    let adam = probe.optimizer == Optimizer::Adam.key();
    let name = if adam { "Adam" } else { "SGD" };
    if let (Some(applied), Some(all_applied)) = (&applied, applied_all) {
        let how = if adam {
            let links: Vec<(f32, f32)> =
                applied.iter().flatten().copied().zip(estimate.iter().flatten().copied()).collect();
            let (lo, hi) =
                links.iter().fold((f32::INFINITY, 0.0f32), |(lo, hi), &(a, _)| (lo.min(a.abs()), hi.max(a.abs())));
            let along = links.iter().filter(|&&(a, e)| a * e > 0.0).count();
            let signs = if along == 0 {
                "Every shown link moved against its G.".into()
            } else {
                fill(
                    "{} of {} shown links moved the same way as their G: Adam's running average m\u{302} still carries earlier steps' G.",
                    &[&int(along), &int(links.len())],
                )
            };
            fill(
                "about \u{394}w = \u{2212}lr\u{b7}m\u{302}/\u{221a}v\u{302}, m\u{302} and v\u{302} being its bias-corrected running averages of G and G\u{b2}, so lr = {} sets a step's size, not |G|: over the shown links |\u{394}w| runs from {} to {}. {}",
                &[&g(probe.learning_rate), &g(lo), &g(hi), &signs],
            )
        } else {
            fill(
                "\u{394}w = \u{2212}lr\u{b7}G (lr = {}), so each link moved against its G.",
                &[&g(probe.learning_rate)],
            )
        };
        steps.push(with_links(
            step(
                "step applied",
                fill(
                    "The step applied: {} moved every weight by {} The links show \u{394}w = w_after \u{2212} w_before, the nodes their bias's \u{394}b.",
                    &[name, &how],
                ),
                upper,
                per_layer(d, blank(0), &|l| all_applied.b[l].as_slice().unwrap()),
                Quantity::Applied,
                "bias change \u{394}b",
            ),
            applied,
            Quantity::Applied,
            fill("change \u{394}w applied by {}", &[name]),
        ));
    }
    Walk {
        step: probe.step,
        sample: probe.sample,
        rule: probe.rule,
        optimizer: probe.optimizer,
        batch: bsz,
        draws,
        share,
        estimate,
        bias_estimate,
        applied,
        bias_applied,
        steps,
    }
}
