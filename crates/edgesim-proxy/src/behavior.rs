//! Cache behaviors and the choice of behavior for a request.
//!
//! CloudFront matches the request path (no query string) against each behavior's pattern in
//! order; the first match wins, else the default behavior (`*`). The behavior is chosen from
//! the ORIGINAL request, before any function runs (docs/cloudfront/pipeline.md, "Phases").

use std::time::Duration;

use crate::forwarding::Forwarding;
use crate::hook::Hooks;
use crate::origin::Failover;
use crate::path_pattern::PathPattern;
use crate::policy::{CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy};
use crate::viewer_rules::AllowedMethods;

/// One cache behavior, ready to serve.
#[derive(Debug, Clone)]
pub struct Behavior {
    /// `None` for the default behavior.
    pub pattern: Option<PathPattern>,
    /// Index into the distribution's origins (the primary, for an origin group).
    pub origin: usize,
    /// The origin group's secondary and failover statuses, when `origin` names a group.
    pub failover: Option<Failover>,
    pub cache: CachePolicy,
    /// CloudFront's AllowedMethods.
    pub allowed_methods: AllowedMethods,
    /// CachedMethods includes OPTIONS.
    pub caches_options: bool,
    pub origin_request_policy: Option<OriginRequestPolicy>,
    pub response_headers_policy: Option<ResponseHeadersPolicy>,
    /// `compress = true`: edge compression under CloudFront's conditions.
    pub compress: bool,
    /// The error caching minimum TTL for statuses without a custom error response.
    pub error_ttl: Duration,
    /// What to do with viewers arriving over plain HTTP.
    pub viewer_protocol_policy: ViewerProtocolPolicy,
    /// The functions associated with its four events.
    pub hooks: Hooks,
}

/// CloudFront's `ViewerProtocolPolicy` (docs/cloudfront/dev-loop.md, "Viewer protocol policy").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerProtocolPolicy {
    AllowAll,
    RedirectToHttps,
    HttpsOnly,
}

impl ViewerProtocolPolicy {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "allow-all" => Ok(ViewerProtocolPolicy::AllowAll),
            "redirect-to-https" => Ok(ViewerProtocolPolicy::RedirectToHttps),
            "https-only" => Ok(ViewerProtocolPolicy::HttpsOnly),
            other => Err(format!(
                "expected allow-all, redirect-to-https or https-only, got {other:?}"
            )),
        }
    }
}

impl Behavior {
    /// The pattern for display: `*` for the default behavior.
    pub fn pattern_text(&self) -> &str {
        self.pattern.as_ref().map_or("*", PathPattern::as_str)
    }

    /// The policies that decide the cache key and what reaches the origin.
    pub fn forwarding(&self) -> Forwarding<'_> {
        Forwarding {
            cache: &self.cache,
            origin: self.origin_request_policy.as_ref(),
        }
    }
}

/// The ordered behaviors plus the default.
#[derive(Debug, Clone)]
pub struct Behaviors {
    pub ordered: Vec<Behavior>,
    pub default: Behavior,
}

impl Behaviors {
    /// The behavior for a request path, with its index for the cache key (`ordered.len()` for
    /// the default behavior).
    pub fn select(&self, path: &str) -> (usize, &Behavior) {
        self.ordered
            .iter()
            .enumerate()
            .find(|(_, b)| b.pattern.as_ref().is_some_and(|p| p.matches(path)))
            .unwrap_or((self.ordered.len(), &self.default))
    }

    /// The behavior at `index` (as [`Behaviors::select`] numbered it).
    pub fn at(&self, index: usize) -> &Behavior {
        self.ordered.get(index).unwrap_or(&self.default)
    }
}
