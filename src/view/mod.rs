//! What the page shows, computed natively: a live run (trainer, history, smoothing, evaluation
//! schedule), the plane views, the noise probe, the charts (generic over plotters' backends, so
//! native tests draw them to SVG) and the manifest the page reads at start-up.

pub mod color;
pub mod diagram;
pub mod heatmap;
pub mod history;
pub mod lessons;
pub mod live;
pub mod manifest;
pub mod plane;
pub mod plot;
pub mod probe;
pub mod session;
pub mod walk;
