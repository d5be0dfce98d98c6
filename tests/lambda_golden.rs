//! Golden cases for Lambda@Edge samples: every `edge-samples/lambda/cases/*.json` is run through
//! the library (`edgesim_lambda` + `edgesim_model::lambda`).
//!
//! A case is `{runtime, handler, event, expected}`; `event` is a path (from the repository root)
//! or an inline event; `expected` is one of
//! - `{"result": …}`: the payload, exactly, and CloudFront accepts it;
//! - `{"result_contains": …}`: an object every field of which the payload has (recursively);
//! - `{"error": {"errorType", "errorMessage"}}`: the handler fails (503 at the edge);
//! - `{"validation": "message"}`: CloudFront refuses the payload with this 502 message.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use edgesim_lambda::{LambdaError, LambdaFunction, LambdaOptions};
use edgesim_model::lambda::{parse_event, validate_output, LambdaValidationOptions};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        _ => actual == expected,
    }
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn check_case(
    path: &Path,
    functions: &mut HashMap<(String, String), LambdaFunction>,
) -> Result<(), String> {
    let case = load(path);
    let runtime = case["runtime"]
        .as_str()
        .ok_or("runtime missing")?
        .to_owned();
    let handler = case["handler"]
        .as_str()
        .ok_or("handler missing")?
        .to_owned();
    let event = match &case["event"] {
        Value::String(file) => load(&root().join(file)),
        other => other.clone(),
    };
    let trigger = parse_event(&event)
        .map_err(|e| e.to_string())?
        .ok_or("event without eventType")?;
    let key = (runtime.clone(), handler.clone());
    if !functions.contains_key(&key) {
        let mut options = LambdaOptions::new(runtime, handler);
        options.base_dir = root();
        options.pool_size = 1;
        let function = LambdaFunction::start(options)
            .await
            .map_err(|e| e.to_string())?;
        functions.insert(key.clone(), function);
    }
    let invocation = functions[&key].invoke_ref(&event).await;
    let expected = &case["expected"];
    let verdict = |payload: Option<&Value>| {
        validate_output(
            trigger,
            &event,
            payload,
            &LambdaValidationOptions::default(),
        )
    };
    match (&invocation.outcome, expected) {
        (Ok(payload), e) if e.get("result").is_some() || e.get("result_contains").is_some() => {
            let payload = payload.as_ref().ok_or("no payload")?;
            if let Some(result) = e.get("result") {
                if payload != result {
                    return Err(format!("payload {payload}\n  expected {result}"));
                }
            }
            if let Some(subset) = e.get("result_contains") {
                if !contains(payload, subset) {
                    return Err(format!("payload {payload}\n  does not contain {subset}"));
                }
            }
            verdict(Some(payload))
                .map(|_| ())
                .map_err(|e| format!("CloudFront refuses it: {e}"))
        }
        (Ok(payload), e) if e.get("validation").is_some() => match verdict(payload.as_ref()) {
            Ok(_) => Err(format!("CloudFront accepts {payload:?}")),
            Err(error) if Some(error.message().as_str()) == e["validation"].as_str() => Ok(()),
            Err(error) => Err(format!("validation message {:?}", error.message())),
        },
        (
            Err(LambdaError::Handler {
                error_type,
                error_message,
                ..
            }),
            e,
        ) if e.get("error").is_some() => {
            let want = &e["error"];
            if want["errorType"].as_str() != Some(error_type.as_str())
                || want
                    .get("errorMessage")
                    .is_some_and(|m| m.as_str() != Some(error_message.as_str()))
            {
                return Err(format!(
                    "error {error_type}: {error_message}, expected {want}"
                ));
            }
            Ok(())
        }
        (outcome, e) => Err(format!(
            "outcome {outcome:?}, expected {e}; logs {:?}",
            invocation.logs
        )),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_sample_cases() {
    let dir = root().join("edge-samples/lambda/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "only {} cases", paths.len());
    let mut functions = HashMap::new();
    let mut failures = Vec::new();
    for path in &paths {
        if let Err(e) = check_case(path, &mut functions).await {
            failures.push(format!(
                "{}: {e}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    println!("{} lambda cases, {} failed", paths.len(), failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
