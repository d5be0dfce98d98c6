//! What the host gives a function's engine: `console.log` and the crypto primitives behind the
//! `crypto` module. They write to the per-invocation state (`crate::state`).

use boa_engine::object::ObjectInitializer;
use boa_engine::property::Attribute;
use boa_engine::{js_string, Context, JsNativeError, JsResult, JsValue, NativeFunction};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::budget::Native;
use crate::encoding::{byte_string, to_byte_string};
use crate::error_text::display;
use crate::runtime::Runtime;
use crate::state::{charge, state};

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
    let line = parts.join(" ");
    let st = state(ctx)?;
    let mut st = st.borrow_mut();
    st.work.charge(Native::Log, line.len());
    st.log(line);
    Ok(JsValue::undefined())
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

fn digest(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let alg = algorithm(args)?;
    let data = byte_string(args.get(1), "data")?;
    charge(ctx, Native::Crypto, data.len());
    let out = match alg.as_str() {
        "md5" => Md5::digest(&data).to_vec(),
        "sha1" => Sha1::digest(&data).to_vec(),
        "sha256" => Sha256::digest(&data).to_vec(),
        other => return Err(unsupported(other)),
    };
    Ok(to_byte_string(&out))
}

fn hmac(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let alg = algorithm(args)?;
    let key = byte_string(args.get(1), "key")?;
    let data = byte_string(args.get(2), "data")?;
    charge(ctx, Native::Crypto, key.len() + data.len());
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
