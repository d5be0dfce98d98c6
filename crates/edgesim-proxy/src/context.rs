//! The per-request context every phase receives (Pingora's `CTX`): who asked, which behavior
//! serves them, the request id CloudFront stamps everywhere, and the timings for
//! `Server-Timing` and the log line.

use crate::behavior::Behavior;
use crate::ids;
use crate::observe::RequestLog;

/// One viewer request on its way through the phases.
#[derive(Debug)]
pub struct RequestCtx<'a> {
    /// `X-Amz-Cf-Id`, the events' `requestId` and the error page's "Request ID".
    pub request_id: String,
    /// The viewer's address as functions see it (`x-edgesim-viewer-ip` may override it).
    pub viewer_ip: String,
    /// The behavior chosen from the original path, before any function ran.
    pub behavior: &'a Behavior,
    /// Its position (the default behavior comes last): part of the cache key.
    pub behavior_index: usize,
    /// Time per phase and each function's ComputeUtilization.
    pub log: RequestLog,
    /// A stale object served inside its `stale-while-revalidate` window: the request to
    /// refresh it with once the viewer has its answer (cache_phase.rs).
    pub refresh: Option<Refresh>,
}

/// A background revalidation: the request as it stood after viewer-request, and that
/// function's origin changes.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub parts: http::request::Parts,
    pub origin_changes: Vec<edgesim_functions::OriginChange>,
}

impl<'a> RequestCtx<'a> {
    /// A context with a fresh request id; `log`'s clock started when the request arrived.
    pub fn new(
        viewer_ip: String,
        behavior_index: usize,
        behavior: &'a Behavior,
        log: RequestLog,
    ) -> Self {
        RequestCtx {
            request_id: ids::request_id(),
            viewer_ip,
            behavior,
            behavior_index,
            log,
            refresh: None,
        }
    }
}
