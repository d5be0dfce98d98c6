//! Built-ins that can allocate a lot, or loop for a long time, in one native call: checked
//! against the run's memory quota (`crate::quota`) *before* they run, because the engine gives no
//! chance to stop them halfway (boa checks deadlines only between instructions).
//!
//! - `String.prototype.repeat` is our own: boa's charges every copy against the loop-iteration
//!   limit (so `'x'.repeat(1048576)` failed with "maximum number of iteration loops") and
//!   reserves one 24-byte slice per copy before building (so `'x'.repeat(1e9)` asked the system
//!   for 24 GB and aborted the process).
//! - `padStart`, `padEnd`, `concat` and `join` refuse a result that would not fit the quota.
//! - Array methods that walk `length` elements in native code (`fill`, `join`, `indexOf`, …)
//!   refuse arrays longer than the quota could hold at 8 bytes an element: such an array cannot
//!   exist in a 2 MB function, and walking a sparse one of length 2e8 takes a minute.

use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::PropertyDescriptor;
use boa_engine::string::JsStr;
use boa_engine::value::IntegerOrInfinity;
use boa_engine::{
    js_string, Context, JsArgs, JsNativeError, JsObject, JsResult, JsString, JsValue,
    NativeFunction,
};

use crate::limits::MEMORY_QUOTA_BYTES;
use crate::quota::{credit, ensure_room};

/// The longest array a native walk is allowed over (see the module comment).
const MAX_ELEMENTS: u64 = MEMORY_QUOTA_BYTES / 8;

type Estimate = fn(&JsValue, &[JsValue], &mut Context) -> JsResult<u64>;

/// Replaces the guarded built-ins of `ctx`'s realm.
pub fn install(ctx: &mut Context) -> JsResult<()> {
    let string = ctx.intrinsics().constructors().string().prototype();
    let array = ctx.intrinsics().constructors().array().prototype();
    define(
        ctx,
        &string,
        "repeat",
        1,
        NativeFunction::from_fn_ptr(repeat),
    )?;
    wrap(ctx, &string, "padStart", 1, pad_bytes)?;
    wrap(ctx, &string, "padEnd", 1, pad_bytes)?;
    wrap(ctx, &string, "concat", 1, string_concat_bytes)?;
    wrap(ctx, &array, "join", 1, join_bytes)?;
    wrap(ctx, &array, "concat", 1, array_concat_bytes)?;
    for name in [
        "fill",
        "indexOf",
        "lastIndexOf",
        "includes",
        "reverse",
        "sort",
        "forEach",
        "map",
        "filter",
        "some",
        "every",
        "reduce",
        "reduceRight",
        "find",
        "findIndex",
        "findLast",
        "findLastIndex",
        "copyWithin",
    ] {
        wrap(ctx, &array, name, 1, walk_bytes)?;
    }
    Ok(())
}

fn define(
    ctx: &mut Context,
    target: &JsObject,
    name: &str,
    length: usize,
    f: NativeFunction,
) -> JsResult<()> {
    let name = JsString::from(name);
    let function = FunctionObjectBuilder::new(ctx.realm(), f)
        .name(name.clone())
        .length(length)
        .constructor(false)
        .build();
    target.define_property_or_throw(
        name,
        PropertyDescriptor::builder()
            .value(function)
            .writable(true)
            .enumerable(false)
            .configurable(true),
        ctx,
    )?;
    Ok(())
}

/// Puts a check in front of the built-in `name`: `estimate` says how many bytes the call will
/// allocate, and the call is refused if they would take the run past its quota.
fn wrap(
    ctx: &mut Context,
    target: &JsObject,
    name: &str,
    length: usize,
    estimate: Estimate,
) -> JsResult<()> {
    let original = target.get(JsString::from(name), ctx)?;
    let Some(original) = original.as_object() else {
        return Ok(());
    };
    let f = NativeFunction::from_copy_closure_with_captures(
        move |this, args, original: &JsObject, ctx| {
            ensure_room(estimate(this, args, ctx)?)?;
            original.call(this, args, ctx)
        },
        original.clone(),
    );
    define(ctx, target, name, length, f)
}

/// The `length` of `this` if it is an object (arrays and array-likes), without side effects
/// beyond a property read.
fn length_of(this: &JsValue, ctx: &mut Context) -> JsResult<u64> {
    let Some(obj) = this.as_object() else {
        return Ok(0);
    };
    let len = obj.get(js_string!("length"), ctx)?.to_length(ctx)?;
    Ok(len)
}

fn string_len(value: &JsValue) -> u64 {
    value.as_string().map_or(0, |s| s.len() as u64)
}

/// 1 byte a character for Latin-1 strings, 2 otherwise (boa's two representations).
fn char_bytes(value: &JsValue) -> u64 {
    match value.as_string() {
        Some(s) if !s.as_str().is_latin1() => 2,
        _ => 1,
    }
}

fn walk_bytes(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<u64> {
    let len = length_of(this, ctx)?;
    Ok(if len > MAX_ELEMENTS { u64::MAX } else { 0 })
}

fn join_bytes(this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<u64> {
    let len = length_of(this, ctx)?;
    if len > MAX_ELEMENTS {
        return Ok(u64::MAX);
    }
    let sep = match args.first() {
        None => 1,
        Some(v) if v.is_undefined() => 1,
        Some(v) => string_len(v) * char_bytes(v),
    };
    Ok(len.saturating_sub(1).saturating_mul(sep))
}

fn array_concat_bytes(this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<u64> {
    let mut total = length_of(this, ctx)?;
    for arg in args {
        total = total.saturating_add(if arg.is_object() {
            length_of(arg, ctx)?
        } else {
            1
        });
    }
    Ok(if total > MAX_ELEMENTS { u64::MAX } else { 0 })
}

fn string_concat_bytes(this: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<u64> {
    let mut total = string_len(this) * char_bytes(this);
    for arg in args {
        total = total.saturating_add(string_len(arg) * char_bytes(arg));
    }
    Ok(total)
}

fn pad_bytes(this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<u64> {
    let max = match args.get_or_undefined(0).to_integer_or_infinity(ctx)? {
        IntegerOrInfinity::Integer(i) => u64::try_from(i).unwrap_or(0),
        IntegerOrInfinity::PositiveInfinity => u64::MAX,
        IntegerOrInfinity::NegativeInfinity => 0,
    };
    Ok(max.saturating_mul(char_bytes(this)))
}

/// `String.prototype.repeat(count)` (ECMA-262 §22.1.3.18), built in one allocation of the
/// result after checking it fits the quota.
fn repeat(this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let this = this.require_object_coercible()?;
    let string = this.to_string(ctx)?;
    let n = match args.get_or_undefined(0).to_integer_or_infinity(ctx)? {
        IntegerOrInfinity::Integer(i) if i >= 0 => i as u64,
        IntegerOrInfinity::PositiveInfinity => {
            return Err(JsNativeError::range()
                .with_message("String.prototype.repeat: count must be less than infinity")
                .into())
        }
        _ => {
            return Err(JsNativeError::range()
                .with_message("String.prototype.repeat: count must be non-negative")
                .into())
        }
    };
    if n == 0 || string.is_empty() {
        return Ok(js_string!().into());
    }
    let units = (string.len() as u64).saturating_mul(n);
    if units > u64::from(u32::MAX) {
        return Err(JsNativeError::range()
            .with_message("Invalid string length")
            .into());
    }
    let latin1 = string.as_str().is_latin1();
    ensure_room(units * if latin1 { 1 } else { 2 })?;
    let n = n as usize;
    // The buffer is a copy the engine makes once more into the string; only the string is
    // the function's memory, so the buffer is credited back.
    let result = match string.as_str().variant() {
        boa_engine::string::JsStrVariant::Latin1(bytes) => {
            let buffer = bytes.repeat(n);
            let s = JsString::from(JsStr::latin1(&buffer));
            credit(buffer.len() as u64);
            s
        }
        boa_engine::string::JsStrVariant::Utf16(chars) => {
            let buffer = chars.repeat(n);
            let s = JsString::from(&buffer[..]);
            credit(buffer.len() as u64 * 2);
            s
        }
    };
    Ok(result.into())
}
