//! The calibration set behind the ComputeUtilization model: functions and events for which AWS
//! published `test-function` figures, run here to compare the prediction with AWS's figure
//! (docs/compute-utilization.md). The fit example (`examples/cu_fit.rs`) and the model's tests
//! share this code so the table in the docs and the bounds the tests enforce are the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::Value;

use crate::budget::Work;
use crate::engine::{CloudFrontFunction, FunctionOptions, InvokeInput};
use crate::kvs::KeyValueStore;
use crate::runtime::Runtime;

/// One published figure: `manifest.json` in the calibration directory holds a list of these.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The sample and the test object, as AWS names them.
    pub name: String,
    /// Where AWS published the figure.
    pub source: String,
    pub runtime: String,
    /// Paths relative to the manifest.
    pub function: String,
    pub event: String,
    #[serde(default)]
    pub kvs: Option<String>,
    /// The instant `Date.now()` returns, in ms since the epoch (tokens in the samples expire).
    #[serde(default)]
    pub now_ms: Option<u64>,
    /// AWS's `ComputeUtilization`.
    pub aws: u8,
}

/// One case run here.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: Case,
    pub runtime: Runtime,
    pub work: Work,
    /// The model's figure for the first run.
    pub predicted: u8,
    /// The model's figure for each warm run (the same context, reused).
    pub warm_predicted: Vec<u8>,
    /// This machine's thread CPU time: the first (cold) run, then the median of warm runs.
    pub cold_cpu: Duration,
    pub warm_cpu: Duration,
    /// Whether the function ran without error (a failed run is still a data point; AWS's own
    /// figures include runs that return a 401).
    pub ok: bool,
}

/// Reads `dir/manifest.json`.
pub fn load_cases(dir: &Path) -> Result<Vec<Case>, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs every case once cold and `warm_runs` times warm.
pub fn run_cases(dir: &Path, cases: &[Case], warm_runs: usize) -> Result<Vec<Row>, String> {
    cases
        .iter()
        .map(|case| run_case(dir, case, warm_runs))
        .collect()
}

fn run_case(dir: &Path, case: &Case, warm_runs: usize) -> Result<Row, String> {
    let at = |p: &str| -> PathBuf { dir.join(p) };
    let runtime: Runtime = case
        .runtime
        .parse()
        .map_err(|e| format!("{}: runtime: {e}", case.name))?;
    let mut options = FunctionOptions::new(case.name.clone(), runtime);
    if let Some(kvs) = &case.kvs {
        let store = KeyValueStore::load(&at(kvs)).map_err(|e| format!("{}: {e}", case.name))?;
        options.kvs = Some(Arc::new(store));
    }
    let function = CloudFrontFunction::from_file(&at(&case.function), options)
        .map_err(|e| format!("{}: {e}", case.name))?;
    let event_path = at(&case.event);
    let event: Value = std::fs::read_to_string(&event_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", event_path.display()))?;
    let input = InvokeInput {
        raw_query: None,
        now: case
            .now_ms
            .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms)),
        edge_location: None,
    };
    let first = function.invoke(&event, &input);
    let runs: Vec<_> = (0..warm_runs)
        .map(|_| function.invoke(&event, &input))
        .collect();
    let mut warm: Vec<Duration> = runs.iter().map(|r| r.cpu_time).collect();
    warm.sort();
    Ok(Row {
        runtime,
        work: first.work,
        predicted: first.compute_utilization,
        warm_predicted: runs.iter().map(|r| r.compute_utilization).collect(),
        cold_cpu: first.cpu_time,
        warm_cpu: warm.get(warm.len() / 2).copied().unwrap_or(first.cpu_time),
        ok: first.outcome.is_ok(),
        case: case.clone(),
    })
}

/// Mean and maximum absolute error of the predictions against AWS's figures.
pub fn errors(rows: &[Row]) -> (f64, u8) {
    let diffs: Vec<u8> = rows
        .iter()
        .map(|r| r.predicted.abs_diff(r.case.aws))
        .collect();
    let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len().max(1) as f64;
    (mean, diffs.iter().copied().max().unwrap_or(0))
}
