//! Building a [`Distribution`] from its [`Config`]: everything that can be checked is checked
//! here, so a bad config never starts. One file per concern: the deploy-time checks
//! ([`checks`]), origins ([`origins`]), behaviors and their functions ([`behaviors`]), and
//! starting the Lambda@Edge workers ([`lambda`]).

mod behaviors;
mod checks;
mod lambda;
mod origins;

pub(crate) use lambda::Started;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use edgesim_functions::{CloudFrontFunction, FunctionThreads, KeyValueStore};
use edgesim_model::ValidationOptions;
use http::{HeaderName, HeaderValue};

use crate::behavior::Behaviors;
use crate::cache::Cache;
use crate::config::{BehaviorConfig, Config};
use crate::distribution::Distribution;
use crate::error::ProxyError;
use crate::hook::Hook;
use crate::ids;
use crate::origin::{http_client, Origin, Origins};
use crate::policy_config;
use crate::settings::Settings;

impl Distribution {
    /// Builds every CloudFront Function's engine context on every function thread, so no
    /// request pays for compiling it (1–2 ms a context). [`crate::Server::bind`] calls it before
    /// accepting; call it again after loading a new config.
    pub fn warm(&self) {
        let behaviors = self.behaviors.ordered.iter();
        let functions: Vec<CloudFrontFunction> = behaviors
            .chain(std::iter::once(&self.behaviors.default))
            .flat_map(|b| [&b.hooks.viewer_request, &b.hooks.viewer_response])
            .filter_map(|hook| match hook {
                Some(Hook::Function(f)) => Some(f.clone()),
                _ => None,
            })
            .collect();
        FunctionThreads::global().warm(&functions);
    }

    /// Checks the config and builds everything: compile errors, unknown ids and bad patterns
    /// are reported here with the file and line.
    ///
    /// Lambda@Edge functions are started on the current tokio runtime, which must then be
    /// multi-threaded; [`Distribution::start`] works on any runtime.
    pub fn from_config(config: &Config) -> Result<Arc<Distribution>, ProxyError> {
        checks::check(config)?;
        if !checks::any_lambda(config) {
            return Distribution::build(config, &lambda::Started::new());
        }
        let handle = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
            .ok_or_else(|| {
                config.error_at(
                    None,
                    "Lambda@Edge",
                    "starting Lambda@Edge functions needs a multi-threaded tokio runtime here (or use Distribution::start)",
                )
            })?;
        let started = tokio::task::block_in_place(|| handle.block_on(lambda::start_all(config)))?;
        Distribution::build(config, &started)
    }

    /// [`Distribution::from_config`] for async callers: Lambda@Edge functions are started
    /// on the caller's runtime, whatever its flavor.
    pub async fn start(config: &Config) -> Result<Arc<Distribution>, ProxyError> {
        checks::check(config)?;
        let started = lambda::start_all(config).await?;
        Distribution::build(config, &started)
    }

    /// A hot reload: the whole distribution built again from `config`, reusing from
    /// `previous` the Lambda@Edge workers whose handler did not change, and the cache when no
    /// behavior's cache settings changed (else the cache starts empty: its keys and TTLs would
    /// no longer mean the same). CloudFront Functions are compiled afresh and their engine
    /// contexts warmed before this returns, so the first request after the swap pays nothing.
    pub async fn rebuild(
        config: &Config,
        previous: &Distribution,
        changed: &[std::path::PathBuf],
    ) -> Result<Arc<Distribution>, ProxyError> {
        checks::check(config)?;
        let started = lambda::start_reusing(config, &previous.lambdas, changed).await?;
        let next = Distribution::build_after(config, &started, Some(previous))?;
        next.warm();
        Ok(next)
    }

    fn build(config: &Config, started: &lambda::Started) -> Result<Arc<Distribution>, ProxyError> {
        Distribution::build_after(config, started, None)
    }

    /// Builds the distribution; after a reload (`previous`), it takes over the previous
    /// cache store when the cache settings are the same.
    fn build_after(
        config: &Config,
        started: &lambda::Started,
        previous: Option<&Distribution>,
    ) -> Result<Arc<Distribution>, ProxyError> {
        let mut kvs = HashMap::new();
        for store in &config.key_value_stores {
            let loaded = KeyValueStore::load(&config.resolve(&store.file))?;
            kvs.insert(store.id.get_ref().clone(), Arc::new(loaded));
        }
        let mut list = Vec::new();
        let mut standalone_mocks = Vec::new();
        for (i, origin) in config.origins.iter().enumerate() {
            if list.iter().any(|o: &Origin| o.id == *origin.id.get_ref()) {
                return Err(config.error_at(
                    Some(origin.id.span()),
                    "origins.id",
                    "duplicate origin id",
                ));
            }
            if let Some(addr) = origin.mock.as_ref().and_then(|m| m.listen.clone()) {
                standalone_mocks.push((i, addr));
            }
            list.push(origins::build_origin(config, origin)?);
        }
        let origin_ids: Vec<&str> = list.iter().map(|o| o.id.as_str()).collect();
        let groups = origins::build_groups(config, &list)?;
        let build = |b: &BehaviorConfig, field: &str| {
            behaviors::build_behavior(config, b, field, &origin_ids, &groups, &kvs, started)
        };
        if let Some(p) = &config.default_behavior.path_pattern {
            return Err(config.error_at(
                Some(p.span()),
                "default_behavior.path_pattern",
                "the default behavior matches every path (*); move this to [[behaviors]]",
            ));
        }
        let default = build(&config.default_behavior, "default_behavior")?;
        let ordered = config
            .behaviors
            .iter()
            .enumerate()
            .map(|(i, b)| build(b, &format!("behaviors[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;

        let viewer_headers = config
            .viewer
            .headers
            .iter()
            .map(|(name, value)| {
                let bad = |m: &str| config.error_at(None, &format!("viewer.headers.{name}"), m);
                let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                    .map_err(|_| bad("not a valid header name"))?;
                let value =
                    HeaderValue::from_str(value).map_err(|_| bad("not a valid header value"))?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, ProxyError>>()?;
        if !["desktop", "mobile", "tablet", "smarttv"].contains(&config.viewer.device.as_str()) {
            return Err(config.error_at(
                None,
                "viewer.device",
                "expected desktop, mobile, tablet or smarttv",
            ));
        }

        let mut custom_errors = Vec::new();
        for (i, c) in config.custom_error_responses.iter().enumerate() {
            let field = format!("custom_error_responses[{i}]");
            let built = policy_config::custom_error_response(c)
                .map_err(|m| config.error_at(None, &field, &m))?;
            if custom_errors
                .iter()
                .any(|e: &crate::policy::CustomErrorResponse| e.error_code == built.error_code)
            {
                return Err(config.error_at(
                    None,
                    &field,
                    &format!("a second custom error response for {}", built.error_code),
                ));
            }
            custom_errors.push(built);
        }

        let viewer_idle_timeout =
            origins::seconds(config, "viewer.idle_timeout", config.viewer.idle_timeout)?;
        let cache_tag_header = cache_tag_header(config)?;
        let dashboard = dashboard(config)?;
        Ok(Arc::new_cyclic(|me| {
            let mut next = Distribution {
                me: me.clone(),
                settings: Settings {
                    pop: config.pop.clone(),
                    distribution_id: config.distribution_id.clone(),
                    domain_name: config.domain_name.clone(),
                    server_timing: config.server_timing,
                    via_host: format!("{}.cloudfront.net", ids::via_id()),
                    viewer_country: config.viewer.country.clone(),
                    viewer_device: config.viewer.device.clone(),
                    viewer_headers,
                    max_object_bytes: config.cache_store.max_object_bytes,
                    viewer_idle_timeout,
                    validation: ValidationOptions::default(),
                    cache_tag_header,
                },
                origins: Origins {
                    list,
                    dynamic_client: http_client(Duration::from_secs(10)),
                },
                behaviors: Behaviors { ordered, default },
                cache: Arc::new(Cache::new(config.cache_store.max_bytes)),
                cache_max_bytes: config.cache_store.max_bytes,
                inflight: Default::default(),
                custom_errors,
                listen: config.listen.clone(),
                standalone_mocks,
                dashboard,
                lambdas: started.clone(),
            };
            if let Some(previous) = previous.filter(|p| {
                p.cache_signature() == next.cache_signature()
                    && p.cache_max_bytes == next.cache_max_bytes
            }) {
                next.cache = previous.cache.clone();
            }
            next
        }))
    }
}

/// `cache_tag_header`, checked and lower-cased.
fn cache_tag_header(config: &Config) -> Result<Option<String>, ProxyError> {
    let Some(name) = &config.cache_tag_header else {
        return Ok(None);
    };
    let lower = name.to_ascii_lowercase();
    HeaderName::from_bytes(lower.as_bytes())
        .map_err(|_| config.error_at(None, "cache_tag_header", "not a valid header name"))?;
    Ok(Some(lower))
}

/// `[dashboard]`: the reserved path, normalised (`/_edgesim/`), when enabled.
fn dashboard(
    config: &Config,
) -> Result<Option<crate::distribution::DashboardSettings>, ProxyError> {
    let d = &config.dashboard;
    if !d.enabled {
        return Ok(None);
    }
    if !d.path.starts_with('/') || d.path.trim_matches('/').is_empty() {
        return Err(config.error_at(
            None,
            "dashboard.path",
            "expected a path below the root such as \"/_edgesim/\"",
        ));
    }
    if d.recent_requests == 0 || d.recent_requests > 100_000 {
        return Err(config.error_at(None, "dashboard.recent_requests", "expected 1 to 100000"));
    }
    Ok(Some(crate::distribution::DashboardSettings {
        path: crate::dashboard::normalise_path(&d.path),
        recent_requests: d.recent_requests,
    }))
}
