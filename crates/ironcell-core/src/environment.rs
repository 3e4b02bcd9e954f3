use serde::{Deserialize, Serialize};

/// A growth medium.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Media {
    /// The medium's name, e.g. `YEPD`.
    pub name: String,
    /// Solid (agar plates, as in SGA) or liquid.
    pub solid: bool,
}

/// Where an experiment was measured: medium and temperature.
///
/// Temperature is kept in whole degrees Celsius because every screen reports it that way and
/// it must hash and compare exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Environment {
    /// The medium.
    pub media: Media,
    /// Temperature in °C.
    pub temperature_c: i32,
}

impl Environment {
    /// Rich medium on agar plates at `temperature_c`, the condition of SGA screens.
    pub fn sga_plate(temperature_c: i32) -> Self {
        Self {
            media: Media {
                name: "YEPD".to_owned(),
                solid: true,
            },
            temperature_c,
        }
    }
}
