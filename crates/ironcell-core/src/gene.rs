use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind};

/// An SGD systematic gene name, validated on construction.
///
/// Accepted forms: nuclear ORFs `Y[A-P][LR]NNN[WC]` with an optional `-A` style suffix
/// (`YAL001C`, `YAR062W-A`), mitochondrial ORFs `QNNNN` (`Q0010`) and the ncRNA form
/// `YNC[A-P]NNNN[WC]` (`YNCA0001W`). Lower-case input is accepted and stored upper-case,
/// since published tables are not consistent about case.
///
/// ```
/// use ironcell_core::SystematicName;
/// let name: SystematicName = "yal001c".parse()?;
/// assert_eq!(name.as_str(), "YAL001C");
/// assert!("PAU8".parse::<SystematicName>().is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SystematicName(String);

impl SystematicName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_nuclear_orf(s: &[u8]) -> bool {
    let core = s.len() >= 7
        && s[0] == b'Y'
        && (b'A'..=b'P').contains(&s[1])
        && matches!(s[2], b'L' | b'R')
        && s[3..6].iter().all(u8::is_ascii_digit)
        && matches!(s[6], b'W' | b'C');
    match s.len() {
        7 => core,
        9 => core && s[7] == b'-' && s[8].is_ascii_uppercase(),
        _ => false,
    }
}

fn is_mitochondrial_orf(s: &[u8]) -> bool {
    s.len() == 5 && s[0] == b'Q' && s[1..].iter().all(u8::is_ascii_digit)
}

fn is_ncrna(s: &[u8]) -> bool {
    s.len() == 9
        && s.starts_with(b"YNC")
        && (b'A'..=b'P').contains(&s[3])
        && s[4..8].iter().all(u8::is_ascii_digit)
        && matches!(s[8], b'W' | b'C')
}

impl FromStr for SystematicName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let b = upper.as_bytes();
        if is_nuclear_orf(b) || is_mitochondrial_orf(b) || is_ncrna(b) {
            Ok(Self(upper))
        } else {
            Err(Error::new(ErrorKind::InvalidSystematicName, s))
        }
    }
}

impl TryFrom<String> for SystematicName {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<SystematicName> for String {
    fn from(name: SystematicName) -> Self {
        name.0
    }
}

impl fmt::Display for SystematicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_documented_form() {
        for name in [
            "YAL001C",
            "YAR062W-A",
            "YPR204W",
            "Q0010",
            "YNCA0001W",
            "ydl227c",
        ] {
            assert!(name.parse::<SystematicName>().is_ok(), "{name}");
        }
    }

    #[test]
    fn rejects_standard_names_and_near_misses() {
        for name in [
            "PAU8", "YQL001C", "YAX001C", "YAL01C", "YAL001CC", "YAL001C-", "Q001", "",
        ] {
            let err = name.parse::<SystematicName>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidSystematicName, "{name}");
        }
    }
}
