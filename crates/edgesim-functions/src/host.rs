//! What the host gives a function's engine: `console.log`, the crypto primitives behind the
//! `crypto` module, and the per-invocation state they write to.
//!
//! Natives find the state through `Context::get_data`, so one set of native functions serves
//! every invocation of a pooled context.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use boa_engine::object::ObjectInitializer;
use boa_engine::property::Attribute;
use boa_engine::{js_string, Context, JsNativeError, JsResult, JsString, JsValue, NativeFunction};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::cloudfront_module::OriginChange;
use crate::convert::to_json;
use crate::kvs::KeyValueStore;
use crate::limits::MAX_LOG_BYTES;
use crate::runtime::Runtime;

/// Per-invocation facts the natives read and write.
#[derive(Debug, Default)]
pub struct HostState {
    pub logs: Vec<String>,
    pub log_bytes: usize,
    pub logs_truncated: bool,
    /// What `request.rawQueryString()` returns; `None` means the URL had no `?`.
    pub raw_query: Option<String>,
    pub origin_changes: Vec<OriginChange>,
    pub custom_log_data: Option<String>,
    /// The viewer-request edge location, for `cf.edgeLocation`.
    pub edge_location: Option<serde_json::Value>,
    pub kvs: Option<Arc<KeyValueStore>>,
}

impl HostState {
    pub fn reset(&mut self) {
        self.logs.clear();
        self.log_bytes = 0;
        self.logs_truncated = false;
        self.raw_query = None;
        self.origin_changes.clear();
        self.custom_log_data = None;
        self.edge_location = None;
    }

    /// Appends a log line, truncating the invocation's output at 10 KB as CloudFront does.
    fn log(&mut self, line: String) {
        if self.logs_truncated {
            return;
        }
        let room = MAX_LOG_BYTES.saturating_sub(self.log_bytes);
        if line.len() > room {
            let mut cut = room;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut > 0 {
                self.logs.push(line[..cut].to_owned());
            }
            self.log_bytes = MAX_LOG_BYTES;
            self.logs_truncated = true;
            return;
        }
        self.log_bytes += line.len();
        self.logs.push(line);
    }
}

pub type SharedState = Rc<RefCell<HostState>>;

/// The state of the invocation running in `ctx`.
pub fn state(ctx: &Context) -> JsResult<SharedState> {
    ctx.get_data::<SharedState>().cloned().ok_or_else(|| {
        JsNativeError::error()
            .with_message("edgesim: no host state")
            .into()
    })
}

/// Installs `console` (only `log`, as CloudFront documents) and `__cf_native` for the prelude.
pub fn install(ctx: &mut Context, runtime: Runtime) -> JsResult<()> {
    let console = ObjectInitializer::new(ctx)
        .function(
            NativeFunction::from_fn_ptr(console_log),
            js_string!("log"),
            0,
        )
        .build();
    ctx.register_global_property(js_string!("console"), console, Attribute::all())?;

    let mut native = ObjectInitializer::new(ctx);
    crate::encoding::install(&mut native);
    let native = native
        .function(NativeFunction::from_fn_ptr(digest), js_string!("digest"), 2)
        .function(NativeFunction::from_fn_ptr(hmac), js_string!("hmac"), 3)
        .property(
            js_string!("runtime"),
            js_string!(match runtime {
                Runtime::Js10 => "1.0",
                Runtime::Js20 => "2.0",
            }),
            Attribute::READONLY,
        )
        .build();
    ctx.register_global_property(js_string!("__cf_native"), native, Attribute::all())?;
    Ok(())
}

/// `console.log(a, b, …)`: strings as they are, other values as JSON, joined by spaces.
/// Several arguments are "not supported" in 2.0 (§6.3, effect undocumented): we print them all.
fn console_log(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let mut parts = Vec::with_capacity(args.len());
    for arg in args {
        parts.push(display(arg, ctx));
    }
    state(ctx)?.borrow_mut().log(parts.join(" "));
    Ok(JsValue::undefined())
}

/// How a logged value prints.
pub fn display(value: &JsValue, ctx: &mut Context) -> String {
    if let Some(s) = value.as_string() {
        return s.to_std_string_lossy();
    }
    if let Some(obj) = value.as_object() {
        // Error objects print as `Name: message`, as njs prints them, not as `{}`.
        if obj.is::<boa_engine::builtins::error::Error>() {
            return crate::error_text::runtime_error(
                &boa_engine::JsError::from_opaque(value.clone()),
                ctx,
            );
        }
    }
    if value.is_object() && !value.is_callable() {
        if let Ok(Some(json)) = to_json(value, ctx) {
            return json.to_string();
        }
    }
    value.display().to_string()
}

/// Reads a byte string (one byte per UTF-16 code unit, each 0..=255).
pub fn byte_string(value: Option<&JsValue>, what: &str) -> JsResult<Vec<u8>> {
    let s = value.and_then(JsValue::as_string).ok_or_else(|| {
        JsNativeError::typ().with_message(format!("{what} must be a byte string"))
    })?;
    s.iter()
        .map(|u| {
            u8::try_from(u).map_err(|_| {
                JsNativeError::typ()
                    .with_message(format!("{what} is not a byte string"))
                    .into()
            })
        })
        .collect()
}

pub fn to_byte_string(bytes: &[u8]) -> JsValue {
    let units: Vec<u16> = bytes.iter().map(|&b| u16::from(b)).collect();
    JsString::from(units.as_slice()).into()
}

fn algorithm(args: &[JsValue]) -> JsResult<String> {
    args.first()
        .and_then(JsValue::as_string)
        .map(|s| s.to_std_string_lossy())
        .ok_or_else(|| {
            JsNativeError::typ()
                .with_message("algorithm must be a string")
                .into()
        })
}

fn unsupported(alg: &str) -> boa_engine::JsError {
    JsNativeError::typ()
        .with_message(format!("Digest method not supported: \"{alg}\""))
        .into()
}

fn digest(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let alg = algorithm(args)?;
    let data = byte_string(args.get(1), "data")?;
    let out = match alg.as_str() {
        "md5" => Md5::digest(&data).to_vec(),
        "sha1" => Sha1::digest(&data).to_vec(),
        "sha256" => Sha256::digest(&data).to_vec(),
        other => return Err(unsupported(other)),
    };
    Ok(to_byte_string(&out))
}

fn hmac(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let alg = algorithm(args)?;
    let key = byte_string(args.get(1), "key")?;
    let data = byte_string(args.get(2), "data")?;
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC accepts keys of any length, so new_from_slice cannot fail.
        let mut m = <M as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }
    let out = match alg.as_str() {
        "md5" => mac::<Hmac<Md5>>(&key, &data),
        "sha1" => mac::<Hmac<Sha1>>(&key, &data),
        "sha256" => mac::<Hmac<Sha256>>(&key, &data),
        other => return Err(unsupported(other)),
    };
    Ok(to_byte_string(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_stop_at_10_kb() {
        let mut s = HostState::default();
        for _ in 0..20 {
            s.log("x".repeat(1000));
        }
        let total: usize = s.logs.iter().map(String::len).sum();
        assert_eq!(total, MAX_LOG_BYTES);
        assert!(s.logs_truncated);
    }
}
