//! `edgesim serve`: the CloudFront request pipeline as a local reverse proxy.
//!
//! A [`Config`] (the `edgesim.toml` file) describes a distribution: origins (an embedded mock
//! origin or a real HTTP server), cache behaviors with path patterns, cache policies and
//! CloudFront Functions on the viewer events, and KeyValueStores. [`Distribution`] is that
//! config checked and compiled; [`Server`] serves it over HTTP/1.1.
//!
//! The pipeline's phases each have their module, named after CloudFront's events:
//! [`behavior`] → [`viewer_request`] → [`cache`] → [`origin_request`] → [`origin`] →
//! [`origin_response`] → [`viewer_response`], tied together in [`pipeline`]. Failures are
//! mapped to CloudFront's responses in one place, [`edgesim_model::EdgeFailure`].
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
//! Per-request viewer overrides for testing geo/device logic: see [`viewer_request`].

pub mod behavior;
pub mod body;
pub mod cache;
pub mod conditional;
pub mod config;
pub mod distribution;
pub mod error;
mod ids;
pub mod lambda;
pub mod mock_origin;
pub mod observe;
pub mod origin;
pub mod origin_request;
pub mod origin_response;
pub mod pipeline;
pub mod server;
mod trigger;
pub mod viewer_request;
pub mod viewer_response;

pub use config::Config;
pub use distribution::Distribution;
pub use error::ProxyError;
pub use server::Server;
