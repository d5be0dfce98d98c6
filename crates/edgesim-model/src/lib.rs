//! The CloudFront model shared by every part of edgesim.
//!
//! - [`cff`]: the CloudFront Functions event as serde types, and [`cff::parse_event`] to check a
//!   user's event file.
//! - [`cff_http`]: conversion between `http` requests/responses and the event, both ways.
//! - [`validate`](mod@validate): how CloudFront normalises and checks what a function returns.
//! - [`failure`]: the one place that maps every edge failure to CloudFront's status, `X-Cache`
//!   value and HTML error page.
//! - [`error`]: [`ModelError`], this crate's error for input that does not fit the model.
//!
//! The behaviour follows `cloudfront-functions.md` and `lambda-edge.md` in the project's
//! reference notes; section numbers (§) in the docs of this crate point there.
//!
//! ```
//! use edgesim_model::cff_http::{request_event, EventContext};
//! use edgesim_model::{validate, EdgeFailure, EventType, ValidationOptions};
//! use serde_json::json;
//!
//! let (parts, ()) = http::Request::get("/index.html?lang=en")
//!     .header("Host", "www.example.test")
//!     .body(())
//!     .unwrap()
//!     .into_parts();
//! let event = request_event(&parts, "203.0.113.10", &EventContext::default());
//!
//! // A function that rewrites the host header: a read-only header at viewer-request.
//! let mut returned = event["request"].clone();
//! returned["headers"]["host"] = json!({"value": "other.example"});
//! let verdict = validate(EventType::ViewerRequest, &event, &returned, &ValidationOptions::default());
//!
//! let failure = EdgeFailure::from(verdict.unwrap_err());
//! assert_eq!(failure.status(), 502);
//! assert_eq!(
//!     failure.message(),
//!     "The CloudFront function tried to add, delete, or change a read-only header."
//! );
//! ```

pub mod cff;
pub mod cff_http;
pub mod client_cert;
pub mod error;
pub mod failure;
pub mod lambda;
pub mod validate;

pub use cff::{parse_event, Event, EventType};
pub use error::ModelError;
pub use failure::{EdgeFailure, ErrorResponse};
pub use validate::{normalize, validate, Normalized, ValidationError, ValidationOptions};
