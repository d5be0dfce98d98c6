//! Comparing what a case got with what it expects: exact JSON equality, partial match (every
//! expected field present, recursively; a `"...": "..."` entry makes one object partial), and
//! JSON-path assertions. Mismatches come back as readable lines.

use serde_json::Value;

/// Whether `actual` has everything `expected` has.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .filter(|(k, _)| k.as_str() != "...")
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(a, e)| contains(a, e))
        }
        _ => actual == expected,
    }
}

/// Exact equality, except that an object with a `"..."` key only needs its other keys.
pub fn matches(actual: &Value, expected: &Value, partial: bool) -> bool {
    if partial {
        return contains(actual, expected);
    }
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) if e.contains_key("...") => e
            .iter()
            .filter(|(k, _)| k.as_str() != "...")
            .all(|(k, v)| a.get(k).is_some_and(|av| matches(av, v, false))),
        (Value::Object(a), Value::Object(e)) => {
            a.len() == e.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|av| matches(av, v, false)))
        }
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(a, e)| matches(a, e, false))
        }
        _ => actual == expected,
    }
}

/// `$.a.b[0]["c-d"]`: the value at a JSON path, if any.
pub fn select<'v>(doc: &'v Value, path: &str) -> Result<Option<&'v Value>, String> {
    let rest = path
        .strip_prefix('$')
        .ok_or_else(|| format!("JSON path {path:?} must start with $"))?;
    let mut cur = doc;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n == '.' || n == '[' {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                match cur.get(&name) {
                    Some(v) => cur = v,
                    None => return Ok(None),
                }
            }
            '[' => {
                let mut inner = String::new();
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                    inner.push(n);
                }
                let inner = inner.trim();
                let next = if let Some(key) = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                {
                    cur.get(key)
                } else {
                    let index: usize = inner.parse().map_err(|_| {
                        format!(
                            "JSON path {path:?}: [{inner}] is neither an index nor a quoted key"
                        )
                    })?;
                    cur.get(index)
                };
                match next {
                    Some(v) => cur = v,
                    None => return Ok(None),
                }
            }
            other => return Err(format!("JSON path {path:?}: unexpected {other:?}")),
        }
    }
    Ok(Some(cur))
}

/// One `assert` entry: `{"path": "$…", "equals": v}`, `{"path", "exists": bool}`,
/// `{"path", "contains": "text"}` (strings), `{"path", "matches": {…}}` (partial).
pub fn check_assertion(doc: &Value, assertion: &Value) -> Result<Result<(), String>, String> {
    let path = assertion
        .get("path")
        .and_then(Value::as_str)
        .ok_or("an assertion needs \"path\"")?;
    let found = select(doc, path)?;
    let show = |v: Option<&Value>| v.map_or("nothing".to_owned(), |v| v.to_string());
    if let Some(want) = assertion.get("equals") {
        return Ok(if found == Some(want) {
            Ok(())
        } else {
            Err(format!("{path}: expected {want}, got {}", show(found)))
        });
    }
    if let Some(want) = assertion.get("exists").and_then(Value::as_bool) {
        return Ok(if found.is_some() == want {
            Ok(())
        } else {
            Err(format!(
                "{path}: expected {}, got {}",
                if want { "a value" } else { "nothing" },
                show(found)
            ))
        });
    }
    if let Some(want) = assertion.get("contains").and_then(Value::as_str) {
        return Ok(match found.and_then(Value::as_str) {
            Some(s) if s.contains(want) => Ok(()),
            _ => Err(format!(
                "{path}: expected a string containing {want:?}, got {}",
                show(found)
            )),
        });
    }
    if let Some(want) = assertion.get("matches") {
        return Ok(match found {
            Some(v) if contains(v, want) => Ok(()),
            _ => Err(format!(
                "{path}: expected to contain {want}, got {}",
                show(found)
            )),
        });
    }
    Err(format!(
        "assertion on {path}: give one of equals, exists, contains, matches"
    ))
}

/// `actual` cut down to the keys `expected` has (recursively), so a partial match's diff
/// shows only what was asked for.
pub fn project(actual: &Value, expected: &Value) -> Value {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => Value::Object(
            a.iter()
                .filter_map(|(k, v)| e.get(k).map(|ev| (k.clone(), project(v, ev))))
                .collect(),
        ),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => {
            Value::Array(a.iter().zip(e).map(|(a, e)| project(a, e)).collect())
        }
        _ => actual.clone(),
    }
}

/// Pretty JSON of both sides with a line diff (`-` expected, `+` got).
pub fn diff(expected: &Value, actual: &Value) -> Vec<String> {
    let e = serde_json::to_string_pretty(expected).unwrap_or_default();
    let a = serde_json::to_string_pretty(actual).unwrap_or_default();
    line_diff(&e, &a)
}

/// A longest-common-subsequence line diff; unchanged lines are shown with two spaces.
pub fn line_diff(expected: &str, actual: &str) -> Vec<String> {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    if e.len() * a.len() > 4_000_000 {
        return vec![format!("- {expected}"), format!("+ {actual}")];
    }
    let mut lcs = vec![vec![0u32; a.len() + 1]; e.len() + 1];
    for i in (0..e.len()).rev() {
        for j in (0..a.len()).rev() {
            lcs[i][j] = if e[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < e.len() || j < a.len() {
        if i < e.len() && j < a.len() && e[i] == a[j] {
            out.push(format!("  {}", e[i]));
            i += 1;
            j += 1;
        } else if j < a.len() && (i == e.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", a[j]));
            j += 1;
        } else {
            out.push(format!("- {}", e[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_matching_ignores_extra_fields_and_honours_ellipsis() {
        let actual = json!({"request": {"uri": "/a", "method": "GET", "headers": {}}});
        assert!(contains(&actual, &json!({"request": {"uri": "/a"}})));
        assert!(!contains(&actual, &json!({"request": {"uri": "/b"}})));
        assert!(matches(
            &actual,
            &json!({"request": {"uri": "/a", "...": "..."}}),
            false
        ));
        assert!(!matches(&actual, &json!({"request": {"uri": "/a"}}), false));
    }

    #[test]
    fn json_paths_select_keys_indexes_and_quoted_names() {
        let doc = json!({"headers": {"x-cache": "Hit"}, "list": [1, {"a": 2}]});
        assert_eq!(
            select(&doc, "$.headers[\"x-cache\"]").unwrap(),
            Some(&json!("Hit"))
        );
        assert_eq!(select(&doc, "$.list[1].a").unwrap(), Some(&json!(2)));
        assert_eq!(select(&doc, "$.nope").unwrap(), None);
        assert!(select(&doc, "headers").is_err());
    }

    #[test]
    fn a_diff_marks_changed_lines() {
        let d = diff(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3}));
        assert!(d.contains(&"-   \"b\": 2".to_owned()), "{d:?}");
        assert!(d.contains(&"+   \"b\": 3".to_owned()), "{d:?}");
    }
}
