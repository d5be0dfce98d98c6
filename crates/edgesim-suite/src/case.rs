//! A case file: which kind it is, and the files it names, found and checked before anything
//! runs (so a typo is a bad-input error naming the file, not a failed case).
//!
//! Kinds, by their keys:
//! - `"function"`: a CloudFront Function run on an event, compared with a TestResult;
//! - `"handler"`: a Lambda@Edge handler invoked with an event;
//! - `"requests"`: HTTP requests through a distribution (`"config"` or `"from"`).
//!
//! Paths in a case are relative to the case's directory, or to the nearest parent directory
//! where they exist (so `edge-samples/cases/*.json`, whose paths start at `edge-samples/`,
//! run as they are).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::SuiteError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Function,
    Lambda,
    Http,
    /// A connection function (viewer mTLS) on a connection event.
    Connection,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Lambda => "lambda",
            Kind::Http => "http",
            Kind::Connection => "connection",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Case {
    /// The file name without `.json`, with the sub-directory: `auth/expired`.
    pub name: String,
    pub file: PathBuf,
    pub json: Value,
    pub kind: Kind,
}

impl Case {
    pub fn error(&self, message: impl Into<String>) -> SuiteError {
        SuiteError {
            file: self.file.clone(),
            message: message.into(),
        }
    }

    pub fn str(&self, key: &str) -> Result<&str, SuiteError> {
        self.json
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(format!("\"{key}\" must be a string")))
    }

    /// A path named by the case, found from the case's directory upwards.
    pub fn path(&self, rel: &str) -> Result<PathBuf, SuiteError> {
        find(&self.file, rel).ok_or_else(|| {
            self.error(format!(
                "{rel}: no such file in {} or any parent directory",
                self.file.parent().unwrap_or(Path::new(".")).display()
            ))
        })
    }

    /// The event: a path to a JSON file, or inline.
    pub fn event(&self) -> Result<Value, SuiteError> {
        match self.json.get("event") {
            Some(Value::String(rel)) => {
                let path = self.path(rel)?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| self.error(format!("{}: {e}", path.display())))?;
                serde_json::from_str(&text)
                    .map_err(|e| self.error(format!("{}: not valid JSON: {e}", path.display())))
            }
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            _ => Err(self.error("\"event\" must be a file name or an event object")),
        }
    }
}

/// `rel` from `file`'s directory, else from the nearest parent where it exists.
pub fn find(file: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.is_absolute() {
        return rel.exists().then(|| rel.to_owned());
    }
    let mut dir = file.parent();
    while let Some(d) = dir {
        let candidate = d.join(rel);
        if candidate.exists() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Reads a case file and checks what can be checked without running it. A JSON file that is
/// not a case at all (an event or a store next to the cases: no case key, no `expected`, no
/// `description`) is `None`; the runner reports how many it skipped.
pub fn load(file: &Path, root: &Path) -> Result<Option<Case>, SuiteError> {
    let err = |message: String| SuiteError {
        file: file.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(file).map_err(|e| err(e.to_string()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    if !json.is_object() {
        return Err(err("a case is a JSON object".to_owned()));
    }
    let kind = if json.get("function").is_some() {
        Kind::Function
    } else if json.get("connection_function").is_some() {
        Kind::Connection
    } else if json.get("handler").is_some() {
        Kind::Lambda
    } else if json.get("requests").is_some() {
        Kind::Http
    } else if json.get("expected").is_none() && json.get("description").is_none() {
        return Ok(None);
    } else {
        return Err(err(
            "not a case: give \"function\" (CloudFront Function), \"connection_function\" (mTLS connection function), \"handler\" (Lambda@Edge) or \"requests\" (HTTP through a distribution)".to_owned(),
        ));
    };
    let name = file
        .strip_prefix(root)
        .unwrap_or(file)
        .with_extension("")
        .to_string_lossy()
        .replace('\\', "/");
    let case = Case {
        name,
        file: file.to_owned(),
        json,
        kind,
    };
    match kind {
        Kind::Function => {
            case.str("runtime")?;
            case.path(case.str("function")?)?;
            case.event()?;
            if let Some(kvs) = case.json.get("kvs") {
                case.path(
                    kvs.as_str()
                        .ok_or_else(|| case.error("\"kvs\" must be a file name"))?,
                )?;
            }
            if case.json.get("expected").is_none() && case.json.get("assert").is_none() {
                return Err(
                    case.error("give \"expected\" (a TestResult) or \"assert\" (JSON-path checks)")
                );
            }
        }
        Kind::Connection => {
            case.path(case.str("connection_function")?)?;
            case.event()?;
            if let Some(kvs) = case.json.get("kvs") {
                case.path(
                    kvs.as_str()
                        .ok_or_else(|| case.error("\"kvs\" must be a file name"))?,
                )?;
            }
            if case.json.get("expected").is_none() && case.json.get("assert").is_none() {
                return Err(case.error(
                    "give \"expected\" (a ConnectionFunctionTestResult) or \"assert\" (JSON-path checks)",
                ));
            }
        }
        Kind::Lambda => {
            case.str("runtime")?;
            case.str("handler")?;
            case.event()?;
            if case.json.get("expected").is_none() && case.json.get("assert").is_none() {
                return Err(case.error("give \"expected\" (result, result_contains, error or validation) or \"assert\""));
            }
        }
        Kind::Http => {
            match (case.json.get("config"), case.json.get("from")) {
                (Some(Value::String(c)), None) => drop(case.path(c)?),
                (None, Some(Value::String(f))) => drop(case.path(f)?),
                _ => return Err(case.error("give \"config\" (an edgesim.toml) or \"from\" (a template to import), as a file name")),
            }
            let requests = case
                .json
                .get("requests")
                .and_then(Value::as_array)
                .filter(|r| !r.is_empty())
                .ok_or_else(|| case.error("\"requests\" must be a non-empty list"))?;
            for (i, r) in requests.iter().enumerate() {
                if r.get("path")
                    .and_then(Value::as_str)
                    .is_none_or(|p| !p.starts_with('/'))
                {
                    return Err(case.error(format!(
                        "requests[{i}].path must be a string starting with /"
                    )));
                }
            }
        }
    }
    Ok(Some(case))
}

/// Every `*.json` under `dir` (recursively, sorted), or `dir` itself when it is a file.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, SuiteError> {
    if dir.is_file() {
        return Ok(vec![dir.to_owned()]);
    }
    let mut out = Vec::new();
    walk(dir, &mut out).map_err(|e| SuiteError {
        file: dir.to_owned(),
        message: e.to_string(),
    })?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
