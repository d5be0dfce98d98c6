//! The prelude's byte encodings (UTF-8, hex, base64) done natively.
//!
//! Buffer, TextEncoder/TextDecoder, atob/btoa and the crypto module all funnel through these.
//! Written in JS they cost boa ~1 µs per byte, which put a JWT check at ~0.9 ms, most of the
//! 1 ms budget; natively they are noise. Semantics follow Node (whose behaviour the prelude's
//! tests compare against): lone surrogates encode as U+FFFD, decoding replaces each maximal
//! invalid subpart with U+FFFD. Decoding follows njs: base64 stops at the first character outside
//! its alphabet, hex at the first invalid pair.

use base64::Engine as _;
use boa_engine::object::builtins::JsUint8Array;
use boa_engine::object::ObjectInitializer;
use boa_engine::{
    js_string, Context, JsNativeError, JsObject, JsResult, JsString, JsValue, NativeFunction,
};

use crate::budget::Native;

type NativeFn = fn(&JsValue, &[JsValue], &mut Context) -> JsResult<JsValue>;

/// Adds the encoders to the `__cf_native` object under construction.
pub fn install(native: &mut ObjectInitializer<'_>) {
    let natives: [(&str, NativeFn, usize); 9] = [
        ("utf8Encode", utf8_encode, 1),
        ("utf8Decode", utf8_decode, 4),
        ("hexEncode", hex_encode, 3),
        ("hexDecode", hex_decode, 1),
        ("base64Encode", base64_encode, 4),
        ("base64Decode", base64_decode, 2),
        ("utf8Binary", utf8_binary, 1),
        ("encodeBinary", encode_binary, 2),
        ("jsonParse", json_parse, 1),
    ];
    for (name, f, length) in natives {
        native.function(NativeFunction::from_fn_ptr(f), JsString::from(name), length);
    }
}

/// `utf8Binary(str)`: the UTF-8 bytes of `str` as a byte string, which is what the crypto
/// natives take. An ASCII string is its own byte string, so it comes back untouched.
fn utf8_binary(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0)?;
    charge(ctx, s.len());
    if s.iter().all(|u| u < 0x80) {
        return Ok(s.into());
    }
    let bytes = encode_utf8(&s.to_vec());
    Ok(to_byte_string(&bytes))
}

/// `encodeBinary(byteString, 'hex' | 'base64' | 'base64url')`: how a digest is printed.
fn encode_binary(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = byte_string(args.first(), "data")?;
    charge(ctx, bytes.len());
    let encoding = string_arg(args, 1)?.to_std_string_lossy();
    let text = match encoding.as_str() {
        "hex" => encode_hex(&bytes),
        "base64" => base64::engine::general_purpose::STANDARD.encode(&bytes),
        "base64url" => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
        other => {
            return Err(JsNativeError::typ()
                .with_message(format!("encodeBinary: unknown encoding {other}"))
                .into())
        }
    };
    Ok(JsString::from(text.as_str()).into())
}

/// `jsonParse(text)`: `JSON.parse` without a reviver, parsed by serde_json (boa's own parser
/// costs ~15 µs for a 60-byte JWT payload). Returns `undefined` whenever it cannot be sure to
/// match `JSON.parse` exactly (invalid JSON, lone surrogates, `__proto__`, `-0`), and the prelude
/// then calls the engine's `JSON.parse`, which also produces the error.
fn json_parse(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let Some(text) = args.first().and_then(JsValue::as_string) else {
        return Ok(JsValue::undefined());
    };
    crate::state::charge(ctx, Native::Json, text.len());
    let Ok(text) = text.to_std_string() else {
        return Ok(JsValue::undefined());
    };
    // `__proto__` must become an own property, and `-0` keep its sign; serde_json does neither.
    if text.contains("__proto__") || text.contains("-0") {
        return Ok(JsValue::undefined());
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(value) => Ok(crate::convert::to_js(&value, ctx)),
        Err(_) => Ok(JsValue::undefined()),
    }
}

/// Charges an encoding call over `bytes` of input (budget.rs).
fn charge(ctx: &Context, bytes: usize) {
    crate::state::charge(ctx, Native::Encoding, bytes);
}

fn string_arg(args: &[JsValue], i: usize) -> JsResult<JsString> {
    args.get(i).and_then(JsValue::as_string).ok_or_else(|| {
        JsNativeError::typ()
            .with_message("expected a string")
            .into()
    })
}

/// Reads `bytes[start..end)` from an array or typed array of numbers 0..=255.
fn bytes_arg(args: &[JsValue], ctx: &mut Context) -> JsResult<Vec<u8>> {
    let obj: JsObject = args
        .first()
        .and_then(JsValue::as_object)
        .ok_or_else(|| JsNativeError::typ().with_message("expected bytes"))?;
    let len = obj.get(js_string!("length"), ctx)?.to_length(ctx)?;
    let index = |i: usize, default: u64, ctx: &mut Context| -> JsResult<u64> {
        match args.get(i) {
            Some(v) if !v.is_undefined() => Ok(v.to_length(ctx)?.min(len)),
            _ => Ok(default),
        }
    };
    let start = index(1, 0, ctx)?;
    let end = index(2, len, ctx)?.max(start);
    if let Ok(typed) = JsUint8Array::from_object(obj.clone()) {
        // Buffers and Uint8Arrays: read the elements directly, not property by property.
        let (skip, take) = (start as usize, (end - start) as usize);
        return Ok(typed.iter(ctx).skip(skip).take(take).collect());
    }
    let mut out = Vec::with_capacity((end - start) as usize);
    for i in start..end {
        out.push(obj.get(i, ctx)?.to_u32(ctx)? as u8);
    }
    Ok(out)
}

/// Bytes for the prelude, as a Uint8Array (its helpers take arrays or typed arrays alike).
fn to_array(bytes: &[u8], ctx: &mut Context) -> JsResult<JsValue> {
    Ok(JsUint8Array::from_iter(bytes.iter().copied(), ctx)?.into())
}

/// Encodes a JS string as UTF-8 bytes (an Array); lone surrogates become U+FFFD.
pub fn encode_utf8(units: &[u16]) -> Vec<u8> {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect::<String>()
        .into_bytes()
}

fn utf8_encode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0)?;
    charge(ctx, s.len());
    to_array(&encode_utf8(&s.to_vec()), ctx)
}

/// `utf8Decode(bytes, start, end, fatal)`: a string, or `null` when `fatal` and invalid.
fn utf8_decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_arg(args, ctx)?;
    charge(ctx, bytes.len());
    let fatal = args.get(3).is_some_and(JsValue::to_boolean);
    let text = if fatal {
        match std::str::from_utf8(&bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => return Ok(JsValue::null()),
        }
    } else {
        String::from_utf8_lossy(&bytes)
    };
    Ok(JsString::from(text.as_ref()).into())
}

fn hex_encode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_arg(args, ctx)?;
    charge(ctx, bytes.len());
    Ok(JsString::from(encode_hex(&bytes).as_str()).into())
}

/// Lower-case hex, two digits per byte (Node's `'hex'`).
fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Pairs of hex digits up to the first invalid pair (Node and njs agree).
pub fn decode_hex(units: &[u16]) -> Vec<u8> {
    // njs reads the string's UTF-8 bytes, so any non-ASCII character is an invalid digit.
    let digit = |u: u16| {
        u8::try_from(u)
            .ok()
            .filter(u8::is_ascii)
            .and_then(|b| char::from(b).to_digit(16))
    };
    units
        .chunks_exact(2)
        .map_while(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

fn hex_decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0)?;
    charge(ctx, s.len());
    to_array(&decode_hex(&s.to_vec()), ctx)
}

fn base64_encode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_arg(args, ctx)?;
    charge(ctx, bytes.len());
    let url = args.get(3).is_some_and(JsValue::to_boolean);
    // Standard base64 is padded, base64url is not (as Node).
    let s = if url {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    } else {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    Ok(JsString::from(s.as_str()).into())
}

/// As njs decodes base64: up to the first character outside the alphabet (`+/` for base64,
/// `-_` for base64url) or the first `=`; a final group of one character is dropped. Tokens
/// that arrive URL-encoded (`…%3D%3D`) thus decode to what they carry.
pub fn decode_base64(units: &[u16], url: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &u in units {
        let Ok(c) = u8::try_from(u) else { break };
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' if !url => 62,
            b'/' if !url => 63,
            b'-' if url => 62,
            b'_' if url => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn base64_decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0)?;
    charge(ctx, s.len());
    let url = args.get(1).is_some_and(JsValue::to_boolean);
    to_array(&decode_base64(&s.to_vec(), url), ctx)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn utf8_replaces_lone_surrogates() {
        assert_eq!(encode_utf8(&units("é😀")), "é😀".as_bytes());
        assert_eq!(encode_utf8(&[0x61, 0xD800, 0x62]), b"a\xEF\xBF\xBDb");
    }

    #[test]
    fn hex_is_lower_case_two_digits_per_byte() {
        assert_eq!(encode_hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
    }

    #[test]
    fn hex_stops_at_the_first_invalid_pair() {
        assert_eq!(decode_hex(&units("00fFzz10")), [0x00, 0xff]);
        assert_eq!(decode_hex(&units("abc")), [0xab]);
    }

    #[test]
    fn base64_stops_at_the_first_character_outside_the_alphabet_as_njs() {
        assert_eq!(decode_base64(&units("aGk="), false), b"hi");
        assert_eq!(decode_base64(&units("bG9nZ2luZw%3D%3D"), true), b"logging");
        assert_eq!(decode_base64(&units("a G\nk"), false), b"");
        assert_eq!(decode_base64(&units("-_-_"), true), [0xfb, 0xff, 0xbf]);
        assert_eq!(decode_base64(&units("-_-_"), false), b"");
        assert_eq!(decode_base64(&units("aGk=aGk="), false), b"hi");
    }
}
