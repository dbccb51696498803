//! PEM files for rustls, shared by the server's HTTPS (feature `tls`) and
//! the HTTP sinks of the exporter (feature `export`): every error names the
//! file and what is wrong with it.

use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Every certificate of a PEM file; none is an error.
pub(crate) fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let unreadable =
        |e: rustls::pki_types::pem::Error| format!("cannot read certificates from {}: {e}", path.display());
    let chain =
        CertificateDer::pem_file_iter(path).map_err(unreadable)?.collect::<Result<Vec<_>, _>>().map_err(unreadable)?;
    if chain.is_empty() {
        return Err(format!("no certificate found in {}", path.display()));
    }
    Ok(chain)
}

/// The first private key of a PEM file.
pub(crate) fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| format!("no private key read from {}: {e}", path.display()))
}

/// The CA certificates of a PEM file, as trust anchors.
pub(crate) fn roots(path: &Path) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(path)? {
        roots.add(certificate).map_err(|e| format!("a CA certificate in {} is not usable: {e}", path.display()))?;
    }
    Ok(roots)
}
