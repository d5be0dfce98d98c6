//! Terraform's `terraform show -json` (state or plan): `aws_cloudfront_distribution`,
//! `aws_cloudfront_function`, `aws_cloudfront_key_value_store` and the policy resources.
//! (https://developer.hashicorp.com/terraform/internals/json-format)

use std::path::Path;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::ImportError;
use crate::model::Distribution;
use crate::warn::Warnings;

pub fn detect(v: &Value) -> bool {
    v.get("format_version").is_some()
        && (v.pointer("/values/root_module").is_some()
            || v.pointer("/planned_values/root_module").is_some())
}

pub fn import(
    _v: &Value,
    path: &Path,
    _choose: Option<&str>,
    _catalog: Catalog,
    _w: &mut Warnings,
) -> Result<Distribution, ImportError> {
    Err(ImportError::input(
        path,
        "Terraform import is not implemented yet",
    ))
}
