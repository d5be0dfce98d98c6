//! The start-up summary `edgesim serve` prints: behaviors in match order with their origin,
//! cache and functions, then the origins.

use std::fmt::Write as _;

use crate::distribution::Distribution;
use crate::hook::Hook;

impl Distribution {
    /// Lines describing the behaviors (first match wins) and the origins.
    pub fn summary(&self) -> String {
        let mut out = String::from("behaviors (first match wins):\n");
        let behaviors = &self.behaviors;
        for behavior in behaviors
            .ordered
            .iter()
            .chain(std::iter::once(&behaviors.default))
        {
            let cache = if behavior.cache.is_disabled() {
                " cache=disabled".to_owned()
            } else {
                format!(" default_ttl={}s", behavior.cache.default_ttl.as_secs())
            };
            let hooks = &behavior.hooks;
            let viewer = |hook: &Option<Hook>, event: &str| match hook {
                None => String::new(),
                Some(Hook::Function(f)) => format!(" {event}={} ({})", f.name(), f.runtime()),
                Some(Hook::Lambda(h)) => lambda(event, &h.function),
            };
            let origin_side: String = [
                (&hooks.origin_request, "origin-request"),
                (&hooks.origin_response, "origin-response"),
            ]
            .into_iter()
            .filter_map(|(h, event)| h.as_ref().map(|h| lambda(event, &h.function)))
            .collect();
            let _ = writeln!(
                out,
                "  {:<20} -> {}{}{}{}{}",
                behavior.pattern_text(),
                self.origins.get(behavior.origin).id,
                cache,
                viewer(&hooks.viewer_request, "viewer-request"),
                origin_side,
                viewer(&hooks.viewer_response, "viewer-response"),
            );
        }
        out.push_str("origins:\n");
        for origin in &self.origins.list {
            let _ = writeln!(out, "  {:<20} {}", origin.id, origin.describe());
        }
        out
    }
}

fn lambda(event: &str, function: &edgesim_lambda::LambdaFunction) -> String {
    format!(
        " {event}={} (Lambda@Edge {})",
        function.function_name(),
        function.runtime()
    )
}
