//! The embedded mock origin: static files from a directory (content types, ETag,
//! Last-Modified, 304, Range/206, HEAD), fixed routes, and an echo route that answers with the
//! request it received as JSON — so tests and demos can see exactly what CloudFront forwarded.
//!
//! Like an S3 bucket, it knows nothing of directory indexes: `/blog/` is a 404 unless a
//! viewer-request function rewrites it to `/blog/index.html`.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use serde_json::{json, Map, Value};

use crate::body::{empty, full, Body, FileBody};
use crate::conditional::{not_modified, ByteRange};
use crate::path_pattern::PathPattern;

/// Files up to this size are read in one go; larger ones are streamed.
const READ_WHOLE_LIMIT: u64 = 1024 * 1024;
/// The echo route shows at most this much of a request body.
const ECHO_BODY_LIMIT: usize = 1024 * 1024;

/// One fixed answer.
#[derive(Debug, Clone)]
pub struct MockRoute {
    pub pattern: PathPattern,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub delay: Duration,
    pub echo: bool,
}

/// A mock origin.
#[derive(Debug, Clone, Default)]
pub struct MockOrigin {
    pub root: Option<PathBuf>,
    pub routes: Vec<MockRoute>,
    /// Answer like an S3 bucket; `Some(list_bucket)`.
    pub s3: Option<bool>,
}

impl MockOrigin {
    /// Answers a request: the first matching route, else a static file, else 404.
    pub async fn serve(&self, req: Request<Body>) -> Response<Body> {
        let path = req.uri().path().to_owned();
        if let Some(route) = self.routes.iter().find(|r| r.pattern.matches(&path)) {
            if !route.delay.is_zero() {
                tokio::time::sleep(route.delay).await;
            }
            if route.echo {
                return echo(req).await;
            }
            let mut response = Response::new(full(route.body.clone()));
            *response.status_mut() = route.status;
            *response.headers_mut() = route.headers.clone();
            return response;
        }
        match (&self.root, self.s3) {
            (Some(root), Some(list_bucket)) => crate::s3_origin::serve(root, list_bucket, &req),
            (Some(root), None) => static_file(root, &req),
            (None, _) => not_found(),
        }
    }
}

/// The request as the origin received it, as JSON.
async fn echo(req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let mut headers = Map::new();
    for name in parts.headers.keys() {
        let values: Vec<Value> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let value = match values.len() {
            1 => values.into_iter().next().unwrap_or(Value::Null),
            _ => Value::Array(values),
        };
        headers.insert(name.as_str().to_owned(), value);
    }
    let body = match Limited::new(body, ECHO_BODY_LIMIT).collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(e) => format!("<unreadable body: {e}>"),
    };
    let document = json!({
        "method": parts.method.as_str(),
        "uri": parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "body": body,
    });
    let text = serde_json::to_vec_pretty(&document).unwrap_or_default();
    let mut response = Response::new(full(text));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // The echo shows one request; caching it would hide the next one.
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

fn static_file(root: &Path, req: &Request<Body>) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return status_only(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
    }
    let Some(path) = file_path(root, req.uri().path()) else {
        return not_found();
    };
    let Ok(file) = File::open(&path) else {
        return not_found();
    };
    let Ok(meta) = file.metadata() else {
        return not_found();
    };
    if !meta.is_file() {
        return not_found();
    }
    let len = meta.len();
    let modified = meta.modified().ok();
    let etag = format!(
        "\"{len:x}-{:x}\"",
        modified
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    );

    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    if let Some(Ok(v)) = modified.map(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m))) {
        headers.insert(LAST_MODIFIED, v);
    }
    if not_modified(req.headers(), Some(&etag), modified) {
        let mut response = Response::new(empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        *response.headers_mut() = headers;
        response.headers_mut().remove(CONTENT_TYPE);
        return response;
    }
    let (status, start, count) = match ByteRange::parse(req.headers(), len) {
        ByteRange::Full => (StatusCode::OK, 0, len),
        ByteRange::Partial { start, end } => {
            let range = format!("bytes {start}-{end}/{len}");
            if let Ok(v) = HeaderValue::from_str(&range) {
                headers.insert(CONTENT_RANGE, v);
            }
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        ByteRange::Unsatisfiable => {
            let mut response = status_only(StatusCode::RANGE_NOT_SATISFIABLE, "");
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                response.headers_mut().insert(CONTENT_RANGE, v);
            }
            return response;
        }
    };
    headers.insert(CONTENT_LENGTH, HeaderValue::from(count));
    let body = if req.method() == Method::HEAD {
        empty()
    } else {
        match file_body(file, start, count) {
            Ok(body) => body,
            Err(_) => return not_found(),
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn file_body(mut file: File, start: u64, count: u64) -> std::io::Result<Body> {
    file.seek(SeekFrom::Start(start))?;
    if count <= READ_WHOLE_LIMIT {
        let mut buf = Vec::with_capacity(count as usize);
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, count), &mut buf)?;
        Ok(full(buf))
    } else {
        Ok(FileBody::body(file, count))
    }
}

/// The file for a URL path: percent-decoded, and never outside `root`.
pub(crate) fn file_path(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    Some(root.join(relative))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

fn status_only(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(full(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn not_found() -> Response<Body> {
    status_only(StatusCode::NOT_FOUND, "Not Found\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_root() {
        let root = Path::new("/srv");
        assert_eq!(
            file_path(root, "/a/b.html"),
            Some(PathBuf::from("/srv/a/b.html"))
        );
        assert_eq!(
            file_path(root, "/a%20b.txt"),
            Some(PathBuf::from("/srv/a b.txt"))
        );
        assert_eq!(file_path(root, "/../etc/passwd"), None);
        assert_eq!(file_path(root, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(file_path(root, "/bad%zz"), None);
    }
}
