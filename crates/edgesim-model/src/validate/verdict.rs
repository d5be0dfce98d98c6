//! CloudFront's verdicts on a function's return value: the rejections (502) with the message the
//! error page shows, and the simulator's warnings.
//!
//! Only two texts are known from production (cloudfront-functions.md §18): the read-only header
//! sentence and the lower-case header-name sentence. Every other message follows the observed
//! "The CloudFront function returned an invalid value: …" pattern and is marked *inferred*.

use std::fmt;

/// The prefix CloudFront puts before the description of an invalid return value (observed).
pub const INVALID_VALUE_PREFIX: &str = "The CloudFront function returned an invalid value: ";

/// The read-only header message, exactly as CloudFront prints it (observed).
pub const READ_ONLY_HEADER_MESSAGE: &str =
    "The CloudFront function tried to add, delete, or change a read-only header.";

/// Why CloudFront refuses what a function returned. Every variant is a 502 at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// The handler returned something other than an object (inferred message).
    NotAnObject {
        /// The JSON type it returned.
        found: &'static str,
    },
    /// An object with neither `statusCode` nor `method`/`uri`, e.g. the whole event
    /// (inferred message).
    NeitherRequestNorResponse,
    /// A viewer-response function returned a request (inferred message).
    RequestFromViewerResponse,
    /// A field of the wrong JSON type, e.g. `headers` as a string (inferred message).
    MalformedField {
        /// Dotted path of the field.
        path: String,
        /// What it must be.
        expected: String,
    },
    /// A header name with upper-case letters (observed message).
    UpperCaseHeaderName {
        /// `request.headers` or `response.headers`.
        map: &'static str,
        /// The offending name.
        name: String,
    },
    /// A header name or value that HTTP cannot carry (inferred message).
    InvalidHeader {
        /// `request.headers` or `response.headers`.
        map: &'static str,
        /// The offending name.
        name: String,
    },
    /// A disallowed header was added or changed (inferred message).
    DisallowedHeader {
        /// `request.headers` or `response.headers`.
        map: &'static str,
        /// The offending name.
        name: String,
    },
    /// A read-only header was added, changed or deleted (observed message).
    ReadOnlyHeader {
        /// `request.headers` or `response.headers`.
        map: &'static str,
        /// The offending name.
        name: String,
    },
    /// `request.method` differs from the input (inferred message).
    MethodChanged,
    /// A changed `request.uri` that does not start with `/` (inferred message).
    InvalidUri,
    /// URI plus query string reaches the length limit (inferred message).
    UriTooLong {
        /// Characters in URI plus query string.
        length: usize,
        /// The limit it must stay under.
        limit: usize,
    },
    /// A changed query string with a space, a control character or `#` (inferred message).
    InvalidQueryString,
    /// The query string was changed in viewer-response, where it is read-only
    /// (inferred message).
    QueryStringReadOnly,
    /// `statusCode` not an integer in the accepted range (inferred message).
    InvalidStatus {
        /// Lowest accepted status.
        min: u16,
        /// Highest accepted status.
        max: u16,
    },
    /// `body` neither a string nor an object with string `data` (inferred message).
    InvalidBody,
    /// `body.encoding` other than `text` or `base64` (inferred message).
    InvalidBodyEncoding,
    /// `body.data` does not decode as base64 (inferred message).
    InvalidBase64Body,
    /// A warning that strict mode turns into a rejection.
    Strict(ValidationWarning),
}

impl ValidationError {
    pub(crate) fn malformed(path: impl fmt::Display, expected: &str) -> Self {
        ValidationError::MalformedField {
            path: path.to_string(),
            expected: expected.to_owned(),
        }
    }

    /// The text CloudFront shows on the 502 error page and in logs.
    pub fn message(&self) -> String {
        use ValidationError::*;
        let detail = match self {
            ReadOnlyHeader { .. } => return READ_ONLY_HEADER_MESSAGE.to_owned(),
            NotAnObject { .. } => "the handler must return a request or response object.".into(),
            NeitherRequestNorResponse => {
                "the returned object is neither a request nor a response.".into()
            }
            RequestFromViewerResponse => {
                "a viewer-response function must return a response object.".into()
            }
            MalformedField { path, expected } => format!("{path} must be {expected}."),
            UpperCaseHeaderName { map, .. } => {
                format!("{map} must have header names in lower case.")
            }
            InvalidHeader { map, .. } => {
                format!("{map} contains a header name or value that is not valid in HTTP.")
            }
            DisallowedHeader { map, .. } => format!("{map} must not contain disallowed headers."),
            MethodChanged => "request.method cannot be changed.".into(),
            InvalidUri => "request.uri must start with '/'.".into(),
            UriTooLong { limit, .. } => format!(
                "request.uri and request.querystring together must be shorter than {limit} \
                 characters."
            ),
            InvalidQueryString => {
                "request.querystring must not contain spaces, control characters or '#'.".into()
            }
            QueryStringReadOnly => {
                "request.querystring cannot be changed in a viewer-response event.".into()
            }
            InvalidStatus { min, max } => {
                format!("response.statusCode must be an integer from {min} to {max}.")
            }
            InvalidBody => {
                "response.body must be a string or an object with encoding and data.".into()
            }
            InvalidBodyEncoding => "response.body.encoding must be \"text\" or \"base64\".".into(),
            InvalidBase64Body => "response.body.data must be valid base64.".into(),
            Strict(warning) => warning.rule(),
        };
        format!("{INVALID_VALUE_PREFIX}{detail}")
    }

    /// edgesim's own explanation for logs: which header, which field (CloudFront's message
    /// does not always say).
    pub fn detail(&self) -> String {
        use ValidationError::*;
        match self {
            UpperCaseHeaderName { map, name } => format!("{map}: `{name}` has upper-case letters"),
            InvalidHeader { map, name } => format!("{map}: `{name}` cannot be sent over HTTP"),
            DisallowedHeader { map, name } => {
                format!("{map}: `{name}` is a header functions may not set")
            }
            ReadOnlyHeader { map, name } => {
                format!("{map}: read-only header `{name}` was added, changed or deleted")
            }
            UriTooLong { length, limit } => {
                format!("URI plus query string is {length} characters; the limit is under {limit}")
            }
            NotAnObject { found } => format!("the handler returned {found}"),
            Strict(warning) => format!("strict mode: {warning}"),
            other => other.message(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ValidationError {}

/// Things CloudFront may or may not refuse; edgesim accepts them and says so (strict mode
/// refuses those for which [`ValidationWarning::refused_in_strict_mode`] holds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationWarning {
    /// A status outside 200–599: accepted, but Lambda@Edge would refuse it (§4.3).
    StatusOutsideUsualRange {
        /// The returned status.
        status: u16,
    },
    /// A body over the configured warning size; CloudFront documents no limit (§4.3).
    LargeBody {
        /// Body size in bytes (decoded).
        size: usize,
        /// The configured threshold.
        limit: usize,
    },
    /// `set-cookie` put in `response.headers` instead of `response.cookies`.
    SetCookieInHeaders,
    /// `cookie` put in `request.headers` instead of `request.cookies`.
    CookieInHeaders,
}

impl ValidationWarning {
    /// Whether strict mode turns this warning into a [`ValidationError::Strict`].
    pub fn refused_in_strict_mode(&self) -> bool {
        matches!(
            self,
            ValidationWarning::StatusOutsideUsualRange { .. } | ValidationWarning::LargeBody { .. }
        )
    }

    /// The rule as the tail of a CloudFront-style message (strict mode).
    fn rule(&self) -> String {
        match self {
            ValidationWarning::StatusOutsideUsualRange { .. } => {
                "response.statusCode must be from 200 to 599.".into()
            }
            ValidationWarning::LargeBody { limit, .. } => {
                format!("response.body must not exceed {limit} bytes.")
            }
            ValidationWarning::SetCookieInHeaders => {
                "response.headers must not contain set-cookie.".into()
            }
            ValidationWarning::CookieInHeaders => "request.headers must not contain cookie.".into(),
        }
    }
}

impl fmt::Display for ValidationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationWarning::StatusOutsideUsualRange { status } => write!(
                f,
                "status {status} is outside 200-599; CloudFront documents no range for \
                 CloudFront Functions, Lambda@Edge refuses it"
            ),
            ValidationWarning::LargeBody { size, limit } => write!(
                f,
                "the response body is {size} bytes, over the {limit}-byte warning size \
                 (CloudFront documents no limit for CloudFront Functions)"
            ),
            ValidationWarning::SetCookieInHeaders => f.write_str(
                "`set-cookie` was set in response.headers; CloudFront Functions set cookies \
                 through response.cookies",
            ),
            ValidationWarning::CookieInHeaders => f.write_str(
                "`cookie` was set in request.headers; CloudFront Functions set cookies \
                 through request.cookies",
            ),
        }
    }
}
