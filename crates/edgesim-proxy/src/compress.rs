//! CloudFront's automatic compression (docs/cloudfront/cache-and-origin.md, "Compression"):
//! with `compress = true`, a response is compressed at the edge only when
//! - the viewer accepts gzip or br (after normalisation) and did not speak HTTP/1.0;
//! - the status is 200, 403 or 404;
//! - `Content-Length` is present and between 1,000 and 10,000,000 bytes;
//! - `Content-Type` is on CloudFront's list;
//! - there is no `Content-Encoding` (whatever its value);
//! - the object is cached (TTL > 0).
//!
//! Brotli is used when the viewer accepts both and the policy enables it. A strong `ETag`
//! becomes weak; an invalid one is removed.

use std::io::Write;

use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, VARY};
use http::{HeaderMap, HeaderValue};

/// The content types CloudFront compresses.
pub const COMPRESSIBLE_TYPES: [&str; 45] = [
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
];

/// Smallest and largest `Content-Length` CloudFront compresses.
pub const MIN_SIZE: u64 = 1_000;
pub const MAX_SIZE: u64 = 10_000_000;

/// An encoding CloudFront produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Brotli,
}

impl Coding {
    /// From the normalised `Accept-Encoding` (`br,gzip`, `br`, `gzip`, `identity`).
    pub fn from_normalised(encoding: Option<&str>) -> Option<Coding> {
        match encoding? {
            "br,gzip" | "br" => Some(Coding::Brotli),
            "gzip" => Some(Coding::Gzip),
            _ => None,
        }
    }

    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
        }
    }
}

/// Whether a response may be compressed (the viewer side is checked by the caller).
pub fn eligible(status: u16, headers: &HeaderMap) -> bool {
    if ![200, 403, 404].contains(&status) || headers.contains_key(CONTENT_ENCODING) {
        return false;
    }
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if !length.is_some_and(|l| (MIN_SIZE..=MAX_SIZE).contains(&l)) {
        return false;
    }
    let essence = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    essence.is_some_and(|t| COMPRESSIBLE_TYPES.contains(&t.as_str()))
}

/// Compresses `body`. CPU-bound: call from a blocking thread for large bodies.
pub fn encode(coding: Coding, body: &[u8]) -> std::io::Result<Vec<u8>> {
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3),
                flate2::Compression::new(6),
            );
            e.write_all(body)?;
            e.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 3);
            {
                // Quality 5: a CDN's speed/size trade-off, not the slow maximum (11).
                let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 5, 22);
                w.write_all(body)?;
                w.flush()?;
            }
            Ok(out)
        }
    }
}

/// The headers of the compressed response: `Content-Encoding`, the new length, a weak
/// `ETag`, and `Accept-Encoding` in `Vary`.
pub fn compressed_headers(headers: &mut HeaderMap, coding: Coding, len: usize) {
    headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(etag) = headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    {
        if etag.starts_with('"') {
            if let Ok(v) = HeaderValue::from_str(&format!("W/{etag}")) {
                headers.insert(ETAG, v);
            }
        } else if !etag.starts_with("W/") {
            headers.remove(ETAG);
        }
    }
    let has_vary = headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("accept-encoding"));
    if !has_vary {
        headers.append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(*n, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn conditions_for_compression() {
        let ok = [
            ("content-type", "text/html; charset=utf-8"),
            ("content-length", "5000"),
        ];
        assert!(eligible(200, &h(&ok)));
        assert!(eligible(404, &h(&ok)) && eligible(403, &h(&ok)));
        assert!(!eligible(500, &h(&ok)));
        assert!(!eligible(200, &h(&[ok[0], ("content-length", "999")])));
        assert!(eligible(200, &h(&[ok[0], ("content-length", "1000")])));
        assert!(!eligible(200, &h(&[ok[0], ("content-length", "10000001")])));
        assert!(!eligible(200, &h(&[ok[0]])), "no Content-Length");
        assert!(!eligible(200, &h(&[("content-type", "image/png"), ok[1]])));
        assert!(!eligible(
            200,
            &h(&[ok[0], ok[1], ("content-encoding", "identity")])
        ));
    }

    #[test]
    fn gzip_and_brotli_round_trip() {
        let body = "hello world ".repeat(200);
        let gz = encode(Coding::Gzip, body.as_bytes()).unwrap();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, body);
        let br = encode(Coding::Brotli, body.as_bytes()).unwrap();
        let mut out = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, body);
        assert!(br.len() < body.len() / 4);
    }

    #[test]
    fn strong_etag_becomes_weak_and_invalid_is_removed() {
        let mut m = h(&[("etag", "\"abc\"")]);
        compressed_headers(&mut m, Coding::Gzip, 10);
        assert_eq!(m.get("etag").unwrap(), "W/\"abc\"");
        assert_eq!(m.get("content-encoding").unwrap(), "gzip");
        assert_eq!(m.get("vary").unwrap(), "Accept-Encoding");
        let mut m = h(&[("etag", "W/\"abc\"")]);
        compressed_headers(&mut m, Coding::Brotli, 10);
        assert_eq!(m.get("etag").unwrap(), "W/\"abc\"");
        let mut m = h(&[("etag", "abc")]);
        compressed_headers(&mut m, Coding::Brotli, 10);
        assert!(m.get("etag").is_none());
    }
}
