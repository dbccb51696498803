//! HTTPS (feature `tls`): rustls with a certificate chain and key read from
//! PEM files, and optionally client certificates checked against a CA. The
//! files are re-read when they change, so a certificate is renewed without a
//! restart; a change that does not load (a key that does not match, a file
//! half written) keeps the previous configuration and is counted.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tokio_rustls::TlsAcceptor;

use super::reload::Stamp;
use crate::pem;
use crate::self_metrics::{self, Reload, ReloadResult};

/// The files of the TLS configuration.
#[derive(Clone, Debug)]
pub(super) struct TlsFiles {
    pub(super) cert: PathBuf,
    pub(super) key: PathBuf,
    pub(super) client_ca: Option<PathBuf>,
}

/// The TLS configuration in effect, and the versions of the files it was
/// loaded from.
pub(super) struct Tls {
    files: TlsFiles,
    state: Mutex<(Vec<Option<Stamp>>, TlsAcceptor)>,
}

impl Tls {
    /// Loads the files; an error names the file and what is wrong with it.
    pub(super) fn load(files: TlsFiles) -> Result<Tls, String> {
        let stamps = stamps(&files);
        let acceptor = TlsAcceptor::from(Arc::new(config(&files)?));
        Ok(Tls { files, state: Mutex::new((stamps, acceptor)) })
    }

    /// The acceptor for a new connection, after re-loading the files if any
    /// changed since the last look (a few `stat` calls per connection).
    pub(super) fn acceptor(&self) -> TlsAcceptor {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let stamps = stamps(&self.files);
        if stamps != state.0 {
            state.0 = stamps;
            match config(&self.files) {
                Ok(config) => {
                    state.1 = TlsAcceptor::from(Arc::new(config));
                    self_metrics::config_reloaded(Reload::Tls, ReloadResult::Ok);
                }
                Err(_) => self_metrics::config_reloaded(Reload::Tls, ReloadResult::Error),
            }
        }
        state.1.clone()
    }
}

fn stamps(files: &TlsFiles) -> Vec<Option<Stamp>> {
    [Some(&files.cert), Some(&files.key), files.client_ca.as_ref()]
        .into_iter()
        .flatten()
        .map(|path| Stamp::of(path).ok())
        .collect()
}

fn config(files: &TlsFiles) -> Result<ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain = pem::certificates(&files.cert)?;
    let key = pem::private_key(&files.key)?;
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(pem::roots(ca)?), provider)
                .build()
                .map_err(|e| format!("the client CA {} is not usable: {e}", ca.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        format!(
            "the certificate {} and the key {} are not a usable pair: {e}",
            files.cert.display(),
            files.key.display()
        )
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
