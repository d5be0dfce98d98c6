//! The distribution-wide values every request reads: the names CloudFront puts on responses
//! and in function events, the viewer defaults, and how function output is checked.

use edgesim_model::ValidationOptions;
use http::{HeaderName, HeaderValue};

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
    /// How long a viewer connection may take to send a request head or stay idle.
    pub viewer_idle_timeout: std::time::Duration,
    /// Options for checking function output: always the edge's full checks.
    pub validation: ValidationOptions,
    /// The origin response header carrying cache tags (lower-case), if configured.
    pub cache_tag_header: Option<String>,
}
