//! `DistributionConfig`, in CloudFormation's shape (the shape every source is brought to), read
//! into the model. One file per table: [`origins`], [`behaviors`], [`policies`],
//! [`functions`]; custom error responses here.

pub mod behaviors;
pub mod functions;
pub mod origins;
pub mod policies;

use serde_json::Value;

use crate::catalog::{self, Catalog};
use crate::model::{CustomErrorResponse, Distribution};
use crate::warn::{Obj, Warnings};

/// Reads a `DistributionConfig` (intrinsics already resolved) at `path`.
pub fn read(
    config: Value,
    path: &str,
    label: String,
    catalog: &Catalog,
    w: &mut Warnings,
) -> Distribution {
    let mut dc = Obj::new(path, unwrap_quantity_items(config), w);
    let mut dist = Distribution {
        label,
        path: path.to_owned(),
        comment: dc.str("Comment", w).filter(|c| !c.is_empty()),
        ..Distribution::default()
    };
    if dc.bool("Enabled", w) == Some(false) {
        w.push(
            dc.at("Enabled"),
            "the distribution is disabled in the source; edgesim serves it anyway",
        );
    }
    dc.skip("CallerReference");
    dist.default_root_object = dc.str("DefaultRootObject", w).filter(|s| !s.is_empty());
    for o in dc.list("Origins", w) {
        if let Some(origin) = origins::read_origin(o, w) {
            dist.origins.push(origin);
        }
    }
    for g in dc.list("OriginGroups", w) {
        if let Some(group) = origins::read_origin_group(g, w) {
            dist.origin_groups.push(group);
        }
    }
    let default = dc.obj("DefaultCacheBehavior", w);
    if let Some(b) = behaviors::read_behavior(default, true, catalog, &mut dist, w) {
        dist.default_behavior = b;
    }
    for b in dc.list("CacheBehaviors", w) {
        if let Some(b) = behaviors::read_behavior(b, false, catalog, &mut dist, w) {
            dist.behaviors.push(b);
        }
    }
    for mut e in dc.list("CustomErrorResponses", w) {
        let at = e.path.clone();
        let Some(code) = e.u64("ErrorCode", w) else {
            e.finish(w);
            w.push(at, "a custom error response without ErrorCode is skipped");
            continue;
        };
        dist.custom_error_responses.push(CustomErrorResponse {
            error_code: code as u16,
            response_code: e.u64("ResponseCode", w).map(|c| c as u16),
            response_page_path: e.str("ResponsePagePath", w),
            error_caching_min_ttl: e.u64("ErrorCachingMinTTL", w),
        });
        e.finish(w);
    }
    // Viewer mTLS and its connection function (docs/cloudfront/connection-functions.md).
    if let Some(mut mtls) = dc.opt_obj("ViewerMtlsConfig", w) {
        dist.viewer_mtls_mode = mtls.str("Mode", w);
        mtls.ignore(
            "TrustStoreConfig",
            "the trust store is not emulated: `serve` does not ask for client certificates yet",
            w,
        );
        mtls.finish(w);
    }
    if let Some(mut assoc) = dc.opt_obj("ConnectionFunctionAssociation", w) {
        let at = assoc.path.clone();
        if let Some(id) = assoc.str("Id", w) {
            // An ARN, a name, or an unresolved `Fn::GetAtt` (`Resource.Attribute`).
            let name = catalog::cf_function_name(&id);
            let name = name.split('.').next().unwrap_or(name);
            // Known by its `Name` once found (a logical id is only the template's handle).
            let name = catalog
                .functions
                .iter()
                .find(|f| f.names.iter().any(|n| n == name))
                .map_or(name, |f| f.names[0].as_str())
                .to_owned();
            dist.connection_function =
                functions::resolve_function(&name, &at, catalog, &mut dist, w);
        }
        assoc.finish(w);
    }
    dc.finish(w);
    dist
}

/// The CloudFront API (and the AWS CLI's JSON, and CloudFormation's `OriginGroups`) wraps
/// lists as `{"Quantity": N, "Items": [...]}`; CloudFormation writes plain lists elsewhere.
/// Unwrapped everywhere so one reader serves both. `CustomHeaders` (API) is
/// `OriginCustomHeaders` (CloudFormation).
pub fn unwrap_quantity_items(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let only_list =
                map.contains_key("Quantity") && map.keys().all(|k| k == "Quantity" || k == "Items");
            if only_list {
                return match map.get("Items") {
                    Some(items) => unwrap_quantity_items(items.clone()),
                    None => Value::Array(Vec::new()),
                };
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let k = if k == "CustomHeaders" {
                            "OriginCustomHeaders".to_owned()
                        } else {
                            k
                        };
                        (k, unwrap_quantity_items(v))
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(unwrap_quantity_items).collect()),
        other => other,
    }
}
