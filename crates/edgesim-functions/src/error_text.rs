//! boa's error messages rewritten in CloudFront's (njs) wording (cloudfront-functions.md §13.3).
//!
//! CloudFront prints e.g. `TypeError: cannot get property "value" of undefined` and
//! `ReferenceError: "URL" is not defined`; boa says `cannot convert 'null' or 'undefined' to
//! object` and `URL is not defined`. Only the common shapes are translated; anything else keeps
//! boa's text behind the right error class.

use boa_engine::{js_string, Context, JsError, JsValue};

/// CloudFront's text for an error thrown out of a function.
pub fn runtime_error(err: &JsError, ctx: &mut Context) -> String {
    if let Some(value) = err.as_opaque() {
        return thrown_value(&value.clone(), ctx);
    }
    match err.try_native(ctx) {
        Ok(native) => {
            let kind = native.kind().to_string();
            translate(&kind, native.message())
        }
        // Engine errors (loop/recursion limits) carry a backtrace; the first line says it all.
        Err(_) => format!(
            "InternalError: {}",
            err.to_string().lines().next().unwrap_or_default()
        ),
    }
}

/// A value thrown by user code: `name: message` for error objects, the value itself otherwise.
fn thrown_value(value: &JsValue, ctx: &mut Context) -> String {
    let Some(obj) = value.as_object() else {
        return display(value, ctx);
    };
    let mut field = |key| {
        obj.get(key, ctx)
            .ok()
            .filter(|v| !v.is_undefined())
            .and_then(|v| v.to_string(ctx).ok())
            .map(|s| s.to_std_string_lossy())
    };
    let name = field(js_string!("name"));
    let message = field(js_string!("message"));
    match (name, message) {
        (Some(name), Some(msg)) if msg.is_empty() => name,
        (Some(name), Some(msg)) => translate(&name, &msg),
        (Some(name), None) => name,
        (None, Some(msg)) => format!("Error: {msg}"),
        (None, None) => display(value, ctx),
    }
}

fn translate(kind: &str, message: &str) -> String {
    if kind == "ReferenceError" {
        if let Some(name) = message.strip_suffix(" is not defined") {
            return format!(
                "ReferenceError: \"{}\" is not defined",
                name.trim_matches('"')
            );
        }
    }
    if kind == "TypeError" {
        if message.starts_with("cannot convert 'null' or 'undefined' to object") {
            return "TypeError: cannot get property of undefined".to_owned();
        }
        if message.contains("not a callable function") || message.contains("is not callable") {
            return "TypeError: not a function".to_owned();
        }
    }
    if kind == "RuntimeLimit" || kind.contains("RuntimeLimit") {
        return format!("InternalError: {message}");
    }
    format!("{kind}: {message}")
}

/// CloudFront's text for a compile error reported by boa's parser, e.g.
/// `unexpected token ']', primary expression at line 1, col 31` → `Unexpected token "]" in 1`.
pub fn syntax_error(message: &str) -> String {
    let line = message
        .rfind("line ")
        .and_then(|at| {
            message[at + 5..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
        })
        .and_then(|n| n.parse::<usize>().ok());
    let quoted = message
        .split('\'')
        .nth(1)
        .filter(|_| message.contains("unexpected token") || message.contains("got '"));
    let got = message
        .find("got '")
        .map(|at| &message[at + 5..])
        .and_then(|rest| rest.split('\'').next());
    let text = if message.contains("abrupt end") || message.contains("end of input") {
        "SyntaxError: Unexpected end of input".to_owned()
    } else if let Some(tok) = got.or(quoted) {
        format!("SyntaxError: Unexpected token \"{tok}\"")
    } else {
        format!(
            "SyntaxError: {}",
            message.split(" at line").next().unwrap_or(message)
        )
    };
    match line {
        Some(l) => format!("{text} in {l}"),
        None => text,
    }
}

/// How a logged value prints.
pub fn display(value: &JsValue, ctx: &mut Context) -> String {
    if let Some(s) = value.as_string() {
        return s.to_std_string_lossy();
    }
    if let Some(obj) = value.as_object() {
        // Error objects print as `Name: message`, as njs prints them, not as `{}`.
        if obj.is::<boa_engine::builtins::error::Error>() {
            return runtime_error(&boa_engine::JsError::from_opaque(value.clone()), ctx);
        }
    }
    if value.is_object() && !value.is_callable() {
        if let Ok(Some(json)) = crate::convert::to_json(value, ctx) {
            return json.to_string();
        }
    }
    value.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boa_syntax_errors_read_like_njs() {
        assert_eq!(
            syntax_error("unexpected token ']', primary expression at line 1, col 31"),
            "SyntaxError: Unexpected token \"]\" in 1"
        );
        assert_eq!(
            syntax_error("expected token ';', got 'x' in expression statement at line 3, col 5"),
            "SyntaxError: Unexpected token \"x\" in 3"
        );
        assert_eq!(
            syntax_error("abrupt end at line 9, col 1"),
            "SyntaxError: Unexpected end of input in 9"
        );
    }

    #[test]
    fn reference_errors_quote_the_name() {
        assert_eq!(
            translate("ReferenceError", "URL is not defined"),
            "ReferenceError: \"URL\" is not defined"
        );
    }
}
