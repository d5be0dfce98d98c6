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

    // Origin groups and custom error responses: CloudFront's own tables
    // (docs/cloudfront/cache-and-origin.md#config-keys); behaviors name a group as their origin.
    for g in &dist.origin_groups {
        let (Some(primary), Some(secondary)) = (g.members.first(), g.members.get(1)) else {
            w.push(
                format!("{} {}", crate::warn::join(&dist.path, "OriginGroups"), g.id),
                "an origin group needs two members (skipped)",
            );
            continue;
        };
        let codes: Vec<String> = g.status_codes.iter().map(u16::to_string).collect();
        let _ = writeln!(
            body,
            "[[origin_groups]]\nid = {}\nprimary = {}\nsecondary = {}\nfailover_status_codes = [{}]\n",
            q(&g.id),
            q(primary),
            q(secondary),
            codes.join(", ")
        );
    }
    for e in &dist.custom_error_responses {
        let _ = writeln!(
            body,
            "[[custom_error_responses]]\nerror_code = {}",
            e.error_code
        );
        if let Some(page) = &e.response_page_path {
            let _ = writeln!(body, "response_page_path = {}", q(page));
        }
        if let Some(code) = e.response_code {
            let _ = writeln!(body, "response_code = {code}");
        }
        if let Some(ttl) = e.error_caching_min_ttl {
            let _ = writeln!(body, "error_caching_min_ttl = {ttl}");
        }
        body.push('\n');
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
    // The connection function: written next to the config for `test-function --event-type
    // connection` and `edgesim test`; `serve` has no mTLS handshake to run it on yet.
    if let Some(i) = dist.connection_function {
        let f = &dist.functions[i];
        let kvs = f
            .kvs
            .map(|k| {
                format!(
                    " --kvs {}",
                    q_path(&rel(&absolute(
                        dist.key_value_stores[k]
                            .file
                            .as_deref()
                            .unwrap_or(Path::new("STORE.json"))
                    )))
                )
            })
            .unwrap_or_default();
        w.push(
            crate::warn::join(&dist.path, "ConnectionFunctionAssociation"),
            format!(
                "connection function {:?} (viewer mTLS{}): the config has no mTLS key yet: its code is {}; serve it with `edgesim serve --https --client-ca CA.pem --connection-function {}`, test it with `edgesim test-function --event-type connection --function {} --event EVENT.json{kvs}` (`edgesim generate-event connection --cert client.pem` writes an event)",
                f.name,
                dist.viewer_mtls_mode.as_deref().map(|m| format!(", mode {m}")).unwrap_or_default(),
                function_files[i].display(),
                function_files[i].display(),
                function_files[i].display(),
            ),
        );
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
    function_files: &'a [PathBuf],
    lambda_handlers: &'a [PathBuf],
}

impl BehaviorCtx<'_> {
    fn behavior(&self, b: &Behavior, out: &mut String, w: &mut Warnings) {
        let _ = writeln!(out, "origin = {}", q(&b.target_origin));
        match &b.cache.name {
            // AWS's managed policies are built in, by name.
            Some(name) if b.cache.managed => {
                let _ = writeln!(out, "cache_policy = {}", q(name));
            }
            Some(name) => {
                let _ = writeln!(out, "# cache policy {name}");
                let _ = writeln!(
                    out,
                    "cache_policy = {}",
                    cache_policy_table(&b.cache, &b.path, w)
                );
            }
            // No policy: the legacy settings (ForwardedValues, TTLs on the behavior).
            None => {
                let _ = writeln!(out, "cache = {}", cache_table(&b.cache, &b.path, w));
            }
        }
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
            let _ = writeln!(out, "compress = true");
        }
        if let Some(p) = &b.origin_request_policy {
            if p.managed {
                let _ = writeln!(out, "origin_request_policy = {}", q(&p.name));
            } else {
                let _ = writeln!(out, "# origin request policy {}", p.name);
                let _ = writeln!(
                    out,
                    "origin_request_policy = {{ query_strings = {}, headers = {}, cookies = {} }}",
                    names_value(&p.query_strings),
                    names_value(&p.headers),
                    names_value(&p.cookies)
                );
            }
        }
        if let Some(p) = &b.response_headers_policy {
            if p.managed {
                let _ = writeln!(out, "response_headers_policy = {}", q(&p.name));
            } else {
                let _ = writeln!(out, "# response headers policy {}", p.name);
                let headers: Vec<String> = p
                    .custom_headers
                    .iter()
                    .map(|(h, v, o)| {
                        format!("{{ name = {}, value = {}, override = {o} }}", q(h), q(v))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "response_headers_policy = {{ custom_headers = [{}] }}",
                    headers.join(", ")
                );
                let parts: Vec<&String> = p
                    .parts
                    .iter()
                    .filter(|p| *p != "CustomHeadersConfig")
                    .collect();
                if !parts.is_empty() {
                    w.push(
                        format!("{}.ResponseHeadersPolicyId", b.path),
                        format!(
                            "response headers policy {}: only its custom headers are imported; not added: {}",
                            p.name,
                            parts.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
            }
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

/// A policy's selection in the config's words: `"none"`, `"all"`, a list,
/// `{ all_except = [...] }` or `{ all_viewer_and_cloudfront = [...] }`.
fn names_value(s: &Select) -> String {
    let list = |names: &[String]| {
        let names: Vec<String> = names.iter().map(|n| q(n)).collect();
        format!("[{}]", names.join(", "))
    };
    match s {
        Select::None => q("none"),
        Select::All => q("all"),
        Select::Only(names) => list(names),
        Select::AllExcept(names) => format!("{{ all_except = {} }}", list(names)),
        Select::AllViewerAnd(names) => {
            format!("{{ all_viewer_and_cloudfront = {} }}", list(names))
        }
    }
}

/// A cache policy defined in the source, inline (`cache_policy = { … }`).
fn cache_policy_table(c: &CachePolicy, at: &str, w: &mut Warnings) -> String {
    // A cache policy's headers are a list of names (CloudFront allows nothing else there).
    let headers = match &c.headers {
        Select::Only(_) => names_value(&c.headers),
        Select::None => "[]".to_owned(),
        other => {
            w.push(at, format!("headers {other:?} in the cache key: a cache policy takes a list of names; none used"));
            "[]".to_owned()
        }
    };
    format!(
        "{{ min_ttl = {}, default_ttl = {}, max_ttl = {}, query_strings = {}, headers = {}, cookies = {}, gzip = {}, brotli = {} }}",
        c.min_ttl,
        c.default_ttl,
        c.max_ttl,
        names_value(&c.query_strings),
        headers,
        names_value(&c.cookies),
        c.gzip,
        c.brotli
    )
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
