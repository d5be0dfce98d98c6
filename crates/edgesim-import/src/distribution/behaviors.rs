//! `DefaultCacheBehavior` and `CacheBehaviors`: target origin, policies, functions.

use serde_json::Value;

use super::functions::{resolve_function, resolve_lambda};
use super::policies::{
    managed_cache_policy, managed_origin_request_policy, managed_response_headers_policy,
    read_cache_policy, read_legacy_cache, read_origin_request_policy, read_response_headers_policy,
};
use crate::catalog::{Catalog, PolicyDef};
use crate::model::{Association, Behavior, Distribution, EventType};
use crate::warn::{Obj, Warnings};

pub fn read_behavior(
    mut b: Obj,
    default: bool,
    catalog: &Catalog,
    dist: &mut Distribution,
    w: &mut Warnings,
) -> Option<Behavior> {
    let mut behavior = Behavior {
        path: b.path.clone(),
        ..Behavior::default()
    };
    if default {
        b.ignore(
            "PathPattern",
            "the default behavior has no path pattern (it is *)",
            w,
        );
    } else {
        match b.str("PathPattern", w) {
            Some(p) => behavior.path_pattern = Some(p),
            None => {
                w.push(
                    b.at("PathPattern"),
                    "a behavior without a PathPattern is skipped",
                );
                b.finish(w);
                return None;
            }
        }
    }
    behavior.target_origin = b.str("TargetOriginId", w).unwrap_or_default();
    behavior.viewer_protocol_policy = b.str("ViewerProtocolPolicy", w);
    let mut cached = Vec::new();
    behavior.allowed_methods = match b.take("AllowedMethods") {
        // The API shape: {Quantity, Items, CachedMethods}.
        Some(Value::Object(mut m)) => {
            if let Some(c) = m.remove("CachedMethods") {
                cached = serde_json::from_value(c).unwrap_or_default();
            }
            m.remove("Items")
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default()
        }
        Some(v) => serde_json::from_value(v).unwrap_or_default(),
        None => Vec::new(),
    };
    cached.extend(b.strings("CachedMethods", w));
    behavior.cached_methods = cached;
    behavior.compress = b.bool("Compress", w).unwrap_or(false);

    let cache_policy = b.str("CachePolicyId", w);
    behavior.cache = match &cache_policy {
        Some(id) => match find(&catalog.cache_policies, id) {
            Some(def) => read_cache_policy(def, w),
            None => managed_cache_policy(id).unwrap_or_else(|| {
                w.push(
                    b.at("CachePolicyId"),
                    format!("{id} is neither a managed cache policy nor defined in the source; used CloudFront's legacy defaults"),
                );
                Default::default()
            }),
        },
        None => read_legacy_cache(&mut b, w),
    };
    if cache_policy.is_some() {
        // A cache policy replaces the legacy settings; CloudFront refuses both together.
        for key in ["ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL"] {
            b.ignore(key, "ignored: the behavior has a cache policy", w);
        }
    }
    if let Some(id) = b.str("OriginRequestPolicyId", w) {
        behavior.origin_request_policy = match find(&catalog.origin_request_policies, &id) {
            Some(def) => Some(read_origin_request_policy(def, w)),
            None => managed_origin_request_policy(&id).or_else(|| {
                w.push(
                    b.at("OriginRequestPolicyId"),
                    format!(
                        "{id} is neither a managed origin request policy nor defined in the source"
                    ),
                );
                None
            }),
        };
    }
    if let Some(id) = b.str("ResponseHeadersPolicyId", w) {
        behavior.response_headers_policy = match find(&catalog.response_headers_policies, &id) {
            Some(def) => Some(read_response_headers_policy(def, w)),
            None => managed_response_headers_policy(&id).or_else(|| {
                w.push(
                    b.at("ResponseHeadersPolicyId"),
                    format!("{id} is neither a managed response headers policy nor defined in the source"),
                );
                None
            }),
        };
    }

    for mut f in b.list("FunctionAssociations", w) {
        let event = f.str("EventType", w).unwrap_or_default();
        let arn = f.str("FunctionARN", w).unwrap_or_default();
        let at = f.path.clone();
        f.finish(w);
        let Some(event) = EventType::parse(&event) else {
            w.push(
                at,
                format!("unknown EventType {event:?}; association skipped"),
            );
            continue;
        };
        if let Some(index) = resolve_function(&arn, &at, catalog, dist, w) {
            behavior
                .associations
                .push((event, Association::Function(index)));
        }
    }
    for mut f in b.list("LambdaFunctionAssociations", w) {
        let event = f.str("EventType", w).unwrap_or_default();
        let arn = f.str("LambdaFunctionARN", w).unwrap_or_default();
        let include_body = f.bool("IncludeBody", w).unwrap_or(false);
        let at = f.path.clone();
        f.finish(w);
        let Some(event) = EventType::parse(&event) else {
            w.push(
                at,
                format!("unknown EventType {event:?}; association skipped"),
            );
            continue;
        };
        if let Some(index) = resolve_lambda(&arn, &at, catalog, dist, w) {
            behavior.associations.push((
                event,
                Association::Lambda {
                    index,
                    include_body,
                },
            ));
        }
    }
    b.finish(w);
    Some(behavior)
}

fn find<'c>(defs: &'c [PolicyDef], id: &str) -> Option<&'c PolicyDef> {
    defs.iter().find(|d| d.ids.iter().any(|i| i == id))
}
