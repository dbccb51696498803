//! The tower layer and service: resolve the labels when a request arrives,
//! wrap both bodies, record when the exchange ends.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use ::http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::body::{RequestBody, ResponseBody};
use super::labels::{ByResponse, ByRoute, HttpMethod, StatusLabel};
use super::route::RouteSource;
use super::{HttpMetrics, UNMATCHED};
use crate::label::CappedLabel;

/// A tower layer recording the HTTP server metrics of every request into
/// `M`, a struct the program declares with `#[derive(Metrics,
/// HttpMetrics)]` (or implements [`HttpMetrics`] for by hand); the route
/// template comes from `R` (see [`route`](super::route)).
///
/// The label `route="unmatched"` is interned when the layer is built, so it
/// has a slot of the route label's cap even when the cap fills later.
///
/// ```
/// # use metricate::http::{ByResponse, HttpMetrics};
/// # use metricate::{Counter, Family, Histogram, Metrics};
/// # metricate::capped_label! { pub struct Route: 15; }
/// # #[derive(Metrics, HttpMetrics)]
/// # #[metrics(subsystem = "layer_example")]
/// # struct Http {
/// #     /// Requests.
/// #     requests_total: Family<ByResponse<Route>, Counter>,
/// #     /// Durations.
/// #     request_duration_seconds: Family<ByResponse<Route>, Histogram>,
/// # }
/// use axum::extract::MatchedPath;
/// use axum::routing::get;
/// use metricate::http::{MetricsLayer, route};
///
/// let app: axum::Router = axum::Router::new()
///     .route("/users/{id}", get(|| async { "a user" }))
///     .layer(MetricsLayer::new(Http::global(), route::extension(MatchedPath::as_str)));
/// ```
pub struct MetricsLayer<M: HttpMetrics, R> {
    metrics: &'static M,
    route: R,
    unmatched: M::Route,
}

impl<M: HttpMetrics, R: RouteSource> MetricsLayer<M, R> {
    /// A layer recording into `metrics`, with routes from `route`.
    pub fn new(metrics: &'static M, route: R) -> MetricsLayer<M, R> {
        MetricsLayer { metrics, route, unmatched: M::Route::intern(UNMATCHED) }
    }
}

impl<M: HttpMetrics, R: Clone> Clone for MetricsLayer<M, R> {
    fn clone(&self) -> MetricsLayer<M, R> {
        MetricsLayer { metrics: self.metrics, route: self.route.clone(), unmatched: self.unmatched }
    }
}

impl<M: HttpMetrics, R> std::fmt::Debug for MetricsLayer<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsLayer").field("metrics", &std::any::type_name::<M>()).finish_non_exhaustive()
    }
}

impl<S, M: HttpMetrics, R: RouteSource> Layer<S> for MetricsLayer<M, R> {
    type Service = MetricsService<S, M, R>;

    fn layer(&self, inner: S) -> MetricsService<S, M, R> {
        MetricsService { inner, layer: self.clone() }
    }
}

/// The service [`MetricsLayer`] wraps around `S`. It passes
/// `Request<RequestBody<B>>` to `S` and answers
/// `Response<ResponseBody<ResB, M>>`; errors are `S`'s, unchanged.
///
/// ```
/// # use metricate::http::{ByResponse, HttpMetrics, StatusClass};
/// # use metricate::{Counter, Family, Histogram, Metrics};
/// # metricate::capped_label! { pub struct Route: 15; }
/// # #[derive(Metrics, HttpMetrics)]
/// # #[metrics(subsystem = "service_example")]
/// # struct Http {
/// #     /// Requests.
/// #     requests_total: Family<ByResponse<Route>, Counter>,
/// #     /// Durations.
/// #     request_duration_seconds: Family<ByResponse<Route>, Histogram>,
/// # }
/// use std::convert::Infallible;
///
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use metricate::http::{MetricsLayer, RequestBody, route};
/// use tower::{Layer, ServiceExt, service_fn};
///
/// let handler = service_fn(|_request: http::Request<RequestBody<Full<Bytes>>>| async {
///     Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"hi"))))
/// });
/// let service = MetricsLayer::new(Http::global(), route::grpc()).layer(handler);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::post("/helloworld.Greeter/SayHello")
///     .header("content-type", "application/grpc")
///     .body(Full::new(Bytes::new()))
///     .unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// drop(response); // the exchange is recorded when its body is done with
/// # });
/// let labels = ByResponse {
///     method: metricate::http::HttpMethod::Post,
///     route: Route::new("/helloworld.Greeter/SayHello"),
///     status: Some(StatusClass::Success),
/// };
/// assert_eq!(Http::global().requests_total.with(labels).get(), 1);
/// ```
pub struct MetricsService<S, M: HttpMetrics, R> {
    inner: S,
    layer: MetricsLayer<M, R>,
}

impl<S: Clone, M: HttpMetrics, R: Clone> Clone for MetricsService<S, M, R> {
    fn clone(&self) -> MetricsService<S, M, R> {
        MetricsService { inner: self.inner.clone(), layer: self.layer.clone() }
    }
}

impl<S: std::fmt::Debug, M: HttpMetrics, R> std::fmt::Debug for MetricsService<S, M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsService").field("inner", &self.inner).field("layer", &self.layer).finish()
    }
}

impl<S, M, R, B, ResB> Service<Request<B>> for MetricsService<S, M, R>
where
    S: Service<Request<RequestBody<B>>, Response = Response<ResB>>,
    M: HttpMetrics,
    R: RouteSource,
{
    type Response = Response<ResponseBody<ResB, M>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, M>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture<S::Future, M> {
        let start = Instant::now();
        let metrics = self.layer.metrics;
        let (parts, body) = request.into_parts();
        let method = HttpMethod::from_method(&parts.method);
        let route = match self.layer.route.route(&parts) {
            Some(template) => M::Route::intern(template),
            None => self.layer.unmatched,
        };
        let by_route = ByRoute { method, route };
        // The exchange exists before the gauge goes up: whatever happens
        // next, its drop takes the gauge down again.
        let exchange = Exchange { metrics, method, route, start, status: None, responded: false, response_bytes: 0 };
        if let Some(in_flight) = metrics.requests_in_flight() {
            in_flight.with(by_route).inc();
        }
        let request_size = metrics.request_body_size_bytes().map(|family| family.with(by_route));
        let request = Request::from_parts(parts, RequestBody::recorded(body, request_size));
        ResponseFuture { inner: self.inner.call(request), exchange: Some(exchange) }
    }
}

pin_project! {
    /// The future of [`MetricsService`]: the inner service's, whose response
    /// body it wraps. Dropped before the response (the client went away), it
    /// records the exchange with `status="unknown"`, as it does when the
    /// inner service fails.
    ///
    /// ```
    /// use std::future::Future;
    ///
    /// use metricate::http::{HttpMetrics, ResponseBody, ResponseFuture};
    ///
    /// // Its output is the inner service's, with the response body wrapped.
    /// async fn respond<F, B, E, M>(future: ResponseFuture<F, M>) -> Result<http::Response<ResponseBody<B, M>>, E>
    /// where
    ///     F: Future<Output = Result<http::Response<B>, E>>,
    ///     M: HttpMetrics,
    /// {
    ///     future.await
    /// }
    /// ```
    pub struct ResponseFuture<F, M: HttpMetrics> {
        #[pin]
        inner: F,
        exchange: Option<Exchange<M>>,
    }
}

impl<F, ResB, E, M> Future for ResponseFuture<F, M>
where
    F: Future<Output = Result<Response<ResB>, E>>,
    M: HttpMetrics,
{
    type Output = Result<Response<ResponseBody<ResB, M>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(error)) => {
                // Dropping the exchange records it, without a status.
                drop(this.exchange.take());
                return Poll::Ready(Err(error));
            }
        };
        let mut exchange = this.exchange.take();
        if let Some(exchange) = &mut exchange {
            exchange.status = M::Status::from_status(response.status());
            exchange.responded = true;
        }
        Poll::Ready(Ok(response.map(|body| ResponseBody::new(body, exchange))))
    }
}

impl<F, M: HttpMetrics> std::fmt::Debug for ResponseFuture<F, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

/// One request, from the service call to the end of the response body:
/// recorded exactly once, when dropped.
pub(crate) struct Exchange<M: HttpMetrics> {
    metrics: &'static M,
    method: HttpMethod,
    route: M::Route,
    start: Instant,
    status: Option<M::Status>,
    responded: bool,
    pub(crate) response_bytes: u64,
}

impl<M: HttpMetrics> Drop for Exchange<M> {
    fn drop(&mut self) {
        let Exchange { metrics, method, route, start, status, responded, response_bytes } = *self;
        let labels = ByResponse { method, route, status };
        metrics.requests_total().with(labels).inc();
        metrics.request_duration_seconds().with(labels).observe_duration(start.elapsed());
        if responded && let Some(sizes) = metrics.response_body_size_bytes() {
            sizes.with(labels).observe(response_bytes as f64);
        }
        if let Some(in_flight) = metrics.requests_in_flight() {
            in_flight.with(ByRoute { method, route }).dec();
        }
    }
}
