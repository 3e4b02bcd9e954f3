//! `ironcell bench dcell`: DCell training throughput on the real filtered GO, ironcell beside a
//! PyTorch DCell written TorchCell's way, in one run on one machine.

use std::{fs, path::Path, sync::Arc, time::Instant};

use anyhow::{bail, Context, Result};
use burn::{
    optim::{AdamWConfig, GradientsParams, Optimizer},
    prelude::*,
    tensor::backend::AutodiffBackend,
};
use ironcell_data::ontology::DcellOntology;
use ironcell_models::{
    dcell::{gemm::peak_gflops, grouped, kernel, DcellConfig, Layout},
    optim::AdamW,
    train::gene_states,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::{
    args::{BenchDcellArgs, BenchDevice},
    commands,
};

const LEARNING_RATE: f64 = 1e-3;
const WEIGHT_DECAY: f64 = 1e-4;

/// One engine's measurement.
struct Timing {
    engine: String,
    steps: Vec<f64>,
}

impl Timing {
    fn median(&self) -> f64 {
        super::median(&self.steps)
    }
}

/// Times `steps` calls of `step` after one warm-up call.
fn time_steps(engine: &str, steps: usize, mut step: impl FnMut()) -> Timing {
    step();
    let steps = (0..steps.max(1))
        .map(|_| {
            let start = Instant::now();
            step();
            start.elapsed().as_secs_f64()
        })
        .collect();
    Timing {
        engine: engine.to_owned(),
        steps,
    }
}

/// The CPU stratum kernel, f32.
fn time_kernel(
    layout: &Arc<Layout>,
    config: &DcellConfig,
    genotypes: &[Vec<usize>],
    targets: &[f32],
    steps: usize,
) -> Timing {
    let params = layout.init_parameters(config);
    let mut model = kernel::Model::new(layout.clone(), params, config.alpha, config.aux_reduction);
    let mut optimizer = AdamW::new(layout.parameters, LEARNING_RATE, WEIGHT_DECAY);
    time_steps("ironcell kernel (CPU, f32)", steps, || {
        model.train_step(genotypes, targets, &mut optimizer);
    })
}

/// The grouped model on a burn backend, synchronised after every step.
fn time_grouped<B: AutodiffBackend>(
    engine: &str,
    layout: &Layout,
    config: &DcellConfig,
    genotypes: &[Vec<usize>],
    targets: &[f32],
    steps: usize,
    device: &B::Device,
) -> Result<Timing> {
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
    let rows: Vec<&[usize]> = genotypes.iter().map(Vec::as_slice).collect();
    let x = gene_states::<B>(&rows, layout.genes, device);
    let y = Tensor::<B, 1>::from_data(TensorData::new(targets.to_vec(), [targets.len()]), device);
    let mut failure = None;
    let timing = time_steps(engine, steps, || {
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
        Some(e) => bail!("{engine}: device failed: {e}"),
        None => Ok(timing),
    }
}

/// The model spec and batch the PyTorch reference reads.
fn torch_spec(
    ontology: &DcellOntology,
    layout: &Layout,
    config: &DcellConfig,
    genotypes: &[Vec<usize>],
    targets: &[f32],
) -> Value {
    let terms = layout.reference_terms(ontology);
    let strata: Vec<[usize; 2]> = layout.strata.iter().map(|r| [r.start, r.end]).collect();
    json!({
        "genes": layout.genes, "seed": config.seed, "init_scale": config.init_scale,
        "alpha": config.alpha, "weight_decay": WEIGHT_DECAY, "batch": genotypes.len(),
        "strata": strata, "terms": terms, "genotypes": genotypes, "targets": targets,
    })
}

/// Runs the PyTorch reference; returns its timing and its JSON report.
fn time_torch(
    python: &str,
    script: &Path,
    spec: &Path,
    device: &str,
    steps: usize,
) -> Result<(Timing, Value)> {
    let (report, steps) = super::torch_reference(
        python,
        script,
        &[
            "--spec".to_owned(),
            spec.display().to_string(),
            "--device".to_owned(),
            device.to_owned(),
            "--steps".to_owned(),
            steps.to_string(),
        ],
    )?;
    let timing = Timing {
        engine: format!(
            "PyTorch {} loop over subsystems ({device})",
            report["torch"].as_str().unwrap_or("?")
        ),
        steps,
    };
    Ok((timing, report))
}

#[cfg(feature = "cuda")]
fn time_cuda(
    layout: &Layout,
    config: &DcellConfig,
    genotypes: &[Vec<usize>],
    targets: &[f32],
    steps: usize,
) -> Result<Timing> {
    use burn::backend::{cuda::CudaDevice, Autodiff, Cuda};
    time_grouped::<Autodiff<Cuda>>(
        "ironcell grouped (burn CUDA, f32)",
        layout,
        config,
        genotypes,
        targets,
        steps,
        &CudaDevice::default(),
    )
}

#[cfg(not(feature = "cuda"))]
fn time_cuda(_: &Layout, _: &DcellConfig, _: &[Vec<usize>], _: &[f32], _: usize) -> Result<Timing> {
    bail!("this ironcell was built without the `cuda` feature (cargo build --release --features cuda)")
}

pub fn run(args: &BenchDcellArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let ontology = commands::ontology::build(&reference, &args.filter.config())?;
    let config = DcellConfig {
        width_rule: args.width.into(),
        ..DcellConfig::default()
    };
    let layout = Arc::new(Layout::new(&ontology, &config, 1));
    let size = layout.size();
    println!(
        "DCell on the filtered GO: {} subsystems, {} strata, {} neurons, {} parameters \
         (TorchCell: 2,655 / 61,429 neurons / 20.6 M; paper: 2,526 / 97,181 neurons)",
        size.subsystems, size.strata, size.neurons, size.parameters
    );
    // Random genotypes of one to three perturbed genes (benchmark input, not data).
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let genotypes: Vec<Vec<usize>> = (0..args.batch)
        .map(|_| {
            let n = rng.random_range(1..=3);
            (0..n).map(|_| rng.random_range(0..layout.genes)).collect()
        })
        .collect();
    let targets: Vec<f32> = (0..args.batch)
        .map(|_| rng.random_range(0.5..1.1))
        .collect();
    let flops = layout.training_flops(args.batch);
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    // Written first, so the PyTorch reference can be rerun alone on the same case.
    let spec = args.dir.join("spec.json");
    let value = torch_spec(&ontology, &layout, &config, &genotypes, &targets);
    fs::write(&spec, serde_json::to_vec(&value)?)
        .with_context(|| format!("writing {}", spec.display()))?;

    let mut timings = Vec::new();
    let peak = match args.device {
        BenchDevice::Cpu => {
            let peak = peak_gflops(2048, 3);
            println!(
                "GEMM peak on this machine (gemm crate, f32 2048³, all threads): {peak:.1} GFLOP/s"
            );
            timings.push(time_kernel(
                &layout, &config, &genotypes, &targets, args.steps,
            ));
            if args.with_burn_ndarray {
                timings.push(time_grouped::<ironcell_models::CpuAutodiff>(
                    "ironcell grouped (burn NdArray, f32)",
                    &layout,
                    &config,
                    &genotypes,
                    &targets,
                    args.steps,
                    &Default::default(),
                )?);
            }
            Some(peak)
        }
        BenchDevice::Cuda => {
            timings.push(time_cuda(
                &layout, &config, &genotypes, &targets, args.steps,
            )?);
            None
        }
    };
    let mut torch_report = Value::Null;
    if let Some(python) = &args.python {
        let device = match args.device {
            BenchDevice::Cpu => "cpu",
            BenchDevice::Cuda => "cuda",
        };
        let script =
            super::scripts::DCELL_TORCH.resolve(args.torch_script.as_deref(), &args.dir)?;
        let (timing, report) = time_torch(python, &script, &spec, device, args.steps)?;
        timings.push(timing);
        torch_report = report;
    }

    println!(
        "\n{:<46} {:>10} {:>14} {:>9}",
        "engine", "step (s)", "genotypes/s", "GFLOP/s"
    );
    // The PyTorch reference, when it ran, is the last engine.
    let reference_rate = args
        .python
        .as_ref()
        .and_then(|_| timings.last())
        .map(|t| args.batch as f64 / t.median());
    let mut rows = Vec::new();
    for t in &timings {
        let median = t.median();
        let rate = args.batch as f64 / median;
        println!(
            "{:<46} {:>10.3} {:>14.1} {:>9.1}",
            t.engine,
            median,
            rate,
            flops / median / 1e9
        );
        rows.push(
            json!({"engine": t.engine, "step_seconds": t.steps, "median_step_seconds": median,
            "genotypes_per_second": rate, "gflops": flops / median / 1e9}),
        );
    }
    if let (Some(first), Some(torch), true) = (timings.first(), reference_rate, timings.len() > 1) {
        println!(
            "ironcell / PyTorch: {:.2}x",
            args.batch as f64 / first.median() / torch
        );
    }
    if let Some(peak) = peak {
        let kernel = &timings[0];
        println!(
            "kernel at {:.0} % of the GEMM peak",
            100.0 * flops / kernel.median() / 1e9 / peak
        );
    }
    let results = json!({
        "device": format!("{:?}", args.device), "batch": args.batch, "size": size,
        "width_rule": config.width_rule, "training_flops_per_step": flops,
        "gemm_peak_gflops": peak, "engines": rows, "pytorch": torch_report,
        "threads": rayon::current_num_threads(),
    });
    super::write_results(&args.dir, &results)
}
