//! The viewer protocol: which listener a request came through (plain HTTP or TLS), the
//! `CloudFront-Forwarded-Proto` header, and the behavior's viewer protocol policy, applied
//! before any function runs (docs/cloudfront/dev-loop.md, "Viewer protocol policy").

use http::header::{CONTENT_TYPE, HOST, LOCATION, SERVER};
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode};

use crate::behavior::ViewerProtocolPolicy;
use crate::body::{full, Body};

/// `X-Cache` of CloudFront's own protocol redirects.
pub const REDIRECT: &str = "Redirect from cloudfront";

/// Put on every request by the listener it arrived on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listener {
    /// Arrived over TLS.
    pub https: bool,
    /// The port of the HTTPS listener, if one runs (for `redirect-to-https`).
    pub https_port: Option<u16>,
}

/// The listener facts of a request (plain HTTP when the request did not come through a
/// [`crate::Server`], e.g. [`crate::Distribution::handle`] called directly).
pub fn listener(parts: &Parts) -> Listener {
    parts
        .extensions
        .get::<Listener>()
        .copied()
        .unwrap_or_default()
}

/// Sets `CloudFront-Forwarded-Proto` (replacing whatever the viewer sent).
pub fn forwarded_proto(parts: &mut Parts, listener: Listener) {
    let proto = if listener.https { "https" } else { "http" };
    parts.headers.insert(
        "cloudfront-forwarded-proto",
        HeaderValue::from_static(proto),
    );
}

/// CloudFront's answer to a plain-HTTP request the policy does not serve: a 301 (GET, HEAD) or
/// 307 (other methods) to the same URL over HTTPS, or a 403 for `https-only`. `None`: serve it.
pub fn enforce(
    policy: ViewerProtocolPolicy,
    listener: Listener,
    parts: &Parts,
    request_id: &str,
) -> Option<(Response<Body>, &'static str)> {
    if listener.https {
        return None;
    }
    match policy {
        ViewerProtocolPolicy::AllowAll => None,
        ViewerProtocolPolicy::HttpsOnly => {
            // The page's message is not documented; CloudFront's generic 403 wording (inferred).
            let page = edgesim_model::failure::error_page(403, "Bad request.", request_id);
            let mut response = Response::new(full(page));
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            Some((response, "Error from cloudfront"))
        }
        ViewerProtocolPolicy::RedirectToHttps => {
            let status = if parts.method == Method::GET || parts.method == Method::HEAD {
                StatusCode::MOVED_PERMANENTLY
            } else {
                StatusCode::TEMPORARY_REDIRECT
            };
            let host = parts
                .headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| parts.uri.authority().map(|a| a.as_str()))
                .unwrap_or("localhost");
            // Locally the HTTPS listener has its own port; at the edge it is 443.
            let bare = host
                .rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(host, |(h, _)| h);
            let authority = match listener.https_port {
                Some(443) | None => bare.to_owned(),
                Some(port) => format!("{bare}:{port}"),
            };
            let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let location = format!("https://{authority}{target}");
            let reason = status.canonical_reason().unwrap_or("Redirect");
            let code = status.as_u16();
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n"
            );
            let mut response = Response::new(full(page));
            *response.status_mut() = status;
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, v);
            }
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            Some((response, REDIRECT))
        }
    }
}
