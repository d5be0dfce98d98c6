//! The model written as `edgesim.toml`, plus the files the config points at (inline function
//! code, empty KeyValueStores). What the config cannot express becomes a warning, and every
//! warning is also a comment at the top of the file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::model::{
    Association, Behavior, CachePolicy, Distribution, EventType, FunctionCode, LambdaCode,
    OriginKind, Select,
};
use crate::warn::Warnings;

/// What `--origin ID=…` maps an origin to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginTarget {
    /// A directory served by the mock origin (like a bucket's contents).
    Dir(PathBuf),
    /// A running HTTP server.
    Url(String),
}

impl OriginTarget {
    /// `http://…`/`https://…` is a URL, anything else a directory.
    pub fn parse(s: &str) -> OriginTarget {
        if s.starts_with("http://") || s.starts_with("https://") {
            OriginTarget::Url(s.to_owned())
        } else {
            OriginTarget::Dir(PathBuf::from(s))
        }
    }
}

/// A file the config points at, to be written before the config is used.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

pub struct EmitOptions<'a> {
    /// The TOML's directory: relative paths in it start here (absolute).
    pub base_dir: &'a Path,
    /// Where generated files go (absolute).
    pub code_dir: &'a Path,
    pub origins: &'a BTreeMap<String, OriginTarget>,
}

pub struct Emitted {
    pub toml: String,
    pub files: Vec<GeneratedFile>,
    /// Origins served by the mock origin because no `--origin` maps them: (id, domain).
    pub unmapped: Vec<(String, String)>,
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn q_path(p: &Path) -> String {
    q(&p.to_string_lossy().replace('\\', "/"))
}

/// A file name from a function or store name.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "function".to_owned()
    } else {
        s
    }
}

pub fn emit(dist: &Distribution, opts: &EmitOptions<'_>, w: &mut Warnings) -> Emitted {
    let mut files = Vec::new();
    let mut unmapped = Vec::new();
    let mut body = String::new();
    let rel = |p: &Path| relative(p, opts.base_dir);

    if let Some(root) = &dist.default_root_object {
        w.push(
            crate::warn::join(&dist.path, "DefaultRootObject"),
            format!("{root:?}: not in the config yet; a request for / is not rewritten to it"),
        );
    }
    for (i, e) in dist.custom_error_responses.iter().enumerate() {
        w.push(
            format!("{}[{i}]", crate::warn::join(&dist.path, "CustomErrorResponses")),
            format!(
                "{} -> {} {}: custom error responses are not in the config yet; the origin's error is served",
                e.error_code,
                e.response_code.map_or("-".to_owned(), |c| c.to_string()),
                e.response_page_path.as_deref().unwrap_or("")
            ),
        );
    }

    // Origins.
    for origin in &dist.origins {
        let _ = writeln!(body, "[[origins]]\nid = {}", q(&origin.id));
        let what = match &origin.kind {
            OriginKind::S3 => "S3 bucket".to_owned(),
            OriginKind::Custom {
                protocol_policy, ..
            } => format!("custom origin, {protocol_policy}"),
        };
        let _ = writeln!(body, "# {} ({what})", origin.domain_name);
        match opts.origins.get(&origin.id) {
            Some(OriginTarget::Dir(dir)) => {
                let dir = absolute(dir);
                let _ = writeln!(body, "mock = {{ root = {} }}", q_path(&rel(&dir)));
                if !origin.origin_path.is_empty() {
                    w.push(
                        format!("{} {}", crate::warn::join(&dist.path, "Origins"), origin.id),
                        format!("OriginPath {:?}: the directory given with --origin is served as the origin path's contents", origin.origin_path),
                    );
                }
            }
            Some(OriginTarget::Url(url)) => {
                let url = format!("{}{}", url.trim_end_matches('/'), origin.origin_path);
                let _ = writeln!(body, "url = {}", q(&url));
            }
            None => {
                let _ = writeln!(
                    body,
                    "# not mapped: the mock origin answers (map it with --origin {}=DIR|URL)\nmock = {{}}",
                    origin.id
                );
                unmapped.push((origin.id.clone(), origin.domain_name.clone()));
            }
        }
        if !origin.custom_headers.is_empty() {
            let headers: Vec<String> = origin
                .custom_headers
                .iter()
                .map(|(k, v)| format!("{} = {}", q(k), q(v)))
                .collect();
            let _ = writeln!(body, "custom_headers = {{ {} }}", headers.join(", "));
        }
        if let Some(t) = origin.read_timeout {
            let _ = writeln!(body, "read_timeout = {t:?}");
        }
        if let Some(t) = origin.connect_timeout {
            let _ = writeln!(body, "connect_timeout = {t:?}");
        }
        body.push('\n');
    }

    // Origin groups: the config has no such table yet; a behavior that targets one uses the
    // group's primary origin.
    let mut targets: BTreeMap<&str, &str> = BTreeMap::new();
    for g in &dist.origin_groups {
        if let Some(primary) = g.members.first() {
            targets.insert(&g.id, primary);
        }
        w.push(
            format!("{} {}", crate::warn::join(&dist.path, "OriginGroups"), g.id),
            format!(
                "origin groups are not in the config yet: behaviors use the primary origin {:?} without failover to {:?} on {:?}",
                g.members.first().map_or("", String::as_str),
                g.members.get(1..).unwrap_or_default(),
                g.status_codes
            ),
        );
    }

    // KeyValueStores.
    for kvs in &dist.key_value_stores {
        let file = match &kvs.file {
            Some(f) => absolute(f),
            None => {
                let file = opts
                    .code_dir
                    .join("kvs")
                    .join(format!("{}.json", file_stem(&kvs.name)));
                w.push(
                    format!("KeyValueStore {}", kvs.name),
                    format!("its contents are not in the source: an empty store was written to {} (pass --kvs {}=FILE)", file.display(), kvs.name),
                );
                files.push(GeneratedFile {
                    path: file.clone(),
                    contents: "{\"data\":[]}\n".to_owned(),
                });
                file
            }
        };
        let _ = writeln!(
            body,
            "[[key_value_stores]]\nid = {}\nfile = {}\n",
            q(&kvs.name),
            q_path(&rel(&file))
        );
    }

    // Function code files.
    let mut function_files = Vec::new();
    for f in &dist.functions {
        let path = match &f.code {
            FunctionCode::File(p) => absolute(p),
            FunctionCode::Inline(code) => {
                let path = opts
                    .code_dir
                    .join("functions")
                    .join(format!("{}.js", file_stem(&f.name)));
                files.push(GeneratedFile {
                    path: path.clone(),
                    contents: code.clone(),
                });
                path
            }
        };
        function_files.push(rel(&path));
    }
    let mut lambda_handlers = Vec::new();
    for l in &dist.lambdas {
        let (module, export) = l
            .handler
            .rsplit_once('.')
            .unwrap_or((&l.handler, "handler"));
        let dir = match &l.code {
            LambdaCode::Dir(d) => {
                let d = absolute(d);
                let exists = ["js", "mjs", "cjs", "py"]
                    .iter()
                    .any(|ext| d.join(format!("{module}.{ext}")).is_file());
                if !exists {
                    w.push(
                        format!("Lambda function {}", l.name),
                        format!("no {module}.js/.mjs/.cjs/.py in {} (does the code need a build step first, e.g. sam build or cdk synth?)", d.display()),
                    );
                }
                d
            }
            LambdaCode::Inline(code) => {
                let d = opts.code_dir.join("lambda").join(file_stem(&l.name));
                let ext = if l.runtime.starts_with("python") {
                    "py"
                } else {
                    "js"
                };
                files.push(GeneratedFile {
                    path: d.join(format!("{module}.{ext}")),
                    contents: code.clone(),
                });
                d
            }
        };
        let handler = rel(&dir).join(format!("{module}.{export}"));
        lambda_handlers.push(handler);
    }

    // Behaviors.
    let ctx = BehaviorCtx {
        dist,
        targets: &targets,
        function_files: &function_files,
        lambda_handlers: &lambda_handlers,
    };
    body.push_str("[default_behavior]\n");
    ctx.behavior(&dist.default_behavior, &mut body, w);
    for b in &dist.behaviors {
        body.push_str("\n[[behaviors]]\n");
        let _ = writeln!(
            body,
            "path_pattern = {}",
            q(b.path_pattern.as_deref().unwrap_or("*"))
        );
        ctx.behavior(b, &mut body, w);
    }

    let mut toml = String::new();
    let _ = writeln!(toml, "# Imported by `edgesim import` from {}.", dist.label);
    if let Some(c) = &dist.comment {
        let _ = writeln!(toml, "# Comment: {}", one_line(c));
    }
    if w.0.is_empty() {
        toml.push_str("# Everything in the source is emulated.\n");
    } else {
        let _ = writeln!(
            toml,
            "# {} warning(s): what edgesim does not emulate (also printed on stderr):",
            w.0.len()
        );
        for warning in &w.0 {
            let _ = writeln!(toml, "#   {}", one_line(&warning.to_string()));
        }
    }
    toml.push('\n');
    toml.push_str(&body);
    Emitted {
        toml,
        files,
        unmapped,
    }
}

struct BehaviorCtx<'a> {
    dist: &'a Distribution,
    targets: &'a BTreeMap<&'a str, &'a str>,
    function_files: &'a [PathBuf],
    lambda_handlers: &'a [PathBuf],
}

impl BehaviorCtx<'_> {
    fn behavior(&self, b: &Behavior, out: &mut String, w: &mut Warnings) {
        let origin = match self.targets.get(b.target_origin.as_str()) {
            Some(primary) => primary.to_string(),
            None => b.target_origin.clone(),
        };
        let _ = writeln!(out, "origin = {}", q(&origin));
        if let Some(name) = &b.cache.name {
            let kind = if b.cache.managed {
                "managed cache policy"
            } else {
                "cache policy"
            };
            let _ = writeln!(out, "# {kind} {name}");
        }
        let _ = writeln!(out, "cache = {}", cache_table(&b.cache, &b.path, w));
        if let Some(policy) = &b.viewer_protocol_policy {
            if policy != "allow-all" {
                w.push(
                    format!("{}.ViewerProtocolPolicy", b.path),
                    format!("{policy}: edgesim serves HTTP and does not redirect or refuse it"),
                );
            }
        }
        // CloudFront's method sets, in its order; the config refuses any other set (as
        // CloudFront does), so such a source is a config error naming the line.
        let methods = |list: &[String]| -> Option<String> {
            if list.is_empty() {
                return None;
            }
            let order = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];
            let upper: Vec<String> = list.iter().map(|m| m.to_ascii_uppercase()).collect();
            let mut sorted: Vec<&str> = order
                .iter()
                .copied()
                .filter(|m| upper.iter().any(|u| u == m))
                .collect();
            sorted.extend(
                upper
                    .iter()
                    .map(String::as_str)
                    .filter(|u| !order.contains(u)),
            );
            let quoted: Vec<String> = sorted.iter().map(|m| q(m)).collect();
            Some(format!("[{}]", quoted.join(", ")))
        };
        if let Some(list) = methods(&b.allowed_methods) {
            let _ = writeln!(out, "allowed_methods = {list}");
        }
        if let Some(list) = methods(&b.cached_methods) {
            let _ = writeln!(out, "cached_methods = {list}");
        }
        if b.compress {
            w.push(
                format!("{}.Compress", b.path),
                "edgesim does not compress responses (the origin's encoding is served)",
            );
        }
        if let Some(p) = &b.origin_request_policy {
            w.push(
                format!("{}.OriginRequestPolicyId", b.path),
                format!("origin request policy {}: not in the config yet; edgesim forwards what the cache key holds plus the viewer's headers", p.name),
            );
        }
        if let Some(p) = &b.response_headers_policy {
            let mut what: Vec<String> = p.parts.clone();
            what.extend(p.custom_headers.iter().map(|(h, v, _)| format!("{h}: {v}")));
            w.push(
                format!("{}.ResponseHeadersPolicyId", b.path),
                format!(
                    "response headers policy {}: not in the config yet; not added: {}",
                    p.name,
                    what.join(", ")
                ),
            );
        }
        let mut used: Vec<EventType> = Vec::new();
        for (event, assoc) in &b.associations {
            let at = format!(
                "{}.{}",
                b.path,
                match assoc {
                    Association::Function(_) => "FunctionAssociations",
                    Association::Lambda { .. } => "LambdaFunctionAssociations",
                }
            );
            if used.contains(event) {
                w.push(
                    at,
                    format!(
                        "{} already has a function; CloudFront allows one per event (skipped)",
                        event.key()
                    ),
                );
                continue;
            }
            let line = match assoc {
                Association::Function(i) => {
                    if matches!(event, EventType::OriginRequest | EventType::OriginResponse) {
                        w.push(
                            at,
                            "CloudFront Functions run on viewer events only (skipped)",
                        );
                        continue;
                    }
                    let f = &self.dist.functions[*i];
                    let kvs = f
                        .kvs
                        .map(|k| format!(", kvs = {}", q(&self.dist.key_value_stores[k].name)))
                        .unwrap_or_default();
                    format!(
                        "{{ runtime = {}, code = {}{kvs} }}",
                        q(&f.runtime),
                        q_path(&self.function_files[*i])
                    )
                }
                Association::Lambda {
                    index,
                    include_body,
                } => {
                    let l = &self.dist.lambdas[*index];
                    let viewer =
                        matches!(event, EventType::ViewerRequest | EventType::ViewerResponse);
                    let limit = if viewer { 5_000 } else { 30_000 };
                    // Lambda's default timeout is 3 seconds.
                    let mut timeout = l.timeout_ms.unwrap_or(3_000);
                    if timeout > limit {
                        w.push(
                            at.clone(),
                            format!("function {} has a {timeout} ms timeout; Lambda@Edge allows {limit} ms on {} (used {limit})", l.name, event.key()),
                        );
                        timeout = limit;
                    }
                    let body = if *include_body {
                        ", include_body = true"
                    } else {
                        ""
                    };
                    format!(
                        "{{ runtime = {}, handler = {}{body}, timeout_ms = {timeout} }}",
                        q(&l.runtime),
                        q_path(&self.lambda_handlers[*index])
                    )
                }
            };
            used.push(*event);
            let _ = writeln!(out, "{} = {line}", event.key());
        }
    }
}

fn select_value(s: &Select, what: &str, at: &str, w: &mut Warnings) -> String {
    match s {
        Select::None => q("none"),
        Select::All | Select::AllViewerAnd(_) => q("all"),
        Select::Only(names) => {
            let names: Vec<String> = names.iter().map(|n| q(n)).collect();
            format!("[{}]", names.join(", "))
        }
        Select::AllExcept(names) => {
            w.push(at, format!("all {what} except {names:?}: the config has no \"all except\"; all are in the cache key"));
            q("all")
        }
    }
}

fn cache_table(c: &CachePolicy, at: &str, w: &mut Warnings) -> String {
    let qs = select_value(&c.query_strings, "query strings", at, w);
    let cookies = select_value(&c.cookies, "cookies", at, w);
    let headers = match &c.headers {
        Select::None => "[]".to_owned(),
        Select::Only(names) => {
            let names: Vec<String> = names.iter().map(|n| q(&n.to_ascii_lowercase())).collect();
            format!("[{}]", names.join(", "))
        }
        other => {
            w.push(at, format!("headers {other:?} in the cache key: the config takes a list of names; none used"));
            "[]".to_owned()
        }
    };
    format!(
        "{{ min_ttl = {}, default_ttl = {}, max_ttl = {}, query_strings = {qs}, headers = {headers}, cookies = {cookies} }}",
        c.min_ttl, c.default_ttl, c.max_ttl
    )
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// `p` made absolute against the current directory, `.` and `..` removed.
pub fn absolute(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` (both made absolute); `path` itself when they share no root.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let path = absolute(path);
    let base = absolute(base);
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    if p.first() != b.first() {
        return path;
    }
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Sharing only the root (`/tmp/x` from `/work/y`): the absolute path reads better.
    if common <= 1 && b.len() > 1 {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_walk_up_and_down() {
        assert_eq!(
            relative(Path::new("/a/b/c.js"), Path::new("/a")),
            PathBuf::from("b/c.js")
        );
        assert_eq!(
            relative(Path::new("/a/x/c.js"), Path::new("/a/b")),
            PathBuf::from("../x/c.js")
        );
        assert_eq!(
            relative(Path::new("/a"), Path::new("/a")),
            PathBuf::from(".")
        );
    }
}
