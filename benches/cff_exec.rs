//! One invocation of each edge-sample CloudFront Function, as the proxy runs it: a pooled
//! context on the current thread, event in, result out (no validation, no I/O).
//!
//! `cargo bench --bench cff_exec` runs criterion on each sample, then prints a table of
//! p50/p99 per sample over 20,000 timed invocations, in µs and as % of the 1 ms budget.
//! `cargo bench --bench cff_exec -- --table-only` prints just the table.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use criterion::{black_box, Criterion};
use edgesim::functions::{
    CloudFrontFunction, FunctionOptions, InvokeInput, KeyValueStore, Runtime,
};
use serde_json::Value;

struct Sample {
    name: String,
    function: CloudFrontFunction,
    event: Value,
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples")
}

/// Every successful golden case (broken/ functions are left out).
fn samples() -> Vec<Sample> {
    let dir = samples_dir();
    let mut paths: Vec<_> = std::fs::read_dir(dir.join("cases"))
        .expect("edge-samples/cases")
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let case: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let function = case["function"].as_str().unwrap();
        if function.contains("broken/") {
            continue;
        }
        let runtime: Runtime = case["runtime"].as_str().unwrap().parse().unwrap();
        let event: Value = serde_json::from_slice(
            &std::fs::read(dir.join(case["event"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let event = edgesim::model::parse_event(&event).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut options = FunctionOptions::new(name.clone(), runtime);
        if let Some(kvs) = case["kvs"].as_str() {
            options.kvs = Some(Arc::new(KeyValueStore::load(&dir.join(kvs)).unwrap()));
        }
        let function = CloudFrontFunction::from_file(&dir.join(function), options).unwrap();
        out.push(Sample {
            name,
            function,
            event,
        });
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn latency_table(samples: &[Sample]) {
    const WARMUP: usize = 500;
    const RUNS: usize = 20_000;
    let input = InvokeInput::default();
    println!("\n| sample | runtime | p50 µs | p99 µs | p50 % of 1 ms | p99 % of 1 ms |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut all = Vec::new();
    for s in samples {
        for _ in 0..WARMUP {
            black_box(s.function.invoke(&s.event, &input));
        }
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let run = s.function.invoke(&s.event, &input);
            times.push(t.elapsed().as_secs_f64() * 1e6);
            assert!(run.outcome.is_ok(), "{}: {:?}", s.name, run.outcome);
        }
        times.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        println!(
            "| {} | {} | {p50:.1} | {p99:.1} | {:.1} | {:.1} |",
            s.name,
            s.function.runtime(),
            p50 / 10.0,
            p99 / 10.0
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "| **all samples** | | {:.1} | {:.1} | {:.1} | {:.1} |",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        percentile(&all, 0.5) / 10.0,
        percentile(&all, 0.99) / 10.0
    );
}

fn main() {
    let samples = samples();
    let table_only = std::env::args().any(|a| a == "--table-only");
    if !table_only {
        let mut c = Criterion::default().configure_from_args();
        let input = InvokeInput::default();
        let mut group = c.benchmark_group("cff_exec");
        for s in &samples {
            group.bench_function(&s.name, |b| {
                b.iter(|| black_box(s.function.invoke(black_box(&s.event), &input)))
            });
        }
        group.finish();
        c.final_summary();
    }
    latency_table(&samples);
}
