//! CloudFront's rules for what a viewer may send (docs/cloudfront/viewer-limits.md): the size
//! of the URL and of the request head, the `Host` header, the cache behavior's allowed
//! methods, and the size of the headers a function leaves. A request that breaks one is
//! answered with CloudFront's error (400, 403, 413) before any function or origin sees it.

use edgesim_model::EdgeFailure;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::request::Parts;
use http::{HeaderMap, Method, Version};

/// "Maximum length of a URL": 8,192 bytes (CloudFront quotas).
pub const MAX_URL_BYTES: usize = 8192;
/// "Maximum length of a request or an origin response, including headers and query strings,
/// but not including the body content": 20,480 bytes (CloudFront quotas). Also applied to the
/// headers a function leaves on a request or response.
pub const MAX_HEAD_BYTES: usize = 20_480;

/// The methods a cache behavior allows: CloudFront offers exactly three sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllowedMethods {
    /// GET, HEAD (CloudFront's default).
    #[default]
    GetHead,
    /// GET, HEAD, OPTIONS.
    GetHeadOptions,
    /// GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE.
    All,
}

impl AllowedMethods {
    /// The set named by a config list, in any order and case; `None` if it is not one of
    /// CloudFront's three.
    pub fn from_names(names: &[String]) -> Option<AllowedMethods> {
        let mut names: Vec<String> = names.iter().map(|n| n.to_ascii_uppercase()).collect();
        names.sort();
        names.dedup();
        let set: Vec<&str> = names.iter().map(String::as_str).collect();
        match set.as_slice() {
            ["GET", "HEAD"] => Some(AllowedMethods::GetHead),
            ["GET", "HEAD", "OPTIONS"] => Some(AllowedMethods::GetHeadOptions),
            ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] => {
                Some(AllowedMethods::All)
            }
            _ => None,
        }
    }

    /// Whether a request with this method is served. Methods outside CloudFront's seven
    /// (CONNECT, TRACE, anything unknown) never are.
    pub fn allows(self, method: &Method) -> bool {
        let simple = *method == Method::GET || *method == Method::HEAD;
        match self {
            AllowedMethods::GetHead => simple,
            AllowedMethods::GetHeadOptions => simple || *method == Method::OPTIONS,
            AllowedMethods::All => {
                simple
                    || [
                        Method::OPTIONS,
                        Method::PUT,
                        Method::PATCH,
                        Method::POST,
                        Method::DELETE,
                    ]
                    .contains(method)
            }
        }
    }
}

/// The request line and headers as the viewer sent them: the URL and the head within
/// CloudFront's quotas, and one `Host` header (required in HTTP/1.1).
pub fn check_request(parts: &Parts) -> Result<(), EdgeFailure> {
    let url = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string().len(), |p| p.as_str().len());
    // `METHOD SP URL SP HTTP/1.1 CRLF`, then `name: value CRLF` per header, then CRLF.
    let head = parts.method.as_str().len() + url + 12 + header_bytes(&parts.headers) + 2;
    if url > MAX_URL_BYTES || head > MAX_HEAD_BYTES {
        return Err(EdgeFailure::ViewerRequestTooLarge);
    }
    let hosts = parts.headers.get_all(HOST).iter().count();
    if hosts > 1 || (hosts == 0 && parts.version == Version::HTTP_11) {
        return Err(EdgeFailure::ViewerBadRequest);
    }
    Ok(())
}

/// The behavior's allowed methods. A GET with a body is refused too (CloudFront answers 403).
pub fn check_method(allowed: AllowedMethods, parts: &Parts) -> Result<(), EdgeFailure> {
    if !allowed.allows(&parts.method) {
        return Err(EdgeFailure::MethodNotAllowed);
    }
    let has_body = parts.headers.contains_key(TRANSFER_ENCODING)
        || parts
            .headers
            .get(CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    if parts.method == Method::GET && has_body {
        return Err(EdgeFailure::MethodNotAllowed);
    }
    Ok(())
}

/// Bytes of a header block on the wire (`name: value CRLF` each).
pub fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum()
}

/// The headers a function left, within [`MAX_HEAD_BYTES`]; `Err` carries the reason for the
/// function's validation error (502).
pub fn check_function_headers(headers: &HeaderMap) -> Result<(), String> {
    let bytes = header_bytes(headers);
    if bytes > MAX_HEAD_BYTES {
        return Err(format!(
            "The headers total {bytes} bytes, over CloudFront's limit of {MAX_HEAD_BYTES} bytes."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudfronts_three_method_sets_and_nothing_else() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            AllowedMethods::from_names(&names(&["head", "GET"])),
            Some(AllowedMethods::GetHead)
        );
        assert_eq!(
            AllowedMethods::from_names(&names(&[
                "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"
            ])),
            Some(AllowedMethods::All)
        );
        assert_eq!(AllowedMethods::from_names(&names(&["GET", "POST"])), None);
        assert!(!AllowedMethods::All.allows(&Method::TRACE));
        assert!(!AllowedMethods::All.allows(&Method::CONNECT));
        assert!(!AllowedMethods::GetHeadOptions.allows(&Method::POST));
    }
}
