//! What the importer understood: a CloudFront distribution in CloudFront's own terms, before it
//! is written as `edgesim.toml`. It holds everything the sources can say, including what the
//! config cannot express yet (those parts become warnings when the TOML is written).

use std::path::PathBuf;

/// The distribution, from any source.
#[derive(Debug, Clone, Default)]
pub struct Distribution {
    /// What it was imported from, e.g. `template.yaml (AWS::CloudFront::Distribution Cdn)`.
    pub label: String,
    /// Where the `DistributionConfig` is in the source, for warnings written later.
    pub path: String,
    pub comment: Option<String>,
    pub origins: Vec<Origin>,
    pub origin_groups: Vec<OriginGroup>,
    pub default_behavior: Behavior,
    /// In order: the first whose pattern matches wins.
    pub behaviors: Vec<Behavior>,
    pub custom_error_responses: Vec<CustomErrorResponse>,
    pub default_root_object: Option<String>,
    /// CloudFront Functions used by the behaviors (each once).
    pub functions: Vec<CfFunction>,
    /// The distribution's connection function (viewer mTLS), an index into `functions`.
    pub connection_function: Option<usize>,
    /// `ViewerMtlsConfig.Mode` (`required`, `optional`, `passthrough`).
    pub viewer_mtls_mode: Option<String>,
    /// Lambda@Edge functions used by the behaviors (each once).
    pub lambdas: Vec<LambdaFunction>,
    pub key_value_stores: Vec<KeyValueStore>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OriginKind {
    /// An S3 bucket (REST endpoint): `S3OriginConfig`, or a `*.s3.*amazonaws.com` domain.
    S3,
    /// Anything reached over HTTP: ALB, API Gateway, a website endpoint, a server.
    Custom {
        protocol_policy: String,
        http_port: Option<u16>,
        https_port: Option<u16>,
    },
}

#[derive(Debug, Clone)]
pub struct Origin {
    pub id: String,
    pub domain_name: String,
    pub origin_path: String,
    pub kind: OriginKind,
    pub custom_headers: Vec<(String, String)>,
    pub read_timeout: Option<f64>,
    pub connect_timeout: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct OriginGroup {
    pub id: String,
    /// Primary first.
    pub members: Vec<String>,
    /// Origin statuses that make CloudFront try the next member.
    pub status_codes: Vec<u16>,
}

/// Which query strings, headers or cookies a policy selects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Select {
    #[default]
    None,
    All,
    Only(Vec<String>),
    AllExcept(Vec<String>),
    /// Origin request policies: every viewer header (`allViewer`), plus these CloudFront headers.
    AllViewerAnd(Vec<String>),
}

/// A cache policy, managed or from the source.
#[derive(Debug, Clone, PartialEq)]
pub struct CachePolicy {
    /// The managed policy's name (`CachingOptimized`), or the policy's own `Name`.
    pub name: Option<String>,
    pub managed: bool,
    pub min_ttl: u64,
    pub default_ttl: u64,
    pub max_ttl: u64,
    pub query_strings: Select,
    pub headers: Select,
    pub cookies: Select,
    pub gzip: bool,
    pub brotli: bool,
}

impl Default for CachePolicy {
    /// The legacy cache settings' defaults (no policy, no `ForwardedValues` keys).
    fn default() -> Self {
        CachePolicy {
            name: None,
            managed: false,
            min_ttl: 0,
            default_ttl: 86_400,
            max_ttl: 31_536_000,
            query_strings: Select::None,
            headers: Select::None,
            cookies: Select::None,
            gzip: false,
            brotli: false,
        }
    }
}

/// An origin request policy: what reaches the origin beyond the cache key.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginRequestPolicy {
    pub name: String,
    pub managed: bool,
    pub query_strings: Select,
    pub headers: Select,
    pub cookies: Select,
}

/// A response headers policy (kept by name; its settings are reported).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeadersPolicy {
    pub name: String,
    pub managed: bool,
    /// `CustomHeadersConfig` items: (header, value, override).
    pub custom_headers: Vec<(String, String, bool)>,
    /// Which parts are configured: `CorsConfig`, `SecurityHeadersConfig`…
    pub parts: Vec<String>,
}

/// The four events a function can be associated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    ViewerRequest,
    OriginRequest,
    OriginResponse,
    ViewerResponse,
}

impl EventType {
    pub fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "viewer-request" => EventType::ViewerRequest,
            "origin-request" => EventType::OriginRequest,
            "origin-response" => EventType::OriginResponse,
            "viewer-response" => EventType::ViewerResponse,
            _ => return None,
        })
    }

    /// The config key: `viewer_request`…
    pub fn key(self) -> &'static str {
        match self {
            EventType::ViewerRequest => "viewer_request",
            EventType::OriginRequest => "origin_request",
            EventType::OriginResponse => "origin_response",
            EventType::ViewerResponse => "viewer_response",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Association {
    /// Index into [`Distribution::functions`].
    Function(usize),
    /// Index into [`Distribution::lambdas`].
    Lambda { index: usize, include_body: bool },
}

#[derive(Debug, Clone, Default)]
pub struct Behavior {
    /// `None` for the default behavior.
    pub path_pattern: Option<String>,
    pub target_origin: String,
    pub viewer_protocol_policy: Option<String>,
    pub allowed_methods: Vec<String>,
    pub cached_methods: Vec<String>,
    pub compress: bool,
    pub cache: CachePolicy,
    pub origin_request_policy: Option<OriginRequestPolicy>,
    pub response_headers_policy: Option<ResponseHeadersPolicy>,
    pub associations: Vec<(EventType, Association)>,
    /// Where this behavior is in the source, for warnings written later.
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct CustomErrorResponse {
    pub error_code: u16,
    pub response_code: Option<u16>,
    pub response_page_path: Option<String>,
    pub error_caching_min_ttl: Option<u64>,
}

/// A CloudFront Function with its code.
#[derive(Debug, Clone)]
pub struct CfFunction {
    /// The function's name (its `Name`, or the logical id).
    pub name: String,
    pub runtime: String,
    pub code: FunctionCode,
    /// Index into [`Distribution::key_value_stores`].
    pub kvs: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum FunctionCode {
    /// Inline code, written to a file next to the config.
    Inline(String),
    /// A file that already exists.
    File(PathBuf),
}

/// A Lambda@Edge function, resolved to code on this machine.
#[derive(Debug, Clone)]
pub struct LambdaFunction {
    pub name: String,
    pub runtime: String,
    pub code: LambdaCode,
    /// `module.export`, relative to the code directory (Lambda's `Handler`).
    pub handler: String,
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum LambdaCode {
    /// A directory (a SAM `CodeUri`, a CDK asset in cdk.out, a `--code` path).
    Dir(PathBuf),
    /// `Code.ZipFile` / `InlineCode`: written to `<module>.js` / `.py` next to the config.
    Inline(String),
}

#[derive(Debug, Clone)]
pub struct KeyValueStore {
    pub name: String,
    /// The import file given with `--kvs NAME=FILE`; else an empty store is written.
    pub file: Option<PathBuf>,
}
