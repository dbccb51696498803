//! HTTP server metrics in one line: a tower layer (feature `tower`) that
//! records the standard metrics of every request into a struct the program
//! declares with `#[derive(Metrics)]`, so the names follow the program's
//! namespace and every rule the derive checks.
//!
//! | metric (suggested field) | type | labels | recorded |
//! |---|---|---|---|
//! | `requests_total` | counter | `method`, `route`, `status` | when the exchange ends |
//! | `request_duration_seconds` | histogram | `method`, `route`, `status` | from the service call to the end of the response body |
//! | `requests_in_flight` (optional) | gauge | `method`, `route` | up at the call, down when the exchange ends |
//! | `request_body_size_bytes` (optional) | histogram | `method`, `route` | bytes the service read, when the request body ends or is dropped |
//! | `response_body_size_bytes` (optional) | histogram | `method`, `route`, `status` | bytes the server was handed, when the exchange ends |
//!
//! `method` is an [`HttpMethod`] (nine methods and `other`), `status` a
//! [`StatusClass`] (`1xx`..`5xx`) or the exact [`StatusCode`], `unknown` when
//! there was no response (the service failed, or the client went away before
//! the response head). `route` is the template of the route the router
//! matched (`/users/{id}`, never `/users/42`), a
//! [`capped_label!`](crate::capped_label) whose cap the program sets: a
//! request that matched no route (a 404 from the fallback) is recorded as
//! `unmatched`, never as its path.
//!
//! **Quiet by default.** [`ByResponse`] and [`ByRoute`] are quiet label sets
//! ([`LabelSet::QUIET`](crate::LabelSet::QUIET)): a family over them exposes
//! only the combinations requests have recorded, not its hundreds of
//! declared ones (960 with a cap of 15), most of which never happen. Its
//! declared cardinality still counts against rule L6. `#[metric(quiet =
//! false)]` on a field exposes every combination from the first scrape.
//!
//! **When an exchange ends.** The duration, the count and the response size
//! are recorded when the response body has been handed to the server to
//! its last byte (or failed, or was dropped: a client that went away
//! mid-body, a `HEAD` response whose body the server never sends), not at
//! the response head: for a streamed or large response, the head says
//! nothing about how long the client waited, and the size is only known
//! at the end. A response that never ends (a server-sent event stream) is
//! counted when it closes.
//!
//! # Declaring the metrics
//!
//! ```
//! use metricate::http::{ByResponse, ByRoute, HttpMetrics};
//! use metricate::{Counter, Family, Histogram, IntGauge, Metrics, capped_label};
//!
//! capped_label! {
//!     /// A route template. The cap bounds the routes the program serves,
//!     /// plus `unmatched`; more share `other`.
//!     pub struct Route: 15;
//! }
//!
//! /// The public API.
//! #[derive(Metrics, HttpMetrics)]
//! #[metrics(subsystem = "web")]
//! pub struct Http {
//!     /// HTTP requests served.
//!     requests_total: Family<ByResponse<Route>, Counter>,
//!     /// Time from a request's arrival to the end of its response body.
//!     #[metric(buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])]
//!     request_duration_seconds: Family<ByResponse<Route>, Histogram>,
//!     /// HTTP requests being served.
//!     requests_in_flight: Family<ByRoute<Route>, IntGauge>,
//!     /// Bytes of request bodies read.
//!     #[metric(buckets = [64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0])]
//!     request_body_size_bytes: Family<ByRoute<Route>, Histogram>,
//!     /// Bytes of response bodies sent.
//!     #[metric(buckets = [64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0])]
//!     response_body_size_bytes: Family<ByResponse<Route>, Histogram>,
//! }
//!
//! // Rule L6: `method` has 10 values, `route` 16 (15 + `other`), `status` 6
//! // (five classes + `unknown`): 10 × 16 × 6 = 960 series, within the
//! // default limit of 1,000. A cap of 16 would need
//! // `#[metric(max_series = 1020)]` on the `ByResponse` families.
//! assert_eq!(<ByResponse<Route> as metricate::LabelSet>::CARDINALITY, 960);
//! ```
//!
//! # The one line
//!
//! axum, with the layer added by `Router::layer` (the router sets
//! `MatchedPath` before it calls a route's layers):
//!
//! ```
//! # use metricate::http::{ByResponse, HttpMetrics};
//! # use metricate::{Counter, Family, Histogram, Metrics};
//! # metricate::capped_label! { pub struct Route: 15; }
//! # #[derive(Metrics, HttpMetrics)]
//! # #[metrics(subsystem = "site")]
//! # struct Http {
//! #     /// Requests.
//! #     requests_total: Family<ByResponse<Route>, Counter>,
//! #     /// Durations.
//! #     request_duration_seconds: Family<ByResponse<Route>, Histogram>,
//! # }
//! use axum::extract::MatchedPath;
//! use axum::routing::get;
//! use metricate::http::{MetricsLayer, route};
//!
//! let app: axum::Router = axum::Router::new()
//!     .route("/users/{id}", get(|| async { "a user" }))
//!     .layer(MetricsLayer::new(Http::global(), route::extension(MatchedPath::as_str)));
//! ```
//!
//! A layer around the whole `Router` (`ServiceBuilder` outside it) runs
//! before the router has matched anything: every request is `unmatched`
//! there. Add it with `Router::layer`, after the routes.
//!
//! tonic: `Server::builder().layer(MetricsLayer::new(Grpc::global(),
//! route::grpc()))`, the gRPC path `/package.Service/Method` being the
//! template (gRPC reports its errors in `grpc-status` trailers, under HTTP
//! status 200: the status label says whether the call got an answer, not
//! whether it succeeded). A hand-written hyper service: [`route::from_fn`]
//! with a function from the request head to the template of the route it
//! takes; the service receives `Request<RequestBody<Incoming>>`.
//!
//! Serve the metrics from the same router with [`encode`](crate::encode), or
//! from [`server`](crate::server) (feature `server`) on a port of their own.

mod body;
mod labels;
mod layer;
pub mod route;

pub use body::{RequestBody, ResponseBody};
pub use labels::{ByResponse, ByRoute, HttpMethod, StatusClass, StatusCode, StatusLabel};
pub use layer::{MetricsLayer, MetricsService, ResponseFuture};

use crate::label::CappedLabel;
use crate::{Counter, Family, Histogram, IntGauge};

/// The `route` value of requests that matched no route: one series for
/// every path no route serves (scanners, typos, 404s from the fallback).
///
/// ```
/// # metricate::capped_label! { pub struct Route: 15; }
/// use metricate::LabelValue;
///
/// // What a query or an alert filters on: `{route="unmatched"}`.
/// assert_eq!(metricate::http::UNMATCHED, "unmatched");
/// let unmatched = <Route as metricate::CappedLabel>::intern(metricate::http::UNMATCHED);
/// assert_eq!(unmatched.as_str(), "unmatched");
/// ```
pub const UNMATCHED: &str = "unmatched";

/// The metrics the [`MetricsLayer`] records into: a `#[derive(Metrics)]`
/// struct maps its fields here. The counter and the duration histogram are
/// required; the in-flight gauge and the body sizes are recorded when their
/// methods return a family (the defaults return `None`).
///
/// `Route` is the route label, a [`capped_label!`](crate::capped_label)
/// type; `Status` is [`StatusClass`] or [`StatusCode`].
///
/// `#[derive(HttpMetrics)]` implements it for a struct whose fields have the
/// methods' names, as in the [module](self)'s example. By hand, it maps
/// fields of other names:
///
/// ```
/// use metricate::http::{ByResponse, HttpMetrics, StatusCode};
/// use metricate::{Counter, Family, Histogram, Metrics, capped_label};
///
/// capped_label! {
///     /// A route template.
///     pub struct Route: 7;
/// }
///
/// /// The admin API, by exact status code.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "admin")]
/// struct Admin {
///     /// HTTP requests served.
///     // 10 methods × 8 routes × 64 statuses (63 codes + `unknown`).
///     #[metric(max_series = 5120)]
///     calls_total: Family<ByResponse<Route, StatusCode>, Counter>,
///     /// Time to serve a request.
///     #[metric(max_series = 5120)]
///     call_duration_seconds: Family<ByResponse<Route, StatusCode>, Histogram>,
/// }
///
/// impl HttpMetrics for Admin {
///     type Route = Route;
///     type Status = StatusCode;
///
///     fn requests_total(&self) -> &Family<ByResponse<Route, StatusCode>, Counter> {
///         &self.calls_total
///     }
///     fn request_duration_seconds(&self) -> &Family<ByResponse<Route, StatusCode>, Histogram> {
///         &self.call_duration_seconds
///     }
/// }
/// ```
pub trait HttpMetrics: Sync + 'static {
    /// The route label.
    type Route: CappedLabel;
    /// The status label.
    type Status: StatusLabel;

    /// Requests served, by method, route and status.
    fn requests_total(&self) -> &Family<ByResponse<Self::Route, Self::Status>, Counter>;

    /// Seconds from the service call to the end of the response body.
    fn request_duration_seconds(&self) -> &Family<ByResponse<Self::Route, Self::Status>, Histogram>;

    /// Requests being served, by method and route.
    fn requests_in_flight(&self) -> Option<&Family<ByRoute<Self::Route>, IntGauge>> {
        None
    }

    /// Bytes of request body the service read, by method and route.
    fn request_body_size_bytes(&self) -> Option<&Family<ByRoute<Self::Route>, Histogram>> {
        None
    }

    /// Bytes of response body handed to the server, by method, route and
    /// status.
    #[allow(clippy::type_complexity, reason = "the family type as users declare it, spelled out")]
    fn response_body_size_bytes(&self) -> Option<&Family<ByResponse<Self::Route, Self::Status>, Histogram>> {
        None
    }
}

/// Implements [`HttpMetrics`](trait@HttpMetrics) for a `#[derive(Metrics)]`
/// struct whose fields have the trait's method names: `requests_total` and
/// `request_duration_seconds`, which the struct must have, and
/// `requests_in_flight`, `request_body_size_bytes` and
/// `response_body_size_bytes`, which the layer records into when the struct
/// has them. `Route` and `Status` are those of `requests_total`. Other
/// fields are the struct's other metrics, which the layer leaves alone.
///
/// ```
/// use metricate::http::{ByResponse, HttpMetrics, StatusCode};
/// use metricate::{Counter, Family, Histogram, Metrics, capped_label};
///
/// capped_label! {
///     /// A route template.
///     pub struct Route: 7;
/// }
///
/// /// The admin API, by exact status code.
/// #[derive(Metrics, HttpMetrics)]
/// #[metrics(subsystem = "admin")]
/// struct Admin {
///     /// HTTP requests served.
///     #[metric(max_series = 5120)]
///     requests_total: Family<ByResponse<Route, StatusCode>, Counter>,
///     /// Time to serve a request.
///     #[metric(max_series = 5120)]
///     request_duration_seconds: Family<ByResponse<Route, StatusCode>, Histogram>,
///     /// Sessions open: not the layer's.
///     sessions: metricate::IntGauge,
/// }
///
/// fn status<M: HttpMetrics<Status = StatusCode>>(_: &M) {}
/// status(Admin::global());
/// ```
///
/// A required field missing, or a field of a type other than the method's,
/// is a compile error at the struct or at the field's type.
pub use metricate_derive::HttpMetrics;

/// The route and status labels of a `requests_total` family, which
/// `#[derive(HttpMetrics)]` takes for `HttpMetrics::Route` and `Status`. Not
/// public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`requests_total` is a `{Self}`, not a family of counters by response",
    label = "the layer counts requests here",
    note = "declare it `Family<ByResponse<Route>, Counter>`, or `Family<ByResponse<Route, StatusCode>, Counter>` for exact status codes"
)]
pub trait RequestsFamily {
    /// The route label.
    type Route: CappedLabel;
    /// The status label.
    type Status: StatusLabel;
}

impl<R: CappedLabel, S: StatusLabel> RequestsFamily for Family<ByResponse<R, S>, Counter> {
    type Route = R;
    type Status = S;
}
