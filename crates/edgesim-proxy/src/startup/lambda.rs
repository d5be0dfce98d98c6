//! Starting the Lambda@Edge functions of a config: each association's Node or Python worker,
//! before the listener accepts, so a handler that does not load is a config error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use edgesim_lambda::{LambdaFunction, LambdaOptions};

use super::checks::{behaviors, slots};
use crate::config::Config;
use crate::error::ProxyError;
use crate::hook::LambdaHook;

/// Started functions by `<behavior field>.<event>` (e.g. `behaviors[0].origin_request`).
pub type Started = HashMap<String, Arc<LambdaHook>>;

/// Starts every Lambda@Edge function of the config (after [`super::checks::check`]). A handler
/// that does not load is a config error.
pub async fn start_all(config: &Config) -> Result<Started, ProxyError> {
    start_reusing(config, &Started::new(), &[]).await
}

/// [`start_all`] for a reload: a function whose settings are the same as in `previous` and
/// whose handler directory holds none of the `changed` files keeps its warm workers; the others
/// start afresh (the old workers end when the last request using them is done).
pub async fn start_reusing(
    config: &Config,
    previous: &Started,
    changed: &[PathBuf],
) -> Result<Started, ProxyError> {
    let mut started = Started::new();
    for (field, b) in behaviors(config) {
        for (trigger, event, f) in slots(b) {
            let Some(f) = f.filter(|f| f.is_lambda()) else {
                continue;
            };
            let at = format!("{field}.{event}");
            let handler = f.handler.as_ref().map(|h| h.get_ref().clone());
            let mut options =
                LambdaOptions::new(f.runtime.get_ref().clone(), handler.unwrap_or_default());
            options.base_dir = config.source.base_dir.clone();
            options.timeout = f
                .timeout_ms
                .map_or(trigger.max_timeout(), Duration::from_millis);
            if let Some(mb) = f.memory_mb {
                options.memory_mb = mb;
            }
            if let Some(old) = previous.get(&at).filter(|old| {
                old.trigger == trigger
                    && old.include_body == f.include_body
                    && *old.function.options() == options
                    && !changed.iter().any(|p| touches_handler(&options, p))
            }) {
                started.insert(at, old.clone());
                continue;
            }
            let function = LambdaFunction::start(options).await.map_err(|e| {
                config.error_at(
                    f.handler.as_ref().map(|h| h.span()),
                    &at,
                    &format!("cannot start the Lambda@Edge function: {e}"),
                )
            })?;
            for warning in function.warnings() {
                tracing::warn!(target: "edgesim::lambda", function = function.function_name(), "{warning}");
            }
            started.insert(
                at,
                Arc::new(LambdaHook {
                    trigger,
                    function,
                    include_body: f.include_body,
                }),
            );
        }
    }
    Ok(started)
}

/// Whether `path` is in the directory of the function's handler file (a handler may import its
/// neighbours).
fn touches_handler(options: &LambdaOptions, path: &Path) -> bool {
    let file = options.handler.rsplit_once('.').map_or("", |(f, _)| f);
    let dir = options
        .base_dir
        .join(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dir = dir.canonicalize().unwrap_or(dir);
    path.starts_with(&dir)
}

/// The started function of one event of one behavior (`field` like `behaviors[0]`).
pub fn started_for(started: &Started, field: &str, event: &str) -> Option<Arc<LambdaHook>> {
    started.get(&format!("{field}.{event}")).cloned()
}
