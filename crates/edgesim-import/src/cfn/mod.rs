//! CloudFormation, SAM and CDK (`cdk.out/*.template.json`) templates: the distribution, with
//! the functions, Lambda code and policies it refers to found in the same template.

pub mod intrinsics;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::catalog::{Catalog, FunctionDef, KvsDef, LambdaDef, PolicyDef};
use crate::error::ImportError;
use crate::model::{Distribution, FunctionCode, LambdaCode};
use crate::warn::Warnings;
use intrinsics::{text, Resolver};
use template::Template;

pub fn import(
    value: &Value,
    path: &Path,
    choose: Option<&str>,
    parameters: &BTreeMap<String, String>,
    mut catalog: Catalog,
    w: &mut Warnings,
) -> Result<Distribution, ImportError> {
    let template = Template::new(value, path);
    let distributions = template.of_type("AWS::CloudFront::Distribution");
    let id = match (choose, distributions.as_slice()) {
        (_, []) => {
            return Err(ImportError::input(
                path,
                "the template has no AWS::CloudFront::Distribution resource",
            ))
        }
        (Some(want), all) => match all.iter().find(|d| *d == want) {
            Some(id) => id.clone(),
            None => {
                return Err(ImportError::input(
                    path,
                    format!(
                        "no AWS::CloudFront::Distribution {want:?}; the template has {}",
                        all.join(", ")
                    ),
                ))
            }
        },
        (None, [one]) => one.clone(),
        (None, [first, rest @ ..]) => {
            w.push(
                format!("Resources.{first}"),
                format!("the template has several distributions; imported {first} (the others: {}; choose with --distribution ID)", rest.join(", ")),
            );
            first.clone()
        }
    };
    let resolver = Resolver {
        template: &template,
        parameters,
    };
    collect_catalog(&resolver, &mut catalog);
    let at = format!("Resources.{id}.Properties.DistributionConfig");
    let Some(config) = template.properties(&id).get("DistributionConfig") else {
        return Err(ImportError::input(path, format!("{at} is missing")));
    };
    let config = resolver.resolve(config, &at, w);
    let label = format!("{} (AWS::CloudFront::Distribution {id})", path.display());
    Ok(crate::distribution::read(config, &at, label, &catalog, w))
}

/// The functions, stores and policies the template defines. Their properties are resolved
/// with warnings of their own, which are dropped: what matters is reported when a behavior
/// uses them.
fn collect_catalog(r: &Resolver<'_>, catalog: &mut Catalog) {
    let t = r.template;
    let mut scratch = Warnings::default();
    let mut prop = |id: &str, key: &str| -> Option<Value> {
        let v = t.properties(id).get(key)?;
        Some(r.resolve(v, &format!("Resources.{id}.Properties.{key}"), &mut scratch))
    };
    for id in t.of_type("AWS::CloudFront::Function") {
        let config = prop(&id, "FunctionConfig").unwrap_or(Value::Null);
        let kvs_arns = config
            .get("KeyValueStoreAssociations")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("KeyValueStoreARN").map(text))
                    .collect()
            })
            .unwrap_or_default();
        let name = prop(&id, "Name").map(|v| text(&v));
        catalog.functions.push(FunctionDef {
            names: name.into_iter().chain([id.clone()]).collect(),
            runtime: config
                .get("Runtime")
                .map(text)
                .unwrap_or_else(|| "cloudfront-js-1.0".to_owned()),
            code: prop(&id, "FunctionCode").map(|v| FunctionCode::Inline(text(&v))),
            kvs_arns,
            path: format!("Resources.{id}"),
        });
    }
    // Connection functions (viewer mTLS): the same shape under other names, runtime 2.0 only
    // (docs/cloudfront/connection-functions.md; the resource's property names follow the API's
    // CreateConnectionFunction, inferred).
    for id in t.of_type("AWS::CloudFront::ConnectionFunction") {
        let config = prop(&id, "ConnectionFunctionConfig").unwrap_or(Value::Null);
        let kvs_arns = config
            .get("KeyValueStoreAssociations")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("KeyValueStoreARN").map(text))
                    .collect()
            })
            .unwrap_or_default();
        let name = prop(&id, "Name").map(|v| text(&v));
        catalog.functions.push(FunctionDef {
            names: name.into_iter().chain([id.clone()]).collect(),
            runtime: "cloudfront-js-2.0".to_owned(),
            code: prop(&id, "ConnectionFunctionCode").map(|v| FunctionCode::Inline(text(&v))),
            kvs_arns,
            path: format!("Resources.{id}"),
        });
    }
    for id in t.of_type("AWS::CloudFront::KeyValueStore") {
        let name = prop(&id, "Name").map(|v| text(&v));
        catalog.key_value_stores.push(KvsDef {
            names: [id.clone()].into_iter().chain(name).collect(),
            path: format!("Resources.{id}"),
        });
    }
    for (ty, key, list) in [
        ("AWS::CloudFront::CachePolicy", "CachePolicyConfig", 0),
        (
            "AWS::CloudFront::OriginRequestPolicy",
            "OriginRequestPolicyConfig",
            1,
        ),
        (
            "AWS::CloudFront::ResponseHeadersPolicy",
            "ResponseHeadersPolicyConfig",
            2,
        ),
    ] {
        for id in t.of_type(ty) {
            let def = PolicyDef {
                ids: vec![id.clone()],
                config: crate::distribution::unwrap_quantity_items(
                    prop(&id, key).unwrap_or(Value::Null),
                ),
                path: format!("Resources.{id}.Properties.{key}"),
            };
            match list {
                0 => catalog.cache_policies.push(def),
                1 => catalog.origin_request_policies.push(def),
                _ => catalog.response_headers_policies.push(def),
            }
        }
    }
    for ty in ["AWS::Lambda::Function", "AWS::Serverless::Function"] {
        for id in t.of_type(ty) {
            let sam = ty == "AWS::Serverless::Function";
            let mut get = |key: &str| {
                prop(&id, key).or_else(|| {
                    sam.then(|| t.function_globals.get(key)).flatten().map(|v| {
                        r.resolve(
                            v,
                            &format!("Globals.Function.{key}"),
                            &mut Warnings::default(),
                        )
                    })
                })
            };
            let name = get("FunctionName").map(|v| text(&v));
            let handler = get("Handler")
                .map(|v| text(&v))
                .unwrap_or_else(|| "index.handler".to_owned());
            let runtime = get("Runtime").map(|v| text(&v)).unwrap_or_default();
            let timeout_ms = get("Timeout")
                .and_then(|v| text(&v).parse::<f64>().ok())
                .map(|s| (s * 1000.0) as u64);
            let code = if sam {
                sam_code(t, &id, get("CodeUri"), get("InlineCode"))
            } else {
                lambda_code(t, &id, get("Code"))
            };
            catalog.lambdas.push(LambdaDef {
                names: name.into_iter().chain([id.clone()]).collect(),
                runtime,
                code,
                handler,
                timeout_ms,
                path: format!("Resources.{id}"),
                via_custom: Vec::new(),
            });
        }
    }
    // A custom resource that takes one Lambda function (`LambdaFunction: !GetAtt F.Arn`) and
    // hands back a `FunctionArn` (aws-samples' Custom::LambdaCodeUpdate pattern) stands for it.
    for (id, resource) in &t.resources {
        let ty = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !(ty.starts_with("Custom::") || ty == "AWS::CloudFormation::CustomResource") {
            continue;
        }
        let mut props = t.properties(id).clone();
        props.remove("ServiceToken");
        let mut refs = Vec::new();
        referenced(&Value::Object(props), &mut refs);
        refs.sort();
        refs.dedup();
        let lambdas: Vec<&String> = refs
            .iter()
            .filter(|r| {
                catalog
                    .lambdas
                    .iter()
                    .any(|l| l.path == format!("Resources.{r}"))
            })
            .collect();
        if let [one] = lambdas.as_slice() {
            let path = format!("Resources.{one}");
            if let Some(l) = catalog.lambdas.iter_mut().find(|l| l.path == path) {
                l.names.push(id.clone());
                l.via_custom.push((id.clone(), ty.to_owned()));
            }
        }
    }
}

/// Logical ids a value refers to with `Ref` or `Fn::GetAtt`.
fn referenced(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("Ref") {
                out.push(r.clone());
            }
            match map.get("Fn::GetAtt") {
                Some(Value::Array(parts)) => {
                    if let Some(Value::String(r)) = parts.first() {
                        out.push(r.clone());
                    }
                }
                Some(Value::String(s)) => out.push(s.split('.').next().unwrap_or(s).to_owned()),
                _ => {}
            }
            map.values().for_each(|v| referenced(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(v, out)),
        _ => {}
    }
}

/// Where an `AWS::Lambda::Function`'s code is on this machine.
fn lambda_code(t: &Template, id: &str, code: Option<Value>) -> Result<LambdaCode, String> {
    // `cdk synth` records the asset directory it zips (relative to cdk.out).
    if let Some(asset) = t.metadata(id, "aws:asset:path") {
        return Ok(LambdaCode::Dir(t.dir.join(asset)));
    }
    let code = code.unwrap_or(Value::Null);
    if let Some(zip) = code.get("ZipFile") {
        return Ok(LambdaCode::Inline(text(zip)));
    }
    if code.get("ImageUri").is_some() {
        return Err("a container image function cannot be a Lambda@Edge function".to_owned());
    }
    Err("its code is in S3 (Code.S3Bucket/S3Key), not on this machine".to_owned())
}

/// Where an `AWS::Serverless::Function`'s code is: `CodeUri` relative to the template.
fn sam_code(
    t: &Template,
    id: &str,
    code_uri: Option<Value>,
    inline: Option<Value>,
) -> Result<LambdaCode, String> {
    if let Some(asset) = t.metadata(id, "aws:asset:path") {
        return Ok(LambdaCode::Dir(t.dir.join(asset)));
    }
    if let Some(code) = inline {
        return Ok(LambdaCode::Inline(text(&code)));
    }
    match code_uri {
        None => Ok(LambdaCode::Dir(t.dir.clone())),
        Some(Value::String(uri)) if uri.starts_with("s3://") => {
            Err(format!("its CodeUri {uri} is in S3, not on this machine"))
        }
        Some(Value::String(uri)) => Ok(LambdaCode::Dir(t.dir.join(PathBuf::from(uri)))),
        Some(_) => Err("its CodeUri is an S3 location, not on this machine".to_owned()),
    }
}
