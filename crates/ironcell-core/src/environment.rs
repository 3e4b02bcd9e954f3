use std::fmt;

use serde::{Deserialize, Serialize};

/// A growth medium.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Media {
    /// The medium's name, e.g. `YEPD`.
    pub name: String,
    /// Solid (agar plates, as in SGA) or liquid.
    pub solid: bool,
}

/// Something added to the medium: a drug, a stress, an alternative carbon source.
///
/// The dose is kept as the source writes it (`20 uM`, `0.1 ug/ml`, `2%`): screens mix molar,
/// mass and percentage units, and an environment must compare and hash exactly, so no unit
/// conversion (and no float) stands between two files naming the same condition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Additive {
    /// What was added, e.g. `benomyl`.
    pub name: String,
    /// How much, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
}

impl fmt::Display for Additive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.dose {
            Some(dose) => write!(f, "{} {dose}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Where an experiment was measured: medium, temperature and any additives.
///
/// Temperature is kept in whole degrees Celsius because every screen reports it that way and
/// it must hash and compare exactly. An environment without additives serializes exactly as
/// before additives existed, so content ids of plain environments are stable.
///
/// ```
/// use ironcell_core::{Additive, Environment};
///
/// let env = Environment::sga_plate(30).with_additive(Additive {
///     name: "benomyl".into(),
///     dose: Some("30 ug/ml".into()),
/// });
/// assert_eq!(env.to_string(), "YEPD (solid) 30 °C + benomyl 30 ug/ml");
/// assert_eq!(Environment::sga_plate(26).to_string(), "YEPD (solid) 26 °C");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Environment {
    /// The medium.
    pub media: Media,
    /// Temperature in °C.
    pub temperature_c: i32,
    /// Additives, sorted, so that the same condition written in any order is one environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additives: Vec<Additive>,
}

impl Environment {
    /// A medium at a temperature, nothing added.
    pub fn new(media: Media, temperature_c: i32) -> Self {
        Self {
            media,
            temperature_c,
            additives: Vec::new(),
        }
    }

    /// Rich medium on agar plates at `temperature_c`, the condition of SGA screens.
    pub fn sga_plate(temperature_c: i32) -> Self {
        Self::new(
            Media {
                name: "YEPD".to_owned(),
                solid: true,
            },
            temperature_c,
        )
    }

    /// Adds an additive, keeping the list sorted and free of repeats.
    pub fn with_additive(mut self, additive: Additive) -> Self {
        if let Err(at) = self.additives.binary_search(&additive) {
            self.additives.insert(at, additive);
        }
        self
    }
}

impl fmt::Display for Environment {
    /// One line naming the condition, as `kg stats` lists environments.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.media.solid { "solid" } else { "liquid" };
        write!(f, "{} ({state}) {} °C", self.media.name, self.temperature_c)?;
        for a in &self.additives {
            write!(f, " + {a}")?;
        }
        Ok(())
    }
}
