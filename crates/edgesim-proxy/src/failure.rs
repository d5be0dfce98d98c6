//! Where a failure becomes a response. Every phase returns an [`EdgeFailure`]; edgesim-model's
//! [`EdgeFailure::response`] picks CloudFront's status, headers and error page (the one place
//! that decides a status), and this writes it as HTTP.

use edgesim_model::EdgeFailure;
use http::header::CONNECTION;
use http::{HeaderValue, Response, StatusCode};

use crate::body::{full, Body};

/// CloudFront's error response for a failure (status, `Server: CloudFront`, HTML page).
pub fn failure_response(failure: &EdgeFailure, request_id: &str) -> Response<Body> {
    let page = failure.response(request_id);
    let mut response = Response::new(full(page.body));
    *response.status_mut() = StatusCode::from_u16(page.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in page.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    if failure.closes_connection() {
        // hyper closes the connection after writing a response that says so.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
