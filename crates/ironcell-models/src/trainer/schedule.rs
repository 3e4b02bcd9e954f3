//! Learning-rate schedules: constant, reduce-on-plateau, and cosine annealing with warm
//! restarts (SGDR). The plateau rule keeps state between epochs, which a checkpoint holds.

use serde::{Deserialize, Serialize};

/// Which schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleConfig {
    /// The optimiser's rate throughout.
    #[default]
    Constant,
    /// The rate times `factor` whenever the monitored validation metric has not improved for
    /// `patience` epochs, down to `min_learning_rate`.
    Plateau {
        /// Multiplier on a plateau.
        #[serde(default = "half")]
        factor: f64,
        /// Epochs without improvement before the rate drops.
        #[serde(default = "two")]
        patience: usize,
        /// The lowest rate.
        #[serde(default)]
        min_learning_rate: f64,
    },
    /// From the base rate down to `min_learning_rate` along half a cosine over `period`
    /// epochs, then back up (a warm restart), each period `multiplier` times the last.
    Cosine {
        /// Epochs of the first period.
        #[serde(default = "ten")]
        period: usize,
        /// Growth of the period at each restart.
        #[serde(default = "one")]
        multiplier: usize,
        /// The lowest rate.
        #[serde(default)]
        min_learning_rate: f64,
    },
}

fn half() -> f64 {
    0.5
}
fn two() -> usize {
    2
}
fn ten() -> usize {
    10
}
fn one() -> usize {
    1
}

/// A schedule in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    config: ScheduleConfig,
    base: f64,
    /// The plateau rule's current rate.
    current: f64,
    /// The best monitored value so far (higher is better) and the epochs since.
    best: Option<f64>,
    stale: usize,
}

impl Schedule {
    /// `config` starting from `base`.
    pub fn new(config: ScheduleConfig, base: f64) -> Self {
        Self {
            config,
            base,
            current: base,
            best: None,
            stale: 0,
        }
    }

    /// The rate at `progress` epochs into training (epoch + the finished share of it).
    ///
    /// ```
    /// use ironcell_models::trainer::schedule::{Schedule, ScheduleConfig};
    /// let cosine = ScheduleConfig::Cosine { period: 2, multiplier: 1, min_learning_rate: 0.0 };
    /// let s = Schedule::new(cosine, 1.0);
    /// assert_eq!(s.learning_rate(0.0), 1.0);
    /// assert!((s.learning_rate(1.0) - 0.5).abs() < 1e-12);
    /// assert_eq!(s.learning_rate(2.0), 1.0); // a warm restart
    /// ```
    pub fn learning_rate(&self, progress: f64) -> f64 {
        match self.config {
            ScheduleConfig::Constant => self.base,
            ScheduleConfig::Plateau { .. } => self.current,
            ScheduleConfig::Cosine {
                period,
                multiplier,
                min_learning_rate,
            } => {
                let (mut start, mut length) = (0.0, period.max(1) as f64);
                while progress >= start + length {
                    start += length;
                    length *= multiplier.max(1) as f64;
                }
                let t = (progress - start) / length;
                min_learning_rate
                    + (self.base - min_learning_rate) * (1.0 + (std::f64::consts::PI * t).cos())
                        / 2.0
            }
        }
    }

    /// Ends an epoch whose monitored validation metric (higher is better) was `monitored`.
    pub fn end_epoch(&mut self, monitored: Option<f64>) {
        let ScheduleConfig::Plateau {
            factor,
            patience,
            min_learning_rate,
        } = self.config
        else {
            return;
        };
        let Some(value) = monitored else {
            return;
        };
        if self.best.is_none_or(|b| value > b) {
            self.best = Some(value);
            self.stale = 0;
        } else {
            self.stale += 1;
            if self.stale >= patience.max(1) {
                self.current = (self.current * factor).max(min_learning_rate);
                self.stale = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plateau_halves_the_rate_after_patience_epochs() {
        let mut s = Schedule::new(
            ScheduleConfig::Plateau {
                factor: 0.5,
                patience: 2,
                min_learning_rate: 0.2,
            },
            1.0,
        );
        for v in [0.1, 0.3, 0.2, 0.25] {
            s.end_epoch(Some(v));
        }
        assert_eq!(s.learning_rate(4.0), 0.5);
        for v in [0.2, 0.2, 0.2, 0.2] {
            s.end_epoch(Some(v));
        }
        assert_eq!(s.learning_rate(8.0), 0.2, "never below the minimum");
    }

    #[test]
    fn cosine_periods_grow_by_the_multiplier() {
        let s = Schedule::new(
            ScheduleConfig::Cosine {
                period: 1,
                multiplier: 2,
                min_learning_rate: 0.0,
            },
            1.0,
        );
        // Periods [0, 1), [1, 3), [3, 7).
        assert_eq!(s.learning_rate(1.0), 1.0);
        assert!((s.learning_rate(2.0) - 0.5).abs() < 1e-12);
        assert_eq!(s.learning_rate(3.0), 1.0);
    }
}
