//! The AWS CLI's JSON: `aws cloudfront get-distribution-config` (`{"ETag", "DistributionConfig"}`),
//! `get-distribution` (`{"Distribution": {"DistributionConfig"}}`), or a bare
//! `DistributionConfig`. The API shape wraps lists as `{Quantity, Items}`; the code of the
//! functions it names is not in it (`--code NAME=FILE`).
//! (https://docs.aws.amazon.com/cli/latest/reference/cloudfront/get-distribution-config.html)

use std::path::Path;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::model::Distribution;
use crate::warn::Warnings;

/// Whether `v` looks like one of the CLI's outputs.
pub fn detect(v: &Value) -> bool {
    v.get("DistributionConfig").is_some()
        || v.pointer("/Distribution/DistributionConfig").is_some()
        || (v.get("Origins").is_some() && v.get("DefaultCacheBehavior").is_some())
}

pub fn import(v: &Value, path: &Path, catalog: &Catalog, w: &mut Warnings) -> Distribution {
    let (config, at, id) = if let Some(c) = v.get("DistributionConfig") {
        (c.clone(), "DistributionConfig", None)
    } else if let Some(c) = v.pointer("/Distribution/DistributionConfig") {
        let id = v.pointer("/Distribution/Id").and_then(Value::as_str);
        (c.clone(), "Distribution.DistributionConfig", id)
    } else {
        (v.clone(), "", None)
    };
    let label = match id {
        Some(id) => format!("{} (distribution {id})", path.display()),
        None => format!("{} (get-distribution-config)", path.display()),
    };
    crate::distribution::read(config, at, label, catalog, w)
}
