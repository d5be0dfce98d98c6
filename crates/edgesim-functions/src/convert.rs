//! Events into the engine and results out of it, both done on the Rust side.
//!
//! In: [`to_js`] builds plain objects the way an object literal would. boa's own
//! `JsValue::from_json` gives every object a private property hash table ("unique shape"),
//! which made building the event the largest cost of a run inside `serve` (a quarter of all CPU
//! time under load); objects built here share shapes, as those of JS code do.
//!
//! Out: [`to_json`] follows `JSON.stringify`. boa's `JsValue::to_json` copies non-enumerable
//! properties, turns functions into objects and does not call getters, so a request object
//! carrying `rawQueryString()` would come back wrong. Calling the engine's `JSON.stringify` is
//! correct but ~5× slower (engines.md §3.2).

use boa_engine::builtins::object::OrdinaryObject;
use boa_engine::object::builtins::JsArray;
use boa_engine::object::ObjectInitializer;
use boa_engine::property::{PropertyDescriptor, PropertyKey};
use boa_engine::string::JsStrVariant;
use boa_engine::value::JsVariant;
use boa_engine::{js_string, Context, JsNativeError, JsObject, JsResult, JsString, JsValue};
use serde_json::{Map, Number, Value};

/// A JSON value as a JavaScript value: objects are ordinary objects with `Object.prototype`,
/// shared shapes and writable, enumerable, configurable data properties (what `JSON.parse`
/// would give).
pub fn to_js(value: &Value, ctx: &mut Context) -> JsValue {
    match value {
        Value::Null => JsValue::null(),
        Value::Bool(b) => JsValue::new(*b),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => JsValue::new(i),
            None => JsValue::new(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => JsString::from(s.as_str()).into(),
        Value::Array(items) => {
            let items: Vec<JsValue> = items.iter().map(|v| to_js(v, ctx)).collect();
            JsArray::from_iter(items, ctx).into()
        }
        Value::Object(map) => {
            let obj = ObjectInitializer::with_native_data(OrdinaryObject, ctx).build();
            for (key, item) in map {
                let item = to_js(item, ctx);
                obj.insert_property(
                    event_key(key),
                    PropertyDescriptor::builder()
                        .value(item)
                        .writable(true)
                        .enumerable(true)
                        .configurable(true),
                );
            }
            obj.into()
        }
    }
}

/// The event's fixed property names as static strings (no allocation per run).
fn event_key(key: &str) -> JsString {
    match key {
        "value" => js_string!("value"),
        "multiValue" => js_string!("multiValue"),
        "headers" => js_string!("headers"),
        "cookies" => js_string!("cookies"),
        "querystring" => js_string!("querystring"),
        "attributes" => js_string!("attributes"),
        "request" => js_string!("request"),
        "response" => js_string!("response"),
        "method" => js_string!("method"),
        "uri" => js_string!("uri"),
        "statusCode" => js_string!("statusCode"),
        "statusDescription" => js_string!("statusDescription"),
        "version" => js_string!("version"),
        "context" => js_string!("context"),
        "viewer" => js_string!("viewer"),
        "ip" => js_string!("ip"),
        "eventType" => js_string!("eventType"),
        "requestId" => js_string!("requestId"),
        "distributionId" => js_string!("distributionId"),
        "distributionDomainName" => js_string!("distributionDomainName"),
        "host" => js_string!("host"),
        _ => JsString::from(key),
    }
}

/// Converts like `JSON.stringify` would: own enumerable string keys in property order, skipping
/// `undefined`, functions and symbols (as `null` inside arrays), NaN/±Infinity as `null`, integral
/// numbers as integers. Returns `None` for a top-level `undefined` or function.
pub fn to_json(value: &JsValue, ctx: &mut Context) -> JsResult<Option<Value>> {
    Converter { seen: Vec::new() }.convert(value, ctx)
}

struct Converter {
    /// The objects being converted, outermost first (for cycle detection; at most `MAX_DEPTH`).
    seen: Vec<JsObject>,
}

/// Objects nested deeper than this are refused, so hostile output cannot exhaust the Rust stack.
const MAX_DEPTH: usize = 64;

impl Converter {
    fn convert(&mut self, value: &JsValue, ctx: &mut Context) -> JsResult<Option<Value>> {
        Ok(match value.variant() {
            JsVariant::Null => Some(Value::Null),
            JsVariant::Undefined | JsVariant::Symbol(_) => None,
            JsVariant::Boolean(b) => Some(Value::Bool(b)),
            JsVariant::String(s) => Some(Value::String(rust_string(&s))),
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
                if self.seen.contains(&obj) {
                    return Err(JsNativeError::typ()
                        .with_message("Converting circular structure to JSON")
                        .into());
                }
                self.seen.push(obj.clone());
                let out = if obj.is_array() {
                    self.array(&obj, ctx)
                } else {
                    self.object(&obj, ctx)
                };
                self.seen.pop();
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
                PropertyKey::String(s) => rust_string(s),
                PropertyKey::Index(i) => i.get().to_string(),
                PropertyKey::Symbol(_) => continue,
            };
            // An ordinary object's own data property is read straight from its storage; getters
            // and exotic objects (whose properties live elsewhere) go through [[Get]].
            let own = obj.borrow().properties().get(&key);
            let item = match own {
                Some(d) if !d.enumerable().unwrap_or(false) => continue,
                Some(d) if d.is_data_descriptor() => d.value().cloned().unwrap_or_default(),
                _ => obj.get(key, ctx)?,
            };
            if let Some(v) = self.convert(&item, ctx)? {
                map.insert(name, v);
            }
        }
        Ok(Value::Object(map))
    }
}

/// A JS string as Rust text; the common all-ASCII case is a plain copy (lone surrogates in
/// UTF-16 strings become U+FFFD, as when Node writes them out).
fn rust_string(s: &JsString) -> String {
    match s.as_str().variant() {
        JsStrVariant::Latin1(bytes) if bytes.is_ascii() => {
            String::from_utf8(bytes.to_vec()).unwrap_or_default()
        }
        JsStrVariant::Latin1(bytes) => bytes.iter().map(|&b| char::from(b)).collect(),
        JsStrVariant::Utf16(_) => s.to_std_string_lossy(),
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

    /// With boa's `fuzz` feature (the instruction counter behind ComputeUtilization, budget.rs)
    /// a default context has no instructions left; give it all of them.
    fn context() -> Context {
        Context::builder()
            .instructions_remaining(usize::MAX)
            .build()
            .unwrap()
    }

    fn eval(src: &str) -> Option<Value> {
        let mut ctx = context();
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
    fn events_go_in_as_json_parse_would_build_them() {
        let mut ctx = context();
        let event = json!({"request": {"uri": "/a", "headers": {"host": {"value": "x"}}, "n": 3000000000u64, "l": [1, "b"]}, "__proto__": 1});
        let value = to_js(&event, &mut ctx);
        ctx.global_object()
            .set(boa_engine::js_string!("e"), value, false, &mut ctx)
            .unwrap();
        let check = ctx
            .eval(Source::from_bytes(
                "Object.getPrototypeOf(e.request) === Object.prototype && Object.keys(e).join() === 'request,__proto__' \
                 && e.request.headers.host.value === 'x' && e.request.n === 3000000000 && Array.isArray(e.request.l) \
                 && Object.getOwnPropertyDescriptor(e.request, 'uri').writable && delete e.request.uri",
            ))
            .unwrap();
        assert_eq!(check, JsValue::new(true));
        let back = ctx.eval(Source::from_bytes("e")).unwrap();
        let mut expected = event.clone();
        expected["request"].as_object_mut().unwrap().remove("uri");
        assert_eq!(to_json(&back, &mut ctx).unwrap(), Some(expected));
    }

    #[test]
    fn cycles_are_an_error_not_a_hang() {
        let mut ctx = context();
        let v = ctx
            .eval(Source::from_bytes("var o = {}; o.self = o; o"))
            .unwrap();
        assert!(to_json(&v, &mut ctx).is_err());
    }
}
