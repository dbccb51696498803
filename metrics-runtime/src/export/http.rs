//! A minimal HTTP/1.1 client for the push sinks: one connection per
//! delivery (a push every few seconds gains nothing from a pool, and a
//! connection that lives no longer than its request cannot go stale), over
//! hyper's client connection, driven in the caller's task so that it runs on
//! whichever runtime delivers; HTTPS through rustls, and the
//! authentication and headers of a [`Transport`].

use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::retry::parse_retry_after;
use super::{ExportError, SinkError};
use crate::pem;

/// The most of a response body kept: enough for an error message or an
/// OTLP partial-success answer.
const BODY_LIMIT: usize = 64 * 1024;

/// How the HTTP sinks ([`Pushgateway`](super::Pushgateway),
/// [`RemoteWrite`](super::RemoteWrite), [`Otlp`](super::Otlp)) connect and
/// authenticate: TLS trust and client certificate, credentials, and headers
/// of their own.
///
/// ```no_run
/// use metricate::export::Transport;
///
/// let transport = Transport::new()
///     .ca_file("/etc/metrics/ca.pem")?         // trust this CA instead of the platform's roots
///     .client_cert("/etc/metrics/client.pem", "/etc/metrics/client.key")?
///     .bearer_token("s3cr3t")?
///     .header("X-Scope-OrgID", "team-billing")?;
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// `https://` URLs trust the platform's root certificates (read once per
/// process) unless a CA file is given; a certificate that does not verify
/// fails the delivery, counted, without a retry. The files are read when
/// the setting is made, so a missing or malformed file is an error there.
#[derive(Clone, Default)]
pub struct Transport {
    ca: Option<(String, Arc<RootCertStore>)>,
    client: Option<ClientCert>,
    authorization: Option<HeaderValue>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// A client certificate chain and its key.
#[derive(Clone)]
struct ClientCert {
    files: String,
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: Arc<rustls::pki_types::PrivateKeyDer<'static>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Transport")
            .field("ca_file", &self.ca.as_ref().map(|(path, _)| path))
            .field("client_cert", &self.client.as_ref().map(|c| &c.files))
            .field("authorization", &self.authorization.as_ref().map(|_| "<set>"))
            .field("headers", &headers)
            .finish()
    }
}

/// Headers the sinks set themselves, or that belong to the connection.
const RESERVED: [HeaderName; 7] = [
    header::HOST,
    header::CONTENT_TYPE,
    header::CONTENT_ENCODING,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::AUTHORIZATION,
];

impl Transport {
    /// Plain settings: the platform's roots for `https://`, no client
    /// certificate, no credentials, no extra headers.
    pub fn new() -> Transport {
        Transport::default()
    }

    /// Trusts the CA certificates of this PEM file, and only them, for
    /// `https://` destinations. Refuses a file that cannot be read or
    /// holds no usable certificate.
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Result<Transport, ExportError> {
        let path = path.as_ref();
        let roots = pem::roots(path).map_err(|e| ExportError::Config(format!("CA file: {e}")))?;
        self.ca = Some((path.display().to_string(), Arc::new(roots)));
        Ok(self)
    }

    /// Presents this certificate chain and key (PEM files) to servers that
    /// ask for a client certificate. Refuses files that cannot be read.
    pub fn client_cert(mut self, cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Result<Transport, ExportError> {
        let (cert, key) = (cert.as_ref(), key.as_ref());
        let config = |e: String| ExportError::Config(format!("client certificate: {e}"));
        let chain = pem::certificates(cert).map_err(config)?;
        let key_der = pem::private_key(key).map_err(config)?;
        self.client = Some(ClientCert {
            files: format!("{} and {}", cert.display(), key.display()),
            chain,
            key: Arc::new(key_der),
        });
        // Whether the pair matches is checked now, not at the first delivery.
        self.client_config(Arc::new(RootCertStore::empty()))
            .map_err(|e| ExportError::Config(format!("client certificate: {e}")))?;
        Ok(self)
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: &str) -> Result<Transport, ExportError> {
        self.authorization = Some(secret(&format!("Bearer {token}"))?);
        Ok(self)
    }

    /// Sends HTTP basic authentication.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Result<Transport, ExportError> {
        if user.contains(':') {
            return Err(ExportError::Config(format!(
                "the basic-auth user `{user}` holds a `:`, which ends a user name in basic authentication"
            )));
        }
        let credentials = STANDARD.encode(format!("{user}:{password}"));
        self.authorization = Some(secret(&format!("Basic {credentials}"))?);
        Ok(self)
    }

    /// Sends a header of its own with every request, e.g. a tenant
    /// (`X-Scope-OrgID`); given twice, the header is sent twice. Refuses a
    /// name or value HTTP cannot carry, and the headers the sinks or the
    /// connection own (`Host`, `Content-*`, `Transfer-Encoding`,
    /// `Connection`, and `Authorization`, which
    /// [`bearer_token`](Transport::bearer_token) and
    /// [`basic_auth`](Transport::basic_auth) set).
    pub fn header(mut self, name: &str, value: &str) -> Result<Transport, ExportError> {
        let header = HeaderName::try_from(name)
            .map_err(|_| ExportError::Config(format!("`{name}` is not an HTTP header name")))?;
        if RESERVED.contains(&header) {
            return Err(ExportError::Config(format!(
                "the header `{name}` is set by the sink or the connection, not by hand"
            )));
        }
        let value = HeaderValue::from_str(value).map_err(|_| {
            ExportError::Config(format!("the value of the header `{name}` holds characters HTTP cannot carry"))
        })?;
        self.headers.push((header, value));
        Ok(self)
    }

    /// The rustls client configuration: the CA file's roots or the
    /// platform's, the client certificate if any.
    fn tls(&self) -> Result<Arc<ClientConfig>, String> {
        let roots = match &self.ca {
            Some((_, roots)) => Arc::clone(roots),
            None => PLATFORM_ROOTS.clone()?,
        };
        self.client_config(roots)
    }

    fn client_config(&self, roots: Arc<RootCertStore>) -> Result<Arc<ClientConfig>, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots);
        let mut config = match &self.client {
            None => builder.with_no_client_auth(),
            Some(client) => builder
                .with_client_auth_cert(client.chain.clone(), client.key.clone_key())
                .map_err(|e| format!("{} are not a usable pair: {e}", client.files))?,
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The platform's root certificates, read once.
static PLATFORM_ROOTS: LazyLock<Result<Arc<RootCertStore>, String>> = LazyLock::new(|| {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(format!(
            "no root certificate found on this system ({}): give the CA with Transport::ca_file",
            if errors.is_empty() { "no error reported".to_owned() } else { errors.join("; ") }
        ));
    }
    Ok(Arc::new(roots))
});

fn secret(value: &str) -> Result<HeaderValue, ExportError> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| ExportError::Config("the credentials hold characters a header cannot".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A connection the client speaks HTTP over: plain TCP or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Where a push sink sends: `http(s)://host:port/prefix`, with the
/// transport's TLS configuration, credentials and headers.
#[derive(Clone)]
pub(crate) struct Endpoint {
    host: String,
    port: u16,
    /// The `Host` header.
    authority: String,
    /// The path before the sink's own, without a trailing `/`.
    prefix: String,
    /// For `https://`: the configuration, or why there is none (the
    /// platform has no root certificates).
    tls: Option<Result<(Arc<ClientConfig>, ServerName<'static>), String>>,
    /// Credentials and extra headers, added to every request.
    headers: HeaderMap,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl Endpoint {
    /// Parses a base URL: `http://` or `https://`, a host, an optional port
    /// and path; no query, fragment or credentials (credentials are the
    /// transport's settings).
    pub(crate) fn parse(url: &str, transport: &Transport) -> Result<Endpoint, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => return Err(format!("`{url}`: the scheme is `{other}`, expected http or https")),
            None => return Err(format!("`{url}` has no scheme: write it as http://host:port")),
        };
        let authority = uri.authority().ok_or_else(|| format!("`{url}` has no host"))?;
        if authority.as_str().contains('@') {
            return Err(format!("`{url}` carries credentials: set them on the transport (basic_auth, bearer_token)"));
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("`{url}` has no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(format!("`{url}` has a query or a fragment: give the base URL only"));
        }
        let mut endpoint = Endpoint {
            host: host.to_owned(),
            port: authority.port_u16().unwrap_or(if https { 443 } else { 80 }),
            authority: authority.as_str().to_owned(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
            tls: https.then(|| Err(String::new())),
            headers: HeaderMap::new(),
        };
        endpoint.configure(transport)?;
        Ok(endpoint)
    }

    /// Takes the transport's TLS settings, credentials and headers. The
    /// platform's roots missing is not an error here but at delivery: a
    /// CA file given next makes it moot. TLS settings for an `http://`
    /// URL are refused: they would protect nothing.
    pub(crate) fn configure(&mut self, transport: &Transport) -> Result<(), String> {
        if self.tls.is_none() && (transport.ca.is_some() || transport.client.is_some()) {
            return Err(format!(
                "{} is plain http: a CA file or a client certificate applies to https:// only",
                self.url("")
            ));
        }
        if self.tls.is_some() {
            let name = ServerName::try_from(self.host.clone())
                .map_err(|e| format!("`{}` is not a host name TLS can verify: {e}", self.host))?;
            self.tls = Some(match transport.tls() {
                Ok(config) => Ok((config, name)),
                Err(e) if transport.ca.is_none() && PLATFORM_ROOTS.is_err() => Err(e),
                Err(e) => return Err(e),
            });
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &transport.headers {
            headers.append(name.clone(), value.clone());
        }
        if let Some(authorization) = &transport.authorization {
            headers.insert(header::AUTHORIZATION, authorization.clone());
        }
        self.headers = headers;
        Ok(())
    }

    /// The URL of `path` (which starts with `/`) under the prefix.
    pub(crate) fn url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{}{path}", self.authority, self.prefix)
    }

    /// Connects, over TLS for `https://`. A refused connection or a failed
    /// handshake is retryable; a certificate that does not verify is not.
    async fn connect(&self) -> Result<Box<dyn Io>, SinkError> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| SinkError::retryable(format!("cannot connect to {}: {e}", self.authority)))?;
        let _ = stream.set_nodelay(true);
        let Some(tls) = &self.tls else { return Ok(Box::new(stream)) };
        let (config, name) =
            tls.as_ref().map_err(|e| SinkError::permanent(format!("TLS to {}: {e}", self.authority)))?;
        let stream = TlsConnector::from(Arc::clone(config)).connect(name.clone(), stream).await.map_err(|e| {
            let rustls_error = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
            let message = format!("TLS handshake with {} failed: {e}", self.authority);
            match rustls_error {
                Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented) => {
                    SinkError::permanent(message)
                }
                _ => SinkError::retryable(message),
            }
        })?;
        Ok(Box::new(stream))
    }

    /// Sends one request with the transport's headers and the sink's
    /// `headers`, and reads the response (its body up to 64 KiB). A
    /// connection failure is a retryable error; the status is the caller's
    /// to judge ([`Response::check`]).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Response, SinkError> {
        let target = format!("{}{path}", self.prefix);
        let io = self.connect().await?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| SinkError::retryable(format!("HTTP handshake with {} failed: {e}", self.authority)))?;
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&target)
            .body(Full::new(body))
            .map_err(|e| SinkError::permanent(format!("cannot build a request for {target}: {e}")))?;
        // The sink's headers, where the transport does not set its own
        // (a `User-Agent` of the user's replaces the sink's).
        let all = request.headers_mut();
        for (name, value) in headers {
            all.append(name.clone(), value.clone());
        }
        for name in self.headers.keys() {
            all.remove(name);
        }
        for (name, value) in &self.headers {
            all.append(name.clone(), value.clone());
        }
        if let Ok(host) = HeaderValue::from_str(&self.authority) {
            all.insert(header::HOST, host);
        }
        let exchange = async move {
            let response = sender.send_request(request).await?;
            let (parts, body) = response.into_parts();
            // A body too long or cut short is not an error of the delivery:
            // the status has already said how it went.
            let body = Limited::new(body, BODY_LIMIT)
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            Ok::<_, hyper::Error>((parts, body))
        };
        tokio::pin!(connection, exchange);
        let result = tokio::select! {
            result = &mut exchange => result,
            // A server that answers and closes (`Connection: close`) ends
            // the connection first: the answer is read all the same, and
            // without one the request fails with the closed connection.
            closed = &mut connection => match closed {
                Ok(()) => exchange.await,
                Err(e) => Err(e),
            },
        };
        let (parts, body) =
            result.map_err(|e| SinkError::retryable(format!("{method} {} failed: {e}", self.url(path))))?;
        let retry_after = parts
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let content_type =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        Ok(Response { status: parts.status, retry_after, content_type, body })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url(""))
    }
}

/// What the destination answered.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    /// Its `Content-Type` (which only the OTLP sink reads: a partial
    /// success comes as protobuf).
    #[cfg_attr(not(feature = "otlp"), allow(dead_code))]
    pub(crate) content_type: String,
    /// The body, up to 64 KiB.
    pub(crate) body: Bytes,
}

impl Response {
    /// 2xx is success; 408, 429 and 5xx are retryable (after `Retry-After`
    /// when given); anything else is permanent (redirects are not followed).
    pub(crate) fn check(&self, what: &str) -> Result<(), SinkError> {
        self.check_with(what, |status| {
            status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT || status.is_server_error()
        })
    }

    /// 2xx is success; the statuses `retryable` accepts are retryable
    /// (after `Retry-After` when given); anything else is permanent.
    pub(crate) fn check_with(&self, what: &str, retryable: fn(StatusCode) -> bool) -> Result<(), SinkError> {
        let status = self.status;
        if status.is_success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(512)]);
        let message = match text.trim() {
            "" => format!("{what}: HTTP {status}"),
            text => format!("{what}: HTTP {status}: {text}"),
        };
        Err(match (retryable(status), self.retry_after) {
            (true, Some(after)) => SinkError::retry_after(message, after),
            (true, None) => SinkError::retryable(message),
            (false, _) => SinkError::permanent(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_parse_or_say_why_not() {
        let plain = Transport::new();
        let endpoint = Endpoint::parse("http://127.0.0.1:9091/", &plain).unwrap();
        assert_eq!((endpoint.host.as_str(), endpoint.port, endpoint.prefix.as_str()), ("127.0.0.1", 9091, ""));
        assert_eq!(endpoint.url("/metrics/job/a"), "http://127.0.0.1:9091/metrics/job/a");
        let endpoint = Endpoint::parse("http://[::1]/gateway/", &plain).unwrap();
        assert_eq!((endpoint.host.as_str(), endpoint.port, endpoint.prefix.as_str()), ("::1", 80, "/gateway"));
        assert_eq!(endpoint.url("/x"), "http://[::1]/gateway/x");
        let endpoint = Endpoint::parse("https://mimir.example/api/v1/push", &plain).unwrap();
        assert_eq!((endpoint.port, endpoint.url("")), (443, "https://mimir.example/api/v1/push".to_owned()));
        for (url, expected) in [
            ("not a url", "is not a URL"),
            ("127.0.0.1:9091", "has no scheme"),
            ("ftp://host/", "the scheme is `ftp`, expected http or https"),
            ("http://user:pw@host/", "carries credentials"),
            ("http://host/?a=b", "has a query"),
            ("http://host/#top", "has a query or a fragment"),
        ] {
            let error = Endpoint::parse(url, &plain).unwrap_err();
            assert!(error.contains(expected), "{url}: {error}");
        }
    }

    #[test]
    fn transport_settings_are_checked_when_made() {
        let error = |result: Result<Transport, ExportError>| result.unwrap_err().to_string();
        for reserved in ["Host", "content-type", "Content-Encoding", "Authorization", "Connection"] {
            assert!(error(Transport::new().header(reserved, "x")).contains("set by the sink"), "{reserved}");
        }
        assert!(error(Transport::new().header("bad header", "x")).contains("is not an HTTP header name"));
        assert!(error(Transport::new().header("X-Scope-OrgID", "a\nb")).contains("cannot carry"));
        assert!(error(Transport::new().basic_auth("a:b", "pw")).contains("holds a `:`"));
        assert!(error(Transport::new().bearer_token("line\nbreak")).contains("credentials"));
        let missing = std::env::temp_dir().join("metricate-no-such-ca.pem");
        assert!(error(Transport::new().ca_file(&missing)).contains("CA file: cannot read certificates from"));
        assert!(error(Transport::new().client_cert(&missing, &missing)).contains("client certificate: cannot read"));

        let transport = Transport::new().header("X-Scope-OrgID", "tenant-1").unwrap().basic_auth("user", "pw").unwrap();
        let endpoint = Endpoint::parse("http://127.0.0.1:1/", &transport).unwrap();
        assert_eq!(endpoint.headers["x-scope-orgid"], "tenant-1");
        assert_eq!(endpoint.headers[header::AUTHORIZATION], "Basic dXNlcjpwdw==");
        assert!(format!("{transport:?}").contains("<set>"), "credentials stay out of Debug");
    }

    #[test]
    fn statuses_are_success_retryable_or_permanent() {
        let response = |status: u16, retry_after: Option<u64>| Response {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
            content_type: String::new(),
            body: Bytes::from_static(b"why"),
        };
        assert!(response(200, None).check("push").is_ok());
        assert!(response(202, None).check("push").is_ok());
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(response(status, None).check("push").unwrap_err().is_retryable(), "{status}");
        }
        let error = response(503, Some(7)).check("push").unwrap_err();
        assert_eq!(error.retry_after_hint(), Some(Duration::from_secs(7)));
        assert_eq!(error.message(), "push: HTTP 503 Service Unavailable: why");
        for status in [301, 400, 401, 403, 404, 413] {
            assert!(!response(status, None).check("push").unwrap_err().is_retryable(), "{status}");
        }
    }
}
