//! Function associations: a `FunctionARN` / `LambdaFunctionARN` found again among the
//! functions the source defines (or given with `--code`), each added to the model once.

use std::path::Path;

use crate::catalog::{self, Catalog};
use crate::model::{
    CfFunction, Distribution, FunctionCode, KeyValueStore, LambdaCode, LambdaFunction,
};
use crate::warn::Warnings;

/// The index of the CloudFront Function `arn` names, adding it to `dist` the first time.
pub fn resolve_function(
    arn: &str,
    at: &str,
    catalog: &Catalog,
    dist: &mut Distribution,
    w: &mut Warnings,
) -> Option<usize> {
    let name = catalog::cf_function_name(arn).to_owned();
    if let Some(i) = dist.functions.iter().position(|f| f.name == name) {
        return Some(i);
    }
    let def = catalog.functions.iter().find(|f| f.names.contains(&name));
    let code = match (catalog.code.get(&name), def.and_then(|d| d.code.clone())) {
        (Some(path), _) => FunctionCode::File(path.clone()),
        (None, Some(code)) => code,
        (None, None) => {
            w.push(
                at,
                format!("the code of CloudFront Function {name:?} is not in the source; pass --code {name}=FILE.js (association skipped)"),
            );
            return None;
        }
    };
    let runtime = match def {
        Some(d) => d.runtime.clone(),
        None => {
            w.push(
                at,
                format!("the runtime of CloudFront Function {name:?} is not in the source; assumed cloudfront-js-2.0"),
            );
            "cloudfront-js-2.0".to_owned()
        }
    };
    let kvs = match def.map(|d| d.kvs_arns.as_slice()).unwrap_or_default() {
        [] => None,
        [arn, rest @ ..] => {
            if !rest.is_empty() {
                w.push(
                    &def.expect("has kvs").path,
                    "CloudFront allows one KeyValueStore per function; only the first is used",
                );
            }
            Some(resolve_kvs(arn, catalog, dist))
        }
    };
    dist.functions.push(CfFunction {
        name,
        runtime,
        code,
        kvs,
    });
    Some(dist.functions.len() - 1)
}

fn resolve_kvs(arn: &str, catalog: &Catalog, dist: &mut Distribution) -> usize {
    let id = catalog::kvs_name(arn);
    // A template's store is known by its logical id; a real one by its id or name.
    let name = catalog
        .key_value_stores
        .iter()
        .find(|k| k.names.iter().any(|n| n == id))
        .map_or(id, |k| k.names[0].as_str())
        .to_owned();
    if let Some(i) = dist.key_value_stores.iter().position(|k| k.name == name) {
        return i;
    }
    let file = catalog
        .kvs_files
        .get(&name)
        .or_else(|| catalog.kvs_files.get(id))
        .cloned();
    dist.key_value_stores.push(KeyValueStore { name, file });
    dist.key_value_stores.len() - 1
}

/// The index of the Lambda function `arn` names, adding it to `dist` the first time.
pub fn resolve_lambda(
    arn: &str,
    at: &str,
    catalog: &Catalog,
    dist: &mut Distribution,
    w: &mut Warnings,
) -> Option<usize> {
    let name = catalog::lambda_name(arn).to_owned();
    if let Some(i) = dist.lambdas.iter().position(|f| f.name == name) {
        return Some(i);
    }
    let def = catalog.lambdas.iter().find(|f| f.names.contains(&name));
    let function = if let Some(path) = catalog.code.get(&name) {
        // `--code NAME=dir/index.handler`.
        let text = path.to_string_lossy();
        let (file, export) = text.rsplit_once('.').unwrap_or((&text, "handler"));
        let file = Path::new(file);
        let dir = file.parent().unwrap_or(Path::new("")).to_owned();
        let module = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let runtime = def.map(|d| d.runtime.clone()).unwrap_or_else(|| {
            let python = dir.join(format!("{module}.py")).is_file();
            let runtime = if python { "python3.12" } else { "nodejs20.x" };
            w.push(at, format!("the runtime of Lambda function {name:?} is not in the source; assumed {runtime}"));
            runtime.to_owned()
        });
        LambdaFunction {
            name: name.clone(),
            runtime,
            code: LambdaCode::Dir(dir),
            handler: format!("{module}.{export}"),
            timeout_ms: def.and_then(|d| d.timeout_ms),
        }
    } else {
        let Some(def) = def else {
            w.push(
                at,
                format!("Lambda function {name:?} is not in the source; pass --code {name}=DIR/index.handler (association skipped)"),
            );
            return None;
        };
        let code = match &def.code {
            Ok(code) => code.clone(),
            Err(why) => {
                w.push(
                    &def.path,
                    format!("{why}; pass --code {name}=DIR/index.handler (association skipped)"),
                );
                return None;
            }
        };
        if !(def.runtime.starts_with("nodejs") || def.runtime.starts_with("python3")) {
            w.push(
                &def.path,
                format!("runtime {:?} is not a Lambda@Edge runtime edgesim runs (nodejs*.x, python3.*); association skipped", def.runtime),
            );
            return None;
        }
        if let Some((id, ty)) = def.via_custom.iter().find(|(id, _)| *id == name) {
            w.push(
                at,
                format!("{id} is a custom resource ({ty}) that publishes {}; that function's code is used as it is in the source (what {id} changes at deploy time is not applied)", def.path.trim_start_matches("Resources.")),
            );
        }
        LambdaFunction {
            name: name.clone(),
            runtime: def.runtime.clone(),
            code,
            handler: def.handler.clone(),
            timeout_ms: def.timeout_ms,
        }
    };
    dist.lambdas.push(function);
    Some(dist.lambdas.len() - 1)
}
