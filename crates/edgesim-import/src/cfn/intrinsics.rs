//! CloudFormation's intrinsic functions, resolved to plain values as far as they matter for a
//! local distribution: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
//! `Fn::If` (with the template's `Conditions`), `Fn::FindInMap`, `Fn::Base64`, and
//! `Fn::ImportValue` as a named placeholder.
//!
//! References to resources resolve to what CloudFormation would return, with the logical id
//! standing in for the physical name: a CloudFront Function's `FunctionARN` is
//! `arn:aws:cloudfront::123456789012:function/<Name>`, a Lambda version is
//! `arn:aws:lambda:us-east-1:123456789012:function:<name>:1`. The associations are then found
//! again by that name, the same way as in a real `get-distribution-config` output.
//! (Ref/GetAtt return values: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html)

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::template::Template;
use crate::warn::Warnings;

/// Lambda@Edge functions live in us-east-1; the stand-in region for every `AWS::Region`.
pub const REGION: &str = "us-east-1";
/// The stand-in for `AWS::AccountId` (AWS's documentation example account).
pub const ACCOUNT: &str = "123456789012";

pub struct Resolver<'t> {
    pub template: &'t Template,
    /// `--param Name=Value`, over the parameters' `Default`s.
    pub parameters: &'t BTreeMap<String, String>,
}

impl Resolver<'_> {
    /// `value` with every intrinsic function replaced by its value; `AWS::NoValue` removes the
    /// property. `path` names the place in warnings.
    pub fn resolve(&self, value: &Value, path: &str, w: &mut Warnings) -> Value {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                if key == "Ref" || key.starts_with("Fn::") {
                    return self.intrinsic(key, arg, path, w);
                }
                self.object(map, path, w)
            }
            Value::Object(map) => self.object(map, path, w),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.resolve(v, &format!("{path}[{i}]"), w))
                    .filter(|v| !v.is_null())
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn object(&self, map: &Map<String, Value>, path: &str, w: &mut Warnings) -> Value {
        let mut out = Map::new();
        for (k, v) in map {
            let resolved = self.resolve(v, &crate::warn::join(path, k), w);
            if !resolved.is_null() {
                out.insert(k.clone(), resolved);
            }
        }
        Value::Object(out)
    }

    fn intrinsic(&self, name: &str, arg: &Value, path: &str, w: &mut Warnings) -> Value {
        let at = format!("{path}.{name}");
        match name {
            "Ref" => match self.resolve(arg, &at, w) {
                Value::String(target) => self.reference(&target, &at, w),
                other => {
                    w.push(at, format!("Ref needs a name, found {other}"));
                    Value::Null
                }
            },
            "Fn::GetAtt" => {
                let arg = self.resolve(arg, &at, w);
                let (res, attr) = match &arg {
                    Value::Array(parts) if parts.len() == 2 => (
                        parts[0].as_str().unwrap_or_default().to_owned(),
                        parts[1].as_str().unwrap_or_default().to_owned(),
                    ),
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (r.to_owned(), a.to_owned()),
                        None => (s.clone(), String::new()),
                    },
                    _ => (String::new(), String::new()),
                };
                Value::String(self.get_att(&res, &attr, &at, w))
            }
            "Fn::Sub" => {
                let (text, vars) = match arg {
                    Value::String(s) => (s.clone(), Map::new()),
                    Value::Array(parts) if !parts.is_empty() => {
                        let text = self.resolve(&parts[0], &at, w);
                        let vars = match parts.get(1).map(|v| self.resolve(v, &at, w)) {
                            Some(Value::Object(m)) => m,
                            _ => Map::new(),
                        };
                        (text.as_str().unwrap_or_default().to_owned(), vars)
                    }
                    other => {
                        w.push(&at, format!("Fn::Sub needs a string, found {other}"));
                        return Value::Null;
                    }
                };
                Value::String(self.sub(&text, &vars, &at, w))
            }
            "Fn::Join" => match self.resolve(arg, &at, w) {
                Value::Array(parts) if parts.len() == 2 => {
                    let sep = parts[0].as_str().unwrap_or_default();
                    let items: Vec<String> = match &parts[1] {
                        Value::Array(items) => items.iter().map(text).collect(),
                        other => vec![text(other)],
                    };
                    Value::String(items.join(sep))
                }
                other => {
                    w.push(
                        at,
                        format!("Fn::Join needs [separator, list], found {other}"),
                    );
                    Value::Null
                }
            },
            "Fn::Select" => match self.resolve(arg, &at, w) {
                Value::Array(parts) if parts.len() == 2 => {
                    let index = match &parts[0] {
                        Value::Number(n) => n.as_u64(),
                        Value::String(s) => s.parse().ok(),
                        _ => None,
                    };
                    match (&parts[1], index) {
                        (Value::Array(items), Some(i)) => {
                            items.get(i as usize).cloned().unwrap_or(Value::Null)
                        }
                        _ => Value::Null,
                    }
                }
                _ => Value::Null,
            },
            "Fn::Split" => match self.resolve(arg, &at, w) {
                Value::Array(parts) if parts.len() == 2 => {
                    let sep = parts[0].as_str().unwrap_or_default();
                    let s = text(&parts[1]);
                    if sep.is_empty() {
                        Value::Array(vec![Value::String(s)])
                    } else {
                        Value::Array(s.split(sep).map(|p| Value::String(p.to_owned())).collect())
                    }
                }
                _ => Value::Null,
            },
            "Fn::If" => match arg {
                Value::Array(parts) if parts.len() == 3 => {
                    let cond = parts[0].as_str().unwrap_or_default();
                    let branch = match self.condition(cond, &at, w) {
                        Some(true) => &parts[1],
                        Some(false) => &parts[2],
                        None => {
                            w.push(
                                &at,
                                format!("condition {cond} cannot be decided locally; took its true branch"),
                            );
                            &parts[1]
                        }
                    };
                    self.resolve(branch, &at, w)
                }
                _ => Value::Null,
            },
            "Fn::FindInMap" => match self.resolve(arg, &at, w) {
                Value::Array(parts) if parts.len() >= 3 => {
                    let found = self
                        .template
                        .mappings
                        .get(&text(&parts[0]))
                        .and_then(|m| m.get(text(&parts[1])))
                        .and_then(|m| m.get(text(&parts[2])))
                        .cloned();
                    match found {
                        Some(v) => self.resolve(&v, &at, w),
                        None => parts.get(3).cloned().unwrap_or(Value::Null),
                    }
                }
                _ => Value::Null,
            },
            "Fn::Base64" | "Fn::ToJsonString" => {
                let v = self.resolve(arg, &at, w);
                match v {
                    Value::String(s) => Value::String(s),
                    other => Value::String(other.to_string()),
                }
            }
            "Fn::GetAZs" => Value::Array(vec!["us-east-1a".into(), "us-east-1b".into()]),
            "Fn::ImportValue" => {
                let name = text(&self.resolve(arg, &at, w));
                w.push(
                    &at,
                    format!("the export {name:?} of another stack is not available locally; used the placeholder ${{ImportValue:{name}}}"),
                );
                Value::String(format!("${{ImportValue:{name}}}"))
            }
            other => {
                w.push(&at, format!("{other} is not resolved by edgesim"));
                Value::Null
            }
        }
    }

    /// `Ref`: a pseudo parameter, a parameter, or a resource.
    fn reference(&self, target: &str, at: &str, w: &mut Warnings) -> Value {
        let pseudo = match target {
            "AWS::Region" => Some(REGION.to_owned()),
            "AWS::AccountId" => Some(ACCOUNT.to_owned()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            "AWS::StackName" => Some(self.template.stack_name.clone()),
            "AWS::StackId" => Some(format!(
                "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{}/edgesim",
                self.template.stack_name
            )),
            "AWS::NoValue" => return Value::Null,
            "AWS::NotificationARNs" => return Value::Array(Vec::new()),
            _ => None,
        };
        if let Some(v) = pseudo {
            return Value::String(v);
        }
        if let Some(param) = self.template.parameters.get(target) {
            if let Some(v) = self.parameters.get(target) {
                return Value::String(v.clone());
            }
            if let Some(default) = param.get("Default") {
                return match default {
                    Value::String(_) | Value::Array(_) => default.clone(),
                    other => Value::String(text(other)),
                };
            }
            w.push(
                at,
                format!("parameter {target} has no Default; used the placeholder ${{{target}}} (pass --param {target}=VALUE)"),
            );
            return Value::String(format!("${{{target}}}"));
        }
        // SAM: `!Ref MyFunction.Version` / `.Alias` with AutoPublishAlias.
        if let Some((res, suffix)) = target.split_once('.') {
            if self.template.resource_type(res).is_some()
                && (suffix == "Version" || suffix == "Alias")
            {
                return Value::String(format!(
                    "arn:aws:lambda:{REGION}:{ACCOUNT}:function:{}:1",
                    self.lambda_name(res, w)
                ));
            }
        }
        let Some(kind) = self.template.resource_type(target) else {
            w.push(
                at,
                format!(
                    "Ref to {target}, which is neither a parameter nor a resource of the template"
                ),
            );
            return Value::String(target.to_owned());
        };
        Value::String(match kind {
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => self.lambda_name(target, w),
            "AWS::Lambda::Version" | "AWS::Lambda::Alias" => {
                let function = self.property(target, "FunctionName", w);
                let name = function.rsplit(':').next().unwrap_or(&function).to_owned();
                let qualifier = if kind == "AWS::Lambda::Alias" {
                    self.property(target, "Name", w)
                } else {
                    "1".to_owned()
                };
                format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}")
            }
            "AWS::S3::Bucket" => self.bucket_name(target, w),
            _ => target.to_owned(),
        })
    }

    fn get_att(&self, res: &str, attr: &str, at: &str, w: &mut Warnings) -> String {
        let Some(kind) = self.template.resource_type(res) else {
            w.push(
                at,
                format!("Fn::GetAtt of {res}, which is not a resource of the template"),
            );
            return format!("{res}.{attr}");
        };
        match (kind, attr) {
            ("AWS::S3::Bucket", "DomainName") => {
                format!("{}.s3.amazonaws.com", self.bucket_name(res, w))
            }
            ("AWS::S3::Bucket", "RegionalDomainName") => {
                format!("{}.s3.{REGION}.amazonaws.com", self.bucket_name(res, w))
            }
            ("AWS::S3::Bucket", "DualStackDomainName") => {
                format!(
                    "{}.s3.dualstack.{REGION}.amazonaws.com",
                    self.bucket_name(res, w)
                )
            }
            ("AWS::S3::Bucket", "WebsiteURL") => {
                format!(
                    "http://{}.s3-website-{REGION}.amazonaws.com",
                    self.bucket_name(res, w)
                )
            }
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{}", self.bucket_name(res, w)),
            ("AWS::CloudFront::Function", "FunctionARN" | "FunctionMetadata.FunctionARN") => {
                format!(
                    "arn:aws:cloudfront::{ACCOUNT}:function/{}",
                    self.cf_function_name(res, w)
                )
            }
            ("AWS::CloudFront::KeyValueStore", "Arn") => {
                format!("arn:aws:cloudfront::{ACCOUNT}:key-value-store/{res}")
            }
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", "Arn") => format!(
                "arn:aws:lambda:{REGION}:{ACCOUNT}:function:{}",
                self.lambda_name(res, w)
            ),
            ("AWS::Lambda::Version", "Version") => "1".to_owned(),
            (
                "AWS::ElasticLoadBalancingV2::LoadBalancer"
                | "AWS::ElasticLoadBalancing::LoadBalancer",
                "DNSName",
            ) => {
                format!("{}.{REGION}.elb.amazonaws.com", res.to_ascii_lowercase())
            }
            _ => format!("{res}.{attr}"),
        }
    }

    fn sub(&self, text_in: &str, vars: &Map<String, Value>, at: &str, w: &mut Warnings) -> String {
        let mut out = String::new();
        let mut rest = text_in;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(&text(v));
            } else if name.contains('.') && !name.starts_with("AWS::") {
                let (res, attr) = name.split_once('.').expect("has a dot");
                if self.template.resource_type(res).is_some() {
                    out.push_str(&self.get_att(res, attr, at, w));
                } else {
                    out.push_str(&text(&self.reference(name, at, w)));
                }
            } else {
                out.push_str(&text(&self.reference(name, at, w)));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A condition of the template's `Conditions`, when it can be decided from parameters.
    pub fn condition(&self, name: &str, at: &str, w: &mut Warnings) -> Option<bool> {
        let def = self.template.conditions.get(name)?.clone();
        self.eval(&def, at, w, 0)
    }

    fn eval(&self, v: &Value, at: &str, w: &mut Warnings, depth: usize) -> Option<bool> {
        if depth > 20 {
            return None;
        }
        let map = v.as_object()?;
        let (key, arg) = map.iter().next()?;
        let args = arg.as_array();
        match key.as_str() {
            "Fn::Equals" => {
                let args = args?;
                let a = self.resolve(args.first()?, at, w);
                let b = self.resolve(args.get(1)?, at, w);
                if text(&a).contains("${") || text(&b).contains("${") {
                    return None;
                }
                Some(text(&a) == text(&b))
            }
            "Fn::Not" => self.eval(args?.first()?, at, w, depth + 1).map(|b| !b),
            "Fn::And" => args?
                .iter()
                .map(|c| self.eval(c, at, w, depth + 1))
                .try_fold(true, |acc, b| Some(acc && b?)),
            "Fn::Or" => args?
                .iter()
                .map(|c| self.eval(c, at, w, depth + 1))
                .try_fold(false, |acc, b| Some(acc || b?)),
            "Condition" => {
                let def = self.template.conditions.get(arg.as_str()?)?.clone();
                self.eval(&def, at, w, depth + 1)
            }
            _ => None,
        }
    }

    /// A resource property as a string (resolved), or the logical id when absent.
    fn property(&self, res: &str, key: &str, w: &mut Warnings) -> String {
        match self.template.properties(res).get(key) {
            Some(v) => text(&self.resolve(v, &format!("Resources.{res}.Properties.{key}"), w)),
            None => res.to_owned(),
        }
    }

    pub fn lambda_name(&self, res: &str, w: &mut Warnings) -> String {
        self.property(res, "FunctionName", w)
    }

    pub fn cf_function_name(&self, res: &str, w: &mut Warnings) -> String {
        self.property(res, "Name", w)
    }

    fn bucket_name(&self, res: &str, w: &mut Warnings) -> String {
        match self.template.properties(res).get("BucketName") {
            Some(v) => text(&self.resolve(v, &format!("Resources.{res}.Properties.BucketName"), w)),
            None => res.to_ascii_lowercase(),
        }
    }
}

/// A resolved value as text (`Fn::Join` and `Fn::Sub` concatenate).
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
