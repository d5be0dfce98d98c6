//! Terraform's `terraform show -json` (state, or a saved plan's `planned_values`):
//! `aws_cloudfront_distribution` brought to CloudFormation's `DistributionConfig` shape, with
//! `aws_cloudfront_function`, `aws_cloudfront_key_value_store`, the three policy resources and
//! `aws_lambda_function` (code from the `archive_file` that zipped it) as the catalog.
//! (https://developer.hashicorp.com/terraform/internals/json-format,
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudfront_distribution)

use std::path::Path;

use serde_json::{Map, Value};

use crate::catalog::{Catalog, FunctionDef, KvsDef, LambdaDef, PolicyDef};
use crate::error::ImportError;
use crate::model::{Distribution, FunctionCode, LambdaCode};
use crate::warn::Warnings;

pub fn detect(v: &Value) -> bool {
    v.get("format_version").is_some()
        && (v.pointer("/values/root_module").is_some()
            || v.pointer("/planned_values/root_module").is_some())
}

/// Every resource of the root module and its child modules.
fn resources(v: &Value) -> Vec<&Value> {
    fn walk<'v>(module: &'v Value, out: &mut Vec<&'v Value>) {
        out.extend(
            module
                .get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        for child in module
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, out);
        }
    }
    let root = v
        .pointer("/values/root_module")
        .or_else(|| v.pointer("/planned_values/root_module"));
    let mut out = Vec::new();
    if let Some(root) = root {
        walk(root, &mut out);
    }
    out
}

fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `snake_case` → `PascalCase`, with CloudFront's own spellings.
fn pascal(key: &str) -> String {
    match key {
        "min_ttl" => return "MinTTL".into(),
        "default_ttl" => return "DefaultTTL".into(),
        "max_ttl" => return "MaxTTL".into(),
        "http_port" => return "HTTPPort".into(),
        "https_port" => return "HTTPSPort".into(),
        "origin_ssl_protocols" => return "OriginSSLProtocols".into(),
        "web_acl_id" => return "WebACLId".into(),
        "is_ipv6_enabled" => return "IPV6Enabled".into(),
        "logging_config" => return "Logging".into(),
        "origin_id" => return "Id".into(),
        "custom_header" => return "OriginCustomHeaders".into(),
        "origin" => return "Origins".into(),
        "origin_group" => return "OriginGroups".into(),
        "ordered_cache_behavior" => return "CacheBehaviors".into(),
        "custom_error_response" => return "CustomErrorResponses".into(),
        "function_association" => return "FunctionAssociations".into(),
        "lambda_function_association" => return "LambdaFunctionAssociations".into(),
        "lambda_arn" => return "LambdaFunctionARN".into(),
        "function_arn" => return "FunctionARN".into(),
        "member" => return "Members".into(),
        "name" => return "HeaderName".into(),
        "value" => return "HeaderValue".into(),
        _ => {}
    }
    key.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// Blocks that hold one object in CloudFormation (lists of one in Terraform).
const SINGLE: &[&str] = &[
    "default_cache_behavior",
    "custom_origin_config",
    "s3_origin_config",
    "forwarded_values",
    "cookies",
    "failover_criteria",
    "origin_shield",
    "logging_config",
    "restrictions",
    "geo_restriction",
    "viewer_certificate",
    "vpc_origin_config",
    "grpc_config",
];

/// Computed attributes of the state: not configuration, nothing to report.
const COMPUTED: &[&str] = &[
    "id",
    "arn",
    "etag",
    "status",
    "domain_name_computed",
    "hosted_zone_id",
    "caller_reference",
    "last_modified_time",
    "in_progress_validation_batches",
    "retain_on_delete",
    "wait_for_deployment",
    "tags",
    "tags_all",
    "trusted_key_groups",
    "trusted_signers",
];

fn translate(v: &Value, key: &str) -> Value {
    match v {
        Value::Array(items) if SINGLE.contains(&key) => {
            items.first().map_or(Value::Null, |i| translate(i, key))
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| translate(i, key)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if v.is_null() || v.as_str() == Some("") {
                    continue;
                }
                // Inside an origin, `domain_name` is the origin's; elsewhere `name`/`value` are
                // custom header fields only under `custom_header`.
                let name = match (key, k.as_str()) {
                    ("custom_header", _) => pascal(k),
                    (_, "name") => "Name".into(),
                    (_, "value") => "Value".into(),
                    ("cookies", "whitelisted_names") => "WhitelistedNames".into(),
                    _ => pascal(k),
                };
                out.insert(name, translate(v, k));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// `aws_cloudfront_distribution` values → `DistributionConfig`.
fn distribution_config(values: &Value) -> Value {
    let mut map = values.as_object().cloned().unwrap_or_default();
    for k in COMPUTED {
        map.remove(*k);
    }
    // The distribution's own `domain_name` is computed (`d111111abcdef8.cloudfront.net`).
    map.remove("domain_name");
    let mut config = translate(&Value::Object(map), "distribution");
    // A cache policy replaces the legacy TTLs, which the state still holds as 0s.
    let strip = |b: &mut Value| {
        if b.get("CachePolicyId").is_some() {
            if let Some(o) = b.as_object_mut() {
                for k in ["MinTTL", "DefaultTTL", "MaxTTL", "ForwardedValues"] {
                    o.remove(k);
                }
            }
        }
        if let Some(o) = b.as_object_mut() {
            for k in ["TrustedKeyGroups", "TrustedSigners"] {
                if o.get(k)
                    .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
                {
                    o.remove(k);
                }
            }
        }
    };
    if let Some(b) = config.get_mut("DefaultCacheBehavior") {
        strip(b);
    }
    if let Some(Value::Array(list)) = config.get_mut("CacheBehaviors") {
        list.iter_mut().for_each(strip);
    }
    // Origin groups: `Members: [{OriginId}]`, `FailoverCriteria: {StatusCodes}` already; the
    // group's id is `origin_id` → `Id`.
    config
}

/// `{items: [...]}` (Terraform's nested lists of names) → a plain list.
fn items(v: &Value) -> Value {
    match v {
        Value::Array(a) if a.len() == 1 && a[0].get("items").is_some() => a[0]["items"].clone(),
        Value::Array(a) => Value::Array(a.iter().map(items).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), items(v))).collect()),
        other => other.clone(),
    }
}

fn policy_config(values: &Value) -> Value {
    let mut map = values.as_object().cloned().unwrap_or_default();
    map.remove("id");
    map.remove("etag");
    map.remove("arn");
    let v = items(&Value::Object(map));
    let mut out = translate(&v, "policy");
    if let Some(o) = out.as_object_mut() {
        // Cache policies nest the key settings under one block.
        if let Some(Value::Array(p)) = o.remove("ParametersInCacheKeyAndForwardedToOrigin") {
            if let Some(first) = p.into_iter().next() {
                let mut first = first;
                if let Some(f) = first.as_object_mut() {
                    for (k, v) in f.iter_mut() {
                        if k.ends_with("Config") {
                            *v = v
                                .as_array()
                                .and_then(|a| a.first().cloned())
                                .unwrap_or(Value::Null);
                        }
                    }
                }
                o.insert("ParametersInCacheKeyAndForwardedToOrigin".into(), first);
            }
        }
        for (k, v) in o.iter_mut() {
            if k.ends_with("Config") {
                if let Value::Array(a) = v {
                    *v = a.first().cloned().unwrap_or(Value::Null);
                }
            }
        }
    }
    out
}

pub fn import(
    v: &Value,
    path: &Path,
    choose: Option<&str>,
    mut catalog: Catalog,
    w: &mut Warnings,
) -> Result<Distribution, ImportError> {
    let all = resources(v);
    let dir = path.parent().unwrap_or(Path::new("."));
    let archives: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("archive_file"))
        .collect();
    for r in &all {
        let ty = r.get("type").and_then(Value::as_str).unwrap_or_default();
        let address = s(r, "address").unwrap_or_default().to_owned();
        let values = r.get("values").cloned().unwrap_or(Value::Null);
        let name = s(r, "name").unwrap_or_default().to_owned();
        match ty {
            "aws_cloudfront_function" => catalog.functions.push(FunctionDef {
                names: s(&values, "name")
                    .map(str::to_owned)
                    .into_iter()
                    .chain([name])
                    .collect(),
                runtime: s(&values, "runtime")
                    .unwrap_or("cloudfront-js-1.0")
                    .to_owned(),
                code: s(&values, "code").map(|c| FunctionCode::Inline(c.to_owned())),
                kvs_arns: values
                    .get("key_value_store_associations")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                path: address,
            }),
            "aws_cloudfront_key_value_store" => catalog.key_value_stores.push(KvsDef {
                names: [s(&values, "name"), s(&values, "id")]
                    .into_iter()
                    .flatten()
                    .map(str::to_owned)
                    .chain([name])
                    .collect(),
                path: address,
            }),
            "aws_cloudfront_cache_policy"
            | "aws_cloudfront_origin_request_policy"
            | "aws_cloudfront_response_headers_policy" => {
                let def = PolicyDef {
                    ids: s(&values, "id")
                        .map(str::to_owned)
                        .into_iter()
                        .chain([name])
                        .collect(),
                    config: policy_config(&values),
                    path: address,
                };
                match ty {
                    "aws_cloudfront_cache_policy" => catalog.cache_policies.push(def),
                    "aws_cloudfront_origin_request_policy" => {
                        catalog.origin_request_policies.push(def)
                    }
                    _ => catalog.response_headers_policies.push(def),
                }
            }
            "aws_lambda_function" => {
                let filename = s(&values, "filename").unwrap_or_default();
                let archive = archives.iter().find(|a| {
                    let out = a
                        .pointer("/values/output_path")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    !filename.is_empty()
                        && (out == filename
                            || Path::new(out).file_name() == Path::new(filename).file_name())
                });
                let code = match archive.and_then(|a| a.get("values")) {
                    Some(a) => match (s(a, "source_dir"), s(a, "source_file")) {
                        (Some(d), _) => Ok(LambdaCode::Dir(dir.join(d))),
                        (None, Some(f)) => Ok(LambdaCode::Dir(dir.join(f).parent().unwrap_or(dir).to_owned())),
                        _ => Err(format!("its archive_file {} has no source_dir", s(a, "output_path").unwrap_or(""))),
                    },
                    None if filename.is_empty() => Err("its code is in S3 or an image, not on this machine".to_owned()),
                    None => Err(format!("its code is the zip {filename}; unzip it and point --code at the directory")),
                };
                catalog.lambdas.push(LambdaDef {
                    names: s(&values, "function_name")
                        .map(str::to_owned)
                        .into_iter()
                        .chain([name])
                        .collect(),
                    runtime: s(&values, "runtime").unwrap_or_default().to_owned(),
                    code,
                    handler: s(&values, "handler").unwrap_or("index.handler").to_owned(),
                    timeout_ms: values
                        .get("timeout")
                        .and_then(Value::as_f64)
                        .map(|t| (t * 1000.0) as u64),
                    path: address,
                    via_custom: Vec::new(),
                });
            }
            _ => {}
        }
    }
    let distributions: Vec<&&Value> = all
        .iter()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("aws_cloudfront_distribution"))
        .collect();
    let address = |r: &Value| s(r, "address").unwrap_or_default().to_owned();
    let chosen = match (choose, distributions.as_slice()) {
        (_, []) => {
            return Err(ImportError::input(
                path,
                "no aws_cloudfront_distribution in this Terraform output",
            ))
        }
        (Some(want), all) => all
            .iter()
            .find(|r| address(r) == want || s(r, "name") == Some(want))
            .ok_or_else(|| {
                let list: Vec<String> = all.iter().map(|r| address(r)).collect();
                ImportError::input(
                    path,
                    format!(
                        "no aws_cloudfront_distribution {want:?}; there are {}",
                        list.join(", ")
                    ),
                )
            })?,
        (None, [one]) => one,
        (None, [first, rest @ ..]) => {
            let others: Vec<String> = rest.iter().map(|r| address(r)).collect();
            w.push(address(first), format!("several distributions; imported this one (the others: {}; choose with --distribution ADDRESS)", others.join(", ")));
            first
        }
    };
    let at = address(chosen);
    let config = distribution_config(chosen.get("values").unwrap_or(&Value::Null));
    let label = format!("{} ({at})", path.display());
    Ok(crate::distribution::read(config, &at, label, &catalog, w))
}
