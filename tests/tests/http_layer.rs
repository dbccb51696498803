//! The HTTP layer in real servers, on loopback: the axum example service
//! (`examples/axum`) and a plain hyper server around a tower service.
//!
//! The axum service is driven with real requests and scraped: routes appear
//! as templates (`/users/{id}`, never `/users/42`), unknown paths as
//! `unmatched`, status classes are right, body bytes are counted as they
//! stream, the in-flight gauge goes up while a request body is still
//! arriving and comes back to zero. Then a real Prometheus scrapes it while
//! requests keep coming, and answers a median per route from the duration
//! histogram for every route exercised. (Under `CI=true` a missing
//! `prometheus` binary fails that test; elsewhere it skips.)
//!
//! Both axum tests record into the example's global metrics, so they take
//! turns (`SERIAL`) and compare before and after. Every wait is for a
//! condition, with a generous deadline; nothing asserts how long it took.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use axum_example::app;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use metricate::http::{ByResponse, ByRoute, HttpMetrics, MetricsLayer, RequestBody, route};
use metricate::{Counter, Family, Histogram, Metrics, capped_label};
use tests::prometheus::Prometheus;
use tokio::sync::oneshot;
use tower::{Layer, service_fn};

static SERIAL: Mutex<()> = Mutex::new(());

/// A server on a thread of its own, on 127.0.0.1; stopped on drop.
struct Served {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Served {
    /// Runs `serve(listener, shutdown)` on a current-thread runtime.
    fn start<F, Fut>(serve: F) -> Served
    where
        F: FnOnce(tokio::net::TcpListener, oneshot::Receiver<()>) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stop) = oneshot::channel();
        let thread = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                serve(listener, stop).await;
            });
        });
        Served { addr, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// The axum example service.
    fn example() -> Served {
        Served::start(|listener, stop| async move {
            axum::serve(listener, app())
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
                .unwrap();
        })
    }

    fn metrics(&self) -> String {
        let response = tests::http_get(self.addr, "/metrics", &[]).expect("the service answers");
        assert_eq!(response.status, 200);
        response.text()
    }

    fn send(&self, method: &str, path: &str, body: &[u8]) -> tests::Response {
        tests::request_with_body(self.addr, method, path, &[], body).expect("the service answers")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Waits until `accept` takes the value of `series` in a scrape.
fn wait_for_sample(served: &Served, series: &str, accept: impl Fn(f64) -> bool) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = tests::sample_value(&served.metrics(), series);
        if accept(value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{series} stayed at {value}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_axum_example_records_templates_statuses_sizes_and_in_flight_requests() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::example();
    let before = served.metrics();

    assert_eq!(served.send("GET", "/users/42", b"").text(), "user 42\n");
    assert_eq!(served.send("GET", "/users/7", b"").text(), "user 7\n");
    assert_eq!(served.send("GET", "/users/ada", b"").status, 404);
    assert_eq!(served.send("GET", "/no/such/page/31337", b"").status, 404);
    assert_eq!(served.send("GET", "/fail", b"").status, 500);
    let created = served.send("POST", "/users", b"name=ada&tier=gold");
    assert_eq!((created.status, created.text().as_str()), (201, "created a user from 18 bytes\n"));

    // A request whose body arrives in two parts: in flight in between.
    let mut slow = TcpStream::connect(served.addr).unwrap();
    let head =
        format!("POST /users HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 100\r\n\r\n", served.addr);
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&[b'a'; 10]).unwrap();
    let in_flight = r#"shop_http_requests_in_flight{method="post",route="/users"}"#;
    wait_for_sample(&served, in_flight, |v| v == 1.0);
    slow.write_all(&[b'b'; 90]).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201") && answer.ends_with("from 100 bytes\n"), "{answer}");
    wait_for_sample(&served, in_flight, |v| v == 0.0);

    let after = served.metrics();
    let delta = |series: &str| tests::sample_value(&after, series) - tests::sample_value(&before, series);
    let requests = |method: &str, route: &str, status: &str| {
        delta(&format!(r#"shop_http_requests_total{{method="{method}",route="{route}",status="{status}"}}"#))
    };
    // Routes as templates; a 404 of a matched route keeps its template; an
    // unknown path is `unmatched`.
    assert_eq!(requests("get", "/users/{id}", "2xx"), 2.0);
    assert_eq!(requests("get", "/users/{id}", "4xx"), 1.0);
    assert_eq!(requests("get", "unmatched", "4xx"), 1.0);
    assert_eq!(requests("get", "/fail", "5xx"), 1.0);
    assert_eq!(requests("post", "/users", "2xx"), 2.0);
    for raw in ["/users/42", "/users/7", "/users/ada", "/no/such/page", "31337"] {
        assert!(!after.contains(raw), "the raw path {raw} is exposed");
    }
    // The duration histogram counts every request.
    let duration_count =
        delta(r#"shop_http_request_duration_seconds_count{method="get",route="/users/{id}",status="2xx"}"#);
    assert_eq!(duration_count, 2.0);

    // Bytes as they streamed: request bodies read (18 + 100), response
    // bodies sent ("user 42\n" and "user 7\n").
    assert_eq!(delta(r#"shop_http_request_body_size_bytes_sum{method="post",route="/users"}"#), 118.0);
    assert_eq!(delta(r#"shop_http_request_body_size_bytes_count{method="post",route="/users"}"#), 2.0);
    let response_bytes = r#"shop_http_response_body_size_bytes_sum{method="get",route="/users/{id}",status="2xx"}"#;
    assert_eq!(delta(response_bytes), 15.0);
    let failed_bytes = r#"shop_http_response_body_size_bytes_sum{method="get",route="/fail",status="5xx"}"#;
    assert_eq!(delta(failed_bytes), "failed on purpose\n".len() as f64);

    // The example's families are quiet: only the combinations that
    // happened are exposed (960 per family otherwise).
    let exposed: Vec<&str> = after.lines().filter(|l| l.starts_with("shop_http_requests_total{")).collect();
    assert!(exposed.iter().all(|l| !l.ends_with(" 0")), "an untouched series is exposed: {exposed:?}");
    let unused: Vec<&str> =
        after.lines().filter(|l| l.starts_with("shop_") && l.contains(r#"method="delete""#)).collect();
    assert!(unused.is_empty(), "a method nobody used is exposed: {unused:?}");

    // Every in-flight series is back to zero.
    let gauges: Vec<&str> = after.lines().filter(|l| l.starts_with("shop_http_requests_in_flight{")).collect();
    assert!(!gauges.is_empty());
    for gauge in gauges {
        assert!(gauge.ends_with(" 0"), "{gauge}");
    }
}

#[test]
fn a_real_prometheus_answers_a_median_per_route() {
    let Some(binary) = tests::prometheus() else { return };
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::example();
    let job = format!("  - job_name: shop\n    static_configs:\n      - targets: ['{}']\n", served.addr);
    let mut prometheus = Prometheus::start(&binary, &job);
    prometheus.wait_ready();

    // Traffic on every route until Prometheus has what the query needs (two
    // scrapes with an increase between them).
    let stop = AtomicBool::new(false);
    let routes = ["/users/{id}", "unmatched", "/fail", "/users"];
    let medians = thread::scope(|scope| {
        scope.spawn(|| {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                served.send("GET", &format!("/users/{n}"), b"");
                served.send("GET", &format!("/unknown/{n}"), b"");
                served.send("GET", "/fail", b"");
                served.send("POST", "/users", format!("name=user{n}").as_bytes());
                thread::sleep(Duration::from_millis(100));
            }
        });
        let query = "histogram_quantile(0.5, sum by (le, route) (rate(shop_http_request_duration_seconds_bucket[1m])))";
        let deadline = Instant::now() + Duration::from_secs(60);
        let medians = loop {
            let medians: BTreeMap<String, f64> = prometheus
                .query(query)
                .iter()
                .filter_map(|series| {
                    let route = series["metric"]["route"].as_str()?.to_owned();
                    let value = series["value"][1].as_str()?.parse::<f64>().ok()?;
                    Some((route, value))
                })
                .collect();
            if routes.iter().all(|r| medians.get(*r).is_some_and(|v| v.is_finite())) {
                break medians;
            }
            assert!(Instant::now() < deadline, "{query}: {medians:?}\n{}", prometheus.log());
            thread::sleep(Duration::from_millis(250));
        };
        stop.store(true, Ordering::Relaxed);
        medians
    });
    for route in routes {
        let median = medians[route];
        assert!(median > 0.0, "{route}: {median}");
    }
    // What Prometheus stored has no raw path.
    let raw = prometheus.query(r#"shop_http_requests_total{route=~"/users/[0-9]+|/unknown/.*"}"#);
    assert!(raw.is_empty(), "{raw:?}");

    drop(prometheus);
}

capped_label! {
    /// The plain hyper service's routes.
    struct PlainRoute: 4;
}

/// The plain hyper service.
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "plain")]
struct Plain {
    /// HTTP requests served.
    requests_total: Family<ByResponse<PlainRoute>, Counter>,
    /// Time to serve a request.
    request_duration_seconds: Family<ByResponse<PlainRoute>, Histogram>,
    /// Bytes of request bodies read.
    #[metric(buckets = [16.0, 256.0])]
    request_body_size_bytes: Family<ByRoute<PlainRoute>, Histogram>,
}

#[test]
fn a_plain_hyper_service_names_its_routes_with_a_function() {
    let served = Served::start(|listener, mut stop| async move {
        // Answers with the number of body bytes it read.
        let handler = service_fn(|request: Request<RequestBody<Incoming>>| async move {
            let read = request.into_body().collect().await?.to_bytes().len();
            Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from(read.to_string()))))
        });
        let routes = route::from_fn(|request| match request.uri.path() {
            "/" => Some("/"),
            path if path.starts_with("/items/") => Some("/items/{id}"),
            _ => None,
        });
        let service = MetricsLayer::new(Plain::global(), routes).layer(handler);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => accepted.unwrap().0,
                _ = &mut stop => return,
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });

    assert_eq!(served.send("GET", "/items/1", b"").text(), "0");
    assert_eq!(served.send("POST", "/items/2", b"12345").text(), "5");
    assert_eq!(served.send("GET", "/elsewhere", b"").text(), "0");
    drop(served);

    let registry = metricate::global().unwrap();
    let snapshot = registry.snapshot(|d| d.name.starts_with("trc_plain_"));
    let requests = snapshot.family("trc_plain_requests_total").unwrap();
    let count = |method, route| {
        requests.find(&[("method", method), ("route", route), ("status", "2xx")]).unwrap().value().as_f64()
    };
    assert_eq!(count("get", "/items/{id}"), 1.0);
    assert_eq!(count("post", "/items/{id}"), 1.0);
    assert_eq!(count("get", "unmatched"), 1.0);
    let sizes = snapshot.family("trc_plain_request_body_size_bytes").unwrap();
    let posted = sizes.find(&[("method", "post"), ("route", "/items/{id}")]).unwrap();
    assert_eq!(posted.value(), &metricate::OwnedValue::Histogram { buckets: vec![1, 0, 0], sum: 5.0, count: 1 });
}

capped_label! {
    /// The gRPC service's routes.
    struct RpcRoute: 4;
}

/// The gRPC service.
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "rpc")]
struct Rpc {
    /// gRPC calls served.
    requests_total: Family<ByResponse<RpcRoute>, Counter>,
    /// Time to serve a call.
    request_duration_seconds: Family<ByResponse<RpcRoute>, Histogram>,
}

/// A gRPC service without codegen: every method answers OK with no message.
#[derive(Clone)]
struct Echo;

impl tonic::server::NamedService for Echo {
    const NAME: &'static str = "shop.Echo";
}

impl tower::Service<Request<tonic::body::Body>> for Echo {
    type Response = Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Response<tonic::body::Body>, std::convert::Infallible>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<tonic::body::Body>) -> Self::Future {
        let response = Response::builder()
            .header("content-type", "application/grpc")
            .header("grpc-status", "0")
            .body(tonic::body::Body::empty())
            .expect("a valid response");
        std::future::ready(Ok(response))
    }
}

#[test]
fn a_tonic_server_takes_the_layer_with_grpc_paths_as_routes() {
    use tonic::server::NamedService;

    // HTTP/1.1 accepted (as for grpc-web), so that the test's plain client
    // can call it.
    let served = Served::start(|listener, stop| async move {
        tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(MetricsLayer::new(Rpc::global(), route::grpc().services(&[Echo::NAME])))
            .add_service(Echo)
            .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(listener), async {
                let _ = stop.await;
            })
            .await
            .unwrap();
    });
    // An empty message: no compression, length 0.
    let call = |path: &str| {
        let headers = [("Content-Type", "application/grpc"), ("TE", "trailers")];
        tests::request_with_body(served.addr, "POST", path, &headers, &[0; 5]).expect("the server answers")
    };
    assert_eq!(call("/shop.Echo/Say").header("grpc-status"), Some("0"));
    assert_eq!(call("/shop.Echo/Say").header("grpc-status"), Some("0"));
    // An unknown service: tonic answers `Unimplemented` under HTTP 200.
    assert_eq!(call("/shop.Other/Guess").header("grpc-status"), Some("12"));
    drop(served);

    let registry = metricate::global().unwrap();
    let snapshot = registry.snapshot(|d| d.name == "trc_rpc_requests_total");
    let calls = snapshot.family("trc_rpc_requests_total").unwrap();
    let count =
        |route| calls.find(&[("method", "post"), ("route", route), ("status", "2xx")]).unwrap().value().as_f64();
    assert_eq!(count("/shop.Echo/Say"), 2.0);
    assert_eq!(count("unmatched"), 1.0);
    assert!(calls.series().iter().all(|s| s.label("route") != Some("/shop.Other/Guess")));
}
