//! `[default_behavior]` and `[[behaviors]]` into [`Behavior`]s: path pattern, origin, cache
//! policy, and the function on each event (CloudFront Functions compiled here, Lambda@Edge
//! functions already started by [`super::lambda`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use edgesim_functions::{CloudFrontFunction, FunctionOptions, KeyValueStore, Runtime};

use super::lambda::{started_for, Started};
use crate::behavior::Behavior;
use crate::behavior::ViewerProtocolPolicy;
use crate::config::{BehaviorConfig, Config, FunctionConfig};
use crate::error::ProxyError;
use crate::hook::{Hook, Hooks};
use crate::origin::Failover;
use crate::path_pattern::PathPattern;
use crate::policy_config;
use crate::viewer_rules::AllowedMethods;

pub(crate) fn build_behavior(
    config: &Config,
    b: &BehaviorConfig,
    field: &str,
    origin_ids: &[&str],
    groups: &[(String, usize, Failover)],
    kvs: &HashMap<String, Arc<KeyValueStore>>,
    started: &Started,
) -> Result<Behavior, ProxyError> {
    let pattern =
        match &b.path_pattern {
            Some(p) => Some(PathPattern::parse(p.get_ref()).map_err(|m| {
                config.error_at(Some(p.span()), &format!("{field}.path_pattern"), &m)
            })?),
            None if field == "default_behavior" => None,
            None => return Err(config.error_at(None, &format!("{field}.path_pattern"), "missing")),
        };
    let group = groups.iter().find(|(id, ..)| id == b.origin.get_ref());
    let (origin, failover) = match group {
        Some((_, primary, failover)) => (*primary, Some(failover.clone())),
        None => {
            let index = origin_ids
                .iter()
                .position(|id| id == b.origin.get_ref())
                .ok_or_else(|| {
                    let groups: Vec<&str> = groups.iter().map(|(id, ..)| id.as_str()).collect();
                    config.error_at(
                        Some(b.origin.span()),
                        &format!("{field}.origin"),
                        &format!(
                            "unknown origin {:?} (origins: {}{}{})",
                            b.origin.get_ref(),
                            origin_ids.join(", "),
                            if groups.is_empty() {
                                ""
                            } else {
                                "; origin groups: "
                            },
                            groups.join(", ")
                        ),
                    )
                })?;
            (index, None)
        }
    };
    let policy_error = |key: &str, m: String| config.error_at(None, &format!("{field}.{key}"), &m);
    // A `cache` table written in the file has a span; the default one does not.
    let legacy_given = !b.cache.span().is_empty();
    let (cache, error_ttl) = match (&b.cache_policy, legacy_given) {
        (Some(_), true) => {
            return Err(config.error_at(
                Some(b.cache.span()),
                &format!("{field}.cache"),
                "give either `cache_policy` or the legacy `cache` table, not both",
            ))
        }
        (Some(p), false) => (
            policy_config::cache_policy(p).map_err(|m| policy_error("cache_policy", m))?,
            crate::ttl::DEFAULT_ERROR_CACHING_MIN_TTL,
        ),
        (None, given) => {
            let mut policy = policy_config::legacy_cache_policy(&b.cache).map_err(|m| {
                config.error_at(given.then(|| b.cache.span()), &format!("{field}.cache"), &m)
            })?;
            // Legacy cache settings compress with gzip only, when `Compress` is on (Brotli
            // needs a cache policy: docs/cloudfront/cache-and-origin.md, "Compression").
            policy.gzip = b.compress && !policy.is_disabled();
            (policy, std::time::Duration::from_secs(b.cache.error_ttl))
        }
    };
    let origin_request_policy = b
        .origin_request_policy
        .as_ref()
        .map(policy_config::origin_request_policy)
        .transpose()
        .map_err(|m| policy_error("origin_request_policy", m))?;
    let response_headers_policy = b
        .response_headers_policy
        .as_ref()
        .map(policy_config::response_headers_policy)
        .transpose()
        .map_err(|m| policy_error("response_headers_policy", m))?;
    // A viewer event holds a CloudFront Function (compiled now) or a started Lambda@Edge
    // function; the checks made sure it is not both.
    let viewer = |f: &Option<FunctionConfig>, event: &str| -> Result<Option<Hook>, ProxyError> {
        if let Some(lambda) = started_for(started, field, event) {
            return Ok(Some(Hook::Lambda(lambda)));
        }
        f.as_ref()
            .filter(|f| !f.is_lambda())
            .map(|f| load_function(config, f, &format!("{field}.{event}"), kvs).map(Hook::Function))
            .transpose()
    };
    let (allowed_methods, caches_options) = methods(config, b, field)?;
    let viewer_protocol_policy = ViewerProtocolPolicy::parse(b.viewer_protocol_policy.get_ref())
        .map_err(|m| {
            config.error_at(
                Some(b.viewer_protocol_policy.span()),
                &format!("{field}.viewer_protocol_policy"),
                &m,
            )
        })?;
    Ok(Behavior {
        pattern,
        origin,
        failover,
        cache,
        allowed_methods,
        caches_options,
        origin_request_policy,
        response_headers_policy,
        compress: b.compress,
        error_ttl,
        viewer_protocol_policy,
        hooks: Hooks {
            viewer_request: viewer(&b.viewer_request, "viewer_request")?,
            origin_request: started_for(started, field, "origin_request"),
            origin_response: started_for(started, field, "origin_response"),
            viewer_response: viewer(&b.viewer_response, "viewer_response")?,
        },
    })
}

/// AllowedMethods and CachedMethods: one of CloudFront's sets each, cached within allowed
/// (docs/cloudfront/viewer-limits.md, "Methods").
fn methods(
    config: &Config,
    b: &BehaviorConfig,
    field: &str,
) -> Result<(AllowedMethods, bool), ProxyError> {
    let allowed = match &b.allowed_methods {
        None => AllowedMethods::default(),
        Some(list) => AllowedMethods::from_names(list).ok_or_else(|| {
            config.error_at(
                Some(list.span()),
                &format!("{field}.allowed_methods"),
                "CloudFront allows one of three sets: [\"GET\", \"HEAD\"], [\"GET\", \"HEAD\", \"OPTIONS\"] or [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]",
            )
        })?,
    };
    let caches_options = match &b.cached_methods {
        None => false,
        Some(list) => {
            let bad =
                |m: &str| config.error_at(Some(list.span()), &format!("{field}.cached_methods"), m);
            let options =
                match AllowedMethods::from_names(list) {
                    Some(AllowedMethods::GetHead) => false,
                    Some(AllowedMethods::GetHeadOptions) => true,
                    _ => return Err(bad(
                        "CloudFront caches [\"GET\", \"HEAD\"] or [\"GET\", \"HEAD\", \"OPTIONS\"]",
                    )),
                };
            if options && allowed == AllowedMethods::GetHead {
                return Err(bad(
                    "OPTIONS can be cached only if allowed_methods includes it",
                ));
            }
            options
        }
    };
    Ok((allowed, caches_options))
}

fn load_function(
    config: &Config,
    f: &FunctionConfig,
    field: &str,
    kvs: &HashMap<String, Arc<KeyValueStore>>,
) -> Result<CloudFrontFunction, ProxyError> {
    let runtime: Runtime =
        f.runtime
            .get_ref()
            .parse()
            .map_err(|e: edgesim_functions::runtime::UnknownRuntime| {
                config.error_at(
                    Some(f.runtime.span()),
                    &format!("{field}.runtime"),
                    &e.to_string(),
                )
            })?;
    let code = f.code.as_ref().ok_or_else(|| {
        config.error_at(
            Some(f.runtime.span()),
            field,
            "a CloudFront Function needs `code = \"file.js\"`",
        )
    })?;
    let path = config.resolve(code.get_ref());
    let mut options = FunctionOptions::new(function_name(&path), runtime);
    options.throttle = config.throttle.policy();
    if let Some(id) = &f.kvs {
        let store = kvs.get(id.get_ref()).ok_or_else(|| {
            let known: Vec<&str> = kvs.keys().map(String::as_str).collect();
            config.error_at(
                Some(id.span()),
                &format!("{field}.kvs"),
                &format!(
                    "unknown key_value_stores id {:?} (known: {})",
                    id.get_ref(),
                    known.join(", ")
                ),
            )
        })?;
        if runtime == Runtime::Js10 {
            return Err(config.error_at(
                Some(id.span()),
                &format!("{field}.kvs"),
                "KeyValueStore needs runtime cloudfront-js-2.0",
            ));
        }
        options.kvs = Some(store.clone());
    }
    if let Some(ms) = f.budget_ms {
        options.budget = Duration::try_from_secs_f64(ms / 1000.0)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                config.error_at(
                    Some(f.runtime.span()),
                    &format!("{field}.budget_ms"),
                    "must be a positive number of milliseconds (CloudFront's budget is 1)",
                )
            })?;
    }
    CloudFrontFunction::from_file(&path, options)
        .map_err(|source| ProxyError::Function { path, source })
}

fn function_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "function".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    )
}
