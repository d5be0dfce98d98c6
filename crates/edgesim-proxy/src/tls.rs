//! TLS for `serve --https` (rustls): the viewer side offers HTTP/2 and HTTP/1.1 by ALPN, with
//! either the user's certificate or a self-signed one for `localhost`/`127.0.0.1` generated
//! once and kept in a cache directory; and the client side for `https://` origins, trusting the
//! system's roots plus, when a config asks for it, a dev server's own certificate.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::error::ProxyError;

/// The file names of the generated pair inside the cache directory.
const CERT_FILE: &str = "localhost-cert.pem";
const KEY_FILE: &str = "localhost-key.pem";

/// Where the viewer-side certificate comes from.
#[derive(Debug, Clone)]
pub enum CertSource {
    /// `--cert FILE --key FILE` (PEM).
    Files { cert: PathBuf, key: PathBuf },
    /// Generate (once) a self-signed certificate for localhost and 127.0.0.1 in this directory.
    SelfSigned { cache_dir: PathBuf },
}

/// A ready TLS acceptor and what to tell the user about it.
#[derive(Clone)]
pub struct ViewerTls {
    pub acceptor: TlsAcceptor,
    /// The certificate served (to trust it in a browser or pass to `curl --cacert`).
    pub cert_path: PathBuf,
    /// Whether it was generated just now (first use).
    pub generated: bool,
    /// Viewer mTLS, when asked for (crate::mtls).
    pub mtls: Option<Arc<crate::mtls::ViewerMtls>>,
}

impl std::fmt::Debug for ViewerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewerTls")
            .field("cert_path", &self.cert_path)
            .field("generated", &self.generated)
            .finish()
    }
}

/// The default cache directory: `$EDGESIM_CACHE_DIR`, else `$XDG_CACHE_HOME/edgesim`, else
/// `~/.cache/edgesim`, else a directory under the system temp dir.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EDGESIM_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("edgesim");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("edgesim");
    }
    std::env::temp_dir().join("edgesim")
}

fn tls_error(path: &Path, message: impl std::fmt::Display) -> ProxyError {
    ProxyError::Tls {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

impl ViewerTls {
    /// Loads or generates the certificate and builds the acceptor (h2 preferred, then
    /// http/1.1, as CloudFront offers both when HTTP/2 is enabled).
    pub fn new(source: &CertSource) -> Result<ViewerTls, ProxyError> {
        Self::with_mtls(source, None)
    }

    /// As [`ViewerTls::new`], asking viewers for client certificates when `mtls` is given.
    pub fn with_mtls(
        source: &CertSource,
        mtls: Option<crate::mtls::ViewerMtls>,
    ) -> Result<ViewerTls, ProxyError> {
        let (cert_path, key_path, generated) = match source {
            CertSource::Files { cert, key } => (cert.clone(), key.clone(), false),
            CertSource::SelfSigned { cache_dir } => {
                let cert = cache_dir.join(CERT_FILE);
                let key = cache_dir.join(KEY_FILE);
                let generated = !(cert.is_file() && key.is_file());
                if generated {
                    generate_self_signed(cache_dir, &cert, &key)?;
                }
                (cert, key, generated)
            }
        };
        let certs = load_certs(&cert_path)?;
        let key = PrivateKeyDer::from_pem_file(&key_path)
            .map_err(|e| tls_error(&key_path, format!("not a PEM private key: {e}")))?;
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(&cert_path, e))?;
        let builder = match &mtls {
            Some(m) => builder.with_client_cert_verifier(m.verifier()?),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .map_err(|e| tls_error(&cert_path, format!("certificate and key do not fit: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(ViewerTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            cert_path,
            generated,
            mtls: mtls.map(Arc::new),
        })
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub(crate) fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ProxyError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_error(path, format!("cannot read certificates: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(path, format!("not a PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(tls_error(path, "no certificate in the file"));
    }
    Ok(certs)
}

/// A self-signed certificate for `localhost` and `127.0.0.1`; the key is readable by its owner
/// only.
fn generate_self_signed(dir: &Path, cert: &Path, key: &Path) -> Result<(), ProxyError> {
    fs::create_dir_all(dir).map_err(|e| tls_error(dir, format!("cannot create: {e}")))?;
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let pair = rcgen::generate_simple_self_signed(names)
        .map_err(|e| tls_error(cert, format!("cannot generate a certificate: {e}")))?;
    write_private(key, pair.key_pair.serialize_pem().as_bytes())
        .map_err(|e| tls_error(key, format!("cannot write: {e}")))?;
    fs::write(cert, pair.cert.pem()).map_err(|e| tls_error(cert, format!("cannot write: {e}")))
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// How an `https://` origin's certificate is checked.
#[derive(Debug, Clone, Default)]
pub struct OriginTrust {
    /// A PEM file of extra certificates to trust (a dev server's self-signed certificate or
    /// the CA that signed it, e.g. mkcert's `rootCA.pem`), on top of the system roots.
    pub ca_file: Option<PathBuf>,
}

/// The client TLS config for origins: the system's trusted roots (as CloudFront trusts public
/// CAs only), plus what [`OriginTrust`] adds.
pub fn origin_client_config(trust: &OriginTrust) -> Result<ClientConfig, ProxyError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_roots();
    roots.add_parsable_certificates(native);
    if let Some(path) = &trust.ca_file {
        for cert in load_certs(path)? {
            roots
                .add(cert)
                .map_err(|e| tls_error(path, format!("cannot trust this certificate: {e}")))?;
        }
    }
    // No ALPN: hyper-rustls sets it for the client (HTTP/1.1, as CloudFront speaks to
    // origins), and without it a WebSocket upgrade's server assumes HTTP/1.1 too.
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProxyError::Tls {
            path: PathBuf::new(),
            message: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The system's trust store (`/etc/ssl/certs` and friends); unreadable entries are skipped.
fn rustls_native_roots() -> Vec<CertificateDer<'static>> {
    let found = rustls_native_certs::load_native_certs();
    for error in found.errors.iter().take(3) {
        tracing::debug!("system certificate store: {error}");
    }
    found.certs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_generated_once_then_reused() {
        let dir = std::env::temp_dir().join(format!("edgesim-tls-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let source = CertSource::SelfSigned {
            cache_dir: dir.clone(),
        };
        let first = ViewerTls::new(&source).unwrap();
        assert!(first.generated);
        let pem = fs::read_to_string(&first.cert_path).unwrap();
        let second = ViewerTls::new(&source).unwrap();
        assert!(!second.generated);
        assert_eq!(fs::read_to_string(&second.cert_path).unwrap(), pem);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_certificate_file_names_the_file() {
        let err = ViewerTls::new(&CertSource::Files {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        })
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
    }
}
