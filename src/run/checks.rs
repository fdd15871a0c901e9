//! The checks that span several keys, or a configuration and its data: rules that cannot run
//! with these settings, too few drawn points, a batch larger than the training set, and the
//! memory and work limits of [`super::cost`].

use super::config::{ConfigError, MIN_DRAWN_POINTS, RunConfig, err, shown};
use super::cost::{self, Shape};
use crate::data::{DataSet, Sources, points};
use crate::loss::Loss;
use crate::rules::NoiseMode;

/// The one batch check: a minibatch cannot be larger than the training set.
pub fn check_batch(batch: usize, n_train: usize) -> Result<(), ConfigError> {
    if batch > n_train {
        return Err(err(
            "batch",
            &batch.to_string(),
            format!("larger than the training set ({n_train} training samples): lower batch to at most {n_train}"),
        ));
    }
    Ok(())
}

impl RunConfig {
    /// Checks the combinations that single keys cannot: rules that cannot run with these settings,
    /// a batch larger than the training set, and the memory one step would need.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(reason) = self.rule.unavailable_reason(self.activation, self.mode) {
            let key = if self.mode == NoiseMode::Blind { "mode" } else { "rule" };
            let value = if key == "mode" { "blind".to_string() } else { self.rule.key().to_string() };
            return Err(err(key, &value, reason));
        }
        if self.data == DataSet::Points {
            let n = points::point_count(&self.drawn_points);
            if n < MIN_DRAWN_POINTS {
                return Err(err(
                    "pts",
                    &shown(&self.drawn_points),
                    format!(
                        "data=points needs at least {MIN_DRAWN_POINTS} points (it has {n}): click the plane to add some"
                    ),
                ));
            }
        }
        self.check_tfp()?;
        if let Some(n_train) = self.train_count() {
            check_batch(self.batch_size, n_train)?;
        }
        // Memory and work per step, where the data's shape is known without the data (an
        // upload is checked once its table is there).
        if let Some(shape) = Shape::of(self, &Sources::default()) {
            self.check_edits(&shape)?;
            cost::check(&[(self, shape)])?;
        }
        Ok(())
    }

    /// Issue 20's combinations: features only on 2-D data, regression only with `mse`.
    fn check_tfp(&self) -> Result<(), ConfigError> {
        if self.data.is_digits() && !self.features.is_identity() {
            return Err(err(
                "features",
                &self.features.to_string(),
                format!(
                    "features are functions of a 2-D point; the digits are {} pixels: leave features out (x1,x2)",
                    if self.data == DataSet::Mnist { "28x28" } else { "14x14" }
                ),
            ));
        }
        if self.data.is_regression() && self.loss != Loss::MeanSquared {
            return Err(err(
                "loss",
                self.loss.key(),
                format!("data={} is regression (a real target per point): it needs loss=mse", self.data.key()),
            ));
        }
        Ok(())
    }

    /// Features need 2-D points: an uploaded table of `columns` feature columns has them only
    /// when `columns` is 2.
    pub fn check_features(&self, columns: usize) -> Result<(), ConfigError> {
        if columns != 2 && !self.features.is_identity() {
            return Err(err(
                "features",
                &self.features.to_string(),
                format!(
                    "features are functions of a 2-D point; this table has {columns} feature columns: leave features out (x1,x2), or upload two columns"
                ),
            ));
        }
        Ok(())
    }

    /// Every hand edit names a weight of the network this configuration builds on data of
    /// `shape` (see [`super::edits::check_edits`]).
    pub fn check_edits(&self, shape: &Shape) -> Result<(), ConfigError> {
        self.check_edits_of(&self.layer_sizes(shape.inputs, shape.classes))
    }

    /// Checks this configuration against its data's shape (what `validate` cannot know for an
    /// upload): enough samples to train and test, a batch that fits the training share, and the
    /// memory and work limits. The messages say what to change.
    pub fn check_data(&self, shape: &Shape) -> Result<(), ConfigError> {
        let n_train = shape.train(self);
        if shape.samples < 2 || n_train == 0 || n_train >= shape.samples {
            return Err(err(
                "data",
                self.data.key(),
                format!(
                    "{} samples are too few: at least 2 are needed, one to train and one to test (add rows)",
                    shape.samples
                ),
            ));
        }
        check_batch(self.batch_size, n_train)?;
        self.check_edits(shape)?;
        cost::check(&[(self, *shape)])
    }
}
