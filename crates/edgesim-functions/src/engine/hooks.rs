//! The engine's host hooks: no `eval`, and a clock frozen at the start of each run.

use std::cell::Cell;
use std::time::{Instant, SystemTime};

use boa_engine::context::time::{Clock, JsInstant};
use boa_engine::context::HostHooks;
use boa_engine::realm::Realm;
use boa_engine::{Context, JsNativeError, JsResult, JsString};

/// `eval` and `new Function(…)` throw in both runtimes (§6.2, §6.5).
pub(super) struct CloudFrontHooks;

impl HostHooks for CloudFrontHooks {
    fn ensure_can_compile_strings(
        &self,
        _realm: Realm,
        _parameters: &[JsString],
        _body: &JsString,
        _direct: bool,
        _context: &mut Context,
    ) -> JsResult<()> {
        Err(JsNativeError::eval()
            .with_message("eval and new Function() are not supported in CloudFront Functions")
            .into())
    }
}

/// Every "current time" query returns the start of the invocation (§6.3 Date).
#[derive(Debug)]
pub(super) struct FrozenClock {
    base: Instant,
    millis: Cell<i64>,
}

impl Default for FrozenClock {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            millis: Cell::new(0),
        }
    }
}

impl FrozenClock {
    pub(super) fn freeze(&self, at: SystemTime) {
        let ms = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.millis.set(ms);
    }
}

impl Clock for FrozenClock {
    fn now(&self) -> JsInstant {
        let e = self.base.elapsed();
        JsInstant::new(e.as_secs(), e.subsec_nanos())
    }

    fn system_time_millis(&self) -> i64 {
        self.millis.get()
    }
}
