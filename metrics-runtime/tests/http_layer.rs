//! The HTTP layer around hand-made services: what it records and when.
//! Bodies stream frame by frame; the exchange is recorded once, when the
//! response body ends or is dropped, or without a status when the service
//! fails or the request is cancelled; the in-flight gauge comes back down
//! every time; unmatched requests and routes beyond the cap fall into one
//! value each.
//!
//! Each test records into an instance of its own (leaked, since the layer
//! takes `&'static`); the route tables are per label type, so each test uses
//! route templates of its own, and only `routes_beyond_the_cap_share_other`
//! uses `SmallRoute`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Empty, Full};
use metricate::http::{
    ByResponse, ByRoute, HttpMethod, HttpMetrics, MetricsLayer, RequestBody, StatusClass, StatusCode, route,
};
use metricate::{CappedLabel, Counter, Family, Histogram, IntGauge, MetricGroup, Metrics, OwnedValue, Registry};
use tower::{Layer, Service, ServiceExt, service_fn};

metricate::capped_label! {
    /// Route templates of most tests.
    struct Route: 15;
}

metricate::capped_label! {
    /// Route templates of the cap test: `unmatched` and one more.
    struct SmallRoute: 2;
}

/// Every metric the layer records.
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "api")]
struct Api {
    /// Requests.
    requests_total: Family<ByResponse<Route>, Counter>,
    /// Durations.
    request_duration_seconds: Family<ByResponse<Route>, Histogram>,
    /// In flight.
    requests_in_flight: Family<ByRoute<Route>, IntGauge>,
    /// Request sizes.
    #[metric(buckets = [1.0, 10.0, 100.0])]
    request_body_size_bytes: Family<ByRoute<Route>, Histogram>,
    /// Response sizes.
    #[metric(buckets = [1.0, 10.0, 100.0])]
    response_body_size_bytes: Family<ByResponse<Route>, Histogram>,
}

/// Only the two required metrics, by exact status code.
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "exact")]
struct Exact {
    /// Requests.
    #[metric(max_series = 10240)]
    requests_total: Family<ByResponse<Route, StatusCode>, Counter>,
    /// Durations.
    #[metric(max_series = 10240)]
    request_duration_seconds: Family<ByResponse<Route, StatusCode>, Histogram>,
}

/// The cap test's metrics.
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "small")]
struct Small {
    /// Requests.
    requests_total: Family<ByResponse<SmallRoute>, Counter>,
    /// Durations.
    request_duration_seconds: Family<ByResponse<SmallRoute>, Histogram>,
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A body of these frames, one per poll.
struct Frames(VecDeque<Result<Bytes, std::io::Error>>);

impl Frames {
    fn new(chunks: &[&'static [u8]]) -> Frames {
        Frames(chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect())
    }

    fn failing_after(chunks: &[&'static [u8]]) -> Frames {
        let mut frames = Frames::new(chunks);
        frames.0.push_back(Err(std::io::Error::other("the peer went away")));
        frames
    }
}

impl Body for Frames {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| chunk.map(Frame::data)))
    }
}

/// `(sum, count)` of a histogram series, or a counter's or gauge's value as
/// the sum. The layer's families are quiet, so a series nothing recorded to
/// is not in the snapshot: it reads as zero.
fn read(group: &'static dyn MetricGroup, name: &str, labels: &[(&str, &str)]) -> (f64, u64) {
    let mut registry = Registry::new();
    registry.register_group(group).unwrap();
    let snapshot = registry.snapshot(|d| d.name == name);
    let family = snapshot.family(name).unwrap_or_else(|| panic!("{name} is registered"));
    assert!(family.descriptor().quiet, "{name} is quiet, as its label set is");
    let Some(series) = family.find(labels) else { return (0.0, 0) };
    match series.value() {
        OwnedValue::Histogram { sum, count, .. } => (*sum, *count),
        value => (value.as_f64(), 0),
    }
}

fn by_route(method: HttpMethod, route: &str) -> ByRoute<Route> {
    ByRoute { method, route: Route::intern(route) }
}

fn ok(method: HttpMethod, route: &str) -> ByResponse<Route> {
    ByResponse { method, route: Route::intern(route), status: Some(StatusClass::Success) }
}

#[tokio::test]
async fn a_streamed_response_is_recorded_when_its_body_ends() {
    let api = leak(Api::new_unregistered());
    let handler = service_fn(|_: Request<RequestBody<Empty<Bytes>>>| async {
        Ok::<_, Infallible>(Response::new(Frames::new(&[b"abc", b"defgh"])))
    });
    let service = MetricsLayer::new(api, route::from_fn(|_| Some("/stream"))).layer(handler);
    let response = service.oneshot(Request::get("/stream").body(Empty::new()).unwrap()).await.unwrap();

    // The head is out, the body is not: in flight, not counted yet.
    assert_eq!(api.requests_in_flight.with(by_route(HttpMethod::Get, "/stream")).get(), 1);
    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "/stream")).get(), 0);
    std::thread::sleep(Duration::from_millis(30));

    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "abcdefgh");
    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "/stream")).get(), 1);
    assert_eq!(api.requests_in_flight.with(by_route(HttpMethod::Get, "/stream")).get(), 0);
    let labels = [("method", "get"), ("route", "/stream"), ("status", "2xx")];
    assert_eq!(read(api, "metrics_api_response_body_size_bytes", &labels), (8.0, 1));
    // The duration runs to the end of the body, past the wait after the head.
    let (seconds, count) = read(api, "metrics_api_request_duration_seconds", &labels);
    assert_eq!(count, 1);
    assert!(seconds >= 0.03, "{seconds}");
}

#[tokio::test]
async fn request_bytes_are_counted_as_the_service_reads_them() {
    let api = leak(Api::new_unregistered());
    // Reads the whole body, reads one frame, or reads nothing.
    let handler = service_fn(|request: Request<RequestBody<Frames>>| async move {
        let path = request.uri().path().to_owned();
        let mut body = request.into_body();
        let read = match path.as_str() {
            "/all" => body.collect().await.unwrap().to_bytes().len(),
            "/one" => body.frame().await.unwrap().unwrap().into_data().unwrap().len(),
            _ => 0,
        };
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(read.to_string()))))
    });
    let service = MetricsLayer::new(api, route::from_fn(|r| Some(r.uri.path()))).layer(handler);
    for path in ["/all", "/one", "/none"] {
        let request = Request::post(path).body(Frames::new(&[b"1234", b"567890"])).unwrap();
        let response = service.clone().oneshot(request).await.unwrap();
        response.into_body().collect().await.unwrap();
    }

    let request_size =
        |route| read(api, "metrics_api_request_body_size_bytes", &[("method", "post"), ("route", route)]);
    assert_eq!(request_size("/all"), (10.0, 1));
    assert_eq!(request_size("/one"), (4.0, 1));
    assert_eq!(request_size("/none"), (0.0, 1));
    // The responses' bytes: "10", "4", "0".
    let response_size = |route| {
        read(api, "metrics_api_response_body_size_bytes", &[("method", "post"), ("route", route), ("status", "2xx")])
    };
    assert_eq!(response_size("/all"), (2.0, 1));
    assert_eq!(response_size("/none"), (1.0, 1));
}

#[tokio::test]
async fn a_body_that_fails_ends_the_exchange() {
    let api = leak(Api::new_unregistered());
    let handler = service_fn(|_: Request<RequestBody<Empty<Bytes>>>| async {
        Ok::<_, Infallible>(Response::new(Frames::failing_after(&[b"partial"])))
    });
    let service = MetricsLayer::new(api, route::from_fn(|_| Some("/broken"))).layer(handler);
    let response = service.oneshot(Request::get("/broken").body(Empty::new()).unwrap()).await.unwrap();
    let mut body = response.into_body();
    assert!(body.frame().await.unwrap().is_ok());
    assert!(body.frame().await.unwrap().is_err());
    // Recorded at the error, before the body is dropped.
    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "/broken")).get(), 1);
    assert_eq!(api.requests_in_flight.with(by_route(HttpMethod::Get, "/broken")).get(), 0);
    let labels = [("method", "get"), ("route", "/broken"), ("status", "2xx")];
    assert_eq!(read(api, "metrics_api_response_body_size_bytes", &labels), (7.0, 1));
    drop(body);
    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "/broken")).get(), 1, "recorded once");
}

#[tokio::test]
async fn a_body_dropped_unread_is_recorded_with_the_bytes_sent() {
    let api = leak(Api::new_unregistered());
    let handler = service_fn(|_: Request<RequestBody<Empty<Bytes>>>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"hello"))))
    });
    let service = MetricsLayer::new(api, route::from_fn(|_| Some("/head"))).layer(handler);
    let response = service.oneshot(Request::head("/head").body(Empty::new()).unwrap()).await.unwrap();
    // What a server reads for `Content-Length`: the inner body's size hint.
    assert_eq!(response.body().size_hint().exact(), Some(5));
    assert!(!response.body().is_end_stream());
    drop(response);

    assert_eq!(api.requests_total.with(ok(HttpMethod::Head, "/head")).get(), 1);
    let labels = [("method", "head"), ("route", "/head"), ("status", "2xx")];
    assert_eq!(read(api, "metrics_api_response_body_size_bytes", &labels), (0.0, 1));
    assert_eq!(api.requests_in_flight.with(by_route(HttpMethod::Head, "/head")).get(), 0);
}

#[tokio::test]
async fn a_failed_service_and_a_cancelled_request_have_status_unknown() {
    let api = leak(Api::new_unregistered());
    let handler = service_fn(|request: Request<RequestBody<Empty<Bytes>>>| async move {
        if request.uri().path() == "/error" {
            return Err(std::io::Error::other("the backend is down"));
        }
        // Never answers: only a cancellation ends it.
        std::future::pending::<()>().await;
        Ok(Response::new(Empty::<Bytes>::new()))
    });
    let mut service = MetricsLayer::new(api, route::from_fn(|r| Some(r.uri.path()))).layer(handler);

    let error = service.ready().await.unwrap().call(Request::delete("/error").body(Empty::new()).unwrap()).await;
    assert!(error.is_err());

    let pending = service.ready().await.unwrap().call(Request::put("/pending").body(Empty::new()).unwrap());
    assert_eq!(api.requests_in_flight.with(by_route(HttpMethod::Put, "/pending")).get(), 1);
    drop(pending);

    for (method, name, route) in [(HttpMethod::Delete, "delete", "/error"), (HttpMethod::Put, "put", "/pending")] {
        let unknown = ByResponse { method, route: Route::intern(route), status: None };
        assert_eq!(api.requests_total.with(unknown).get(), 1, "{route}");
        assert_eq!(api.requests_in_flight.with(by_route(method, route)).get(), 0, "{route}");
        let labels = [("method", name), ("route", route), ("status", "unknown")];
        assert_eq!(read(api, "metrics_api_request_duration_seconds", &labels).1, 1, "{route}");
        // No response, no response size.
        assert_eq!(read(api, "metrics_api_response_body_size_bytes", &labels), (0.0, 0), "{route}");
    }
}

#[tokio::test]
async fn statuses_are_classified_or_exact() {
    let api = leak(Api::new_unregistered());
    let exact = leak(Exact::new_unregistered());
    let status = |request: &Request<RequestBody<Empty<Bytes>>>| -> u16 { request.uri().path()[1..].parse().unwrap() };
    let handler = service_fn(move |request: Request<RequestBody<Empty<Bytes>>>| async move {
        let code = http::StatusCode::from_u16(status(&request)).unwrap();
        Ok::<_, Infallible>(Response::builder().status(code).body(Empty::<Bytes>::new()).unwrap())
    });
    let classes = MetricsLayer::new(api, route::from_fn(|_| Some("/status"))).layer(handler);
    let codes = MetricsLayer::new(exact, route::from_fn(|_| Some("/status"))).layer(handler);
    for code in ["101", "204", "301", "429", "503", "299", "600"] {
        let request = || Request::get(format!("/{code}")).body(Empty::new()).unwrap();
        drop(classes.clone().oneshot(request()).await.unwrap());
        drop(codes.clone().oneshot(request()).await.unwrap());
    }

    let class = |status| read(api, "metrics_api_requests_total", &[("route", "/status"), ("status", status)]).0;
    assert_eq!([class("1xx"), class("2xx"), class("3xx"), class("4xx"), class("5xx")], [1.0, 2.0, 1.0, 1.0, 1.0]);
    // 600 is a valid `http::StatusCode` in no class.
    assert_eq!(class("unknown"), 1.0);
    let code = |status| read(exact, "metrics_exact_requests_total", &[("route", "/status"), ("status", status)]).0;
    assert_eq!([code("101"), code("204"), code("301"), code("429"), code("503")], [1.0; 5]);
    // 299 and 600 are registered nowhere.
    assert_eq!(code("other"), 2.0);
    assert_eq!(code("unknown"), 0.0);
}

#[tokio::test]
async fn routes_beyond_the_cap_share_other() {
    let small = leak(Small::new_unregistered());
    let handler = service_fn(|_: Request<RequestBody<Empty<Bytes>>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    });
    // The layer takes `unmatched` first: the cap of 2 leaves one route.
    let service = MetricsLayer::new(
        small,
        route::from_fn(|r| match r.uri.path() {
            "/a" => Some("/a"),
            "/b" => Some("/b"),
            _ => None,
        }),
    )
    .layer(handler);
    for path in ["/a", "/b", "/b", "/wp-login.php", "/a"] {
        drop(service.clone().oneshot(Request::get(path).body(Empty::new()).unwrap()).await.unwrap());
    }

    let count = |route| read(small, "metrics_small_requests_total", &[("route", route), ("status", "2xx")]).0;
    assert_eq!(count("/a"), 2.0);
    assert_eq!(count("other"), 2.0);
    assert_eq!(count("unmatched"), 1.0);
    assert_eq!(<SmallRoute as CappedLabel>::intern("/b"), <SmallRoute as CappedLabel>::OTHER);
}

#[tokio::test]
async fn routes_come_from_an_extension_the_router_sets() {
    #[derive(Clone)]
    struct Matched(&'static str);

    let api = leak(Api::new_unregistered());
    let handler = service_fn(|_: Request<RequestBody<Empty<Bytes>>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    });
    let service = MetricsLayer::new(api, route::extension(|m: &Matched| m.0)).layer(handler);
    let mut matched = Request::get("/orders/17").body(Empty::new()).unwrap();
    matched.extensions_mut().insert(Matched("/orders/{id}"));
    drop(service.clone().oneshot(matched).await.unwrap());
    drop(service.oneshot(Request::get("/orders/18").body(Empty::new()).unwrap()).await.unwrap());

    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "/orders/{id}")).get(), 1);
    assert_eq!(api.requests_total.with(ok(HttpMethod::Get, "unmatched")).get(), 1);
    let mut registry = Registry::new();
    registry.register_group(api).unwrap();
    let mut text = Vec::new();
    metricate::encode::Format::Prometheus.encode(&registry, &mut text);
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains(r#"route="/orders/{id}""#));
    assert!(!text.contains("/orders/1"), "a raw path is exposed:\n{text}");
}
