//! An S3-style mock origin (`mock = { root = "site", s3 = true }`): a directory served the way
//! an S3 bucket answers CloudFront (docs/cloudfront/cache-and-origin.md, "S3 origins"):
//!
//! - S3's headers: `ETag` (the MD5 of the object), `Last-Modified`, `Accept-Ranges`,
//!   `x-amz-request-id`, `x-amz-id-2`, `Server: AmazonS3`;
//! - S3's XML errors: a missing key is `403 AccessDenied` unless the caller may list the
//!   bucket (`list_bucket = true`), then `404 NoSuchKey`; methods other than GET/HEAD are
//!   `403 AccessDenied` (CloudFront reads through an origin access control); a header section
//!   over 8 KB is `400 RequestHeaderSectionTooLarge`;
//! - conditional requests (`304`, `412 PreconditionFailed`) and ranges (`206`,
//!   `416 InvalidRange`).

use std::path::Path;
use std::time::SystemTime;

use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED, SERVER,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use md5::{Digest, Md5};

use crate::body::{empty, full, Body};
use crate::conditional::{not_modified, precondition_failed, range_applies, ByteRange};
use crate::mock_origin::{content_type, file_path};

/// S3's limit on the request header section.
const MAX_HEADER_SECTION: usize = 8 * 1024;

/// Answers one request from `root` like S3.
pub fn serve(root: &Path, list_bucket: bool, req: &Request<Body>) -> Response<Body> {
    let request_id = request_id();
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_SECTION {
        return error(
            StatusCode::BAD_REQUEST,
            "RequestHeaderSectionTooLarge",
            "Your request header section exceeds the maximum allowed size.",
            &format!("<MaxSizeAllowed>{MAX_HEADER_SECTION}</MaxSizeAllowed>"),
            &request_id,
        );
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Access Denied",
            "",
            &request_id,
        );
    }
    let key = req.uri().path().trim_start_matches('/');
    let found = file_path(root, req.uri().path())
        .filter(|_| !key.is_empty())
        .and_then(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)));
    let Some((path, bytes)) = found else {
        return if list_bucket {
            error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                &format!("<Key>{}</Key>", xml_escape(key)),
                &request_id,
            )
        } else {
            error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Access Denied",
                "",
                &request_id,
            )
        };
    };
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    let etag = format!("\"{}\"", hex(&Md5::digest(&bytes)));
    let mut headers = s3_headers(&request_id);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    // HTTP dates have one-second resolution; S3's Last-Modified is the upload time.
    let modified = modified.map(|m| {
        let secs = m
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    });
    if let Some(Ok(v)) = modified.map(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m))) {
        headers.insert(LAST_MODIFIED, v);
    }
    if precondition_failed(req.headers(), Some(&etag), modified) {
        return error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            "<Condition>If-Match</Condition>",
            &request_id,
        );
    }
    if not_modified(req.headers(), Some(&etag), modified) {
        headers.remove(CONTENT_TYPE);
        return respond(StatusCode::NOT_MODIFIED, headers, empty());
    }
    let len = bytes.len() as u64;
    let range = if range_applies(req.headers(), Some(&etag), modified) {
        ByteRange::parse(req.headers(), len)
    } else {
        ByteRange::Full
    };
    let (status, body) = match range {
        ByteRange::Full => (StatusCode::OK, bytes),
        ByteRange::Partial { start, end } => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                headers.insert(CONTENT_RANGE, v);
            }
            let part = bytes[start as usize..=end as usize].to_vec();
            (StatusCode::PARTIAL_CONTENT, part)
        }
        ByteRange::Unsatisfiable => {
            return error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
                &format!("<ActualObjectSize>{len}</ActualObjectSize>"),
                &request_id,
            );
        }
    };
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = if req.method() == Method::HEAD {
        empty()
    } else {
        full(body)
    };
    respond(status, headers, body)
}

fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn s3_headers(request_id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amz-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&host_id(request_id)) {
        headers.insert("x-amz-id-2", v);
    }
    headers.insert(SERVER, HeaderValue::from_static("AmazonS3"));
    headers
}

/// An S3 error document.
fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &str,
    request_id: &str,
) -> Response<Body> {
    let host_id = host_id(request_id);
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    );
    let mut headers = s3_headers(request_id);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    respond(status, headers, full(body))
}

/// 16 upper-case hex characters, like S3's request ids.
fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!(
        "{:016X}",
        t.rotate_left(17) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    )
}

fn host_id(request_id: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(request_id.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
