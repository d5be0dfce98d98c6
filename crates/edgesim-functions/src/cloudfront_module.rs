//! The `cloudfront` module of runtime 2.0 (`import cf from 'cloudfront'`, cloudfront-functions.md
//! §8–§9): KeyValueStore reads, origin changes, `edgeLocation` and `logCustomData`.
//!
//! Origin changes are only recorded here; the proxy applies them to its routing. TestFunction
//! ignores them (§8.2), so `test-function` reports them only as an extension.

use boa_engine::object::builtins::{JsPromise, JsUint8Array};
use boa_engine::object::{FunctionObjectBuilder, ObjectInitializer};
use boa_engine::property::Attribute;
use boa_engine::{
    js_string, Context, JsError, JsNativeError, JsObject, JsResult, JsValue, NativeFunction,
};

use crate::convert::{to_js, to_json};
use crate::limits::MAX_CUSTOM_LOG_BYTES;
use crate::state::state;

pub use crate::state::OriginChange;

/// Builds the object `import cf from 'cloudfront'` binds.
pub fn build(ctx: &mut Context) -> JsResult<JsObject> {
    let handle = kvs_handle(ctx);
    let kvs = NativeFunction::from_copy_closure_with_captures(
        |_, _, handle: &JsObject, ctx| {
            if state(ctx)?.borrow().kvs.is_none() {
                return Err(JsNativeError::error()
                    .with_message("no KeyValueStore is associated with this function")
                    .into());
            }
            // A function has at most one store (§9.1), so any id selects it: real functions
            // hard-code AWS store ids that a local store file cannot know.
            Ok(handle.clone().into())
        },
        handle,
    );
    let edge_location =
        FunctionObjectBuilder::new(ctx.realm(), NativeFunction::from_fn_ptr(edge_location)).build();
    let tenant =
        FunctionObjectBuilder::new(ctx.realm(), NativeFunction::from_fn_ptr(no_tenant)).build();
    Ok(ObjectInitializer::new(ctx)
        .function(kvs, js_string!("kvs"), 1)
        .function(
            NativeFunction::from_fn_ptr(update_request_origin),
            js_string!("updateRequestOrigin"),
            1,
        )
        .function(
            NativeFunction::from_fn_ptr(select_request_origin_by_id),
            js_string!("selectRequestOriginById"),
            2,
        )
        .function(
            NativeFunction::from_fn_ptr(create_request_origin_group),
            js_string!("createRequestOriginGroup"),
            1,
        )
        .function(
            NativeFunction::from_fn_ptr(log_custom_data),
            js_string!("logCustomData"),
            1,
        )
        .accessor(
            js_string!("edgeLocation"),
            Some(edge_location),
            None,
            Attribute::ENUMERABLE,
        )
        .accessor(
            js_string!("distributionTenant"),
            Some(tenant),
            None,
            Attribute::ENUMERABLE,
        )
        .build())
}

fn kvs_handle(ctx: &mut Context) -> JsObject {
    ObjectInitializer::new(ctx)
        .function(NativeFunction::from_fn_ptr(kvs_get), js_string!("get"), 2)
        .function(
            NativeFunction::from_fn_ptr(kvs_exists),
            js_string!("exists"),
            1,
        )
        .function(NativeFunction::from_fn_ptr(kvs_meta), js_string!("meta"), 0)
        .build()
}

fn key_arg(args: &[JsValue], ctx: &mut Context) -> JsResult<String> {
    let key = args.first().cloned().unwrap_or_default();
    if key.is_undefined() {
        return Err(JsNativeError::typ()
            .with_message("key must be a string")
            .into());
    }
    Ok(key.to_string(ctx)?.to_std_string_lossy())
}

/// Settles a KVS promise: errors become rejections, as the documented API rejects them (§9.4).
fn settle(result: JsResult<JsValue>, ctx: &mut Context) -> JsResult<JsValue> {
    let promise = match result {
        Ok(v) => JsPromise::resolve(v, ctx)?,
        Err(e) if crate::error::is_engine_error(&e, ctx) => return Err(e),
        Err(e) => JsPromise::reject(e, ctx)?,
    };
    Ok(promise.into())
}

fn kvs_get(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let result = (|| {
        let key = key_arg(args, ctx)?;
        let format = match args.get(1).and_then(JsValue::as_object) {
            Some(opts) => {
                let f = opts.get(js_string!("format"), ctx)?;
                if f.is_undefined() {
                    "string".to_owned()
                } else {
                    f.to_string(ctx)?.to_std_string_lossy()
                }
            }
            None => "string".to_owned(),
        };
        crate::state::charge(ctx, crate::budget::Native::Kvs, key.len());
        let store = state(ctx)?.borrow().kvs.clone();
        let Some(value) = store.as_ref().and_then(|s| s.get(&key).map(str::to_owned)) else {
            // The error class and text are undocumented (§9.4); code is expected to catch it.
            return Err(JsNativeError::error()
                .with_message(format!("Key not found: {key}"))
                .into());
        };
        match format.as_str() {
            "string" => Ok(js_string!(value.as_str()).into()),
            "json" => {
                let json: serde_json::Value = serde_json::from_str(&value).map_err(|e| {
                    JsError::from(
                        JsNativeError::syntax()
                            .with_message(format!("value of {key:?} is not JSON: {e}")),
                    )
                })?;
                Ok(to_js(&json, ctx))
            }
            "bytes" => Ok(JsUint8Array::from_iter(value.into_bytes(), ctx)?.into()),
            other => Err(JsNativeError::typ()
                .with_message(format!(
                    "unknown format {other:?}: expected 'string', 'json' or 'bytes'"
                ))
                .into()),
        }
    })();
    settle(result, ctx)
}

fn kvs_exists(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let result = key_arg(args, ctx).and_then(|key| {
        crate::state::charge(ctx, crate::budget::Native::Kvs, key.len());
        let store = state(ctx)?.borrow().kvs.clone();
        Ok(JsValue::from(store.is_some_and(|s| s.get(&key).is_some())))
    });
    settle(result, ctx)
}

fn kvs_meta(_: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let result = state(ctx).and_then(|s| {
        let meta = s.borrow().kvs.as_ref().map(|k| k.meta());
        let meta = meta
            .ok_or_else(|| JsNativeError::error().with_message("no KeyValueStore is associated"))?;
        Ok(to_js(
            &serde_json::json!({
                "creationDateTime": meta.creation_date_time,
                "lastUpdatedDateTime": meta.last_updated_date_time,
                "keyCount": meta.key_count,
            }),
            ctx,
        ))
    });
    settle(result, ctx)
}

fn json_arg(args: &[JsValue], i: usize, ctx: &mut Context) -> JsResult<Option<serde_json::Value>> {
    match args.get(i) {
        Some(v) => to_json(v, ctx),
        None => Ok(None),
    }
}

fn record(change: OriginChange, ctx: &mut Context) -> JsResult<JsValue> {
    state(ctx)?.borrow_mut().origin_changes.push(change);
    Ok(JsValue::undefined())
}

fn update_request_origin(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let params = json_arg(args, 0, ctx)?
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            JsNativeError::typ().with_message("updateRequestOrigin expects an object")
        })?;
    record(OriginChange::UpdateRequestOrigin(params), ctx)
}

fn select_request_origin_by_id(
    _: &JsValue,
    args: &[JsValue],
    ctx: &mut Context,
) -> JsResult<JsValue> {
    let origin_id = match args.first().and_then(JsValue::as_string) {
        Some(s) => s.to_std_string_lossy(),
        None => {
            return Err(JsNativeError::typ()
                .with_message("selectRequestOriginById expects an origin id string")
                .into())
        }
    };
    let overrides = json_arg(args, 1, ctx)?;
    record(
        OriginChange::SelectRequestOriginById {
            origin_id,
            overrides,
        },
        ctx,
    )
}

fn create_request_origin_group(
    _: &JsValue,
    args: &[JsValue],
    ctx: &mut Context,
) -> JsResult<JsValue> {
    let params = json_arg(args, 0, ctx)?
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            JsNativeError::typ().with_message("createRequestOriginGroup expects an object")
        })?;
    record(OriginChange::CreateRequestOriginGroup(params), ctx)
}

/// `cf.logCustomData(text)`: at most 800 bytes after URL-encoding; the last call wins (§8.1).
fn log_custom_data(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = match args.first() {
        Some(v) => v.to_string(ctx)?.to_std_string_lossy(),
        None => String::new(),
    };
    let mut encoded_len = 0;
    let kept: String = text
        .chars()
        .take_while(|c| {
            let len = if c.is_ascii_alphanumeric() || "-_.~".contains(*c) {
                1
            } else {
                3 * c.len_utf8()
            };
            encoded_len += len;
            encoded_len <= MAX_CUSTOM_LOG_BYTES
        })
        .collect();
    state(ctx)?.borrow_mut().custom_log_data = Some(kept);
    Ok(JsValue::undefined())
}

/// `cf.edgeLocation`: populated in viewer-request only, `{}` in viewer-response (§8.1).
fn edge_location(_: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let location = state(ctx)?.borrow().edge_location.clone();
    Ok(to_js(
        &location.unwrap_or_else(|| serde_json::json!({})),
        ctx,
    ))
}

fn no_tenant(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Err(JsNativeError::error()
        .with_message("distributionTenant module is not available")
        .into())
}
