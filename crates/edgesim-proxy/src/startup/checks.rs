//! The checks CloudFront makes when a distribution is deployed, on the config as written:
//! which kind of function may sit on which event, and each association's settings
//! (docs/cloudfront/pipeline.md, "Associations").

use std::time::Duration;

use edgesim_model::lambda::Trigger;

use crate::config::{BehaviorConfig, Config, FunctionConfig};
use crate::error::ProxyError;

/// Every behavior of the config with its field name (`default_behavior`, `behaviors[i]`).
pub(crate) fn behaviors(config: &Config) -> impl Iterator<Item = (String, &BehaviorConfig)> {
    std::iter::once(("default_behavior".to_owned(), &config.default_behavior)).chain(
        config
            .behaviors
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("behaviors[{i}]"), b)),
    )
}

/// The four event slots of a behavior config.
pub(crate) fn slots(b: &BehaviorConfig) -> [(Trigger, &'static str, Option<&FunctionConfig>); 4] {
    [
        (
            Trigger::ViewerRequest,
            "viewer_request",
            b.viewer_request.as_ref(),
        ),
        (
            Trigger::OriginRequest,
            "origin_request",
            b.origin_request.as_ref(),
        ),
        (
            Trigger::OriginResponse,
            "origin_response",
            b.origin_response.as_ref(),
        ),
        (
            Trigger::ViewerResponse,
            "viewer_response",
            b.viewer_response.as_ref(),
        ),
    ]
}

/// Runtimes Lambda@Edge accepts: Lambda's current Node.js and Python runtimes, plus the
/// deprecated ones whose functions keep running (docs/cloudfront/viewer-limits.md, "Config").
const LAMBDA_RUNTIMES: [&str; 12] = [
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
];

/// Everything CloudFront refuses at deploy time.
pub fn check(config: &Config) -> Result<(), ProxyError> {
    check_path_patterns(config)?;
    check_associations(config)
}

/// Two cache behaviors with the same path pattern: CloudFront refuses the distribution (the
/// second could never match).
fn check_path_patterns(config: &Config) -> Result<(), ProxyError> {
    for (i, b) in config.behaviors.iter().enumerate() {
        let Some(pattern) = &b.path_pattern else {
            continue;
        };
        let earlier = config.behaviors[..i]
            .iter()
            .position(|e| e.path_pattern.as_ref().map(|p| p.get_ref()) == Some(pattern.get_ref()));
        if let Some(j) = earlier {
            return Err(config.error_at(
                Some(pattern.span()),
                &format!("behaviors[{i}].path_pattern"),
                &format!(
                    "duplicate path pattern {:?} (also behaviors[{j}]); each cache behavior needs its own pattern",
                    pattern.get_ref()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether any behavior has a Lambda@Edge association.
pub fn any_lambda(config: &Config) -> bool {
    behaviors(config).any(|(_, b)| {
        slots(b)
            .iter()
            .any(|(_, _, f)| f.is_some_and(|f| f.is_lambda()))
    })
}

/// The checks CloudFront makes at deploy time: CloudFront Functions only on viewer events,
/// never mixed with Lambda@Edge on the viewer events of one behavior
/// (docs/cloudfront/pipeline.md, "Associations"), and each association's settings.
fn check_associations(config: &Config) -> Result<(), ProxyError> {
    for (field, b) in behaviors(config) {
        let mut viewer_cff = None;
        let mut viewer_lambda = None;
        for (trigger, event, f) in slots(b) {
            let Some(f) = f else { continue };
            let at = format!("{field}.{event}");
            if f.is_lambda() {
                check_lambda(config, f, trigger, &at)?;
                if trigger.is_viewer() {
                    viewer_lambda = Some((at, f));
                }
            } else {
                if !trigger.is_viewer() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "CloudFront Functions run on viewer events only; use a Lambda@Edge function here (`runtime = \"nodejs20.x\"`, `handler = \"dir/index.handler\"`)",
                    ));
                }
                if f.code.is_none() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "give `code = \"file.js\"` (CloudFront Function) or `handler = \"dir/file.export\"` with a Lambda runtime (Lambda@Edge)",
                    ));
                }
                if f.include_body || f.timeout_ms.is_some() || f.memory_mb.is_some() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "include_body, timeout_ms and memory_mb are Lambda@Edge settings; a CloudFront Function has none of them",
                    ));
                }
                viewer_cff = Some(at);
            }
        }
        if let (Some(cff), Some((lambda, f))) = (viewer_cff, viewer_lambda) {
            let span = f.handler.as_ref().map(|h| h.span());
            return Err(config.error_at(
                span,
                &lambda,
                &format!(
                    "CloudFront does not allow a CloudFront Function ({cff}) and a Lambda@Edge function on the viewer events of the same cache behavior; move one of them, e.g. the Lambda@Edge function to origin_request / origin_response"
                ),
            ));
        }
    }
    Ok(())
}

fn check_lambda(
    config: &Config,
    f: &FunctionConfig,
    trigger: Trigger,
    at: &str,
) -> Result<(), ProxyError> {
    let span = f.handler.as_ref().map(|h| h.span());
    let err = |m: &str| Err(config.error_at(span.clone(), at, m));
    if f.handler.is_none() {
        return err("a Lambda@Edge function needs `handler = \"dir/file.export\"`");
    }
    let runtime = f.runtime.get_ref();
    if !LAMBDA_RUNTIMES.contains(&runtime.as_str()) {
        return Err(config.error_at(
            Some(f.runtime.span()),
            &format!("{at}.runtime"),
            &format!(
                "`{runtime}` is not a Lambda@Edge runtime; use one of {}",
                LAMBDA_RUNTIMES.join(", ")
            ),
        ));
    }
    if f.code.is_some() || f.kvs.is_some() || f.budget_ms.is_some() {
        return err("code, kvs and budget_ms are CloudFront Function settings; a Lambda@Edge function has a handler");
    }
    if f.include_body && !trigger.is_request() {
        return err("include_body is for viewer_request and origin_request only");
    }
    if let Some(ms) = f.timeout_ms {
        let max = trigger.max_timeout();
        if ms == 0 || Duration::from_millis(ms) > max {
            return err(&format!(
                "timeout_ms must be 1–{} on {trigger} (Lambda@Edge quota)",
                max.as_millis()
            ));
        }
    }
    if let Some(mb) = f.memory_mb {
        // Lambda's memory sizes are 128–10,240 MB; viewer triggers are capped at 128 MB
        // (docs/cloudfront/lambda-workers.md).
        let max = if trigger.is_viewer() { 128 } else { 10_240 };
        if !(128..=max).contains(&mb) {
            return err(&format!(
                "memory_mb must be 128–{max} on {trigger} (Lambda@Edge quota)"
            ));
        }
    }
    Ok(())
}
