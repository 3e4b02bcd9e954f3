use std::{fmt, io, path::Path};

/// A dataset error: the file and what went wrong with it.
#[derive(Debug)]
pub struct Error {
    path: String,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn io(path: &Path, e: io::Error) -> Self {
        Self {
            path: path.display().to_string(),
            message: "input/output failed".to_owned(),
            source: Some(Box::new(e)),
        }
    }

    pub(crate) fn arrow(path: &Path, e: arrow_schema::ArrowError) -> Self {
        Self {
            path: path.display().to_string(),
            message: "Arrow IPC".to_owned(),
            source: Some(Box::new(e)),
        }
    }

    pub(crate) fn format(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.display().to_string(),
            message: message.into(),
            source: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(s) = &self.source {
            write!(f, ": {s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}
