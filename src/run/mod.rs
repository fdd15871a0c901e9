//! A run: its configuration and the string codec shared by the URL and the CLI, the trainer that
//! steps it, what a step reports, evaluation, the page link around a configuration, and the run files that carry a link.

pub mod checks;
pub mod codec;
pub mod config;
pub mod cost;
pub mod diagnostics;
pub mod edits;
pub mod evaluation;
pub mod figures;
pub mod link;
pub mod runfile;
pub mod stats;
pub mod sweep;
pub mod trainer;
pub mod weights;
pub mod workloads;

pub use config::{ConfigError, RunConfig};
pub use stats::StepStats;
pub use trainer::{TrainError, Trainer};
