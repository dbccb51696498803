//! Requests: routing, auth, negotiation, gzip.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;
use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::service::Service;
use hyper::{Method, Request, Response, StatusCode, Version};

use super::Shared;
use super::connections::{ResponseBody, Tracked, Tracker};
use crate::encode::{self, Format};
use crate::self_metrics::{self, ScrapeFormat, ScrapeStatus};

pub(super) const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";

/// The pages: `/` lists the endpoints, `/live` watches metrics move. Both
/// open with the same head (`pages/head.html`: doctype, charset, viewport,
/// color scheme); each page's file holds the rest, from its `<title>` on.
const INDEX_PAGE: &str = concat!(include_str!("pages/head.html"), include_str!("pages/index.html"));
const LIVE_PAGE: &str = concat!(include_str!("pages/head.html"), include_str!("pages/live.html"));

/// The live page may fetch from its own server (the catalogue and the
/// stream), and from nowhere else; its script and style are inline.
const LIVE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
     connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

/// The size of the last exposition in each format, to size the next one's
/// buffer: one allocation per scrape, none per series.
static LAST_SIZE: [AtomicUsize; 2] = [AtomicUsize::new(64 * 1024), AtomicUsize::new(64 * 1024)];

/// One connection's request handler.
pub(super) struct Handler {
    shared: Arc<Shared>,
    /// The connection's entry in the table (none when fuzzing).
    tracker: Option<Arc<Tracker>>,
}

impl Handler {
    pub(super) fn new(shared: Arc<Shared>, tracker: Option<Arc<Tracker>>) -> Handler {
        Handler { shared, tracker }
    }
}

impl Service<Request<Incoming>> for Handler {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        // From the request head until its response is handed over, the
        // connection is not one to close to make room.
        if let Some(tracker) = &self.tracker {
            tracker.busy();
        }
        let response = if !host_is_valid(request.version(), request.headers()) {
            respond(StatusCode::BAD_REQUEST, TEXT, "a request needs exactly one Host header\n").map(Either::Left)
        } else if request.uri().path() == "/stream" {
            super::stream::respond_to(&self.shared, &request, self.tracker.as_ref())
        } else {
            route(&self.shared, request.method(), request.uri().path(), request.headers()).map(Either::Left)
        };
        ready(Ok(response.map(|body| Tracked::new(body, self.tracker.clone()))))
    }
}

/// RFC 9112 § 3.2: an HTTP/1.1 request without `Host`, and any request with
/// more than one, gets `400`.
fn host_is_valid(version: Version, headers: &HeaderMap) -> bool {
    match headers.get_all(header::HOST).iter().count() {
        0 => version < Version::HTTP_11,
        1 => true,
        _ => false,
    }
}

/// The response to a request; no request can make it panic.
fn route(shared: &Shared, method: &Method, path: &str, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let readable = matches!(*method, Method::GET | Method::HEAD);
    match path {
        "/" | "/metrics" | "/catalog" | "/catalog.json" | "/live" | "/health" if !readable => {
            let mut response = respond(StatusCode::METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        }
        "/health" => respond(StatusCode::OK, TEXT, "ok"),
        "/metrics" => metrics(shared, headers),
        "/catalog.json" | "/catalog" if !shared.auth.allows(headers) => unauthorized(),
        "/catalog.json" => catalog(shared),
        "/catalog" => catalog_page(shared),
        "/" => respond(StatusCode::OK, HTML, INDEX_PAGE),
        "/live" => {
            let mut response = respond(StatusCode::OK, HTML, LIVE_PAGE);
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(LIVE_POLICY));
            response
        }
        _ => respond(StatusCode::NOT_FOUND, TEXT, "not found\n"),
    }
}

pub(super) fn unauthorized() -> Response<Full<Bytes>> {
    let mut response = respond(StatusCode::UNAUTHORIZED, TEXT, "unauthorized\n");
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
    response
}

/// Encodes the served registry in the negotiated format.
fn metrics(shared: &Shared, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let format = Format::negotiate(joined(headers, header::ACCEPT).as_deref());
    let label = match format {
        Format::Prometheus => ScrapeFormat::Prometheus,
        Format::OpenMetrics => ScrapeFormat::OpenMetrics,
    };
    if !shared.auth.allows(headers) {
        self_metrics::scrape_served(label, ScrapeStatus::Unauthorized);
        return unauthorized();
    }
    let _in_flight = self_metrics::scrape_started();
    let registry = match shared.registry() {
        Ok(registry) => registry,
        Err(error) => {
            self_metrics::scrape_served(label, ScrapeStatus::Error);
            return respond(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("{error}\n"));
        }
    };
    let last = &LAST_SIZE[label as usize];
    let started = Instant::now();
    let mut body = Vec::with_capacity(last.load(Ordering::Relaxed) + 4096);
    if shared.settings.quiet {
        format.encode_quiet(registry, &mut body);
    } else {
        format.encode(registry, &mut body);
    }
    last.store(body.len(), Ordering::Relaxed);
    let gzip = encode::accepts_gzip(joined(headers, header::ACCEPT_ENCODING).as_deref());
    if gzip {
        body = compress(&body);
    }
    self_metrics::scrape_encoded(label, started.elapsed().as_secs_f64(), body.len());
    self_metrics::scrape_served(label, ScrapeStatus::Ok);
    let mut response = respond(StatusCode::OK, format.content_type(), body);
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

fn catalog(shared: &Shared) -> Response<Full<Bytes>> {
    match shared.registry() {
        Ok(registry) => {
            let body = shared.catalog.get_or_init(|| Bytes::from(registry.catalog().to_json()));
            respond(StatusCode::OK, JSON, body.clone())
        }
        Err(error) => respond(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("{error}\n")),
    }
}

/// The HTML catalogue of the served metrics, as `catalog render --format
/// html` makes it; built on its first request.
fn catalog_page(shared: &Shared) -> Response<Full<Bytes>> {
    match shared.registry() {
        Ok(registry) => {
            let body =
                shared.catalog_page.get_or_init(|| Bytes::from(metricate_catalog::render::html(&registry.catalog())));
            respond(StatusCode::OK, HTML, body.clone())
        }
        Err(error) => respond(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("{error}\n")),
    }
}

/// All values of a header, joined as one comma-separated list (RFC 9110
/// § 5.3); `None` when it is absent.
fn joined(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4 + 64), Compression::fast());
    // Writing to a Vec cannot fail.
    encoder.write_all(body).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

pub(super) fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn gzip_is_negotiated_with_q_values() {
        let gzip = |value: &str| {
            encode::accepts_gzip(
                joined(&headers(&[(header::ACCEPT_ENCODING, value)]), header::ACCEPT_ENCODING).as_deref(),
            )
        };
        assert!(gzip("gzip"));
        assert!(gzip("deflate, GZIP;q=0.5"));
        assert!(gzip("*"));
        assert!(gzip("identity, x-gzip"));
        assert!(!gzip("identity"));
        assert!(!gzip("gzip;q=0"));
        assert!(!gzip("gzip;q=0, *"));
        assert!(!gzip("*;q=0"));
        assert!(!encode::accepts_gzip(joined(&HeaderMap::new(), header::ACCEPT_ENCODING).as_deref()));
    }

    #[test]
    fn exactly_one_host_header() {
        let host = |version, values: &[&str]| {
            let pairs: Vec<_> = values.iter().map(|v| (header::HOST, *v)).collect();
            host_is_valid(version, &headers(&pairs))
        };
        assert!(host(Version::HTTP_11, &["example"]));
        assert!(!host(Version::HTTP_11, &[]));
        assert!(!host(Version::HTTP_11, &["a", "b"]));
        assert!(host(Version::HTTP_10, &[]));
        assert!(!host(Version::HTTP_10, &["a", "b"]));
    }

    #[test]
    fn paths_and_methods() {
        let shared = |builder: super::super::ServerBuilder| Shared::new(builder).unwrap();
        let config = shared(super::super::ServerBuilder::new());
        let none = HeaderMap::new();
        assert_eq!(route(&config, &Method::GET, "/health", &none).status(), StatusCode::OK);
        assert_eq!(route(&config, &Method::GET, "/", &none).status(), StatusCode::OK);
        assert_eq!(route(&config, &Method::GET, "/nope", &none).status(), StatusCode::NOT_FOUND);
        assert_eq!(route(&config, &Method::DELETE, "/nope", &none).status(), StatusCode::NOT_FOUND);
        let live = route(&config, &Method::GET, "/live", &none);
        assert!(live.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("connect-src 'self'"));
        for path in ["/", "/metrics", "/catalog", "/catalog.json", "/live", "/health"] {
            let response = route(&config, &Method::POST, path, &none);
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
        }
        let secured = shared(super::super::ServerBuilder::new().bearer_token("t"));
        assert_eq!(route(&secured, &Method::GET, "/health", &none).status(), StatusCode::OK);
        assert_eq!(route(&secured, &Method::GET, "/metrics", &none).status(), StatusCode::UNAUTHORIZED);
        assert_eq!(route(&secured, &Method::GET, "/catalog.json", &none).status(), StatusCode::UNAUTHORIZED);
        assert_eq!(route(&secured, &Method::GET, "/catalog", &none).status(), StatusCode::UNAUTHORIZED);
    }
}
