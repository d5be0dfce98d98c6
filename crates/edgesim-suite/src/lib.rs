//! `edgesim test`: a folder of cases, run and checked.
//!
//! A case is a JSON file of one of three kinds ([`case`]): a CloudFront Function with an
//! event and the expected TestResult ([`cff`], the edge-samples format), a Lambda@Edge
//! handler with an event and the expected payload ([`lambda`]), or HTTP requests through a
//! distribution with the expected status, headers, body and `X-Cache` ([`http`]). Each can
//! also carry JSON-path assertions ([`matching`]).
//!
//! Cases run in parallel: CloudFront Functions on blocking threads, Lambda@Edge handlers and
//! distributions on the async runtime, each distribution with its own cache (so cases never
//! share state). Lambda handlers named by several cases share one warm worker.

pub mod case;
pub mod cff;
mod connection;
pub mod http;
pub mod junit;
pub mod lambda;
pub mod matching;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use case::{Case, Kind};

/// A case that cannot run: the file, and what is wrong with it (exit status 2).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct SuiteError {
    pub file: PathBuf,
    pub message: String,
}

/// What one run of a case found.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// Empty when the case passed; else readable lines (diffs included).
    pub failures: Vec<String>,
    /// With `--update`, for a failing case: the case file's new contents (expected outputs
    /// replaced by what the case produced). Passing cases are left as they are.
    pub updated: Option<serde_json::Value>,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub file: PathBuf,
    pub kind: Kind,
    pub duration: Duration,
    /// `Err`: bad input found while running (a runtime that does not exist, a config that
    /// does not load).
    pub result: Result<CaseRun, SuiteError>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        matches!(&self.result, Ok(run) if run.failures.is_empty())
    }
}

/// The cases of a folder.
#[derive(Debug)]
pub struct Suite {
    pub cases: Vec<Case>,
    /// JSON files that are not cases (events, stores).
    pub skipped: Vec<PathBuf>,
}

/// Loads every case under `dir` (or the one file `dir`); all bad cases are reported together.
pub fn load(dir: &Path) -> Result<Suite, Vec<SuiteError>> {
    let files = case::discover(dir).map_err(|e| vec![e])?;
    let root = if dir.is_file() {
        dir.parent().unwrap_or(Path::new("."))
    } else {
        dir
    };
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match case::load(&file, root) {
            Ok(Some(c)) => cases.push(c),
            Ok(None) => skipped.push(file),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if cases.is_empty() {
        return Err(vec![SuiteError {
            file: dir.to_owned(),
            message: "no cases here (*.json with \"function\", \"handler\" or \"requests\")"
                .to_owned(),
        }]);
    }
    Ok(Suite { cases, skipped })
}

#[derive(Debug, Clone)]
pub struct Options {
    pub update: bool,
    /// Cases in flight at once.
    pub jobs: usize,
}

/// Runs the cases, calling `on_done` as each finishes; results in the cases' order.
pub async fn run(
    cases: Vec<Case>,
    options: &Options,
    on_done: Arc<dyn Fn(&Outcome) + Send + Sync>,
) -> Vec<Outcome> {
    let handlers = Arc::new(lambda::Handlers::default());
    let permits = Arc::new(tokio::sync::Semaphore::new(options.jobs.max(1)));
    let mut tasks = Vec::new();
    for case in cases {
        let handlers = handlers.clone();
        let permits = permits.clone();
        let on_done = on_done.clone();
        let update = options.update;
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            let started = Instant::now();
            let result = match case.kind {
                Kind::Function => cff::run(&case, update).await,
                Kind::Lambda => lambda::run(&case, &handlers, update).await,
                Kind::Http => http::run(&case, update).await,
                Kind::Connection => connection::run(&case, update).await,
            };
            let outcome = Outcome {
                name: case.name.clone(),
                file: case.file.clone(),
                kind: case.kind,
                duration: started.elapsed(),
                result,
            };
            on_done(&outcome);
            outcome
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        if let Ok(o) = t.await {
            out.push(o);
        }
    }
    out
}

/// Writes the updated case files (`--update`); returns how many changed.
pub fn write_updates(outcomes: &[Outcome]) -> Result<usize, SuiteError> {
    let mut changed = 0;
    for o in outcomes {
        let Ok(CaseRun {
            updated: Some(json),
            ..
        }) = &o.result
        else {
            continue;
        };
        let mut text = serde_json::to_string_pretty(json).expect("JSON values serialize");
        text.push('\n');
        let old = std::fs::read_to_string(&o.file).unwrap_or_default();
        if old != text {
            std::fs::write(&o.file, text).map_err(|e| SuiteError {
                file: o.file.clone(),
                message: e.to_string(),
            })?;
            changed += 1;
        }
    }
    Ok(changed)
}
