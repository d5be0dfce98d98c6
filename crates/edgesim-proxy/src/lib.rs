//! `edgesim serve`: the CloudFront request pipeline as a local reverse proxy.
//!
//! A [`Config`] (the `edgesim.toml` file) describes a distribution: origins (an embedded mock
//! origin or a real HTTP server), cache behaviors with path patterns, cache policies and
//! CloudFront Functions on the viewer events, and KeyValueStores. [`Distribution`] is that
//! config checked and compiled; [`Server`] serves it over HTTP/1.1.
//!
//! The public surface is small: [`Config`], [`Distribution`] (with [`Distribution::handle`],
//! one request through the pipeline without a socket), [`Server`] and [`ProxyError`].
//!
//! Inside, for a newcomer: `distribution.rs` holds `handle` and the phase chart; each phase
//! has its module named after CloudFront's events — `behavior` → `viewer_request` →
//! `cache_phase` (where the cache key is made, via `cache::CachePolicy::key`) →
//! `origin_request` → `origin` → `origin_response` → `viewer_response` — and gets the
//! per-request `context::RequestCtx`. A function slot (`hook::Hook`) is a CloudFront Function
//! or a Lambda@Edge function; each phase file runs both kinds for its event. Failures become
//! CloudFront's responses in one place (`failure.rs`, over [`edgesim_model::EdgeFailure`]).
//! Building and checking a distribution from its config is in `startup/`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), edgesim_proxy::ProxyError> {
//! let config = edgesim_proxy::Config::load("edgesim.toml".as_ref())?;
//! let distribution = edgesim_proxy::Distribution::from_config(&config)?;
//! let server = edgesim_proxy::Server::bind(distribution, "127.0.0.1:0").await?;
//! println!("listening on http://{}", server.local_addr());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Per-request viewer overrides for testing geo/device logic: see `viewer_request.rs`.

mod behavior;
pub mod bench;
mod body;
mod cache;
mod cache_phase;
mod compress;
mod conditional;
pub mod config;
mod context;
mod dashboard;
mod distribution;
mod error;
mod failure;
mod forwarding;
mod hook;
mod ids;
mod invalidate;
mod mock_origin;
mod mtls;
mod observe;
mod origin;
mod origin_request;
mod origin_response;
mod path_pattern;
mod policy;
mod policy_config;
mod reload;
mod response_headers;
mod s3_origin;
mod server;
mod settings;
mod startup;
mod summary;
mod tls;
mod trigger;
mod ttl;
mod upgrade;
mod viewer_protocol;
mod viewer_request;
mod viewer_response;
mod viewer_rules;

pub use body::{empty, full, Body};
pub use config::Config;
pub use distribution::Distribution;
pub use error::ProxyError;
pub use mtls::{load_connection_function, ViewerMtls};
pub use observe::RequestReport;
pub use origin::Origin;
pub use reload::{Live, Rebuild, ReloadEvent, Reloader, WatchSet};
pub use server::{ServeOptions, Server};
pub use tls::{default_cache_dir, CertSource, ViewerTls};
