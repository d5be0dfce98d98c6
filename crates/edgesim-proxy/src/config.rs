//! The distribution config file (`edgesim.toml`): typed tables parsed with serde, and error
//! messages that name the file, the line and the field.
//!
//! Relative paths in the file are resolved against the file's directory by
//! [`Config::resolve`]; [`crate::Distribution::from_config`] then checks references between
//! tables (origin ids, KVS ids), compiles functions and parses path patterns.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::ProxyError;
use crate::policy_config::{
    CachePolicyConfig, CustomErrorResponseConfig, OriginRequestPolicyConfig, PolicyRef,
    ResponseHeadersPolicyConfig,
};

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where `edgesim serve` listens; loopback by default so nothing is exposed by accident.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// `X-Amz-Cf-Pop` on every response, e.g. `LHR50-C1`.
    #[serde(default = "default_pop")]
    pub pop: String,
    /// `context.distributionId` in function events.
    #[serde(default = "default_distribution_id")]
    pub distribution_id: String,
    /// `context.distributionDomainName` in function events.
    #[serde(default = "default_domain_name")]
    pub domain_name: String,
    /// Send a `Server-Timing` header with the time spent in each phase.
    #[serde(default = "yes")]
    pub server_timing: bool,
    /// Viewer facts CloudFront derives from the connection (geo, device).
    #[serde(default)]
    pub viewer: ViewerConfig,
    /// Limits of the local cache store.
    #[serde(default)]
    pub cache_store: CacheStoreConfig,
    /// When CloudFront Functions are throttled for continuously exceeding their budget.
    #[serde(default)]
    pub throttle: ThrottleConfig,
    /// The origin response header whose comma-separated values tag cached objects, for
    /// invalidation by `#tag` (CloudFront's `CacheTagConfig.HeaderName`). None: no tags.
    #[serde(default)]
    pub cache_tag_header: Option<String>,
    /// The dashboard at a reserved path (never forwarded to an origin).
    #[serde(default)]
    pub dashboard: DashboardConfig,
    #[serde(default)]
    pub origins: Vec<OriginConfig>,
    #[serde(default)]
    pub key_value_stores: Vec<KvsConfig>,
    pub default_behavior: BehaviorConfig,
    /// Ordered: the first whose `path_pattern` matches wins.
    #[serde(default)]
    pub behaviors: Vec<BehaviorConfig>,
    /// CloudFront's custom error responses (docs/cloudfront/cache-and-origin.md).
    #[serde(default)]
    pub custom_error_responses: Vec<CustomErrorResponseConfig>,
    /// Origin groups: a behavior's `origin` may name one (failover).
    #[serde(default)]
    pub origin_groups: Vec<OriginGroupConfig>,
    /// The file this came from (for messages) and the directory relative paths start from.
    #[serde(skip)]
    pub source: Source,
}

/// Where a config came from.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Shown in error messages.
    pub path: PathBuf,
    /// The file's text, to turn spans into line numbers.
    pub text: String,
    /// Relative paths in the file are resolved against this directory.
    pub base_dir: PathBuf,
}

/// `[viewer]`: the `CloudFront-Viewer-*` and device headers every request gets. A request can
/// override any of them with `x-edgesim-viewer-<name>` headers (see the crate docs).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewerConfig {
    /// `CloudFront-Viewer-Country`.
    #[serde(default = "default_country")]
    pub country: String,
    /// `desktop`, `mobile`, `tablet` or `smarttv`: sets the `CloudFront-Is-*-Viewer` headers.
    #[serde(default = "default_device")]
    pub device: String,
    /// Further `cloudfront-viewer-*` headers, e.g. `{ "cloudfront-viewer-city" = "Seattle" }`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Seconds a viewer connection may take to send a request head, or stay idle between
    /// requests, before it is closed (slow or abandoned clients do not hold connections).
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout: f64,
}

impl Default for ViewerConfig {
    fn default() -> Self {
        ViewerConfig {
            country: default_country(),
            device: default_device(),
            headers: BTreeMap::new(),
            idle_timeout: default_idle_timeout(),
        }
    }
}

/// `[cache_store]`: bounds of the in-memory cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheStoreConfig {
    /// Total bytes of cached bodies before the least recently used objects are evicted.
    #[serde(default = "default_cache_bytes")]
    pub max_bytes: usize,
    /// Larger bodies are streamed to the viewer and not cached.
    #[serde(default = "default_object_bytes")]
    pub max_object_bytes: usize,
}

impl Default for CacheStoreConfig {
    fn default() -> Self {
        CacheStoreConfig {
            max_bytes: default_cache_bytes(),
            max_object_bytes: default_object_bytes(),
        }
    }
}

/// `[throttle]`: statistical throttling of CloudFront Functions (edgesim-functions
/// throttle.rs; docs/compute-utilization.md). On by default; `serve --no-throttle` turns it off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A run at or over this predicted ComputeUtilization is over the allowance (default 100).
    #[serde(default = "default_over_utilization")]
    pub over_utilization: u8,
    /// Runs older than this leave the window (default 10000 ms).
    #[serde(default = "default_window_ms")]
    pub window_ms: u64,
    /// At most this many recent runs are in the window (default 100).
    #[serde(default = "default_window_runs")]
    pub window_runs: usize,
    /// No verdict before the window holds this many runs (default 20).
    #[serde(default = "default_min_runs")]
    pub min_runs: usize,
    /// Throttle when this share of the window's runs were over (default 0.5).
    #[serde(default = "default_over_share")]
    pub over_share: f64,
    /// How long a throttled function answers 503 FunctionThrottledError (default 5000 ms).
    #[serde(default = "default_cooldown_ms")]
    pub cooldown_ms: u64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            over_utilization: default_over_utilization(),
            window_ms: default_window_ms(),
            window_runs: default_window_runs(),
            min_runs: default_min_runs(),
            over_share: default_over_share(),
            cooldown_ms: default_cooldown_ms(),
        }
    }
}

/// `[dashboard]`: where the dev dashboard lives and how much it remembers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardConfig {
    /// Serve the dashboard (and the invalidation API `edgesim invalidate` uses).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The reserved path prefix; requests under it never reach a function or an origin.
    #[serde(default = "default_dashboard_path")]
    pub path: String,
    /// How many recent requests the ring buffer keeps.
    #[serde(default = "default_recent")]
    pub recent_requests: usize,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            enabled: true,
            path: default_dashboard_path(),
            recent_requests: default_recent(),
        }
    }
}

impl ThrottleConfig {
    /// The policy every CloudFront Function of the distribution gets.
    pub fn policy(&self) -> edgesim_functions::throttle::ThrottlePolicy {
        edgesim_functions::throttle::ThrottlePolicy {
            enabled: self.enabled,
            over_utilization: self.over_utilization,
            window: std::time::Duration::from_millis(self.window_ms),
            window_runs: self.window_runs.max(1),
            min_runs: self.min_runs.max(1),
            over_share: self.over_share.clamp(0.0, 1.0),
            cooldown: std::time::Duration::from_millis(self.cooldown_ms),
        }
    }
}

fn default_over_utilization() -> u8 {
    100
}
fn default_window_ms() -> u64 {
    10_000
}
fn default_window_runs() -> usize {
    100
}
fn default_min_runs() -> usize {
    20
}
fn default_over_share() -> f64 {
    0.5
}
fn default_cooldown_ms() -> u64 {
    5_000
}

/// `[[origins]]`: either an embedded mock origin or a real HTTP origin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginConfig {
    pub id: Spanned<String>,
    /// The embedded mock origin.
    pub mock: Option<MockConfig>,
    /// A real HTTP(S) origin, e.g. `http://127.0.0.1:3000` (optionally with an origin path).
    pub url: Option<Spanned<String>>,
    /// `https://` origins: a PEM file of certificates to trust besides the system roots (a
    /// dev server's self-signed certificate, or mkcert's `rootCA.pem`).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Origin custom headers CloudFront adds to every request to this origin.
    #[serde(default)]
    pub custom_headers: BTreeMap<String, String>,
    /// Seconds to wait for the origin's response head (CloudFront's origin response timeout).
    #[serde(default = "default_read_timeout")]
    pub read_timeout: f64,
    /// Seconds to wait for a TCP connection (CloudFront: 1–10 s).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: f64,
    /// How many times CloudFront tries to connect (1–3, default 3).
    #[serde(default = "default_connection_attempts")]
    pub connection_attempts: u32,
    /// Fixed answers of a mock origin, matched in order before static files.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
}

/// `mock = { root = "site" }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockConfig {
    /// Directory of static files; without it only routes answer.
    pub root: Option<PathBuf>,
    /// Also serve the mock origin directly on this address (for benchmarks and comparisons).
    pub listen: Option<String>,
    /// Answer like an S3 bucket (XML errors, S3 headers).
    #[serde(default)]
    pub s3: bool,
    /// With `s3`: the requester may list the bucket, so a missing key is 404 NoSuchKey
    /// rather than 403 AccessDenied.
    #[serde(default)]
    pub list_bucket: bool,
}

/// `[[origin_groups]]`: a primary and a secondary origin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginGroupConfig {
    pub id: Spanned<String>,
    pub primary: Spanned<String>,
    pub secondary: Spanned<String>,
    /// Statuses from the primary that send the request to the secondary (from 400, 403,
    /// 404, 416, 500, 502, 503, 504).
    pub failover_status_codes: Vec<u16>,
}

/// `[[origins.routes]]`: one fixed answer of a mock origin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// A path pattern in CloudFront's syntax (`*`, `?`).
    pub path: Spanned<String>,
    #[serde(default = "default_status")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
    /// Wait this long before answering (to try timeouts).
    #[serde(default)]
    pub delay_ms: u64,
    /// Answer with the request the origin received, as JSON.
    #[serde(default)]
    pub echo: bool,
}

/// `[[key_value_stores]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvsConfig {
    pub id: Spanned<String>,
    pub file: PathBuf,
}

/// `[default_behavior]` and `[[behaviors]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviorConfig {
    /// Required in `[[behaviors]]`; not allowed in `[default_behavior]` (it is `*`).
    pub path_pattern: Option<Spanned<String>>,
    pub origin: Spanned<String>,
    /// Located so that errors about the policy as a whole (TTL order) point at it.
    #[serde(default)]
    pub cache: Located<CacheConfig>,
    /// CloudFront's AllowedMethods: `["GET", "HEAD"]` (the default), `["GET", "HEAD",
    /// "OPTIONS"]`, or all seven (`… "PUT", "PATCH", "POST", "DELETE"`). Other methods get 403.
    pub allowed_methods: Option<Located<Vec<String>>>,
    /// CloudFront's CachedMethods: `["GET", "HEAD"]` (the default) or `["GET", "HEAD",
    /// "OPTIONS"]` (OPTIONS responses cached too; OPTIONS must then be allowed).
    pub cached_methods: Option<Located<Vec<String>>>,
    /// A managed cache policy's name or id, or an inline policy.
    pub cache_policy: Option<PolicyRef<CachePolicyConfig>>,
    /// A managed origin request policy's name or id, or an inline policy.
    pub origin_request_policy: Option<PolicyRef<OriginRequestPolicyConfig>>,
    /// A managed response headers policy's name or id, or an inline policy.
    pub response_headers_policy: Option<PolicyRef<ResponseHeadersPolicyConfig>>,
    /// Compress objects automatically (gzip, Brotli) under CloudFront's conditions.
    #[serde(default)]
    pub compress: bool,
    /// `allow-all` (default), `redirect-to-https` or `https-only`.
    #[serde(default = "default_viewer_protocol_policy")]
    pub viewer_protocol_policy: Spanned<String>,
    /// A CloudFront Function (`code = …`) or a Lambda@Edge function (`handler = …`).
    pub viewer_request: Option<FunctionConfig>,
    /// Lambda@Edge only (`handler = …`): runs on cache misses, before the origin.
    pub origin_request: Option<FunctionConfig>,
    /// Lambda@Edge only (`handler = …`): runs on the origin's answer, before it is cached.
    pub origin_response: Option<FunctionConfig>,
    /// A CloudFront Function (`code = …`) or a Lambda@Edge function (`handler = …`).
    pub viewer_response: Option<FunctionConfig>,
}

/// A value and where it is in the file, read like the value itself (`Deref`). A default
/// value (not in the file) has an empty span.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Spanned<T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Located<T> {
    value: T,
    span: Range<usize>,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Located { value, span }
    }

    /// Byte range in the file's text.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl<T> From<Spanned<T>> for Located<T> {
    fn from(spanned: Spanned<T>) -> Self {
        let span = spanned.span();
        Located {
            value: spanned.into_inner(),
            span,
        }
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A behavior's cache policy. All TTLs 0 is CloudFront's `CachingDisabled`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    #[serde(default)]
    pub min_ttl: u64,
    #[serde(default = "default_ttl")]
    pub default_ttl: u64,
    #[serde(default = "default_max_ttl")]
    pub max_ttl: u64,
    /// Error caching minimum TTL for cacheable 4xx/5xx without caching headers (seconds).
    #[serde(default = "default_error_ttl")]
    pub error_ttl: u64,
    /// `"none"`, `"all"` or a list of names: query parameters in the cache key.
    #[serde(default = "none")]
    pub query_strings: Spanned<KeyList>,
    /// Header names in the cache key.
    #[serde(default)]
    pub headers: Vec<String>,
    /// `"none"`, `"all"` or a list of names: cookies in the cache key.
    #[serde(default = "none")]
    pub cookies: Spanned<KeyList>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            min_ttl: 0,
            default_ttl: default_ttl(),
            max_ttl: default_max_ttl(),
            error_ttl: default_error_ttl(),
            query_strings: none(),
            headers: Vec::new(),
            cookies: none(),
        }
    }
}

/// `"none"` / `"all"` / `["a", "b"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    Keyword(String),
    Names(Vec<String>),
}

/// A function associated with an event: a CloudFront Function
/// (`{ runtime = "cloudfront-js-2.0", code = "f.js" }`, viewer events only) or a Lambda@Edge
/// function (`{ runtime = "nodejs20.x", handler = "dir/index.handler" }`, any event).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// `cloudfront-js-2.0` (the default), `cloudfront-js-1.0`, `nodejs<N>.x` or `python3.<N>`.
    #[serde(default = "default_runtime")]
    pub runtime: Spanned<String>,
    /// CloudFront Function: the code file.
    pub code: Option<Spanned<PathBuf>>,
    /// CloudFront Function: the id of a `[[key_value_stores]]` entry.
    pub kvs: Option<Spanned<String>>,
    /// CloudFront Function: the compute budget in milliseconds that ComputeUtilization is
    /// measured against (default 1, CloudFront's 1 ms; a positive number, fractions allowed).
    pub budget_ms: Option<f64>,
    /// Lambda@Edge: `path/to/file.export`, relative to the config file's directory.
    pub handler: Option<Spanned<String>>,
    /// Lambda@Edge: the request body is in the event (viewer-request, origin-request).
    #[serde(default)]
    pub include_body: bool,
    /// Lambda@Edge: the function timeout; at most (and by default) 5000 on viewer events and
    /// 30000 on origin events.
    pub timeout_ms: Option<u64>,
    /// Lambda@Edge: the function's memory size in MB (default 128; at most 128 on viewer
    /// events, 10240 on origin events). A worker that uses more is stopped and replaced.
    pub memory_mb: Option<u32>,
}

impl FunctionConfig {
    /// Whether this is a Lambda@Edge function (a `handler`, or a Lambda runtime name).
    pub fn is_lambda(&self) -> bool {
        let runtime = self.runtime.get_ref();
        self.handler.is_some() || runtime.starts_with("nodejs") || runtime.starts_with("python")
    }
}

impl Config {
    /// Reads and parses a config file; relative paths resolve against its directory.
    pub fn load(path: &Path) -> Result<Config, ProxyError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProxyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base_dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        Config::parse(&text, path, &base_dir)
    }

    /// Parses config text; `path` is only used in messages, `base_dir` resolves relative paths.
    pub fn parse(text: &str, path: &Path, base_dir: &Path) -> Result<Config, ProxyError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|span| format!("{}: ", line_col(text, span.start)))
                .unwrap_or_default();
            ProxyError::Config {
                path: path.to_owned(),
                message: format!("{at}{}", e.message().trim()),
            }
        })?;
        config.source = Source {
            path: path.to_owned(),
            text: text.to_owned(),
            base_dir: base_dir.to_owned(),
        };
        Ok(config)
    }

    /// A path from the file, resolved against the file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_owned()
        } else {
            self.source.base_dir.join(path)
        }
    }

    /// A config error at a span of the file: `file: line N, column M: field: message`. An
    /// empty span is a default value, not in the file: the message then names the field only.
    pub fn error_at(&self, span: Option<Range<usize>>, field: &str, message: &str) -> ProxyError {
        let at = span
            .filter(|s| !s.is_empty())
            .map(|s| format!("{}: ", line_col(&self.source.text, s.start)))
            .unwrap_or_default();
        ProxyError::Config {
            path: self.source.path.clone(),
            message: format!("{at}{field}: {message}"),
        }
    }
}

/// `line N, column M` (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}
fn default_pop() -> String {
    "LOCAL50-C1".to_owned()
}
fn default_distribution_id() -> String {
    "E1EDGESIMLOCAL".to_owned()
}
fn default_domain_name() -> String {
    "d111111abcdef8.cloudfront.net".to_owned()
}
fn default_country() -> String {
    "US".to_owned()
}
fn default_device() -> String {
    "desktop".to_owned()
}
fn default_cache_bytes() -> usize {
    256 * 1024 * 1024
}
fn default_object_bytes() -> usize {
    10 * 1024 * 1024
}
fn default_idle_timeout() -> f64 {
    10.0
}
fn default_read_timeout() -> f64 {
    30.0
}
fn default_connect_timeout() -> f64 {
    10.0
}
fn default_connection_attempts() -> u32 {
    3
}
fn default_status() -> u16 {
    200
}
fn default_ttl() -> u64 {
    86_400
}
fn default_max_ttl() -> u64 {
    31_536_000
}
fn default_error_ttl() -> u64 {
    10
}
fn default_runtime() -> Spanned<String> {
    Spanned::new(0..0, "cloudfront-js-2.0".to_owned())
}
fn none() -> Spanned<KeyList> {
    Spanned::new(0..0, KeyList::Keyword("none".to_owned()))
}
fn default_dashboard_path() -> String {
    "/_edgesim/".to_owned()
}
fn default_recent() -> usize {
    200
}
fn default_viewer_protocol_policy() -> Spanned<String> {
    Spanned::new(0..0, "allow-all".to_owned())
}
fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ProxyError> {
        Config::parse(text, Path::new("edge.toml"), Path::new("/base"))
    }

    #[test]
    fn minimal_config_gets_cloudfront_defaults() {
        let config = parse("[default_behavior]\norigin = \"site\"\n").unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080");
        assert_eq!(config.default_behavior.cache.default_ttl, 86_400);
        assert_eq!(config.default_behavior.origin.get_ref(), "site");
        assert!(config.server_timing);
        assert_eq!(
            config.resolve(Path::new("f.js")),
            PathBuf::from("/base/f.js")
        );
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let err = parse("[default_behavior]\norigin = \"site\"\norign = 1\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("edge.toml: line 3, column 1: unknown field `orign`"),
            "{text}"
        );
    }

    #[test]
    fn key_lists_take_keywords_or_names() {
        let config = parse(
            "[default_behavior]\norigin = \"o\"\ncache = { query_strings = [\"a\"], cookies = \"all\" }\n",
        )
        .unwrap();
        let cache = &config.default_behavior.cache;
        assert_eq!(
            cache.query_strings.get_ref(),
            &KeyList::Names(vec!["a".into()])
        );
        assert_eq!(cache.cookies.get_ref(), &KeyList::Keyword("all".into()));
    }
}
