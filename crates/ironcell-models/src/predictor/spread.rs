//! How far to trust each prediction: the spread of a model's members (a forest's trees; the
//! seeds of an ensemble) around its answer, as a standard deviation and a central 90 %
//! interval. A model without members has no spread of its own and says so (`None`), rather
//! than inventing one.

use super::Predictions;

/// The percentiles bounding the central 90 % interval.
const TAILS: (f64, f64) = (0.05, 0.95);

/// One prediction's members summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Their mean: the model's prediction.
    pub mean: f64,
    /// Their standard deviation (population form: the members are the whole model).
    pub sd: f64,
    /// The 5th percentile.
    pub low: f64,
    /// The 95th percentile.
    pub high: f64,
}

impl Summary {
    /// The members' summary; `values` is left sorted. Percentiles interpolate linearly
    /// between order statistics (NumPy's default), so two members give an interval between
    /// them, not at them. No members: every field NaN.
    ///
    /// ```
    /// use ironcell_models::predictor::Summary;
    /// let s = Summary::of(&mut [3.0, 1.0, 2.0, 4.0, 5.0]);
    /// let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    /// assert!(close(s.mean, 3.0) && close(s.low, 1.2) && close(s.high, 4.8));
    /// assert!(close(s.sd, 2f64.sqrt()));
    /// assert!(Summary::of(&mut []).mean.is_nan());
    /// ```
    pub fn of(values: &mut [f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self {
                mean: f64::NAN,
                sd: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        values.sort_unstable_by(f64::total_cmp);
        let quantile = |q: f64| {
            let at = q * (n - 1) as f64;
            let (below, above) = (at.floor() as usize, at.ceil() as usize);
            values[below] + (values[above] - values[below]) * (at - below as f64)
        };
        Self {
            mean,
            sd,
            low: quantile(TAILS.0),
            high: quantile(TAILS.1),
        }
    }
}

/// Each prediction's spread, laid out as the [`Predictions`] it belongs to (row-major, one
/// column per label).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Standard deviations.
    pub sd: Predictions,
    /// Lower ends of the central 90 % intervals.
    pub low: Predictions,
    /// Upper ends.
    pub high: Predictions,
}

impl Spread {
    /// The predictions (the members' means) and their spread from one summary per
    /// prediction, row-major over `labels`.
    pub fn from_summaries(labels: &[String], summaries: &[Summary]) -> (Predictions, Self) {
        let column = |f: fn(&Summary) -> f64| {
            Predictions::new(labels.to_vec(), summaries.iter().map(f).collect())
        };
        (
            column(|s| s.mean),
            Self {
                sd: column(|s| s.sd),
                low: column(|s| s.low),
                high: column(|s| s.high),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_as_numpy_does() {
        // numpy.percentile([0, 10], [5, 95]) = [0.5, 9.5]; one member: a zero-width interval.
        let s = Summary::of(&mut [10.0, 0.0]);
        assert!((s.low - 0.5).abs() < 1e-12 && (s.high - 9.5).abs() < 1e-12);
        assert_eq!((s.mean, s.sd), (5.0, 5.0));
        let one = Summary::of(&mut [2.5]);
        assert_eq!((one.mean, one.sd, one.low, one.high), (2.5, 0.0, 2.5, 2.5));
        // numpy.percentile(range(101), [5, 95]) = [5, 95].
        let mut hundred: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let s = Summary::of(&mut hundred);
        assert!((s.low - 5.0).abs() < 1e-9 && (s.high - 95.0).abs() < 1e-9);
    }

    #[test]
    fn summaries_lay_out_as_predictions() {
        let labels = vec!["fitness".to_owned()];
        let summaries = [Summary::of(&mut [1.0, 3.0]), Summary::of(&mut [0.5])];
        let (p, spread) = Spread::from_summaries(&labels, &summaries);
        assert_eq!(p.column(0).collect::<Vec<_>>(), [2.0, 0.5]);
        assert_eq!(spread.sd.column(0).collect::<Vec<_>>(), [1.0, 0.0]);
        assert_eq!(spread.low.row(1), [0.5]);
    }
}
