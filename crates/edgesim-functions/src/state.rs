//! The per-invocation state natives read and write: logs, origin changes, custom log data, the
//! raw query string and edge location. Natives find it through `Context::get_data`, so one set
//! of native functions serves every invocation of a pooled context.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use boa_engine::{Context, JsNativeError, JsResult};
use serde::Serialize;

use crate::budget::{Native, Work};
use crate::kvs::KeyValueStore;
use crate::limits::MAX_LOG_BYTES;

/// One origin-modification call, with its argument as the function passed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "method", content = "params")]
pub enum OriginChange {
    UpdateRequestOrigin(serde_json::Value),
    SelectRequestOriginById {
        origin_id: String,
        overrides: Option<serde_json::Value>,
    },
    CreateRequestOriginGroup(serde_json::Value),
}

/// Per-invocation facts the natives read and write.
#[derive(Debug, Default)]
pub struct HostState {
    pub logs: Vec<String>,
    pub log_bytes: usize,
    pub logs_truncated: bool,
    /// What `request.rawQueryString()` returns; `None` means the URL had no `?`.
    pub raw_query: Option<String>,
    pub origin_changes: Vec<OriginChange>,
    pub custom_log_data: Option<String>,
    /// The viewer-request edge location, for `cf.edgeLocation`.
    pub edge_location: Option<serde_json::Value>,
    pub kvs: Option<Arc<KeyValueStore>>,
    /// What the natives did this run, for the ComputeUtilization model (budget.rs).
    pub work: Work,
}

impl HostState {
    pub fn reset(&mut self) {
        self.logs.clear();
        self.log_bytes = 0;
        self.logs_truncated = false;
        self.raw_query = None;
        self.origin_changes.clear();
        self.custom_log_data = None;
        self.edge_location = None;
        self.work = Work::default();
    }

    /// Appends a log line, truncating the invocation's output at 10 KB as CloudFront does.
    pub(crate) fn log(&mut self, line: String) {
        if self.logs_truncated {
            return;
        }
        let room = MAX_LOG_BYTES.saturating_sub(self.log_bytes);
        if line.len() > room {
            let mut cut = room;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut > 0 {
                self.logs.push(line[..cut].to_owned());
            }
            self.log_bytes = MAX_LOG_BYTES;
            self.logs_truncated = true;
            return;
        }
        self.log_bytes += line.len();
        self.logs.push(line);
    }
}

pub type SharedState = Rc<RefCell<HostState>>;

/// Charges one native call over `bytes` of input to the invocation running in `ctx`
/// (budget.rs).
pub fn charge(ctx: &Context, native: Native, bytes: usize) {
    if let Some(state) = ctx.get_data::<SharedState>() {
        if let Ok(mut st) = state.try_borrow_mut() {
            st.work.charge(native, bytes);
        }
    }
}

/// The state of the invocation running in `ctx`.
pub fn state(ctx: &Context) -> JsResult<SharedState> {
    ctx.get_data::<SharedState>().cloned().ok_or_else(|| {
        JsNativeError::error()
            .with_message("edgesim: no host state")
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_stop_at_10_kb() {
        let mut s = HostState::default();
        for _ in 0..20 {
            s.log("x".repeat(1000));
        }
        let total: usize = s.logs.iter().map(String::len).sum();
        assert_eq!(total, MAX_LOG_BYTES);
        assert!(s.logs_truncated);
    }
}
