//! Viewer mutual TLS on `serve --https` (docs/cloudfront/connection-functions.md): the viewer's
//! client certificate is checked against a trust store by rustls during the handshake (chain,
//! expiry, signature: CloudFront's standard validation), then the distribution's connection
//! function decides allow or deny.
//!
//! CloudFront ends a denied handshake; rustls cannot wait for a function inside its handshake,
//! so here the function runs right after it and a denied connection is closed before any HTTP
//! is read (inferred equivalent: the viewer sends no request either way).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use edgesim_functions::connection::{self, Decision};
use edgesim_functions::{CloudFrontFunction, FunctionThreads, InvokeInput};
use edgesim_model::client_cert::{connection_event, ClientCertificate, ConnectionContext};
use rustls::pki_types::CertificateDer;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;

use crate::error::ProxyError;

/// `ViewerMtlsConfig`: the trust store, the mode, and the connection function.
#[derive(Clone)]
pub struct ViewerMtls {
    /// PEM file of the CA certificates client certificates must chain to.
    pub trust_store: PathBuf,
    /// `required` (no certificate, no handshake) or `optional`.
    pub required: bool,
    pub connection_function: Option<CloudFrontFunction>,
    pub distribution_id: String,
    pub endpoint: String,
}

impl std::fmt::Debug for ViewerMtls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewerMtls")
            .field("trust_store", &self.trust_store)
            .field("required", &self.required)
            .field(
                "connection_function",
                &self
                    .connection_function
                    .as_ref()
                    .map(|c| c.name().to_owned()),
            )
            .finish()
    }
}

impl ViewerMtls {
    /// rustls's verifier for the trust store (standard validation).
    pub(crate) fn verifier(&self) -> Result<Arc<dyn ClientCertVerifier>, ProxyError> {
        let path = &self.trust_store;
        let err = |m: String| ProxyError::Tls {
            path: path.clone(),
            message: m,
        };
        let mut roots = RootCertStore::empty();
        for cert in crate::tls::load_certs(path)? {
            roots.add(cert).map_err(|e| {
                err(format!(
                    "cannot use this CA certificate as a trust store: {e}"
                ))
            })?;
        }
        let builder = WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        );
        let builder = if self.required {
            builder
        } else {
            builder.allow_unauthenticated()
        };
        builder.build().map_err(|e| err(e.to_string()))
    }

    /// After the handshake: runs the connection function when the viewer presented a
    /// certificate (it is not invoked otherwise, as documented for optional mode). `false`
    /// means close the connection.
    pub async fn admit(
        &self,
        certs: Option<&[CertificateDer<'_>]>,
        peer: std::net::SocketAddr,
    ) -> bool {
        let Some(function) = &self.connection_function else {
            return true;
        };
        let Some(leaf) = certs.and_then(|c| c.first()) else {
            return true;
        };
        let cert = match ClientCertificate::from_der(leaf.as_ref()) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("client certificate from {peer}: {e}; connection denied");
                return false;
            }
        };
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let ctx = ConnectionContext {
            client_ip: peer.ip().to_string(),
            endpoint: self.endpoint.clone(),
            distribution_id: self.distribution_id.clone(),
            connection_id: format!("EDGESIM{:016x}", NEXT.fetch_add(1, Ordering::Relaxed)),
        };
        let event = Arc::new(connection_event(Some(&cert), &ctx));
        let run = connection::report(
            FunctionThreads::global()
                .invoke(function, event, InvokeInput::default())
                .await,
        );
        for line in &run.result.connection_function_execution_logs {
            tracing::info!("connection function {}: {line}", function.name());
        }
        if run.failed {
            tracing::warn!(
                "connection function {} failed, connection from {peer} denied: {}",
                function.name(),
                run.result.connection_function_error_message
            );
        }
        tracing::info!(
            "connection from {peer} ({}): {}",
            cert.subject,
            run.decision.as_str()
        );
        run.decision == Decision::Allow
    }
}

/// Loads a connection function file for [`ViewerMtls`].
pub fn load_connection_function(path: &Path) -> Result<CloudFrontFunction, ProxyError> {
    let name = path.file_stem().map_or("connection".to_owned(), |s| {
        s.to_string_lossy().into_owned()
    });
    CloudFrontFunction::from_file(path, connection::options(name)).map_err(|e| ProxyError::Tls {
        path: path.to_owned(),
        message: format!("connection function: {e}"),
    })
}
