//! The HTTP/1.1 endpoint: hyper 1 on a tokio runtime.
//!
//! | path | answer |
//! |---|---|
//! | `GET`/`HEAD /metrics` | the global registry, in the format the `Accept` header negotiates |
//! | `GET`/`HEAD /health` | `ok` |
//! | anything else | 404 (405 for another method on a known path) |

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use metrics_runtime::encode::Format;
use tokio::net::TcpListener;

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight connections before dropping them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to pause after a failed `accept` (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

const TEXT: &str = "text/plain; charset=utf-8";

/// The size of the last exposition, to size the next one's buffer.
static LAST_SIZE: AtomicUsize = AtomicUsize::new(64 * 1024);

/// Serves connections from `listener` until `shutdown` resolves, then stops
/// accepting, lets in-flight connections finish (closing idle keep-alive
/// ones at once), and returns.
pub(crate) async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                // A connection reset before it was accepted, or no file
                // descriptors left: not fatal to the listener.
                eprintln!("demo: accept failed: {error}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service_fn(handle));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that disconnects or sends garbage is its own problem.
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        eprintln!("demo: connections still open after {DRAIN_TIMEOUT:?}; closing them");
    }
}

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(route(&request))
}

fn route<B>(request: &Request<B>) -> Response<Full<Bytes>> {
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    match request.uri().path() {
        "/metrics" if readable => metrics(request),
        "/health" if readable => respond(StatusCode::OK, TEXT, "ok"),
        "/metrics" | "/health" => {
            let mut response = respond(StatusCode::METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        }
        _ => respond(StatusCode::NOT_FOUND, TEXT, "not found\n"),
    }
}

/// Encodes the global registry in the negotiated format.
fn metrics<B>(request: &Request<B>) -> Response<Full<Bytes>> {
    let accept: Vec<&str> = request.headers().get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
    let format = Format::negotiate((!accept.is_empty()).then(|| accept.join(",")).as_deref());
    match metrics_runtime::global() {
        Ok(registry) => {
            let mut out = Vec::with_capacity(LAST_SIZE.load(Ordering::Relaxed) + 4096);
            format.encode(registry, &mut out);
            LAST_SIZE.store(out.len(), Ordering::Relaxed);
            respond(StatusCode::OK, format.content_type(), out)
        }
        Err(error) => respond(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("{error}\n")),
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, accept: Option<&str>) -> Response<Full<Bytes>> {
        let mut request = Request::builder().uri(path);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        route(&request.body(()).unwrap())
    }

    fn content_type(response: &Response<Full<Bytes>>) -> &str {
        response.headers()[header::CONTENT_TYPE].to_str().unwrap()
    }

    #[test]
    fn metrics_negotiates_the_format() {
        let response = get("/metrics", Some("application/openmetrics-text; version=1.0.0"));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(content_type(&response), Format::OpenMetrics.content_type());
        for accept in [None, Some("text/plain"), Some("*/*")] {
            let response = get("/metrics", accept);
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(content_type(&response), Format::Prometheus.content_type(), "{accept:?}");
        }
    }

    #[test]
    fn other_paths_and_methods() {
        assert_eq!(get("/health", None).status(), StatusCode::OK);
        assert_eq!(get("/", None).status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/metrics/x", None).status(), StatusCode::NOT_FOUND);
        let post = route(&Request::builder().method(Method::POST).uri("/metrics").body(()).unwrap());
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()[header::ALLOW], "GET, HEAD");
    }
}
