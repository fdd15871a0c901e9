//! "Noise made visible": what the last training step did to one sample of its minibatch, read
//! straight from the step's own buffers (nothing is recomputed, so it is exactly what trained the
//! network): per layer the clean pre-activations, the noise each pass injected, the noisy
//! pre-activations, each pass's loss change `dL`, the resulting per-sample signal, and the
//! layer's weight update `G_l` for the whole batch.

use crate::config::Method;
use crate::decorrelation;
use crate::json::{self, Obj};
use crate::train::Trainer;

/// The probe as JSON for the page, or None before the first step or for a sample outside the batch.
pub fn probe_json(t: &Trainer, sample: usize) -> Option<String> {
    let ws = t.workspace();
    let trace = &ws.trace;
    if t.steps() == 0 || sample >= trace.batch || ws.labels.len() != trace.batch {
        return None;
    }
    let bsz = trace.batch;
    let plan = t.plan();
    let net = t.network();
    let cfg = t.config();
    let losses: Vec<f32> = (0..plan.count()).map(|p| ws.losses[p * bsz + sample]).collect();
    let d_loss: Vec<f32> = losses.iter().map(|&l| l - losses[0]).collect();
    let row = |m: &ndarray::Array2<f32>, p: usize| -> Vec<f32> {
        let w = m.ncols();
        m.as_slice().unwrap()[(p * bsz + sample) * w..(p * bsz + sample + 1) * w].to_vec()
    };
    let layers = net.layers.iter().enumerate().map(|(l, layer)| {
        let lt = &trace.layers[l];
        // Passes running at this layer (the others equal pass 0 here).
        let active = plan.active_at(l);
        let passes = (0..plan.count()).map(|p| {
            let running = p < active;
            let noised = plan.noised(p, l);
            Obj::new()
                .bool("noised", noised)
                .opt_f32s("eps", noised.then(|| row(&lt.eps, p)).as_deref())
                .f32s("a", &row(&lt.a, if running { p } else { 0 }))
                .end()
        });
        let x = trace.pass_rows(&lt.x, 0);
        let corr = layer.r.as_ref().map(|_| decorrelation::correlation_matrix(x, bsz, layer.n_in()));
        Obj::new()
            .num("n_in", layer.n_in() as f64)
            .num("n_out", layer.n_out() as f64)
            .f32s("clean_a", &row(&lt.a, 0))
            .raw("passes", &json::list(passes))
            .f32s("signal", &ws.signals[l].row(sample).to_vec())
            .f32s("update", ws.grads.w[l].as_slice().unwrap())
            .opt_f32s("input_correlation", corr.as_deref())
            .end()
    });
    let method = match cfg.rule.method {
        Method::Bp => "bp",
        Method::Np => "np",
        Method::Inp => "inp",
        Method::Anp => "anp",
    };
    Some(
        Obj::new()
            .num("step", t.steps() as f64)
            .num("sample", sample as f64)
            .num("batch", bsz as f64)
            .num("label", ws.labels[sample] as f64)
            .str("method", method)
            .bool("blind", cfg.mode == crate::config::NoiseMode::Blind)
            .f32s("input", &trace.input.as_slice().unwrap()[sample * trace.input.ncols()..(sample + 1) * trace.input.ncols()])
            .f32s("losses", &losses)
            .f32s("d_loss", &d_loss)
            .raw("layers", &json::list(layers))
            .end(),
    )
}
