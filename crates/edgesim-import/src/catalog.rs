//! What a distribution refers to by id or ARN, as each source knows it: CloudFront Functions
//! and their code, Lambda functions and their code directories, KeyValueStores, and policies
//! defined next to the distribution. A CloudFormation template knows all of them; a
//! `get-distribution-config` output knows none (their code comes from `--code`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::model::{FunctionCode, LambdaCode};

#[derive(Debug, Clone)]
pub struct FunctionDef {
    /// Names the function is found by: its `Name` and its logical id / address.
    pub names: Vec<String>,
    pub runtime: String,
    pub code: Option<FunctionCode>,
    /// `KeyValueStoreAssociations[].KeyValueStoreARN`, resolved.
    pub kvs_arns: Vec<String>,
    /// Where it is defined, for warnings.
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct LambdaDef {
    pub names: Vec<String>,
    pub runtime: String,
    /// The code on this machine, or why it is not.
    pub code: Result<LambdaCode, String>,
    pub handler: String,
    pub timeout_ms: Option<u64>,
    pub path: String,
    /// Custom resources that publish this function (a `Custom::LambdaCodeUpdate` whose
    /// `FunctionArn` the distribution uses): (logical id, type).
    pub via_custom: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct KvsDef {
    pub names: Vec<String>,
    pub path: String,
}

/// A policy defined in the source: its ids and its `…PolicyConfig` in CloudFormation's shape.
#[derive(Debug, Clone)]
pub struct PolicyDef {
    pub ids: Vec<String>,
    pub config: Value,
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub functions: Vec<FunctionDef>,
    pub lambdas: Vec<LambdaDef>,
    pub key_value_stores: Vec<KvsDef>,
    pub cache_policies: Vec<PolicyDef>,
    pub origin_request_policies: Vec<PolicyDef>,
    pub response_headers_policies: Vec<PolicyDef>,
    /// `--code NAME=PATH`: a CloudFront Function's `.js` file, or a Lambda handler path
    /// (`dir/index.handler`), for functions whose code the source does not carry.
    pub code: BTreeMap<String, PathBuf>,
    /// `--kvs NAME=FILE`: KeyValueStore contents in CloudFront's import format.
    pub kvs_files: BTreeMap<String, PathBuf>,
}

/// The function name in a CloudFront Function ARN (`arn:aws:cloudfront::1:function/NAME`).
pub fn cf_function_name(arn: &str) -> &str {
    arn.rsplit_once("function/").map_or(arn, |(_, name)| name)
}

/// The function name in a Lambda ARN (`arn:aws:lambda:r:1:function:NAME[:QUALIFIER]`).
/// An unresolved `Fn::GetAtt` (`Resource.Attribute`) names its resource.
pub fn lambda_name(arn: &str) -> &str {
    match arn.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => arn.split('.').next().unwrap_or(arn),
    }
}

/// The store name in a KeyValueStore ARN (`arn:aws:cloudfront::1:key-value-store/ID`).
pub fn kvs_name(arn: &str) -> &str {
    arn.rsplit_once("key-value-store/")
        .map_or(arn, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_of_arns() {
        assert_eq!(
            cf_function_name("arn:aws:cloudfront::1:function/rewrite"),
            "rewrite"
        );
        assert_eq!(
            lambda_name("arn:aws:lambda:us-east-1:1:function:auth:3"),
            "auth"
        );
        assert_eq!(
            lambda_name("arn:aws:lambda:us-east-1:1:function:auth"),
            "auth"
        );
        assert_eq!(kvs_name("arn:aws:cloudfront::1:key-value-store/abc"), "abc");
    }
}
