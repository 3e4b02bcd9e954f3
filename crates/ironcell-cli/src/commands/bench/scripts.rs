//! The Python references the benchmarks time, compiled into the binary: a default path into
//! the source tree would name a folder of the machine that built it, which an installed
//! `ironcell` does not have.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A reference script and its file name.
pub struct Script {
    name: &'static str,
    text: &'static str,
}

/// `bench models`' PyTorch gene-set model.
pub const GENE_SET_TORCH: Script = Script {
    name: "gene_set_torch.py",
    text: include_str!("../../../../../scripts/bench/gene_set_torch.py"),
};

/// `bench dcell`'s PyTorch DCell, written TorchCell's way.
pub const DCELL_TORCH: Script = Script {
    name: "dcell_torch.py",
    text: include_str!("../../../../../scripts/bench/dcell_torch.py"),
};

/// `bench baselines`' and `bench accuracy`'s scikit-learn models.
pub const BASELINES_SKLEARN: Script = Script {
    name: "baselines_sklearn.py",
    text: include_str!("../../../../../scripts/bench/baselines_sklearn.py"),
};

impl Script {
    /// `given` when the user named a script, else this one written into `dir`.
    pub fn resolve(&self, given: Option<&Path>, dir: &Path) -> Result<PathBuf> {
        if let Some(path) = given {
            return Ok(path.to_owned());
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(self.name);
        std::fs::write(&path, self.text).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_script_is_used_and_otherwise_the_built_in_copy_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("mine.py");
        assert_eq!(
            BASELINES_SKLEARN.resolve(Some(&mine), dir.path()).unwrap(),
            mine
        );
        for script in [GENE_SET_TORCH, DCELL_TORCH, BASELINES_SKLEARN] {
            let path = script.resolve(None, &dir.path().join("out")).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains("import") && text == script.text,
                "{}",
                script.name
            );
        }
    }
}
