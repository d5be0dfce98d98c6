//! edgesim: run AWS CloudFront edge code on your own machine, exactly as CloudFront would.
//!
//! This crate is the facade over the workspace:
//! - [`model`]: CloudFront's event formats, HTTP ⇄ event conversion, validation, error pages;
//! - [`functions`]: CloudFront Functions (`cloudfront-js-1.0`/`2.0`) on boa_engine, KeyValueStore,
//!   the compute budget and TestFunction's output;
//! - [`proxy`]: `edgesim serve`, the CloudFront request pipeline as a local reverse proxy.

pub use edgesim_functions as functions;
pub use edgesim_import as import;
pub use edgesim_lambda as lambda;
pub use edgesim_model as model;
pub use edgesim_proxy as proxy;

/// The README's Rust snippets, compiled and run by `cargo test --doc` so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
