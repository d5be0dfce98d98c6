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

/// A sample to load. Functions are loaded one at a time: every context on a thread shares one
/// garbage-collected heap, so keeping all 60 samples loaded at once would make each collection
/// walk all of them, which no real distribution does.
struct Sample {
    name: String,
    runtime: Runtime,
    path: PathBuf,
    kvs: Option<Arc<KeyValueStore>>,
    event: Value,
}

impl Sample {
    fn load(&self) -> CloudFrontFunction {
        let mut options = FunctionOptions::new(self.name.clone(), self.runtime);
        options.kvs = self.kvs.clone();
        CloudFrontFunction::from_file(&self.path, options).unwrap()
    }
}

/// Every successful golden case (broken/ functions are left out).
fn samples() -> Vec<Sample> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples");
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
        let event: Value = serde_json::from_slice(
            &std::fs::read(dir.join(case["event"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        out.push(Sample {
            name: path.file_stem().unwrap().to_string_lossy().into_owned(),
            runtime: case["runtime"].as_str().unwrap().parse().unwrap(),
            path: dir.join(function),
            kvs: case["kvs"]
                .as_str()
                .map(|k| Arc::new(KeyValueStore::load(&dir.join(k)).unwrap())),
            event: edgesim::model::parse_event(&event).unwrap(),
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
        let function = s.load();
        for _ in 0..WARMUP {
            black_box(function.invoke(&s.event, &input));
        }
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let run = function.invoke(&s.event, &input);
            times.push(t.elapsed().as_secs_f64() * 1e6);
            assert!(run.outcome.is_ok(), "{}: {:?}", s.name, run.outcome);
        }
        times.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        println!(
            "| {} | {} | {p50:.1} | {p99:.1} | {:.1} | {:.1} |",
            s.name,
            s.runtime,
            p50 / 10.0,
            p99 / 10.0
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&all, 0.5), percentile(&all, 0.99));
    println!(
        "| **all samples** | | {p50:.1} | {p99:.1} | {:.1} | {:.1} |",
        p50 / 10.0,
        p99 / 10.0
    );
}

fn main() {
    let samples = samples();
    if !std::env::args().any(|a| a == "--table-only") {
        let mut c = Criterion::default().configure_from_args();
        let input = InvokeInput::default();
        let mut group = c.benchmark_group("cff_exec");
        for s in &samples {
            let function = s.load();
            group.bench_function(&s.name, |b| {
                b.iter(|| black_box(function.invoke(black_box(&s.event), &input)))
            });
        }
        group.finish();
        c.final_summary();
    }
    latency_table(&samples);
}
