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
        }
    }
}
