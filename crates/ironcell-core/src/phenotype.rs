use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind};

/// Colony-size fitness relative to wild type (1.0 = wild type).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fitness {
    value: f64,
    std: Option<f64>,
}

impl Fitness {
    /// A fitness measurement. Values at or below zero (dead strains, or noise around zero)
    /// are stored as 0, as the published screens intend; a non-finite value is an error.
    pub fn new(value: f64, std: Option<f64>) -> Result<Self, Error> {
        if !value.is_finite() {
            return Err(Error::new(ErrorKind::NonFiniteValue, value.to_string()));
        }
        let std = match std {
            Some(s) if !s.is_finite() || s < 0.0 => {
                return Err(Error::new(ErrorKind::NonFiniteValue, s.to_string()))
            }
            other => other,
        };
        Ok(Self {
            value: value.max(0.0),
            std,
        })
    }

    /// The fitness, ≥ 0.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The standard deviation over replicates, when the screen reports one.
    pub fn std(&self) -> Option<f64> {
        self.std
    }
}

/// A measured (or simulated) property of a genotype in an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phenotype {
    /// Growth fitness.
    Fitness(Fitness),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_fitness_is_zero_and_nan_is_rejected() {
        assert_eq!(Fitness::new(-0.02, None).unwrap().value(), 0.0);
        assert!(Fitness::new(f64::NAN, None).is_err());
        assert!(Fitness::new(0.5, Some(f64::NAN)).is_err());
    }
}
