use std::fmt;

/// An invalid domain value: what was wrong and the input that was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    input: String,
}

/// What kind of domain value was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not an SGD systematic name (e.g. `YAL001C`, `Q0010`, `YNCA0001W`).
    InvalidSystematicName,
    /// A genotype without perturbations, or with one gene perturbed twice.
    InvalidGenotype,
    /// A phenotype value that is not a finite number.
    NonFiniteValue,
    /// A number outside the range its quantity allows (a p-value above 1).
    OutOfRange,
    /// A name that is not one of the known choices.
    UnknownName,
    /// A publication with neither a PubMed id nor a DOI, or a malformed DOI.
    InvalidPublication,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, input: impl Into<String>) -> Self {
        Self {
            kind,
            input: input.into(),
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The rejected input, as text.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::InvalidSystematicName => write!(
                f,
                "invalid systematic name {:?}: expected Y[A-P][LR]NNN[WC](-X), QNNNN or YNC[A-P]NNNN[WC]",
                self.input
            ),
            ErrorKind::InvalidGenotype => write!(f, "invalid genotype: {}", self.input),
            ErrorKind::NonFiniteValue => {
                write!(f, "expected a finite number, found {}", self.input)
            }
            ErrorKind::OutOfRange => write!(f, "out of range: {}", self.input),
            ErrorKind::UnknownName => write!(f, "unknown {}", self.input),
            ErrorKind::InvalidPublication => write!(f, "invalid publication: {}", self.input),
        }
    }
}

impl std::error::Error for Error {}
