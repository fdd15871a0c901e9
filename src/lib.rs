//! NP Playground's engine: small dense networks trained by node perturbation and its variants
//! (Dalm, van Gerven & Ahmad, "Node Perturbation Can Effectively Train Multi-Layer Neural
//! Networks", arXiv 2310.00965) and by backpropagation for comparison.
//!
//! The layers, each depending only on those above it:
//! - the math: [`rng`], [`kernels`], [`activation`], [`loss`], [`network`] (forward pass into one
//!   `Trace`), [`decorrelation`], [`optimizer`];
//! - [`rules`]: the learning rules (BP, NP, INP, ANP), one file each with its equation;
//! - [`data`]: generated 2-D sets, the MNIST subset, drawn points and uploaded tables;
//! - [`run`]: a run's configuration and its string codec, the trainer, what a step reports,
//!   evaluation, the page link;
//! - [`view`]: what the page shows (a live run, plane views, the noise probe, charts, the
//!   manifest the page reads);
//! - `wasm` (WebAssembly only): the facade, which only converts.
//!
//! The core is pure Rust: no DOM, no JavaScript, no clock; `cargo test` runs all of it natively.
//!
//! Glossary of the symbols used in comments and kernels:
//! - `h_0`: an input sample; `h_l = f(a_l)`: activations of layer `l` (the output layer is linear).
//! - `R_l (n_{l-1}, n_{l-1})`: decorrelation matrix in front of layer `l` (identity, and absent,
//!   in plain networks); `x_{l-1} = R_l h_{l-1}`: the layer's input.
//! - `W_l (n_l, n_{l-1})`, `b_l (n_l)`: weights and biases; `a_l = W_l x_{l-1} + b_l`.
//! - `eps_l ~ N(0, sigma^2 I)`: noise added to the pre-activation `a_l` in a noisy pass;
//!   `sigma` = `noise_std`.
//! - `dL_b = L~_b - L_b`: the loss change of sample `b` that the noise caused.
//! - `G_l`, `g_l`: the update direction a rule hands to the optimiser.
//! - `N = n_1 + ... + n_L`: the number of perturbed units; `K` = `draws`: noise draws per step.

pub mod activation;
pub mod data;
pub mod decorrelation;
pub mod kernels;
pub mod loss;
pub mod network;
pub mod optimizer;
pub mod rng;
pub mod rules;
pub mod run;
pub mod view;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use run::{ConfigError, RunConfig, StepStats, TrainError, Trainer};
