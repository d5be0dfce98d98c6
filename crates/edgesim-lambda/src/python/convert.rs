//! Hand-written conversion between `serde_json::Value` and Python objects (engines.md §4.3:
//! faster than `json.loads`/`dumps` round trips and than `pythonize`).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Deepest nesting converted back from Python; deeper results (or cycles) are refused.
const MAX_DEPTH: usize = 512;

/// A JSON value as the equivalent Python object (`dict`, `list`, `str`, `int`, `float`,
/// `bool`, `None`), as `json.loads` would build it.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A handler's return value as JSON, as Lambda's `json.dumps` would serialise it: dicts with
/// string keys (ints, floats, bools and None as keys are turned into strings), lists and tuples,
/// strings, ints, finite floats, bools, None. Anything else is a `Runtime.MarshalError`.
pub(crate) fn from_py(object: &Bound<'_, PyAny>) -> Result<Value, String> {
    convert(object, 0)
}

fn convert(object: &Bound<'_, PyAny>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("Circular reference detected or nesting too deep".to_owned());
    }
    if object.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = object.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = object.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err("Integer is too large to serialise".to_owned());
    }
    if let Ok(f) = object.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| "Out of range float values are not JSON compliant".to_owned());
    }
    if let Ok(s) = object.cast::<PyString>() {
        return s
            .to_str()
            .map(|s| Value::String(s.to_owned()))
            .map_err(|e| e.to_string());
    }
    if let Ok(dict) = object.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key = dict_key(&key)?;
            map.insert(key, convert(&item, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = object.cast::<PyList>() {
        let mut items = Vec::with_capacity(list.len());
        for item in list.iter() {
            items.push(convert(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(tuple) = object.cast::<PyTuple>() {
        let mut items = Vec::with_capacity(tuple.len());
        for item in tuple.iter() {
            items.push(convert(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let type_name = object
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    Err(format!(
        "Object of type {type_name} is not JSON serializable"
    ))
}

/// `json.dumps` accepts str, int, float, bool and None keys and turns them into strings.
fn dict_key(key: &Bound<'_, PyAny>) -> Result<String, String> {
    if let Ok(s) = key.cast::<PyString>() {
        return s.to_str().map(str::to_owned).map_err(|e| e.to_string());
    }
    if key.is_none() {
        return Ok("null".to_owned());
    }
    if let Ok(b) = key.cast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_owned());
    }
    if key.cast::<PyInt>().is_ok() || key.cast::<PyFloat>().is_ok() {
        return key
            .str()
            .and_then(|s| s.to_str().map(str::to_owned))
            .map_err(|e| e.to_string());
    }
    let type_name = key
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    Err(format!(
        "keys must be str, int, float, bool or None, not {type_name}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_python_objects() {
        let value = json!({
            "s": "é", "i": -3, "u": u64::MAX, "f": 1.5, "t": true, "n": null,
            "a": [1, {"k": []}], "o": {}
        });
        Python::attach(|py| {
            let object = to_py(py, &value).unwrap();
            assert_eq!(from_py(&object).unwrap(), value);
        });
    }

    #[test]
    fn python_only_values_follow_json_dumps() {
        Python::attach(|py| {
            let object = py
                .eval(c"({1: (1, 2), None: 'x', False: 2.0})", None, None)
                .unwrap();
            assert_eq!(
                from_py(&object).unwrap(),
                json!({"1": [1, 2], "null": "x", "false": 2.0})
            );
            let bytes = py.eval(c"{'b': b'x'}", None, None).unwrap();
            assert_eq!(
                from_py(&bytes).unwrap_err(),
                "Object of type bytes is not JSON serializable"
            );
            let nan = py.eval(c"float('nan')", None, None).unwrap();
            assert!(from_py(&nan).is_err());
            let cycle = py
                .eval(c"(lambda l: (l.append(l), l)[1])([])", None, None)
                .unwrap();
            assert!(from_py(&cycle).is_err());
        });
    }
}
