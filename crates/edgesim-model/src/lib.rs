//! The CloudFront model shared by every part of edgesim.
//!
//! - [`cff`]: the CloudFront Functions event as serde types, and [`cff::parse_event`] to check a
//!   user's event file.
//! - [`cff_http`]: conversion between `http` requests/responses and the event, both ways.
//! - [`validate`]: how CloudFront normalises and checks what a function returns.
//! - [`failure`]: the one place that maps every edge failure to CloudFront's status, `X-Cache`
//!   value and HTML error page.
//! - [`error`]: [`ModelError`], this crate's error for input that does not fit the model.
//!
//! The behaviour follows `cloudfront-functions.md` and `lambda-edge.md` in the project's
//! reference notes; section numbers (§) in the docs of this crate point there.

pub mod cff;
pub mod cff_http;
pub mod error;

pub use cff::{parse_event, Event, EventType};
pub use error::ModelError;
