//! njs is the reference: the same snippets run in the `njs` command-line engine (Debian's njs
//! 0.7.9, which CloudFront's runtime descends from, docs/cloudfront/runtime.md) and in our
//! runtime, and their return values and error texts must agree.
//!
//! - Cases come from tests/njs_diff/cases.rs: tables of inputs per API plus random inputs from
//!   a fixed seed. Each case is a function body and says which runtimes it applies to.
//! - njs runs every case in one process, each in try/catch, and prints one line per case.
//! - Our side runs the cases through `CloudFrontFunction` in both runtimes, a chunk of cases
//!   per function (the 10 KB code quota), one invocation per case, so a thrown error leaves
//!   the handler and is reported in CloudFront's words, as `FunctionErrorMessage` shows it.
//! - Values are compared in a canonical text form computed inside each engine
//!   (tests/njs_diff/canon.js). Error texts are compared as `Name: message`.
//! - A difference fails the test unless tests/njs_diff/allow.txt lists it with a reason and a
//!   source. The full comparison is written to `$CARGO_TARGET_TMPDIR/njs_diff.txt`.

#[path = "njs_diff/cases.rs"]
mod cases;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use cases::{Case, Only};
use edgesim_functions::{CloudFrontFunction, FunctionError, FunctionOptions, InvokeInput, Runtime};

const CANON: &str = include_str!("njs_diff/canon.js");
const ALLOW: &str = include_str!("njs_diff/allow.txt");
/// Room left for the cases in one function under the 10 KB code quota.
const CHUNK_BYTES: usize = 10 * 1024 - 600;

/// What one engine made of one case: a canonical value, or an error text (escaped as canon.js
/// escapes strings, so both sides compare in the same form).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Value(String),
    Error(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Value(v) => write!(f, "value {v}"),
            Outcome::Error(e) => write!(f, "throws {e}"),
        }
    }
}

/// `__q` of canon.js in Rust: printable ASCII as is, every other UTF-16 unit as `\uXXXX`.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for u in s.encode_utf16() {
        if (32..127).contains(&u) && u != 92 {
            out.push(char::from(u as u8));
        } else {
            out.push_str(&format!("\\u{u:04x}"));
        }
    }
    out
}

fn njs_version() -> String {
    match Command::new("njs").arg("-v").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        _ => panic!(
            "the njs engine is not installed, and this test compares our runtime against it.\n\
             Install it with `apt-get install -y njs` (Debian's njs 0.7.9; .ci/run installs it in CI)."
        ),
    }
}

/// Runs every case in one njs process.
fn run_njs(cases: &[Case]) -> Vec<Outcome> {
    let mut script = String::from(CANON);
    // Each body is compiled on its own (`new Function`, which njs allows), so a case njs
    // cannot parse reports its SyntaxError instead of stopping the script.
    script.push_str("var __C = [\n");
    for case in cases {
        script.push_str(&serde_json::to_string(&case.body).unwrap());
        script.push_str(",\n");
    }
    script.push_str(
        "];\nfor (var __i = 0; __i < __C.length; __i++) {\n  var __r;\n  \
         try { __r = '\\u0001v ' + __c(new Function(__C[__i])(), 0); } catch (e) { __r = '\\u0001e ' + __e(e); }\n  \
         console.log(__r);\n}\n",
    );
    let path = std::env::temp_dir().join(format!("edgesim-njs-diff-{}.js", std::process::id()));
    std::fs::write(&path, &script).unwrap();
    let out = Command::new("njs")
        .arg(&path)
        // CloudFront runs in UTC; njs prints local time.
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .expect("njs runs");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        cases.len(),
        "njs printed {} lines for {} cases (a case that does not parse in njs stops the script):\n{}",
        lines.len(),
        cases.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    lines
        .iter()
        // njs prints deprecation warnings without a newline: the result follows the last \u{1}.
        .map(
            |l| match l.rsplit('\u{1}').next().unwrap_or(l).split_once(' ') {
                Some(("v", v)) => Outcome::Value(v.to_owned()),
                Some(("e", e)) => Outcome::Error(e.to_owned()),
                _ => Outcome::Error(format!("unparsable njs output {l:?}")),
            },
        )
        .collect()
}

/// Runs the cases that apply to `runtime` through `CloudFrontFunction`, chunk by chunk.
fn run_ours(cases: &[Case], runtime: Runtime) -> BTreeMap<usize, Outcome> {
    let mut results = BTreeMap::new();
    let applicable: Vec<usize> = (0..cases.len())
        .filter(|&i| cases[i].only.applies(runtime))
        .collect();
    let mut start = 0;
    while start < applicable.len() {
        let mut end = start;
        let mut body = String::new();
        while end < applicable.len() {
            let f = format!("function () {{ {} }},\n", cases[applicable[end]].body);
            if end > start && body.len() + f.len() > CHUNK_BYTES - CANON.len() {
                break;
            }
            body.push_str(&f);
            end += 1;
        }
        let source = format!(
            "{CANON}var __C = [\n{body}];\nfunction handler(event) {{ return __c(__C[event.i](), 0); }}\n"
        );
        let function = match CloudFrontFunction::new(
            &source,
            FunctionOptions {
                // Debug builds of boa are slow; the deadline is not what is tested here.
                hard_timeout: std::time::Duration::from_secs(10),
                ..FunctionOptions::new("njs-diff", runtime)
            },
        ) {
            Ok(f) => f,
            Err(_) if end - start > 1 => {
                // Some case does not compile: run this chunk's cases one by one.
                for &i in &applicable[start..end] {
                    results.extend(
                        run_ours(std::slice::from_ref(&cases[i]), runtime)
                            .into_values()
                            .map(|o| (i, o)),
                    );
                }
                start = end;
                continue;
            }
            Err(e) => {
                results.insert(applicable[start], Outcome::Error(escape(&e.to_string())));
                start = end;
                continue;
            }
        };
        for (k, &i) in applicable[start..end].iter().enumerate() {
            let event = serde_json::json!({ "i": k });
            let run = function.invoke(&event, &InvokeInput::default());
            let outcome = match run.outcome {
                Ok(serde_json::Value::String(v)) => Outcome::Value(v),
                Ok(other) => Outcome::Error(format!("handler returned {other}")),
                Err(FunctionError::Execution(e)) => Outcome::Error(escape(&e)),
                Err(e) => Outcome::Error(format!("[{}]", escape(&e.to_string()))),
            };
            results.insert(i, outcome);
        }
        start = end;
    }
    results
}

/// One allow-list entry: cases whose body matches `code` in the given runtimes may differ from
/// njs.
#[derive(Debug)]
struct Allowed {
    code: String,
    runtimes: Vec<Runtime>,
    reason: String,
    source: String,
    used: std::cell::Cell<usize>,
}

impl Allowed {
    /// `code` is one or more patterns separated by ` | `: exact text, `prefix*` (of the body or
    /// the group), or `*part*` (anywhere in the body).
    fn matches(&self, case: &Case, runtime: Runtime) -> bool {
        if !self.runtimes.contains(&runtime) {
            return false;
        }
        self.code.split(" | ").any(|pattern| {
            if let Some(part) = pattern.strip_prefix('*').and_then(|p| p.strip_suffix('*')) {
                return case.body.contains(part);
            }
            match pattern.strip_suffix('*') {
                Some(prefix) => case.body.starts_with(prefix) || case.group.starts_with(prefix),
                None => case.body == pattern,
            }
        })
    }
}

/// Parses allow.txt: blocks of `code:`, `runtime:` (`1.0`, `2.0` or `both`), `reason:` and
/// `source:` lines separated by blank lines; `#` starts a comment line.
fn allow_list() -> Vec<Allowed> {
    let mut out = Vec::new();
    for block in ALLOW.split("\n\n") {
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        for line in block
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let (key, value) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("allow.txt: expected `key: value`, got {line:?}"));
            fields.insert(key.trim(), value.to_owned());
        }
        if fields.is_empty() {
            continue;
        }
        let field = |k: &str| {
            fields
                .get(k)
                .cloned()
                .unwrap_or_else(|| panic!("allow.txt: entry without `{k}:`: {block}"))
        };
        let runtimes = match field("runtime").as_str() {
            "1.0" => vec![Runtime::Js10],
            "2.0" => vec![Runtime::Js20],
            "both" => Runtime::ALL.to_vec(),
            other => panic!("allow.txt: runtime must be 1.0, 2.0 or both, got {other:?}"),
        };
        let (reason, source) = (field("reason"), field("source"));
        assert!(
            !reason.is_empty() && !source.is_empty(),
            "allow.txt: every entry needs a reason and a source: {block}"
        );
        out.push(Allowed {
            code: field("code"),
            runtimes,
            reason,
            source,
            used: std::cell::Cell::new(0),
        });
    }
    out
}

#[test]
fn our_runtime_answers_as_njs_does() {
    let version = njs_version();
    let cases = cases::all();
    let allowed = allow_list();
    let reference = run_njs(&cases);

    let mut report = format!("njs {version}, {} cases\n", cases.len());
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for runtime in Runtime::ALL {
        let ours = run_ours(&cases, runtime);
        let (mut same, mut allowed_diffs) = (0, 0);
        for (&i, outcome) in &ours {
            let case = &cases[i];
            let expected = &reference[i];
            if outcome == expected {
                same += 1;
                continue;
            }
            let entry = allowed.iter().find(|a| a.matches(case, runtime));
            let line = format!(
                "{runtime} [{}] {}\n    njs:  {expected}\n    ours: {outcome}\n",
                case.group, case.body
            );
            report.push_str(&line);
            match entry {
                Some(a) => {
                    a.used.set(a.used.get() + 1);
                    allowed_diffs += 1;
                    report.push_str(&format!("    allowed: {} ({})\n", a.reason, a.source));
                }
                None => failures.push(line),
            }
        }
        counts.push((runtime, (ours.len(), same, allowed_diffs)));
    }
    for a in &allowed {
        if a.used.get() == 0 {
            report.push_str(&format!("unused allow-list entry: {}\n", a.code));
        }
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(rt, (n, same, al))| {
            format!("{rt}: {n} cases, {same} agree, {al} allowed differences")
        })
        .collect();
    report.push_str(&format!(
        "{}\n{} unexplained differences\n",
        summary.join("\n"),
        failures.len()
    ));
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("njs_diff.txt");
    if let Ok(mut f) = std::fs::File::create(&path) {
        let _ = f.write_all(report.as_bytes());
    }
    eprintln!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} differences from njs that allow.txt does not explain (full report: {}):\n{}",
        failures.len(),
        path.display(),
        failures.iter().take(80).cloned().collect::<String>()
    );
}

impl Only {
    fn applies(self, runtime: Runtime) -> bool {
        match self {
            Only::Both => true,
            Only::V1 => runtime == Runtime::Js10,
            Only::V2 => runtime == Runtime::Js20,
        }
    }
}

/// Function files that do not compile: njs's message and line (CloudFront prints `… in <line>`),
/// counted in the user's file, whatever edgesim wraps around it.
const SYNTAX_CASES: &[&str] = &[
    "function handler(event) { return event.request;",
    "function handler(event) { return event.request;\n",
    "function handler(event) { return event.request; }}",
    "function handler(event) {\n  var x = ;\n  return event.request;\n}",
    "function handler(event) {\n  return event.request\n}\n)",
    "function handler(event) {\n  var s = 'abc;\n  return event.request;\n}",
    "function handler(event) {\n  if (x {\n  }\n}",
    "function handler(event) {\n  var a = [1, 2;\n}",
    "function handler(event) {\n  var o = {a: 1,, b: 2};\n}",
    "function handler(event) {\n  var 1a = 2;\n}",
    "function handler(event) {\n  event.request.uri = ;\n}",
    "function handler(event) {\n  for (var i = 0; i < 3 i++) {}\n}",
    "function handler(event) {\n  var x = 1 +;\n}",
    "function (event) { return event.request; }",
    "function handler(event) {\n  return event.request;\n",
    "function handler(event) {\n  var s = `abc;\n}",
    "function handler(event) {\n  var x = {;\n}",
    "function handler(event) {\n  x = 1 = 2;\n}",
    "function handler(event) {\n  var re = /abc;\n}",
    "function handler(event) {\n  return 1;\n}}\n",
    "function handler(event) {\n  var a = 1\n  var b = 2 3;\n}",
    "function handler(event) {\n  if (true) {\n    return 1;\n  \n}",
    "function handler(event) {\n  var x = @;\n}",
    "function handler(event) {\n  return event.request.headers['host'.value;\n}",
    "function handler(event) {\n  var f = function() { return 1;\n  return f;\n}",
    "var x = 1;\n\nfunction handler(event) {\n  return event.request;\n}\n}\n",
    "function handler(event) {\n  var headers = event.request.headers\n  if (headers.host.value == 'a' {\n    return 1;\n  }\n  return event.request;\n}\n",
    "function handler(event) {\n  return { statusCode: 302 statusDescription: 'Found' };\n}",
    "function handler(event) {\n  var a = 'x' + + ;\n}",
    "function handler(event) {\n  else { }\n}",
    "function handler(event) {\n  return;;\n}\n)(",
    "// comment\n/* block\n comment */\nfunction handler(event) {\n  return event.request\n",
];

fn njs_compile_error(source: &str) -> String {
    let path = std::env::temp_dir().join(format!("edgesim-njs-syntax-{}.js", std::process::id()));
    std::fs::write(&path, source).unwrap();
    let out = Command::new("njs").arg(&path).output().expect("njs runs");
    let _ = std::fs::remove_file(&path);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let message = text
        .trim()
        .strip_prefix("Thrown:\n")
        .unwrap_or(text.trim())
        .lines()
        .collect::<Vec<_>>()
        .join("\n");
    // njs prints `in <file>:<line>`; CloudFront prints `in <line>`.
    let file = format!("in {}:", path.display());
    message.replace(&file, "in ")
}

#[test]
fn syntax_errors_name_the_users_line_and_token_as_njs_does() {
    njs_version();
    let mut failures = Vec::new();
    for source in SYNTAX_CASES {
        let expected = njs_compile_error(source);
        for runtime in Runtime::ALL {
            let ours =
                match CloudFrontFunction::new(source, FunctionOptions::new("syntax", runtime)) {
                    Ok(_) => "compiles".to_owned(),
                    Err(e) => e.to_string(),
                };
            if ours != expected {
                failures.push(format!(
                    "{runtime} {source:?}\n    njs:  {expected}\n    ours: {ours}\n"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} compile errors differ from njs:\n{}",
        failures.len(),
        SYNTAX_CASES.len() * 2,
        failures.concat()
    );
}

/// What a whole function did with an event: its result (or error text) and its log lines.
#[derive(Debug, PartialEq)]
struct FunctionRun {
    outcome: Result<serde_json::Value, String>,
    logs: Vec<String>,
}

/// Runs `source`'s handler on `event` in njs (bounded in time: some samples never finish).
fn njs_function_run(source: &str, event: &serde_json::Value) -> FunctionRun {
    let script = format!(
        "{source}\n;(function () {{\n\
         function out(kind, v) {{ console.log('\\u0001' + kind + ' ' + JSON.stringify(v)); }}\n\
         try {{\n\
           var r = handler({event});\n\
           if (r && typeof r.then === 'function') r.then(function (v) {{ out('v', v); }}, function (e) {{ out('e', String(e)); }});\n\
           else out('v', r === undefined ? null : r);\n\
         }} catch (e) {{ out('e', String(e)); }}\n\
         }})();\n"
    );
    let path = std::env::temp_dir().join(format!("edgesim-njs-fn-{}.js", std::process::id()));
    std::fs::write(&path, script).unwrap();
    let out = Command::new("timeout")
        .arg("5")
        .arg("njs")
        .arg(&path)
        .env("TZ", "UTC")
        .output()
        .expect("njs runs");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut logs = Vec::new();
    let mut outcome = Err(format!(
        "[njs printed no result: {}]",
        String::from_utf8_lossy(&out.stderr).trim()
    ));
    // njs warns once per deprecated byte-string method, on stdout, without a newline.
    let stdout = strip_njs_warnings(&stdout);
    for line in stdout.lines() {
        match line.split_once('\u{1}') {
            Some((before, result)) => {
                if !before.is_empty() {
                    logs.push(before.to_owned());
                }
                outcome = match result.split_once(' ') {
                    Some(("v", v)) => {
                        Ok(serde_json::from_str(v).unwrap_or(serde_json::Value::Null))
                    }
                    Some((_, e)) => Err(serde_json::from_str(e).unwrap_or_else(|_| e.to_owned())),
                    None => Err(result.to_owned()),
                };
            }
            None => logs.push(line.to_owned()),
        }
    }
    FunctionRun { outcome, logs }
}

/// The edge-samples cases (real sample functions with their events), through njs and through
/// our runtime: the same returned object, error text and logs. Functions that import the
/// `cloudfront` module (KeyValueStore, origins) cannot run in njs and are left out.
#[test]
fn sample_functions_do_in_our_runtime_what_they_do_in_njs() {
    njs_version();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../edge-samples/");
    let allowed = allow_list();
    let mut cases: Vec<_> = std::fs::read_dir(format!("{root}cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let (mut compared, mut failures) = (0, Vec::new());
    for case_path in cases {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&case_path).unwrap()).unwrap();
        let (Some(function), Some(event), Some(runtime)) = (
            case["function"].as_str(),
            case["event"].as_str(),
            case["runtime"]
                .as_str()
                .and_then(|r| r.parse::<Runtime>().ok()),
        ) else {
            continue;
        };
        let source = std::fs::read_to_string(format!("{root}{function}")).unwrap();
        if source.contains("import ") || case.get("kvs").is_some() {
            continue;
        }
        let Ok(ours) = CloudFrontFunction::new(&source, FunctionOptions::new(function, runtime))
        else {
            continue; // compile errors are compared by the syntax test
        };
        let event: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{root}{event}")).unwrap())
                .unwrap();
        let run = ours.invoke(&event, &InvokeInput::default());
        let ours = FunctionRun {
            outcome: run.outcome.map_err(|e| e.to_string()),
            logs: run.logs,
        };
        let expected = njs_function_run(&source, &event);
        compared += 1;
        let name = case_path.file_name().unwrap().to_string_lossy().to_string();
        let pseudo = Case {
            group: "samples".to_owned(),
            body: name.clone(),
            only: Only::Both,
        };
        if ours != expected && !allowed.iter().any(|a| a.matches(&pseudo, runtime)) {
            failures.push(format!(
                "{name} ({runtime})\n    njs:  {expected:?}\n    ours: {ours:?}\n"
            ));
        }
    }
    eprintln!("{compared} sample functions compared with njs");
    assert!(
        compared >= 20,
        "only {compared} sample cases could be compared"
    );
    assert!(
        failures.is_empty(),
        "{} sample functions differ from njs:\n{}",
        failures.len(),
        failures.concat()
    );
}

/// `stdout` without njs's "X() is deprecated and will be removed in the future" warnings.
fn strip_njs_warnings(stdout: &str) -> String {
    const TAIL: &str = " is deprecated and will be removed in the future";
    let mut out = String::new();
    for line in stdout.split_inclusive('\n') {
        let mut line = line.to_owned();
        while let Some(end) = line.find(TAIL) {
            let start = line[..end]
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |i| i + 1);
            line.replace_range(start..end + TAIL.len(), "");
        }
        if !line.trim().is_empty() {
            out.push_str(&line);
        }
    }
    out
}
