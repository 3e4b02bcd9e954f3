//! `ironcell bench dcell`: DCell training throughput on the real filtered GO, ironcell beside a
//! PyTorch DCell written TorchCell's way, in one run on one machine. The engines are
//! `ironcell_eval::bench::dcell`'s.

use std::fs;

use anyhow::{Context, Result};
use ironcell_eval::bench::dcell::{time_torch, Case};
use ironcell_models::dcell::{gemm::peak_gflops, DcellConfig};
use serde_json::{json, Value};

use super::write_results;
use crate::{
    args::{BenchDcellArgs, BenchDevice},
    commands,
};

pub fn run(args: &BenchDcellArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let ontology = commands::ontology::build(&reference, &args.filter.config())?;
    let config = DcellConfig {
        width_rule: args.width.into(),
        ..DcellConfig::default()
    };
    let case = Case::new(&ontology, config, args.batch);
    let size = case.layout.size();
    println!(
        "DCell on the filtered GO: {} subsystems, {} strata, {} neurons, {} parameters \
         (TorchCell: 2,655 / 61,429 neurons / 20.6 M; paper: 2,526 / 97,181 neurons)",
        size.subsystems, size.strata, size.neurons, size.parameters
    );
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    // Written first, so the PyTorch reference can be rerun alone on the same case.
    let spec = args.dir.join("spec.json");
    fs::write(&spec, serde_json::to_vec(&case.torch_spec(&ontology))?)
        .with_context(|| format!("writing {}", spec.display()))?;

    let mut timings = Vec::new();
    let peak = match args.device {
        BenchDevice::Cpu => {
            let peak = peak_gflops(2048, 3);
            println!(
                "GEMM peak on this machine (gemm crate, f32 2048³, all threads): {peak:.1} GFLOP/s"
            );
            timings.push(case.time_kernel(args.steps));
            if args.with_burn_ndarray {
                let engine = "ironcell grouped (burn NdArray, f32)";
                timings.push(case.time_grouped::<ironcell_models::CpuAutodiff>(
                    engine,
                    args.steps,
                    &Default::default(),
                )?);
            }
            Some(peak)
        }
        BenchDevice::Cuda => {
            timings.push(case.time_cuda(args.steps)?);
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

    let flops = case.flops();
    println!(
        "\n{:<46} {:>10} {:>14} {:>9}",
        "engine", "step (s)", "genotypes/s", "GFLOP/s"
    );
    let mut rows = Vec::new();
    for t in &timings {
        let median = t.median();
        let rate = args.batch as f64 / median;
        let gflops = flops / median / 1e9;
        println!("{:<46} {median:>10.3} {rate:>14.1} {gflops:>9.1}", t.engine);
        rows.push(
            json!({"engine": t.engine, "step_seconds": t.steps, "median_step_seconds": median,
            "genotypes_per_second": rate, "gflops": gflops}),
        );
    }
    // The PyTorch reference, when it ran, is the last engine.
    if let (Some(first), Some(torch), true) = (
        timings.first(),
        args.python.as_ref().and_then(|_| timings.last()),
        timings.len() > 1,
    ) {
        println!(
            "ironcell / PyTorch: {:.2}x",
            torch.median() / first.median()
        );
    }
    if let Some(peak) = peak {
        println!(
            "kernel at {:.0} % of the GEMM peak",
            100.0 * flops / timings[0].median() / 1e9 / peak
        );
    }
    let results = json!({
        "device": format!("{:?}", args.device), "batch": args.batch, "size": size,
        "width_rule": case.config.width_rule, "training_flops_per_step": flops,
        "gemm_peak_gflops": peak, "engines": rows, "pytorch": torch_report,
        "threads": rayon::current_num_threads(),
    });
    write_results(&args.dir, &results)
}
