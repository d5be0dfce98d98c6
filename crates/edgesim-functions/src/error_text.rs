//! boa's error messages rewritten in CloudFront's (njs) wording, in one place
//! (docs/cloudfront/runtime.md, "Error messages").
//!
//! CloudFront prints e.g. `TypeError: cannot get property "value" of undefined` and
//! `ReferenceError: "URL" is not defined`; boa says `cannot convert 'null' or 'undefined' to
//! object` and `URL is not defined`. The njs templates are checked against the `njs` engine by
//! tests/njs_diff.rs. Where njs names the property or the callee, the name is recovered from the
//! function's source at the position boa's backtrace records for the failing instruction.

use boa_engine::{js_string, Context, JsError, JsValue};

use crate::lexer::{tokenize, Kind, Token};

/// The path the function's code is compiled under, so backtrace frames in it can be told from
/// the prelude's.
pub const FUNCTION_PATH: &str = "<function>";

/// The compiled (factory-wrapped) source of the function a context runs, kept in the context's
/// host data so error messages can quote it.
#[derive(Debug, Clone)]
pub struct FunctionSource(pub std::rc::Rc<str>);

/// CloudFront's text for an error thrown out of a function.
pub fn runtime_error(err: &JsError, ctx: &mut Context) -> String {
    if let Some(value) = err.as_opaque() {
        return thrown_value(&value.clone(), ctx);
    }
    match err.try_native(ctx) {
        Ok(native) => {
            let kind = native.kind().to_string();
            let site = failing_site(err, ctx);
            if site.is_none()
                && kind == "TypeError"
                && native
                    .message()
                    .starts_with("cannot convert 'null' or 'undefined' to object")
                && innermost_frame(err).is_some_and(|f| f.contains("(native"))
            {
                // A built-in given undefined where it needs an object (`Object.keys(x)`).
                return "TypeError: cannot convert undefined argument to object".to_owned();
            }
            translate(&kind, native.message(), site.as_ref(), true)
        }
        Err(_) => {
            // Engine errors (loop/recursion limits) carry a backtrace; the first line says it all.
            let text = err.to_string();
            let first = text.lines().next().unwrap_or_default();
            if first.contains("maximum number of recursive calls") {
                return "RangeError: Maximum call stack size exceeded".to_owned();
            }
            format!("InternalError: {first}")
        }
    }
}

/// A value thrown by user code, printed as njs prints it: `String(value)`, where an Error's
/// `toString` gives `Name: message` (or just the name when the message is empty).
fn thrown_value(value: &JsValue, ctx: &mut Context) -> String {
    let Some(obj) = value.as_object() else {
        return display(value, ctx);
    };
    if obj.is::<boa_engine::builtins::error::Error>() {
        let mut field = |key| {
            obj.get(key, ctx)
                .ok()
                .filter(|v| !v.is_undefined())
                .and_then(|v| v.to_string(ctx).ok())
                .map(|s| s.to_std_string_lossy())
        };
        let name = field(js_string!("name")).unwrap_or_else(|| "Error".to_owned());
        let message = field(js_string!("message")).unwrap_or_default();
        if message.is_empty() {
            return name;
        }
        return translate(&name, &message, None, false);
    }
    match value.to_string(ctx) {
        Ok(s) => s.to_std_string_lossy(),
        Err(_) => "TypeError: Cannot convert object to primitive value".to_owned(),
    }
}

/// Where in the function's own code an error was raised, as a byte offset into the compiled
/// source; `None` when the innermost frame is a built-in or the prelude.
struct Site {
    source: std::rc::Rc<str>,
    offset: usize,
}

fn failing_site(err: &JsError, ctx: &Context) -> Option<Site> {
    let source = ctx.get_data::<FunctionSource>()?.0.clone();
    let frame = innermost_frame(err)?;
    let at = frame.find(&format!("({FUNCTION_PATH}:"))?;
    let mut nums = frame[at + FUNCTION_PATH.len() + 2..]
        .trim_end_matches(')')
        .split(':')
        .map(|n| n.parse::<usize>().ok());
    let (line, col) = (nums.next()??, nums.next()??);
    let line_start = if line <= 1 {
        0
    } else {
        source.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let offset = source[line_start..]
        .char_indices()
        .nth(col.checked_sub(1)?)
        .map(|(i, _)| line_start + i)?;
    Some(Site { source, offset })
}

/// `native`: the error comes from the engine (not `new Error(…)` in user code), so its message
/// is boa's and gets rewritten.
/// The innermost backtrace line, e.g. `    at handler (<function>:1:79)`.
fn innermost_frame(err: &JsError) -> Option<String> {
    let text = err.to_string();
    text.lines()
        .find(|l| l.starts_with("    at "))
        .map(str::to_owned)
}

fn translate(kind: &str, message: &str, site: Option<&Site>, native: bool) -> String {
    let kind = match kind {
        // boa's Display of the kind; the constructor is URIError.
        "UriError" => "URIError",
        k => k,
    };
    if kind == "URIError" && native {
        // njs has one message for every malformed URI, whatever went wrong.
        return "URIError: malformed URI".to_owned();
    }
    if kind == "ReferenceError" {
        if let Some(name) = message.strip_suffix(" is not defined") {
            return format!(
                "ReferenceError: \"{}\" is not defined",
                name.trim_matches('"')
            );
        }
        if let Some(rest) = message.strip_prefix("cannot assign to uninitialized global property `")
        {
            return format!(
                "ReferenceError: \"{}\" is not defined",
                rest.trim_end_matches('`')
            );
        }
    }
    if kind == "TypeError" {
        if message.starts_with("cannot convert 'null' or 'undefined' to object") {
            return property_of_nothing(site);
        }
        if message == "not a callable function" || message == "not a constructor" {
            return not_a_function(site);
        }
    }
    if kind == "RuntimeLimit" || kind.contains("RuntimeLimit") {
        return format!("InternalError: {message}");
    }
    if let Some(text) = njs_message(kind, message) {
        return if text.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}: {text}")
        };
    }
    format!("{kind}: {message}")
}

/// boa's messages for built-in failures, in njs's words (checked by tests/njs_diff.rs). An
/// empty text means njs gives no message (`RangeError`).
fn njs_message(kind: &str, message: &str) -> Option<String> {
    let m = message;
    let text = match kind {
        "RangeError" => {
            if m.starts_with("toFixed()") || m.starts_with("toExponential()") {
                "digits argument must be between 0 and 100".to_owned()
            } else if m.starts_with("precision must be an integer") {
                "precision argument must be between 1 and 100".to_owned()
            } else if m.starts_with("radix must be")
                || m.starts_with("String.prototype.repeat")
                || m.starts_with("codepoint ")
            {
                String::new()
            } else if m == "invalid array length" || m == "bad length for array" {
                "Invalid array length".to_owned()
            } else if m.starts_with("Index must be between") {
                "invalid index".to_owned()
            } else {
                return None;
            }
        }
        "TypeError" => {
            if m.starts_with("right-hand side of 'instanceof'") {
                "right argument is not callable".to_owned()
            } else if let Some(t) =
                m.strip_prefix("right-hand side of 'in' should be an object, got `")
            {
                format!(
                    "property \"in\" on primitive {} type",
                    t.trim_end_matches('`')
                )
            } else if let Some(p) = m.strip_prefix("cannot set non-writable property: ") {
                format!("Cannot assign to read-only property \"{p}\" of object")
            } else if m == "can't convert symbol to string" {
                "Cannot convert a Symbol value to a string".to_owned()
            } else if m.starts_with("Object.defineProperty: expected 'this'") {
                "Object.defineProperty is called on non-object".to_owned()
            } else if let Some(t) =
                m.strip_prefix("Object.create: expected 'proto' to be an Object or null, got `")
            {
                format!(
                    "prototype may only be an object or null: {}",
                    t.trim_end_matches('`')
                )
            } else if m.contains("called on an empty array and with no initial value") {
                "Reduce of empty object with no initial value".to_owned()
            } else if m == "cyclic object value" || m.starts_with("cyclic object") {
                "Nested too deep or a cyclic structure".to_owned()
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(text)
}

fn offset_of(src: &str, token: &Token) -> usize {
    token.text.as_ptr() as usize - src.as_ptr() as usize
}

/// The token at `site` and the stream it is in.
fn tokens_at(site: &Site) -> Option<(Vec<Token<'_>>, usize)> {
    let tokens = tokenize(&site.source);
    let i = tokens
        .iter()
        .rposition(|t| offset_of(&site.source, t) <= site.offset)?;
    Some((tokens, i))
}

/// A property key as njs prints it: an identifier after `.`, or a literal inside `[…]`.
fn literal_key(t: &Token) -> Option<String> {
    match t.kind {
        Kind::Ident | Kind::Number => Some(t.text.to_owned()),
        Kind::Str if t.text.len() >= 2 && !t.text.contains('\\') => {
            Some(t.text[1..t.text.len() - 1].to_owned())
        }
        _ => None,
    }
}

/// `cannot get property "b" of undefined`: the key at the failing `.b` / `["b"]`, and whether
/// the object was `null` (a `null` literal, or what `match`/`exec`/`JSON.parse` returned, or a
/// variable assigned one of those) or `undefined` (everything else).
fn property_of_nothing(site: Option<&Site>) -> String {
    const FALLBACK: &str = "TypeError: cannot get property of undefined";
    let Some((tokens, i)) = site.and_then(tokens_at) else {
        return FALLBACK.to_owned();
    };
    let prev = i.checked_sub(1).map(|p| &tokens[p]);
    // `a.b = 1`: boa points at the start of the assignment.
    if tokens[i].kind == Kind::Ident
        && tokens.get(i + 1).is_some_and(|t| t.is_punct("."))
        && tokens.get(i + 3).is_some_and(|t| t.is_punct("="))
        && !prev.is_some_and(|p| p.is_punct("."))
    {
        let base = base_kind(&tokens, i + 1);
        return format!("TypeError: property set on primitive {base} type");
    }
    // A call's `(`: a built-in was given undefined where it needs an object (`Object.keys(x)`).
    if tokens[i].is_punct("(") {
        let nothing = if tokens.get(i + 1).is_some_and(|t| t.is_ident("null")) {
            "null"
        } else {
            "undefined"
        };
        return format!("TypeError: cannot convert {nothing} argument to object");
    }
    // The start of a function body: boa records no position for the property read of a method
    // call (`o.a.b()`). If the body has exactly one such call that can fail, it is the one.
    if tokens[i].is_punct("{") && prev.is_some_and(|p| p.is_punct(")")) {
        if let Some(dot) = only_method_call(&tokens, i) {
            return format!(
                "TypeError: cannot get property \"{}\" of {}",
                tokens[dot + 1].text,
                base_kind(&tokens, dot)
            );
        }
        return FALLBACK.to_owned();
    }
    let key = match prev {
        Some(p) if p.is_punct(".") && tokens[i].kind == Kind::Ident => {
            Some(tokens[i].text.to_owned())
        }
        Some(p) if p.is_punct("[") && tokens[i].kind == Kind::Ident => {
            string_assigned(&tokens, i, tokens[i].text)
        }
        Some(p) if p.is_punct("[") => literal_key(&tokens[i]),
        _ => None,
    };
    match key {
        Some(key) => format!(
            "TypeError: cannot get property \"{key}\" of {}",
            base_kind(&tokens, i - 1)
        ),
        None => FALLBACK.to_owned(),
    }
}

/// The `.` of the only method call `x.name(…)` in the function body opening at `tokens[open]`
/// whose receiver can be missing (not a built-in namespace such as `JSON` or `Math`, not a
/// literal), leaving nested functions out.
fn only_method_call(tokens: &[Token], open: usize) -> Option<usize> {
    const NAMESPACES: &[&str] = &[
        "Object",
        "JSON",
        "Math",
        "String",
        "Array",
        "Number",
        "Date",
        "console",
        "Buffer",
        "Promise",
        "RegExp",
        "Symbol",
        "Reflect",
        "globalThis",
    ];
    let mut depth = 0i32;
    let mut found = None;
    let mut k = open;
    while k < tokens.len() {
        let t = &tokens[k];
        if t.is_punct("{") {
            depth += 1;
        } else if t.is_punct("}") {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if t.is_ident("function") {
            // A nested function has its own frame: skip its body.
            let mut j = k;
            while j < tokens.len() && !tokens[j].is_punct("{") {
                j += 1;
            }
            let mut inner = 0i32;
            while j < tokens.len() {
                if tokens[j].is_punct("{") {
                    inner += 1;
                } else if tokens[j].is_punct("}") {
                    inner -= 1;
                    if inner == 0 {
                        break;
                    }
                }
                j += 1;
            }
            k = j + 1;
            continue;
        } else if t.is_punct(".")
            && tokens.get(k + 1).is_some_and(|n| n.kind == Kind::Ident)
            && tokens.get(k + 2).is_some_and(|n| n.is_punct("("))
        {
            let receiver = k.checked_sub(1).map(|p| &tokens[p]);
            let namespace = receiver.is_some_and(|r| {
                r.kind == Kind::Ident
                    && NAMESPACES.contains(&r.text)
                    && !(k >= 2 && tokens[k - 2].is_punct("."))
            });
            let literal = receiver.is_some_and(|r| {
                matches!(
                    r.kind,
                    Kind::Str | Kind::Template | Kind::Regex | Kind::Number
                )
            });
            if !namespace && !literal {
                if found.is_some() {
                    return None;
                }
                found = Some(k);
            }
        }
        k += 1;
    }
    found
}

/// njs's name for the type of what `name` holds at `tokens[at]`, as far as a literal assigned
/// to it in the enclosing function tells (`undefined` otherwise).
fn value_type(tokens: &[Token], at: usize, name: &str) -> &'static str {
    let mut braces = 0i32;
    for k in (0..at).rev() {
        if tokens[k].is_punct("}") {
            braces += 1;
        } else if tokens[k].is_punct("{") {
            braces -= 1;
            if braces < 0 {
                break;
            }
        }
        if tokens[k].is_ident(name) && tokens.get(k + 1).is_some_and(|t| t.is_punct("=")) {
            return match tokens.get(k + 2).map(|t| (t.kind, t.text)) {
                Some((Kind::Number, _)) => "number",
                Some((Kind::Str | Kind::Template, _)) => "string",
                Some((Kind::Ident, "true" | "false")) => "boolean",
                Some((Kind::Ident, "null")) => "null",
                Some((Kind::Punct, "{" | "[")) => "object",
                _ => "undefined",
            };
        }
    }
    "undefined"
}

/// The string or number literal last assigned to `name` in the enclosing function before
/// `tokens[at]` (`var k = 'zz'; a[k]`).
fn string_assigned(tokens: &[Token], at: usize, name: &str) -> Option<String> {
    let mut braces = 0i32;
    for k in (0..at).rev() {
        if tokens[k].is_punct("}") {
            braces += 1;
        } else if tokens[k].is_punct("{") {
            braces -= 1;
            if braces < 0 {
                return None;
            }
        }
        if tokens[k].is_ident(name) && tokens.get(k + 1).is_some_and(|t| t.is_punct("=")) {
            let value = tokens.get(k + 2)?;
            let ends = tokens
                .get(k + 3)
                .is_some_and(|t| t.is_punct(";") || t.is_punct(","));
            return match value.kind {
                Kind::Str | Kind::Number if ends => literal_key(value),
                _ => None,
            };
        }
    }
    None
}

/// Whether the expression ending just before `tokens[at]` (a `.` or `[`) is `null` or
/// `undefined`, as far as the source tells.
fn base_kind(tokens: &[Token], at: usize) -> &'static str {
    let Some(last) = at.checked_sub(1).map(|p| &tokens[p]) else {
        return "undefined";
    };
    if last.is_ident("null") {
        return "null";
    }
    if last.is_punct(")") && call_returns_null(tokens, at - 1) {
        return "null";
    }
    // A plain variable: look at what it was last assigned before this point.
    if last.kind == Kind::Ident && !(at >= 2 && tokens[at - 2].is_punct(".")) {
        let name = last.text;
        let mut braces = 0i32;
        for k in (0..at - 1).rev() {
            // Only within the enclosing function body (stop at its unmatched `{`).
            if tokens[k].is_punct("}") {
                braces += 1;
            } else if tokens[k].is_punct("{") {
                braces -= 1;
                if braces < 0 {
                    break;
                }
            }
            if tokens[k].is_ident(name)
                && k >= 1
                && tokens[k - 1].is_ident("var")
                && tokens
                    .get(k + 1)
                    .is_some_and(|t| t.is_punct(";") || t.is_punct(","))
            {
                return "undefined";
            }
            if tokens[k].is_ident(name) && tokens.get(k + 1).is_some_and(|t| t.is_punct("=")) {
                let mut depth = 0i32;
                let mut j = k + 2;
                let mut end = j;
                while let Some(t) = tokens.get(j) {
                    match t.text {
                        "(" | "[" | "{" if t.kind == Kind::Punct => depth += 1,
                        ")" | "]" | "}" if t.kind == Kind::Punct => depth -= 1,
                        ";" | "," if t.kind == Kind::Punct && depth == 0 => break,
                        _ => {}
                    }
                    if depth < 0 {
                        break;
                    }
                    end = j;
                    j += 1;
                }
                if end == k + 2 && tokens[k + 2].is_ident("null") {
                    return "null";
                }
                if tokens[end].is_punct(")") && call_returns_null(tokens, end) {
                    return "null";
                }
                return "undefined";
            }
        }
    }
    "undefined"
}

/// Whether the call closing at `tokens[close]` is one that returns `null` when it finds
/// nothing: `.match(…)`, `.exec(…)`, `JSON.parse(…)`.
fn call_returns_null(tokens: &[Token], close: usize) -> bool {
    let mut depth = 0;
    for k in (0..=close).rev() {
        if tokens[k].is_punct(")") {
            depth += 1;
        } else if tokens[k].is_punct("(") {
            depth -= 1;
            if depth == 0 {
                return k >= 1
                    && ["match", "exec", "parse"]
                        .iter()
                        .any(|n| tokens[k - 1].is_ident(n));
            }
        }
    }
    false
}

/// `(intermediate value)["f"] is not a function` for a method, `undefined is not a function`
/// (or the literal's type) for anything else, as njs words it.
fn not_a_function(site: Option<&Site>) -> String {
    const FALLBACK: &str = "TypeError: undefined is not a function";
    let Some((tokens, i)) = site.and_then(tokens_at) else {
        return FALLBACK.to_owned();
    };
    // `new x()` / `new o.f()`: boa points at `new`.
    if tokens[i].is_ident("new") {
        if tokens.get(i + 2).is_some_and(|t| t.is_punct(".")) {
            if let Some(name) = tokens.get(i + 3).filter(|t| t.kind == Kind::Ident) {
                return format!(
                    "TypeError: (intermediate value)[\"{}\"] is not a function",
                    name.text
                );
            }
        }
        if let Some(c) = tokens.get(i + 1).filter(|c| c.kind == Kind::Ident) {
            return format!(
                "TypeError: {} is not a function",
                value_type(&tokens, i, c.text)
            );
        }
        return FALLBACK.to_owned();
    }
    // boa points at the call's `(`.
    if !tokens[i].is_punct("(") || i == 0 {
        return FALLBACK.to_owned();
    }
    let callee = &tokens[i - 1];
    if callee.kind == Kind::Ident && i >= 2 && tokens[i - 2].is_punct(".") {
        return format!(
            "TypeError: (intermediate value)[\"{}\"] is not a function",
            callee.text
        );
    }
    if callee.is_punct("]") && i >= 3 && tokens[i - 3].is_punct("[") {
        let key = if tokens[i - 2].kind == Kind::Ident {
            string_assigned(&tokens, i - 2, tokens[i - 2].text)
        } else {
            literal_key(&tokens[i - 2])
        };
        if let Some(key) = key {
            return format!("TypeError: (intermediate value)[\"{key}\"] is not a function");
        }
    }
    if callee.is_punct(")") && i >= 3 && tokens[i - 3].is_punct("(") {
        let kind = match tokens[i - 2].kind {
            Kind::Number => "number",
            Kind::Str | Kind::Template => "string",
            _ => "undefined",
        };
        return format!("TypeError: {kind} is not a function");
    }
    match callee.kind {
        Kind::Str | Kind::Template => "TypeError: string is not a function".to_owned(),
        Kind::Number => "TypeError: number is not a function".to_owned(),
        Kind::Ident => format!(
            "TypeError: {} is not a function",
            value_type(&tokens, i - 1, callee.text)
        ),
        _ => FALLBACK.to_owned(),
    }
}

/// CloudFront's text for code that does not compile, in the user's own lines and tokens.
///
/// boa's message is about the factory-wrapped source, so an unclosed `{` shows up as a `)`
/// of the wrapper on a line past the file's end. The user's code is therefore parsed again on
/// its own (strict, as the wrapper makes it), and that error is worded as njs words it.
pub fn compile_error(factory_message: &str, ctx: &mut Context) -> String {
    let Some(source) = ctx.get_data::<FunctionSource>().map(|s| s.0.clone()) else {
        return syntax_error(factory_message);
    };
    let start = source.find("'use strict'; ").map_or(0, |i| i);
    let end = source.rfind(FACTORY_SUFFIX_START).unwrap_or(source.len());
    let user = &source[start..end];
    let parsed = boa_engine::Script::parse(boa_engine::Source::from_bytes(user), None, ctx);
    match parsed.map_err(|e| e.try_native(ctx)) {
        Err(Ok(native)) if native.kind().to_string() == "SyntaxError" => {
            user_syntax_error(native.message(), user)
        }
        _ => syntax_error(factory_message),
    }
}

/// What follows the user's code in the factory (engine/mod.rs builds it).
pub const FACTORY_SUFFIX: &str =
    "\n;return typeof handler === 'function' ? handler : undefined; })";
/// How every factory suffix starts (a connection function's too, crate::connection).
pub const FACTORY_SUFFIX_START: &str = "\n;return ";

/// boa's parse error for the user's code (`source`, lines as in their file), in njs's words.
fn user_syntax_error(message: &str, source: &str) -> String {
    let last_line = source.matches('\n').count() + 1;
    let tokens = tokenize(source);
    if message.starts_with("abrupt end") {
        return format!("SyntaxError: Unexpected end of input in {last_line}");
    }
    if message.starts_with("unterminated string literal") {
        if let Some(t) = tokens.iter().find(|t| {
            t.kind == Kind::Str
                && (t.text.len() < 2 || !t.text.ends_with(&t.text[..1]) || t.text.contains('\n'))
        }) {
            let from = offset_of(source, t);
            let rest = &source[from..];
            let upto = rest.find('\n').map_or(rest.len(), |i| i + 1);
            return format!(
                "SyntaxError: Unterminated string \"{}\" in {}",
                &rest[..upto],
                t.line
            );
        }
    }
    if message.starts_with("unterminated template literal") {
        return format!("SyntaxError: Unterminated template literal in {last_line}");
    }
    let at = position(message);
    if message.starts_with("new lines are not allowed in regular expressions") {
        // boa reports the line after the one the literal starts on.
        if let Some(line) = at.map(|(l, _)| l.saturating_sub(1)).filter(|l| *l >= 1) {
            let text = source.lines().nth(line - 1).unwrap_or_default();
            if let Some(slash) = text.rfind('/') {
                let re = text[..=slash].rfind('/').map_or(slash, |i| i);
                return format!(
                    "SyntaxError: Unterminated RegExp \"{}\" in {line}",
                    &text[re..]
                );
            }
        }
    }
    if message.starts_with("Invalid left-hand side in assignment") {
        if let Some((line, _)) = at {
            return format!("ReferenceError: Invalid left-hand side in assignment in {line}");
        }
    }
    if message.starts_with("a numeric literal must not be followed") {
        if let Some((line, col)) = at {
            let text = source.lines().nth(line - 1).unwrap_or_default();
            // boa points just past the number.
            let before: Vec<char> = text.chars().take(col.saturating_sub(1)).collect();
            let start = before
                .iter()
                .rposition(|c| !(c.is_ascii_digit() || *c == '.'))
                .map_or(0, |i| i + 1);
            let digits: String = before[start..].iter().collect();
            return format!("SyntaxError: Unexpected token \"{digits}\" in {line}");
        }
    }
    if let Some(rest) = message.strip_prefix("unexpected '") {
        if let (Some(ch), Some((line, _))) = (rest.split('\'').next(), at) {
            return format!("SyntaxError: Unexpected token \"{ch}\" in {line}");
        }
    }
    syntax_error(message)
}

/// `(line, column)` from boa's `… at line 2, col 11`.
fn position(message: &str) -> Option<(usize, usize)> {
    let at = message.rfind(" at line ")?;
    let mut parts = message[at + 9..].split(", col ");
    let line = parts.next()?.trim().parse().ok()?;
    let col = parts.next()?.trim().parse().ok()?;
    Some((line, col))
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
            translate("ReferenceError", "URL is not defined", None, true),
            "ReferenceError: \"URL\" is not defined"
        );
    }

    fn site(src: &str, at: &str) -> Site {
        Site {
            source: src.into(),
            offset: src.find(at).unwrap(),
        }
    }

    #[test]
    fn property_errors_name_the_property_and_the_missing_value() {
        let src = "var a; var m = 'x'.match(/y/); a.b; m[1]; null.x; o['k'].z";
        assert_eq!(
            property_of_nothing(Some(&site(src, "b;"))),
            "TypeError: cannot get property \"b\" of undefined"
        );
        assert_eq!(
            property_of_nothing(Some(&site(src, "1]"))),
            "TypeError: cannot get property \"1\" of null"
        );
        assert_eq!(
            property_of_nothing(Some(&site(src, "x;"))),
            "TypeError: cannot get property \"x\" of null"
        );
        assert_eq!(
            property_of_nothing(Some(&site(src, "z"))),
            "TypeError: cannot get property \"z\" of undefined"
        );
    }

    #[test]
    fn method_calls_name_the_method() {
        let src = "o.f(1); o['g'](); f(); (1)()";
        assert_eq!(
            not_a_function(Some(&site(src, "(1)"))),
            "TypeError: (intermediate value)[\"f\"] is not a function"
        );
        assert_eq!(
            not_a_function(Some(&site(src, "();"))),
            "TypeError: (intermediate value)[\"g\"] is not a function"
        );
        assert_eq!(
            not_a_function(Some(&site(src, "(); ("))),
            "TypeError: undefined is not a function"
        );
    }
}
