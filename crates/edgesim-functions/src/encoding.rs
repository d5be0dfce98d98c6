//! The prelude's byte encodings (UTF-8, hex, base64) done natively.
//!
//! Buffer, TextEncoder/TextDecoder, atob/btoa and the crypto module all funnel through these.
//! Written in JS they cost boa ~1 µs per byte, which put a JWT check at ~0.9 ms, most of the
//! 1 ms budget; natively they are noise. Semantics follow Node (whose behaviour the prelude's
//! tests compare against): lone surrogates encode as U+FFFD, decoding replaces each maximal
//! invalid subpart with U+FFFD, base64 decoding is lenient and hex decoding stops at the first
//! invalid pair, both looking only at the low byte of each code unit.

use base64::Engine as _;
use boa_engine::object::builtins::JsArray;
use boa_engine::object::ObjectInitializer;
use boa_engine::{
    js_string, Context, JsNativeError, JsObject, JsResult, JsString, JsValue, NativeFunction,
};

/// Adds the encoders to the `__cf_native` object under construction.
pub fn install(native: &mut ObjectInitializer<'_>) {
    native
        .function(
            NativeFunction::from_fn_ptr(utf8_encode),
            js_string!("utf8Encode"),
            1,
        )
        .function(
            NativeFunction::from_fn_ptr(utf8_decode),
            js_string!("utf8Decode"),
            4,
        )
        .function(
            NativeFunction::from_fn_ptr(hex_encode),
            js_string!("hexEncode"),
            3,
        )
        .function(
            NativeFunction::from_fn_ptr(hex_decode),
            js_string!("hexDecode"),
            1,
        )
        .function(
            NativeFunction::from_fn_ptr(base64_encode),
            js_string!("base64Encode"),
            4,
        )
        .function(
            NativeFunction::from_fn_ptr(base64_decode),
            js_string!("base64Decode"),
            1,
        );
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
    let mut out = Vec::with_capacity((end - start) as usize);
    for i in start..end {
        out.push(obj.get(i, ctx)?.to_u32(ctx)? as u8);
    }
    Ok(out)
}

fn to_array(bytes: &[u8], ctx: &mut Context) -> JsValue {
    JsArray::from_iter(bytes.iter().map(|&b| JsValue::from(b)), ctx).into()
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
    Ok(to_array(&encode_utf8(&s.to_vec()), ctx))
}

/// `utf8Decode(bytes, start, end, fatal)`: a string, or `null` when `fatal` and invalid.
fn utf8_decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_arg(args, ctx)?;
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
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    Ok(JsString::from(s.as_str()).into())
}

/// Pairs of hex digits up to the first invalid pair (Node and njs agree).
pub fn decode_hex(units: &[u16]) -> Vec<u8> {
    let digit = |u: u16| (char::from((u & 0xFF) as u8)).to_digit(16);
    units
        .chunks_exact(2)
        .map_while(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

fn hex_decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0)?;
    Ok(to_array(&decode_hex(&s.to_vec()), ctx))
}

fn base64_encode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_arg(args, ctx)?;
    let url = args.get(3).is_some_and(JsValue::to_boolean);
    // Standard base64 is padded, base64url is not (as Node).
    let s = if url {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    } else {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    Ok(JsString::from(s.as_str()).into())
}

/// Lenient like Node: both alphabets, other characters skipped, stops at the first `=`.
pub fn decode_base64(units: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &u in units {
        let c = (u & 0xFF) as u8;
        let v = match c {
            b'=' => break,
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
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
    Ok(to_array(&decode_base64(&s.to_vec()), ctx))
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
    fn hex_stops_at_the_first_invalid_pair() {
        assert_eq!(decode_hex(&units("00fFzz10")), [0x00, 0xff]);
        assert_eq!(decode_hex(&units("abc")), [0xab]);
    }

    #[test]
    fn base64_is_lenient_like_node() {
        assert_eq!(decode_base64(&units("aGk=")), b"hi");
        assert_eq!(decode_base64(&units("a G\nk")), b"hi");
        assert_eq!(decode_base64(&units("-_-_")), [0xfb, 0xff, 0xbf]);
        assert_eq!(decode_base64(&units("aGk=aGk=")), b"hi");
    }
}
