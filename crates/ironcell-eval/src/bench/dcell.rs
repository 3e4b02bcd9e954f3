//! `bench dcell`: DCell's training step on the real filtered GO — the CPU stratum kernel, the
//! grouped model on a burn backend (NdArray, CUDA) — beside a PyTorch DCell written
//! TorchCell's way (a loop over subsystems), on the same synthetic batch.

use std::{path::Path, sync::Arc};

use burn::{
    optim::{AdamWConfig, GradientsParams, Optimizer},
    prelude::*,
    tensor::backend::AutodiffBackend,
};
use ironcell_data::ontology::DcellOntology;
use ironcell_models::{
    dcell::{grouped, kernel, DcellConfig, Layout},
    optim::AdamW,
    train::gene_states,
};
use serde_json::{json, Value};

use super::{synthetic, torch_reference, Timing};
use crate::Error;

const LEARNING_RATE: f64 = 1e-3;
const WEIGHT_DECAY: f64 = 1e-4;

/// What every engine trains on: DCell's layout over the ontology and one synthetic batch.
pub struct Case {
    /// The model's layout.
    pub layout: Arc<Layout>,
    /// Its configuration.
    pub config: DcellConfig,
    /// Genotypes of one to three genes (indices into the layout's genes).
    pub genotypes: Vec<Vec<usize>>,
    /// A target per genotype.
    pub targets: Vec<f32>,
}

impl Case {
    /// DCell of `config` over `ontology`, and a synthetic batch of `batch` genotypes.
    pub fn new(ontology: &DcellOntology, config: DcellConfig, batch: usize) -> Case {
        let layout = Arc::new(Layout::new(ontology, &config, 1));
        let (genotypes, targets) = synthetic::genotypes(layout.genes, batch);
        Case {
            layout,
            config,
            genotypes,
            targets,
        }
    }

    /// The floating-point operations of one training step.
    pub fn flops(&self) -> f64 {
        self.layout.training_flops(self.genotypes.len())
    }

    /// The model and batch the PyTorch reference reads.
    pub fn torch_spec(&self, ontology: &DcellOntology) -> Value {
        let terms = self.layout.reference_terms(ontology);
        let strata: Vec<[usize; 2]> = self
            .layout
            .strata
            .iter()
            .map(|r| [r.start, r.end])
            .collect();
        let c = &self.config;
        json!({
            "genes": self.layout.genes, "seed": c.seed, "init_scale": c.init_scale,
            "alpha": c.alpha, "weight_decay": WEIGHT_DECAY, "batch": self.genotypes.len(),
            "strata": strata, "terms": terms, "genotypes": self.genotypes,
            "targets": self.targets,
        })
    }

    /// `steps` steps of the CPU stratum kernel, f32.
    pub fn time_kernel(&self, steps: usize) -> Timing {
        let (layout, config) = (&self.layout, &self.config);
        let params = layout.init_parameters(config);
        let mut model =
            kernel::Model::new(layout.clone(), params, config.alpha, config.aux_reduction);
        let mut optimizer = AdamW::new(layout.parameters, LEARNING_RATE, WEIGHT_DECAY);
        Timing::of("ironcell kernel (CPU, f32)", steps, || {
            model.train_step(&self.genotypes, &self.targets, &mut optimizer);
        })
    }

    /// `steps` steps of the grouped model on backend `B`, synchronised after every step.
    pub fn time_grouped<B: AutodiffBackend>(
        &self,
        engine: &str,
        steps: usize,
        device: &B::Device,
    ) -> Result<Timing, Error> {
        let (layout, config) = (&self.layout, &self.config);
        let params = layout.init_parameters(config);
        let mut model = Some(grouped::Dcell::<B>::new(
            layout,
            &params,
            config.alpha,
            config.aux_reduction,
            config.max_padding,
            device,
        ));
        let mut optimizer = AdamWConfig::new()
            .with_weight_decay(WEIGHT_DECAY as f32)
            .init();
        let rows: Vec<&[usize]> = self.genotypes.iter().map(Vec::as_slice).collect();
        let x = gene_states::<B>(&rows, layout.genes, device);
        let targets = TensorData::new(self.targets.clone(), [self.targets.len()]);
        let y = Tensor::<B, 1>::from_data(targets, device);
        let mut failure = None;
        let timing = Timing::of(engine, steps, || {
            let Some(m) = model.take() else { return };
            let output = m.forward(x.clone());
            let loss = m.loss(&output, y.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &m);
            model = Some(optimizer.step(LEARNING_RATE, m, grads));
            if let Err(e) = B::sync(device) {
                failure.get_or_insert(format!("{e:?}"));
            }
        });
        match failure {
            Some(e) => Err(Error::Input(format!("{engine}: the device failed: {e}"))),
            None => Ok(timing),
        }
    }

    /// `steps` steps of the grouped model on burn's CUDA backend.
    #[cfg(feature = "cuda")]
    pub fn time_cuda(&self, steps: usize) -> Result<Timing, Error> {
        use burn::backend::{cuda::CudaDevice, Autodiff, Cuda};
        let engine = "ironcell grouped (burn CUDA, f32)";
        self.time_grouped::<Autodiff<Cuda>>(engine, steps, &CudaDevice::default())
    }

    /// Without the `cuda` feature: an error saying how to build with it.
    #[cfg(not(feature = "cuda"))]
    pub fn time_cuda(&self, _steps: usize) -> Result<Timing, Error> {
        Err(Error::Input(
            "this ironcell was built without the `cuda` feature (cargo build --release --features cuda)"
                .into(),
        ))
    }
}

/// Runs the PyTorch reference on the spec written at `spec`, on `device` (`cpu`, `cuda`);
/// its timing and report.
pub fn time_torch(
    python: &str,
    script: &Path,
    spec: &Path,
    device: &str,
    steps: usize,
) -> Result<(Timing, Value), Error> {
    let args = [
        "--spec".to_owned(),
        spec.display().to_string(),
        "--device".to_owned(),
        device.to_owned(),
        "--steps".to_owned(),
        steps.to_string(),
    ];
    torch_reference(python, script, &args, |report| {
        format!(
            "PyTorch {} loop over subsystems ({device})",
            report["torch"].as_str().unwrap_or("?")
        )
    })
}
