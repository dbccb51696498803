//! Certificates made at test time, and an HTTPS client: what the TLS tests
//! need to run the server (and a real Prometheus) over HTTPS on loopback.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use crate::Response;

/// A certificate authority, generated in memory.
pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, written as PEM files.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The certificate chain's file.
    pub cert: PathBuf,
    /// The private key's file.
    pub key: PathBuf,
    /// The certificate itself, to compare with what a peer presents.
    pub der: CertificateDer<'static>,
}

impl Authority {
    /// A new CA called `name`.
    pub fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names to parse");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a key pair");
        Authority { issuer: CertifiedIssuer::self_signed(params, key).expect("a self-signed CA") }
    }

    /// Writes the CA's certificate to `path` (for clients that trust it).
    pub fn write_cert(&self, path: &Path) -> PathBuf {
        std::fs::write(path, self.issuer.pem()).expect("the CA file is written");
        path.to_owned()
    }

    /// A server certificate for `localhost` and `127.0.0.1`, written to
    /// `<dir>/<stem>.crt` and `<dir>/<stem>.key`.
    pub fn server(&self, dir: &Path, stem: &str) -> Issued {
        self.issue(dir, stem, ExtendedKeyUsagePurpose::ServerAuth, &["localhost", "127.0.0.1"])
    }

    /// A client certificate, written like [`Authority::server`]'s.
    pub fn client(&self, dir: &Path, stem: &str) -> Issued {
        self.issue(dir, stem, ExtendedKeyUsagePurpose::ClientAuth, &[])
    }

    fn issue(&self, dir: &Path, stem: &str, usage: ExtendedKeyUsagePurpose, names: &[&str]) -> Issued {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("valid names");
        params.distinguished_name.push(DnType::CommonName, stem);
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().expect("a key pair");
        let cert = params.signed_by(&key, &self.issuer).expect("a signed certificate");
        let issued = Issued {
            cert: dir.join(format!("{stem}.crt")),
            key: dir.join(format!("{stem}.key")),
            der: cert.der().clone(),
        };
        std::fs::write(&issued.cert, cert.pem()).expect("the certificate is written");
        std::fs::write(&issued.key, key.serialize_pem()).expect("the key is written");
        issued
    }
}

/// What an HTTPS client trusts and presents.
#[derive(Clone, Debug, Default)]
pub struct Client<'a> {
    /// PEM file of the CA to trust; none trusts nothing.
    pub ca: Option<&'a Path>,
    /// A client certificate to present.
    pub identity: Option<&'a Issued>,
}

impl Client<'_> {
    /// `GET path` over HTTPS to `addr` as `localhost`, with `Connection:
    /// close`; the response and the certificate the server presented.
    pub fn get(
        &self,
        addr: SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<(Response, CertificateDer<'static>)> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        if let Some(ca) = self.ca {
            for cert in CertificateDer::pem_file_iter(ca).map_err(io::Error::other)? {
                roots.add(cert.map_err(io::Error::other)?).map_err(io::Error::other)?;
            }
        }
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots);
        let config = match self.identity {
            Some(identity) => {
                let chain = CertificateDer::pem_file_iter(&identity.cert)
                    .map_err(io::Error::other)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(io::Error::other)?;
                let key = PrivateKeyDer::from_pem_file(&identity.key).map_err(io::Error::other)?;
                builder.with_client_auth_cert(chain, key).map_err(io::Error::other)?
            }
            None => builder.with_no_client_auth(),
        };
        let name = ServerName::try_from("localhost").expect("a valid name");
        let connection = rustls::ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
        let socket = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        socket.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut stream = rustls::StreamOwned::new(connection, socket);
        stream.write_all(crate::request_head("GET", path, "localhost", headers).as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let presented = stream
            .conn
            .peer_certificates()
            .and_then(<[_]>::first)
            .cloned()
            .ok_or_else(|| io::Error::other("no server certificate"))?;
        let response = crate::parse_response(&raw)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed HTTP response"))?;
        Ok((response, presented))
    }
}
