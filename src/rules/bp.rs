//! Backpropagation, the baseline (BP; with decorrelation DBP).
//!
//! `delta_L = dL/da_L`; `delta_{l-1} = ((delta_l W_l) R_l) * f'(a_{l-1})` in row form
//! (since `x = R h`, `dL/dh = R^T dL/dx`); `G_l = mean_b delta_{l,b} x_{l-1,b}^T`.
//! `R_l` is not trained by BP: it only enters the chain rule.

use ndarray::Array2;

use crate::kernels;
use crate::network::{Network, Trace};

/// Writes `delta_l (batch, n_l)` of pass 0 into `signals` and returns the mean loss of pass 0.
/// `scratch` holds `(batch, max width)` temporaries and is resized as needed.
pub fn signals(
    net: &Network,
    trace: &Trace,
    labels: &[usize],
    signals: &mut [Array2<f32>],
    scratch: &mut Vec<f32>,
) -> f32 {
    let bsz = trace.batch;
    let n_layers = net.n_layers();
    let n_out = net.layers[n_layers - 1].n_out();
    let logits = trace.logits(0);
    let mut total = 0.0f32;
    {
        let d = signals[n_layers - 1].as_slice_mut().unwrap();
        for (b, &label) in labels.iter().enumerate().take(bsz) {
            let rows = b * n_out..(b + 1) * n_out;
            total += net.loss.value_and_grad(&logits[rows.clone()], label, &mut d[rows]);
        }
    }
    let widest = net.sizes().into_iter().max().unwrap();
    scratch.resize(2 * bsz * widest, 0.0);
    let (dx, dh) = scratch.split_at_mut(bsz * widest);
    for l in (1..n_layers).rev() {
        let layer = &net.layers[l];
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let (lower, upper) = signals.split_at_mut(l);
        let delta = upper[0].as_slice().unwrap();
        // dL/dx_{l-1} = delta_l W_l
        let dx = &mut dx[..bsz * n_in];
        kernels::gemm_nn(delta, layer.w.as_slice().unwrap(), dx, bsz, n_in, n_out);
        // dL/dh_{l-1} = dL/dx R_l
        let dh: &[f32] = match &layer.r {
            Some(r) => {
                let dh = &mut dh[..bsz * n_in];
                kernels::gemm_nn(dx, r.as_slice().unwrap(), dh, bsz, n_in, n_in);
                dh
            }
            None => dx,
        };
        let act = net.act_of(l - 1);
        let below = &trace.layers[l - 1];
        let a = trace.pass_rows(&below.a, 0);
        let h = trace.pass_rows(&below.h, 0);
        let d = lower[l - 1].as_slice_mut().unwrap();
        for i in 0..bsz * n_in {
            d[i] = dh[i] * act.df(a[i], h[i]);
        }
    }
    total / bsz as f32
}
