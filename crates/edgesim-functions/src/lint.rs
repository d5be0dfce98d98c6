//! Per-runtime source checks: the syntax CloudFront refuses although boa would run it.
//!
//! CloudFront's engine is njs-derived (cloudfront-functions.md §6.1), so its compile errors are
//! njs-style texts ending in ` in <line>`. Each rule below cites the reference section it comes
//! from; the ones marked *(inferred)* reproduce njs wording we have not seen from CloudFront.
//! Imports are also resolved here: `import x from 'm'` lines are blanked (keeping line numbers)
//! and handed to the engine, which binds them before the user code runs.

use crate::lexer::{tokenize, Kind, Token};
use crate::runtime::Runtime;

/// A built-in module a function imports or requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Cloudfront,
    Crypto,
    Querystring,
}

impl Module {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "cloudfront" => Some(Self::Cloudfront),
            "crypto" => Some(Self::Crypto),
            "querystring" => Some(Self::Querystring),
            _ => None,
        }
    }
}

/// One `import binding from 'module'` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub binding: String,
    pub module: Module,
}

/// Source that passed the checks: imports removed (lines kept) and listed separately.
#[derive(Debug, Clone)]
pub struct Checked {
    pub body: String,
    pub imports: Vec<Import>,
}

/// A compile error in CloudFront's words, without the trailing ` in <line>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxIssue {
    pub message: String,
    pub line: usize,
}

impl std::fmt::Display for SyntaxIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}", self.message, self.line)
    }
}

fn issue(message: impl Into<String>, line: usize) -> SyntaxIssue {
    SyntaxIssue {
        message: message.into(),
        line,
    }
}

fn not_supported(token: &str, line: usize) -> SyntaxIssue {
    issue(
        format!("SyntaxError: Token \"{token}\" not supported in this version"),
        line,
    )
}

fn unexpected(token: &str, line: usize) -> SyntaxIssue {
    issue(format!("SyntaxError: Unexpected token \"{token}\""), line)
}

/// Checks `src` for syntax `runtime` refuses and extracts its imports.
pub fn check(src: &str, runtime: Runtime) -> Result<Checked, SyntaxIssue> {
    let tokens = tokenize(src);
    let mut imports = Vec::new();
    let mut blanked: Vec<(usize, usize)> = Vec::new();
    // Stack of open brackets: (bracket, index of the token that opened it).
    let mut open: Vec<(&str, usize)> = Vec::new();

    for (i, t) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let next = tokens.get(i + 1);
        let member_name = prev.is_some_and(|p| p.is_punct(".") || p.is_punct("?."));
        let property_key = next.is_some_and(|n| n.is_punct(":")) && !member_name;
        let keyword_position = !member_name && !property_key;

        match t.kind {
            Kind::Ident if keyword_position => match t.text {
                // §6.2: 1.0 has no block-scoped declarations and no async functions.
                "let" | "const" if runtime == Runtime::Js10 && starts_binding(next) => {
                    return Err(not_supported(t.text, t.line));
                }
                "async" if runtime == Runtime::Js10 && starts_async(next) => {
                    return Err(not_supported(t.text, t.line));
                }
                "await" if runtime == Runtime::Js10 => return Err(not_supported(t.text, t.line)),
                // §6.2 (observed): destructuring is refused in both runtimes.
                "var" | "let" | "const"
                    if next.is_some_and(|n| n.is_punct("[") || n.is_punct("{")) =>
                {
                    return Err(not_supported(next.map_or("", |n| n.text), t.line));
                }
                // njs has no classes or generators *(inferred from njs; not in either list)*.
                "class" if next.is_some_and(|n| n.kind == Kind::Ident) => {
                    return Err(not_supported("class", t.line));
                }
                "function" if next.is_some_and(|n| n.is_punct("*")) => {
                    return Err(unexpected("*", t.line));
                }
                "export" if statement_start(prev) => {
                    let end = export_to_blank(&tokens, i, runtime)?;
                    blanked.push((
                        offset(src, t),
                        offset(src, &tokens[end]) + tokens[end].text.len(),
                    ));
                }
                "import" if statement_start(prev) && !next.is_some_and(|n| n.is_punct("(")) => {
                    let (import, end) = parse_import(&tokens, i, runtime)?;
                    imports.push(import);
                    blanked.push((
                        offset(src, t),
                        offset(src, &tokens[end]) + tokens[end].text.len(),
                    ));
                }
                // `catch {` without a binding (ES2019) was reported to fail on 2.0 as well.
                "catch" if next.is_some_and(|n| n.is_punct("{")) => {
                    return Err(unexpected("{", t.line))
                }
                "await" if in_call_arguments(&tokens, &open) => {
                    // §6.2 (observed): `f(await x)` does not compile at the edge.
                    return Err(issue(
                        "SyntaxError: await in arguments not supported",
                        t.line,
                    ));
                }
                _ => {}
            },
            Kind::Number if runtime == Runtime::Js10 => {
                // §6.2: numeric separators are 2.0 only; njs lexes `1_000` as `1` then `_000`.
                if let Some(at) = t.text.find('_') {
                    return Err(unexpected(&t.text[at..], t.line));
                }
            }
            Kind::Punct => match t.text {
                // Neither runtime lists ES2020+ operators (both list only `**` beyond ES5.1),
                // and deployments using `?.`/`??` on 2.0 were reported to fail
                // (christ-off/cloudfront-function-filter-traffic notes) *(wording inferred)*.
                "?." | "??" | "??=" | "||=" | "&&=" => return Err(unexpected(t.text, t.line)),
                "(" | "[" | "{" => open.push((t.text, i)),
                ")" | "]" | "}" => {
                    if let Some((bracket, opened)) = open.pop() {
                        check_closed(&tokens, bracket, opened, i)?;
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    let mut body = src.to_owned();
    for &(start, end) in blanked.iter().rev() {
        let replacement: String = src[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        body.replace_range(start..end, &replacement);
    }
    Ok(Checked { body, imports })
}

/// Rules that need a whole bracketed group: destructuring patterns in parameters or assignments.
fn check_closed(
    tokens: &[Token],
    bracket: &str,
    opened: usize,
    closed: usize,
) -> Result<(), SyntaxIssue> {
    let after = tokens.get(closed + 1);
    let before = opened.checked_sub(1).map(|p| &tokens[p]);
    match bracket {
        // `[a, b] = pair` or `({a} = obj)`: an assignment pattern.
        "[" | "{" if after.is_some_and(|a| a.is_punct("=")) && pattern_position(before) => {
            Err(not_supported(tokens[opened].text, tokens[opened].line))
        }
        // A parameter list: a pattern as a parameter.
        "(" => {
            let is_arrow = after.is_some_and(|a| a.is_punct("=>"));
            let is_function = is_function_params(tokens, opened);
            if !(is_arrow || is_function) {
                return Ok(());
            }
            let has_pattern = tokens[opened + 1..closed].iter().enumerate().any(|(k, t)| {
                (t.is_punct("{") || t.is_punct("["))
                    && depth_at(tokens, opened, opened + 1 + k) == 1
                    && {
                        let p = &tokens[opened + k];
                        p.is_punct("(") || p.is_punct(",") || p.is_punct("...")
                    }
            });
            match (has_pattern, is_arrow) {
                (false, _) => Ok(()),
                (true, true) => Err(unexpected("=>", tokens[closed + 1].line)),
                (true, false) => {
                    let t = tokens[opened + 1..closed]
                        .iter()
                        .find(|t| t.is_punct("{") || t.is_punct("["))
                        .unwrap_or(&tokens[opened]);
                    Err(not_supported(t.text, t.line))
                }
            }
        }
        _ => Ok(()),
    }
}

/// Bracket depth of token `at`, counting from the `(` at `from` (which is depth 1 inside).
fn depth_at(tokens: &[Token], from: usize, at: usize) -> usize {
    let mut depth = 0usize;
    for t in &tokens[from..at] {
        match t.text {
            "(" | "[" | "{" if t.kind == Kind::Punct => depth += 1,
            ")" | "]" | "}" if t.kind == Kind::Punct => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// `function (`, `function name (`, or a method shorthand `name(…) {`.
fn is_function_params(tokens: &[Token], opened: usize) -> bool {
    let before = opened.checked_sub(1).map(|p| &tokens[p]);
    let before2 = opened.checked_sub(2).map(|p| &tokens[p]);
    before.is_some_and(|b| b.is_ident("function"))
        || (before.is_some_and(|b| b.kind == Kind::Ident)
            && before2.is_some_and(|b| b.is_ident("function")))
}

/// Whether a `[`/`{` after `before` starts an expression (so `[…] =` is a pattern, not `a[i] =`).
fn pattern_position(before: Option<&Token>) -> bool {
    match before {
        None => true,
        Some(b) => b.kind == Kind::Punct && matches!(b.text, ";" | "{" | "}" | "(" | "," | "="),
    }
}

fn statement_start(prev: Option<&Token>) -> bool {
    prev.is_none_or(|p| p.kind == Kind::Punct && matches!(p.text, ";" | "{" | "}"))
}

fn starts_binding(next: Option<&Token>) -> bool {
    next.is_some_and(|n| n.kind == Kind::Ident || n.is_punct("[") || n.is_punct("{"))
}

fn starts_async(next: Option<&Token>) -> bool {
    next.is_some_and(|n| n.is_ident("function") || n.is_punct("(") || n.kind == Kind::Ident)
}

/// Whether the innermost open bracket is the argument list of a call.
fn in_call_arguments(tokens: &[Token], open: &[(&str, usize)]) -> bool {
    let Some(&(bracket, at)) = open.last() else {
        return false;
    };
    if bracket != "(" || at == 0 {
        return false;
    }
    let callee = &tokens[at - 1];
    match callee.kind {
        Kind::Ident => {
            !matches!(
                callee.text,
                "if" | "while"
                    | "for"
                    | "switch"
                    | "catch"
                    | "function"
                    | "return"
                    | "typeof"
                    | "await"
                    | "in"
                    | "of"
                    | "new"
                    | "void"
                    | "delete"
                    | "throw"
                    | "case"
            ) && !is_function_params(tokens, at)
        }
        Kind::Punct => matches!(callee.text, ")" | "]"),
        _ => false,
    }
}

/// What to blank for an `export` at token `start`, or why the runtime refuses it.
///
/// The reference (§2, §6.2) reports `Illegal export statement` for exports, but functions that
/// end in `export { handler };` or declare `export function handler` pass the real TestFunction
/// on cloudfront-js-2.0 and are deployed that way (christ-off/cloudfront-function-filter-traffic,
/// NHSDigital/eps-prescription-tracker-ui): 2.0 compiles the code as a module. So in 2.0 a named
/// export is accepted and ignored; `export default` and every export in 1.0 are refused. Change
/// here if CloudFront is seen to behave otherwise.
fn export_to_blank(tokens: &[Token], start: usize, runtime: Runtime) -> Result<usize, SyntaxIssue> {
    let line = tokens[start].line;
    let illegal = || issue("SyntaxError: Illegal export statement", line);
    let next = tokens.get(start + 1).ok_or_else(illegal)?;
    if runtime == Runtime::Js10 || next.is_ident("default") {
        return Err(illegal());
    }
    if next.is_punct("{") {
        // `export { a, b as c };` — drop the whole list.
        let close = tokens[start..]
            .iter()
            .position(|t| t.is_punct("}"))
            .ok_or_else(illegal)?
            + start;
        let from = tokens.get(close + 1).is_some_and(|t| t.is_ident("from"));
        if from {
            return Err(illegal());
        }
        let semi = tokens.get(close + 1).is_some_and(|t| t.is_punct(";"));
        return Ok(if semi { close + 1 } else { close });
    }
    if next.kind == Kind::Ident
        && matches!(next.text, "function" | "async" | "const" | "let" | "var")
    {
        // `export function handler…`: drop only the keyword.
        return Ok(start);
    }
    Err(illegal())
}

/// Parses `import name from 'module'` (optionally `;`) starting at `start`.
fn parse_import(
    tokens: &[Token],
    start: usize,
    runtime: Runtime,
) -> Result<(Import, usize), SyntaxIssue> {
    let line = tokens[start].line;
    let t = |k: usize| tokens.get(start + k);
    let binding = t(1).filter(|b| b.kind == Kind::Ident && b.text != "from");
    let (Some(binding), Some(from), Some(name)) = (binding, t(2), t(3)) else {
        // `import * as x`, `import {a}`: njs supports default imports only.
        return Err(unexpected(t(1).map_or("import", |b| b.text), line));
    };
    if !from.is_ident("from") || name.kind != Kind::Str {
        return Err(unexpected(from.text, line));
    }
    let module_name = name.text.trim_matches(|c| c == '"' || c == '\'');
    let module = Module::from_name(module_name)
        .filter(|m| *m != Module::Cloudfront || runtime == Runtime::Js20)
        .ok_or_else(|| {
            issue(
                format!("SyntaxError: Cannot find module \"{module_name}\""),
                line,
            )
        })?;
    let end = if t(4).is_some_and(|s| s.is_punct(";")) {
        start + 4
    } else {
        start + 3
    };
    Ok((
        Import {
            binding: binding.text.to_owned(),
            module,
        },
        end,
    ))
}

fn offset(src: &str, token: &Token) -> usize {
    token.text.as_ptr() as usize - src.as_ptr() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use Runtime::{Js10, Js20};

    fn err(src: &str, rt: Runtime) -> String {
        check(src, rt).expect_err("should be rejected").to_string()
    }

    fn ok(src: &str, rt: Runtime) -> Checked {
        check(src, rt).unwrap_or_else(|e| panic!("rejected: {e}"))
    }

    #[test]
    fn runtime_1_0_refuses_let_const_and_async() {
        assert_eq!(
            err("var a;\nconst b = 1;", Js10),
            "SyntaxError: Token \"const\" not supported in this version in 2"
        );
        assert_eq!(
            err("let b = 1;", Js10),
            "SyntaxError: Token \"let\" not supported in this version in 1"
        );
        assert!(err("async function handler(e) { return e.request; }", Js10).contains("\"async\""));
        ok(
            "const a = 1; let b = 2; async function handler(e) { return await e; }",
            Js20,
        );
    }

    #[test]
    fn words_used_as_names_are_not_keywords() {
        ok(
            "var o = { let: 1, const: 2 }; o.async = 3; var x = o.let;",
            Js10,
        );
    }

    #[test]
    fn destructuring_is_refused_in_both_runtimes() {
        for rt in [Js10, Js20] {
            assert_eq!(
                err("var [a, b] = c;", rt),
                "SyntaxError: Token \"[\" not supported in this version in 1"
            );
            assert_eq!(
                err("var {a} = c;", rt),
                "SyntaxError: Token \"{\" not supported in this version in 1"
            );
            assert!(err("function f({a}) { return a; }", rt).contains("Token \"{\""));
            assert_eq!(
                err("var f = ({a}) => a;", rt),
                "SyntaxError: Unexpected token \"=>\" in 1"
            );
            assert!(err("var a, b; [a, b] = [b, a];", rt).contains("Token \"[\""));
        }
    }

    #[test]
    fn ordinary_brackets_are_fine() {
        ok("var a = [1, 2]; a[0] = 3; var o = {}; o['x'] = {y: [1]}; f(function (x) { return x; });", Js10);
        ok("var g = (x, y) => x + y; var h = (x) => ({a: x});", Js20);
    }

    #[test]
    fn named_exports_are_ignored_in_2_0() {
        let c = ok(
            "function handler(e) { return e.request; }\nexport { handler };",
            Js20,
        );
        assert_eq!(c.body.lines().nth(1).unwrap().trim(), "");
        let c = ok(
            "export async function handler(e) { return e.request; }",
            Js20,
        );
        assert!(c.body.trim_start().starts_with("async function handler"));
        assert!(err("function handler(e) {}\nexport { handler };", Js10).contains("Illegal export"));
    }

    #[test]
    fn optional_catch_binding_is_refused() {
        assert!(err("try { x(); } catch { }", Js20).contains("Unexpected token"));
        ok("try { x(); } catch (e) { }", Js10);
    }

    #[test]
    fn export_is_illegal() {
        assert_eq!(
            err("function handler(e) {}\nexport default handler;", Js20),
            "SyntaxError: Illegal export statement in 2"
        );
        assert!(err("export function handler(e) {}", Js10).contains("Illegal export"));
        assert!(err("export default function handler(e) {}", Js20).contains("Illegal export"));
    }

    #[test]
    fn imports_are_extracted_and_blanked() {
        let c = ok(
            "import cf from 'cloudfront';\nimport crypto from \"crypto\"\nfunction handler(e) {}",
            Js20,
        );
        assert_eq!(c.imports.len(), 2);
        assert_eq!(
            c.imports[0],
            Import {
                binding: "cf".into(),
                module: Module::Cloudfront
            }
        );
        assert!(c.body.starts_with(&format!("{}\n", " ".repeat(28))));
        assert_eq!(c.body.lines().count(), 3);
    }

    #[test]
    fn unknown_modules_and_cloudfront_in_1_0_are_refused() {
        assert_eq!(
            err("import fs from 'fs';", Js20),
            "SyntaxError: Cannot find module \"fs\" in 1"
        );
        assert!(err("import cf from 'cloudfront';", Js10).contains("\"cloudfront\""));
    }

    #[test]
    fn await_in_call_arguments_is_refused() {
        assert_eq!(
            err(
                "async function handler(e) {\n  return parseFloat(await kvs.get('w'));\n}",
                Js20
            ),
            "SyntaxError: await in arguments not supported in 2"
        );
        ok("async function handler(e) { var v = await kvs.get('w'); if (await kvs.exists('x')) {} return v; }", Js20);
    }

    #[test]
    fn numeric_separators_are_2_0_only() {
        assert_eq!(
            err("var n = 1_000;", Js10),
            "SyntaxError: Unexpected token \"_000\" in 1"
        );
        ok("var n = 1_000;", Js20);
    }

    #[test]
    fn optional_chaining_and_nullish_coalescing_are_refused() {
        for rt in [Js10, Js20] {
            assert!(err("var v = a?.b;", rt).contains("\"?.\""));
            assert!(err("var v = a ?? b;", rt).contains("\"??\""));
        }
        ok("var v = a ? b : c; var w = a ? .5 : 1;", Js20);
    }

    #[test]
    fn classes_and_generators_are_refused() {
        assert!(err("class A {}", Js20).contains("\"class\""));
        assert!(err("function* g() {}", Js20).contains("\"*\""));
    }
}
