//! NP Playground's engine: small dense networks trained by node perturbation and its variants
//! (Dalm, van Gerven & Ahmad, "Node Perturbation Can Effectively Train Multi-Layer Neural
//! Networks", arXiv 2310.00965) and by backpropagation for comparison. The core is pure Rust: no
//! DOM, no JavaScript; the WebAssembly facade lives in `wasm/` and only converts.
//!
//! Glossary of the symbols used in comments and kernels:
//! - `h_0`: an input sample; `h_l = f(a_l)`: activations of layer `l` (the output layer is linear).
//! - `R_l (n_{l-1}, n_{l-1})`: decorrelation matrix in front of layer `l` (identity, and absent,
//!   in plain networks); `x_{l-1} = R_l h_{l-1}`: the layer's input.
//! - `W_l (n_l, n_{l-1})`, `b_l (n_l)`: weights and biases; `a_l = W_l x_{l-1} + b_l`.
//! - `eps_l ~ N(0, sigma^2 I)`: noise added to `a_l` in a noisy pass; `sigma` = `noise_std`.
//! - `dL_b = L~_b - L_b`: the loss change of sample `b` that the noise caused.
//! - `G_l`, `g_l`: the update direction a rule hands to the optimiser.
//! - `N = n_1 + ... + n_L`: the number of perturbed units; `K` = `draws`: noise draws per step.

pub mod activation;
pub mod bench;
pub mod config;
pub mod data;
pub mod decorrelation;
pub mod history;
pub mod json;
pub mod kernels;
pub mod loss;
pub mod metrics;
pub mod mnist;
pub mod network;
pub mod optimizer;
pub mod plane;
pub mod plot;
pub mod probe;
pub mod rng;
pub mod rules;
pub mod train;
pub mod userdata;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{ConfigError, RunConfig};
pub use train::{StepStats, TrainError, Trainer};
