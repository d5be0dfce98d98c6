//! JavaScript values to JSON with `JSON.stringify` semantics, done on the Rust side.
//!
//! boa's own `JsValue::to_json` copies non-enumerable properties, turns functions into objects
//! and does not call getters, so a request object carrying `rawQueryString()` would come back
//! wrong. Calling the engine's `JSON.stringify` is correct but ~5× slower (engines.md §3.2).

use std::collections::HashSet;

use boa_engine::object::builtins::JsArray;
use boa_engine::property::PropertyKey;
use boa_engine::value::JsVariant;
use boa_engine::{Context, JsNativeError, JsObject, JsResult, JsValue};
use serde_json::{Map, Number, Value};

/// Converts like `JSON.stringify` would: own enumerable string keys in property order, skipping
/// `undefined`, functions and symbols (as `null` inside arrays), NaN/±Infinity as `null`, integral
/// numbers as integers. Returns `None` for a top-level `undefined` or function.
pub fn to_json(value: &JsValue, ctx: &mut Context) -> JsResult<Option<Value>> {
    Converter {
        seen: HashSet::new(),
    }
    .convert(value, ctx)
}

struct Converter {
    seen: HashSet<JsObject>,
}

/// Objects nested deeper than this are refused, so hostile output cannot exhaust the Rust stack.
const MAX_DEPTH: usize = 64;

impl Converter {
    fn convert(&mut self, value: &JsValue, ctx: &mut Context) -> JsResult<Option<Value>> {
        Ok(match value.variant() {
            JsVariant::Null => Some(Value::Null),
            JsVariant::Undefined | JsVariant::Symbol(_) => None,
            JsVariant::Boolean(b) => Some(Value::Bool(b)),
            JsVariant::String(s) => Some(Value::String(s.to_std_string_lossy())),
            JsVariant::Integer32(i) => Some(Value::from(i)),
            JsVariant::Float64(f) => Some(number(f)),
            JsVariant::BigInt(_) => {
                return Err(JsNativeError::typ()
                    .with_message("BigInt value can't be serialized in JSON")
                    .into())
            }
            JsVariant::Object(obj) => {
                if obj.is_callable() {
                    return Ok(None);
                }
                if self.seen.len() >= MAX_DEPTH {
                    return Err(JsNativeError::range()
                        .with_message("object nested too deeply to serialize")
                        .into());
                }
                if !self.seen.insert(obj.clone()) {
                    return Err(JsNativeError::typ()
                        .with_message("Converting circular structure to JSON")
                        .into());
                }
                let out = if obj.is_array() {
                    self.array(&obj, ctx)
                } else {
                    self.object(&obj, ctx)
                };
                self.seen.remove(&obj);
                Some(out?)
            }
        })
    }

    fn array(&mut self, obj: &JsObject, ctx: &mut Context) -> JsResult<Value> {
        let len = JsArray::from_object(obj.clone())?.length(ctx)?;
        let mut out = Vec::with_capacity(len.min(1024) as usize);
        for i in 0..len {
            let item = obj.get(i, ctx)?;
            out.push(self.convert(&item, ctx)?.unwrap_or(Value::Null));
        }
        Ok(Value::Array(out))
    }

    fn object(&mut self, obj: &JsObject, ctx: &mut Context) -> JsResult<Value> {
        let mut map = Map::new();
        for key in obj.own_property_keys(ctx)? {
            let name = match &key {
                PropertyKey::String(s) => s.to_std_string_lossy(),
                PropertyKey::Index(i) => i.get().to_string(),
                PropertyKey::Symbol(_) => continue,
            };
            let enumerable = obj
                .borrow()
                .properties()
                .get(&key)
                .is_none_or(|d| d.enumerable().unwrap_or(false));
            if !enumerable {
                continue;
            }
            let item = obj.get(key, ctx)?;
            if let Some(v) = self.convert(&item, ctx)? {
                map.insert(name, v);
            }
        }
        Ok(Value::Object(map))
    }
}

fn number(f: f64) -> Value {
    if !f.is_finite() {
        return Value::Null;
    }
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        // JSON.stringify(301) is "301", never "301.0"; -0 prints as 0.
        return Value::from(f as i64);
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use boa_engine::Source;
    use serde_json::json;

    fn eval(src: &str) -> Option<Value> {
        let mut ctx = Context::default();
        let v = ctx.eval(Source::from_bytes(src)).unwrap();
        to_json(&v, &mut ctx).unwrap()
    }

    #[test]
    fn behaves_like_json_stringify() {
        assert_eq!(
            eval("({b: 1, a: 'x', u: undefined, f: function () {}, n: null, d: 1.5, i: 301.0})"),
            Some(json!({"b": 1, "a": "x", "n": null, "d": 1.5, "i": 301}))
        );
        assert_eq!(
            eval("[1, undefined, function () {}, NaN]"),
            Some(json!([1, null, null, null]))
        );
        assert_eq!(eval("undefined"), None);
    }

    #[test]
    fn skips_non_enumerable_properties_and_calls_getters() {
        assert_eq!(
            eval("var o = {a: 1}; Object.defineProperty(o, 'h', {value: 2, enumerable: false}); Object.defineProperty(o, 'g', {get: function () { return 3; }, enumerable: true}); o"),
            Some(json!({"a": 1, "g": 3}))
        );
    }

    #[test]
    fn cycles_are_an_error_not_a_hang() {
        let mut ctx = Context::default();
        let v = ctx
            .eval(Source::from_bytes("var o = {}; o.self = o; o"))
            .unwrap();
        assert!(to_json(&v, &mut ctx).is_err());
    }
}
