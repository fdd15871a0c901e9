//! "Noise made visible": what the last training step did to one sample of its minibatch, read
//! straight from the step's own buffers (nothing is recomputed, so it is exactly what trained the
//! network): per layer the clean pre-activations, the noise each pass injected, the noisy
//! pre-activations, each pass's loss change `dL`, the resulting per-sample signal, and the
//! layer's weight update `G_l` for the whole batch.

use crate::config::Method;
use crate::decorrelation;
use crate::json::{self, Obj};
use crate::train::Trainer;

/// Largest matrix side sent to the page; bigger matrices are sampled on an even grid of rows and
/// columns (the page says so), which keeps a probe of a 784-256-256-10 network small.
pub const MAX_SIDE: usize = 64;

/// `m (rows, cols)` sampled to at most `MAX_SIDE` rows and columns: `(values, rows, cols)`.
pub fn thumbnail(m: &[f32], rows: usize, cols: usize) -> (Vec<f32>, usize, usize) {
    let pick = |n: usize| -> Vec<usize> {
        if n <= MAX_SIDE { (0..n).collect() } else { (0..MAX_SIDE).map(|i| i * n / MAX_SIDE).collect() }
    };
    let (ri, ci) = (pick(rows), pick(cols));
    let v = ri.iter().flat_map(|&r| ci.iter().map(move |&c| m[r * cols + c])).collect();
    (v, ri.len(), ci.len())
}

fn matrix_json(m: &[f32], rows: usize, cols: usize) -> String {
    let (v, r, c) = thumbnail(m, rows, cols);
    Obj::new()
        .num("rows", r as f64)
        .num("cols", c as f64)
        .num("full_rows", rows as f64)
        .num("full_cols", cols as f64)
        .f32s("values", &v)
        .end()
}

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
            .raw("update", &matrix_json(ws.grads.w[l].as_slice().unwrap(), layer.n_out(), layer.n_in()))
            .raw("input_correlation", &corr.map_or("null".into(), |c| matrix_json(&c, layer.n_in(), layer.n_in())))
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
            .f32s(
                "input",
                &trace.input.as_slice().unwrap()[sample * trace.input.ncols()..(sample + 1) * trace.input.ncols()],
            )
            .f32s("losses", &losses)
            .f32s("d_loss", &d_loss)
            .raw("layers", &json::list(layers))
            .end(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_keep_small_matrices_and_sample_large_ones() {
        let m: Vec<f32> = (0..6).map(|v| v as f32).collect();
        assert_eq!(thumbnail(&m, 2, 3), (m.clone(), 2, 3));
        let big: Vec<f32> = (0..256 * 784).map(|v| v as f32).collect();
        let (v, r, c) = thumbnail(&big, 256, 784);
        assert_eq!((r, c, v.len()), (64, 64, 4096));
        assert_eq!(v[0], 0.0);
        assert_eq!(v[1], (784 / 64) as f32, "columns sampled evenly");
        assert_eq!(v[64], (4 * 784) as f32, "rows sampled evenly");
    }
}
