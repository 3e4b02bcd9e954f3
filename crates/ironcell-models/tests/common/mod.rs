//! What the parity tests share: the Python that runs the NumPy + autograd references.

use std::process::Command;

/// The Python to use, or `None` (skip) when it lacks numpy/autograd outside CI.
pub fn python() -> Option<String> {
    let python = std::env::var("IRONCELL_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let ok = Command::new(&python)
        .args(["-c", "import numpy, autograd"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {python} cannot import numpy and autograd (set IRONCELL_PYTHON)"
    );
    eprintln!("skipping: {python} cannot import numpy and autograd");
    None
}
