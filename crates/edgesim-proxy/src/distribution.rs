//! A distribution ready to serve, built from a [`Config`]: origins, behaviors with their
//! compiled functions and KeyValueStores, the cache, and the settings every response uses.
//! Everything that can be checked is checked here, so a bad config never starts.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use edgesim_functions::{CloudFrontFunction, FunctionOptions, KeyValueStore, Runtime};
use edgesim_model::ValidationOptions;
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};

use crate::behavior::{Behavior, Behaviors, PathPattern};
use crate::cache::{Cache, CachePolicy};
use crate::config::{BehaviorConfig, Config, FunctionConfig, OriginConfig};
use crate::error::ProxyError;
use crate::ids;
use crate::lambda;
use crate::mock_origin::{MockOrigin, MockRoute};
use crate::origin::{http_client, HttpClient, HttpTarget, Origin, OriginKind};

/// Values shared by every request.
#[derive(Debug, Clone)]
pub struct Settings {
    pub pop: String,
    pub distribution_id: String,
    pub domain_name: String,
    pub server_timing: bool,
    /// `Via: 1.1 <via_host> (CloudFront)`.
    pub via_host: String,
    pub viewer_country: String,
    pub viewer_device: String,
    pub viewer_headers: Vec<(HeaderName, HeaderValue)>,
    pub max_object_bytes: usize,
}

/// The distribution.
#[derive(Debug)]
pub struct Distribution {
    pub settings: Settings,
    pub origins: Vec<Origin>,
    pub behaviors: Behaviors,
    pub cache: Cache,
    /// Options for checking function output: always the edge's full checks.
    pub validation: ValidationOptions,
    /// For origins created by `updateRequestOrigin`.
    pub dynamic_client: HttpClient,
    /// The listen address from the config.
    pub listen: String,
    /// Mock origins that also listen on their own address: (origin index, address).
    pub standalone_mocks: Vec<(usize, String)>,
}

impl Distribution {
    /// Checks the config and builds everything: compile errors, unknown ids and bad patterns
    /// are reported here with the file and line.
    ///
    /// Lambda@Edge functions are started on the current tokio runtime, which must then be
    /// multi-threaded; [`Distribution::start`] works on any runtime.
    pub fn from_config(config: &Config) -> Result<Arc<Distribution>, ProxyError> {
        lambda::check_associations(config)?;
        if !lambda::any_lambda(config) {
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
        lambda::check_associations(config)?;
        let started = lambda::start_all(config).await?;
        Distribution::build(config, &started)
    }

    fn build(config: &Config, started: &lambda::Started) -> Result<Arc<Distribution>, ProxyError> {
        let mut kvs = HashMap::new();
        for store in &config.key_value_stores {
            let loaded = KeyValueStore::load(&config.resolve(&store.file))?;
            kvs.insert(store.id.get_ref().clone(), Arc::new(loaded));
        }
        let mut origins = Vec::new();
        let mut standalone_mocks = Vec::new();
        for (i, origin) in config.origins.iter().enumerate() {
            if origins
                .iter()
                .any(|o: &Origin| o.id == *origin.id.get_ref())
            {
                return Err(config.error_at(
                    Some(origin.id.span()),
                    "origins.id",
                    "duplicate origin id",
                ));
            }
            if let Some(addr) = origin.mock.as_ref().and_then(|m| m.listen.clone()) {
                standalone_mocks.push((i, addr));
            }
            origins.push(build_origin(config, origin)?);
        }
        let origin_ids: Vec<&str> = origins.iter().map(|o| o.id.as_str()).collect();
        let build = |b: &BehaviorConfig, field: &str| {
            build_behavior(config, b, field, &origin_ids, &kvs, started)
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

        Ok(Arc::new(Distribution {
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
            },
            origins,
            behaviors: Behaviors { ordered, default },
            cache: Cache::new(config.cache_store.max_bytes),
            validation: ValidationOptions::default(),
            dynamic_client: http_client(Duration::from_secs(10)),
            listen: config.listen.clone(),
            standalone_mocks,
        }))
    }

    /// Index of an origin by id.
    pub fn origin_index(&self, id: &str) -> Option<usize> {
        self.origins.iter().position(|o| o.id == id)
    }
}

fn seconds(config: &Config, field: &str, value: f64) -> Result<Duration, ProxyError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| config.error_at(None, field, "must be a positive number of seconds"))
}

fn build_origin(config: &Config, o: &OriginConfig) -> Result<Origin, ProxyError> {
    let id = o.id.get_ref();
    let field = |name: &str| format!("origins[{id}].{name}");
    let kind = match (&o.mock, &o.url) {
        (Some(mock), None) => {
            let routes = o
                .routes
                .iter()
                .map(|r| {
                    let pattern = PathPattern::parse(r.path.get_ref()).map_err(|m| {
                        config.error_at(Some(r.path.span()), &field("routes.path"), &m)
                    })?;
                    let status = StatusCode::from_u16(r.status).map_err(|_| {
                        config.error_at(
                            Some(r.path.span()),
                            &field("routes.status"),
                            "not an HTTP status",
                        )
                    })?;
                    let mut headers = HeaderMap::new();
                    for (name, value) in &r.headers {
                        let bad = || {
                            config.error_at(
                                Some(r.path.span()),
                                &field("routes.headers"),
                                &format!("invalid header {name:?}"),
                            )
                        };
                        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
                        headers.append(name, HeaderValue::from_str(value).map_err(|_| bad())?);
                    }
                    Ok(MockRoute {
                        pattern,
                        status,
                        headers,
                        body: Bytes::from(r.body.clone()),
                        delay: Duration::from_millis(r.delay_ms),
                        echo: r.echo,
                    })
                })
                .collect::<Result<Vec<_>, ProxyError>>()?;
            let root = mock.root.as_ref().map(|r| config.resolve(r));
            if let Some(root) = &root {
                if !root.is_dir() {
                    return Err(config.error_at(
                        Some(o.id.span()),
                        &field("mock.root"),
                        &format!("{} is not a directory", root.display()),
                    ));
                }
            }
            OriginKind::Mock(MockOrigin { root, routes })
        }
        (None, Some(url)) => {
            if !o.routes.is_empty() {
                return Err(config.error_at(
                    Some(o.id.span()),
                    &field("routes"),
                    "routes are for mock origins only",
                ));
            }
            OriginKind::Http(
                parse_url(url.get_ref())
                    .map_err(|m| config.error_at(Some(url.span()), &field("url"), &m))?,
            )
        }
        _ => {
            return Err(config.error_at(
                Some(o.id.span()),
                &format!("origins[{id}]"),
                "give exactly one of `mock = {...}` or `url = \"http://…\"`",
            ))
        }
    };
    let mut custom_headers = Vec::new();
    for (name, value) in &o.custom_headers {
        let bad = || {
            config.error_at(
                Some(o.id.span()),
                &field("custom_headers"),
                &format!("invalid header {name:?}"),
            )
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        custom_headers.push((header, HeaderValue::from_str(value).map_err(|_| bad())?));
    }
    Ok(Origin {
        id: id.clone(),
        kind,
        custom_headers,
        read_timeout: seconds(config, &field("read_timeout"), o.read_timeout)?,
        client: http_client(seconds(
            config,
            &field("connect_timeout"),
            o.connect_timeout,
        )?),
    })
}

/// `http://host[:port][/origin/path]`; https needs TLS, which a local simulator leaves out.
pub fn parse_url(url: &str) -> Result<HttpTarget, String> {
    let uri: Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err("https origins are not supported locally; use http://".to_owned())
        }
        _ => return Err("expected a URL like http://127.0.0.1:3000".to_owned()),
    }
    let authority = uri.authority().ok_or("the URL has no host")?;
    let port = authority.port_u16().unwrap_or(80);
    let authority = Authority::try_from(format!("{}:{port}", authority.host()).as_str())
        .map_err(|e| e.to_string())?;
    let origin_path = uri.path().trim_end_matches('/').to_owned();
    Ok(HttpTarget {
        host: authority.host().to_owned(),
        authority,
        origin_path,
    })
}

fn build_behavior(
    config: &Config,
    b: &BehaviorConfig,
    field: &str,
    origin_ids: &[&str],
    kvs: &HashMap<String, Arc<KeyValueStore>>,
    started: &lambda::Started,
) -> Result<Behavior, ProxyError> {
    let pattern =
        match &b.path_pattern {
            Some(p) => Some(PathPattern::parse(p.get_ref()).map_err(|m| {
                config.error_at(Some(p.span()), &format!("{field}.path_pattern"), &m)
            })?),
            None if field == "default_behavior" => None,
            None => return Err(config.error_at(None, &format!("{field}.path_pattern"), "missing")),
        };
    let origin = origin_ids
        .iter()
        .position(|id| id == b.origin.get_ref())
        .ok_or_else(|| {
            config.error_at(
                Some(b.origin.span()),
                &format!("{field}.origin"),
                &format!(
                    "unknown origin {:?} (origins: {})",
                    b.origin.get_ref(),
                    origin_ids.join(", ")
                ),
            )
        })?;
    let cache = CachePolicy::from_config(&b.cache).map_err(|m| {
        config.error_at(
            Some(b.cache.query_strings.span()),
            &format!("{field}.cache"),
            &m,
        )
    })?;
    let function = |f: &Option<FunctionConfig>, event: &str| {
        f.as_ref()
            .filter(|f| !f.is_lambda())
            .map(|f| load_function(config, f, &format!("{field}.{event}"), kvs))
            .transpose()
    };
    Ok(Behavior {
        pattern,
        origin,
        cache,
        viewer_request: function(&b.viewer_request, "viewer_request")?,
        viewer_response: function(&b.viewer_response, "viewer_response")?,
        lambda: lambda::hooks_for(started, field),
    })
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
        options.budget = seconds(config, &format!("{field}.budget_ms"), ms / 1000.0)?;
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
