//! The Lambda@Edge model: the `Records[0].cf` event, conversion from and to HTTP, and
//! CloudFront's checks on what a function returns (lambda-edge.md §2–§5).
//!
//! - [`event`]: events from `http` request/response parts (field presence per §2.8,
//!   IncludeBody truncation), [`event::parse_event`] for event files;
//! - [`validate`](mod@validate): [`validate_output`], CloudFront's verdict on a result;
//! - [`apply`]: a validated result back to HTTP;
//! - [`generate`]: realistic sample events (`edgesim generate-event`);
//! - [`origin`], [`headers`], [`limits`]: origins, header maps and quotas.
//!
//! ```
//! use edgesim_model::lambda::{event, validate_output, EventConfig, LambdaOutput, Trigger};
//! use edgesim_model::EdgeFailure;
//!
//! let (parts, ()) = http::Request::get("/index.html").header("Host", "shop.example")
//!     .body(()).unwrap().into_parts();
//! let ev = event::request_event(Trigger::ViewerRequest, &EventConfig::default(), &parts,
//!     "192.0.2.1", None, None);
//! // The function rewrites the Host header, which is read-only at viewer-request.
//! let mut returned = ev["Records"][0]["cf"]["request"].clone();
//! returned["headers"]["host"][0]["value"] = "other.example".into();
//! let error = validate_output(Trigger::ViewerRequest, &ev, Some(&returned), &Default::default())
//!     .unwrap_err();
//! let failure = EdgeFailure::from(error);
//! assert_eq!(failure.status(), 502);
//! assert_eq!(failure.message(), "The Lambda function result failed validation: \
//!     The function tried to add, delete, or change a read-only header.");
//! ```

pub mod apply;
pub mod event;
pub mod generate;
pub mod headers;
pub mod limits;
pub mod origin;
pub mod validate;

pub use apply::{apply_request, response_parts, RequestChanges};
pub use event::{build_event, parse_event, request_event, response_event, EventConfig};
pub use generate::{generate_event, GenerateOptions};
pub use origin::{CustomOrigin, Origin, S3Origin};
pub use validate::{
    validate_output, Family, LambdaOutput, LambdaValidationError, LambdaValidationOptions,
    LambdaVerdict,
};

use std::fmt;
use std::time::Duration;

/// The four CloudFront events a Lambda@Edge function can be associated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Every viewer request, before the cache.
    ViewerRequest,
    /// On a cache miss, before CloudFront forwards the request to the origin.
    OriginRequest,
    /// After the origin answers, before the response is cached.
    OriginResponse,
    /// Before the response leaves for the viewer.
    ViewerResponse,
}

impl Trigger {
    /// All four, in pipeline order.
    pub const ALL: [Trigger; 4] = [
        Trigger::ViewerRequest,
        Trigger::OriginRequest,
        Trigger::OriginResponse,
        Trigger::ViewerResponse,
    ];

    /// `config.eventType`: `viewer-request`, `origin-request`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ViewerRequest => "viewer-request",
            Trigger::OriginRequest => "origin-request",
            Trigger::OriginResponse => "origin-response",
            Trigger::ViewerResponse => "viewer-response",
        }
    }

    /// Parses an `eventType` value.
    pub fn from_name(name: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// viewer-request or origin-request.
    pub fn is_request(self) -> bool {
        matches!(self, Trigger::ViewerRequest | Trigger::OriginRequest)
    }

    /// viewer-request or viewer-response.
    pub fn is_viewer(self) -> bool {
        matches!(self, Trigger::ViewerRequest | Trigger::ViewerResponse)
    }

    /// The function-timeout cap: 5 s on viewer triggers, 30 s on origin triggers (§5.1).
    pub fn max_timeout(self) -> Duration {
        if self.is_viewer() {
            limits::VIEWER_TIMEOUT
        } else {
            limits::ORIGIN_TIMEOUT
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Trigger {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Trigger::from_name(s).ok_or_else(|| {
            format!("unknown event type `{s}`: expected viewer-request, origin-request, origin-response or viewer-response")
        })
    }
}
