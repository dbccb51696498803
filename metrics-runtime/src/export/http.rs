//! A minimal HTTP/1.1 client for the push sinks: one connection per
//! delivery (a push every few seconds gains nothing from a pool, and a
//! connection that lives no longer than its request cannot go stale), over
//! hyper's client connection, driven in the caller's task so that it runs on
//! whichever runtime delivers.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::SinkError;
use super::retry::parse_retry_after;

/// The most of a response body kept, for error messages.
const BODY_LIMIT: usize = 4096;

/// Where a push sink sends: `http://host:port/prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    host: String,
    port: u16,
    /// The `Host` header.
    authority: String,
    /// The path before the sink's own, without a trailing `/`.
    prefix: String,
}

impl Endpoint {
    /// Parses a base URL: `http://`, a host, an optional port and path; no
    /// query, fragment or credentials (credentials are the sink's settings).
    pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(format!(
                    "`{url}`: https is not supported by the push sinks yet; use http (or a local proxy)"
                ));
            }
            Some(other) => return Err(format!("`{url}`: the scheme is `{other}`, expected http")),
            None => return Err(format!("`{url}` has no scheme: write it as http://host:port")),
        }
        let authority = uri.authority().ok_or_else(|| format!("`{url}` has no host"))?;
        if authority.as_str().contains('@') {
            return Err(format!("`{url}` carries credentials: set them on the sink (basic_auth, bearer_token)"));
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("`{url}` has no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(format!("`{url}` has a query or a fragment: give the base URL only"));
        }
        Ok(Endpoint {
            host: host.to_owned(),
            port: authority.port_u16().unwrap_or(80),
            authority: authority.as_str().to_owned(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The URL of `path` (which starts with `/`) under the prefix.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{}{path}", self.authority, self.prefix)
    }

    /// Sends one request and reads the response (its body up to 4 KiB).
    /// A connection failure is a retryable error; the status is the
    /// caller's to judge ([`Response::check`]).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response, SinkError> {
        let target = format!("{}{path}", self.prefix);
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| SinkError::retryable(format!("cannot connect to {}: {e}", self.authority)))?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| SinkError::retryable(format!("HTTP handshake with {} failed: {e}", self.authority)))?;
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&target)
            .body(Full::new(body))
            .map_err(|e| SinkError::permanent(format!("cannot build a request for {target}: {e}")))?;
        *request.headers_mut() = headers;
        if let Ok(host) = HeaderValue::from_str(&self.authority) {
            request.headers_mut().insert(header::HOST, host);
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
        Ok(Response { status: parts.status, retry_after, body: String::from_utf8_lossy(&body).trim().to_owned() })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority, self.prefix)
    }
}

/// What the destination answered.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    /// The start of the body, for messages.
    pub(crate) body: String,
}

impl Response {
    /// 2xx is success; 408, 429 and 5xx are retryable (after `Retry-After`
    /// when given); anything else is permanent (redirects are not followed).
    pub(crate) fn check(&self, what: &str) -> Result<(), SinkError> {
        let status = self.status;
        if status.is_success() {
            return Ok(());
        }
        let message = if self.body.is_empty() {
            format!("{what}: HTTP {status}")
        } else {
            format!("{what}: HTTP {status}: {}", self.body)
        };
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error();
        Err(match (retryable, self.retry_after) {
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
        let endpoint = Endpoint::parse("http://127.0.0.1:9091/").unwrap();
        assert_eq!((endpoint.host.as_str(), endpoint.port, endpoint.prefix.as_str()), ("127.0.0.1", 9091, ""));
        assert_eq!(endpoint.url("/metrics/job/a"), "http://127.0.0.1:9091/metrics/job/a");
        let endpoint = Endpoint::parse("http://[::1]/gateway/").unwrap();
        assert_eq!((endpoint.host.as_str(), endpoint.port, endpoint.prefix.as_str()), ("::1", 80, "/gateway"));
        assert_eq!(endpoint.url("/x"), "http://[::1]/gateway/x");
        for (url, expected) in [
            ("not a url", "is not a URL"),
            ("127.0.0.1:9091", "has no scheme"),
            ("ftp://host/", "the scheme is `ftp`"),
            ("https://host/", "https is not supported"),
            ("http://user:pw@host/", "carries credentials"),
            ("http://host/?a=b", "has a query"),
            ("http://host/#top", "has a query or a fragment"),
        ] {
            let error = Endpoint::parse(url).unwrap_err();
            assert!(error.contains(expected), "{url}: {error}");
        }
    }

    #[test]
    fn statuses_are_success_retryable_or_permanent() {
        let response = |status: u16, retry_after: Option<u64>| Response {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
            body: "why".into(),
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
