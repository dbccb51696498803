//! An axum service measured by metricate's tower layer: a few routes, the
//! standard HTTP metrics declared in [`Http`] under the crate's namespace
//! (`shop`), and `/metrics` on the same router.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, axum_example::app()).await
//! # }
//! ```
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | `200`, a greeting |
//! | `GET /users/{id}` | `200`, the user, or `404` for an id that is not a number |
//! | `POST /users` | `201`, the size of the body it read |
//! | `GET /fail` | `500` |
//! | `GET /metrics` | the exposition, OpenMetrics when `Accept` asks for it (not measured: it is added after the layer) |
//!
//! Any other path answers `404` and is recorded as `route="unmatched"`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metricate::encode::Format;
use metricate::http::{ByResponse, ByRoute, HttpMetrics, MetricsLayer, route};
use metricate::{Counter, Family, Histogram, IntGauge, Metrics, capped_label};

capped_label! {
    /// The template of a route the router matched (`/users/{id}`), or
    /// `unmatched`. The cap is the routes this service serves with room to
    /// grow; a template beyond it is recorded as `other`.
    pub struct Route: 15;
}

/// The shop's public API.
///
/// Series per metric (rule L6, at most 1,000 without `max_series`): `method`
/// has 10 values, `route` 16 (the cap, 15, and `other`), `status` 6 (`1xx` to
/// `5xx`, and `unknown` for a request that got no response). The families by
/// response have 10 × 16 × 6 = 960 series; those by route 10 × 16 = 160.
/// Every family is quiet, as the layer's label sets are by default: a scrape
/// carries only the combinations that happened, not 960 series per metric,
/// most of them zero forever (`#[metric(quiet = false)]` on a field would
/// expose them all).
#[derive(Metrics, HttpMetrics)]
#[metrics(subsystem = "http")]
pub struct Http {
    /// HTTP requests served, by method, route template and status class.
    requests_total: Family<ByResponse<Route>, Counter>,
    /// Time from a request's arrival to the end of its response body.
    #[metric(buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])]
    request_duration_seconds: Family<ByResponse<Route>, Histogram>,
    /// HTTP requests being served.
    requests_in_flight: Family<ByRoute<Route>, IntGauge>,
    /// Bytes of request bodies the handlers read.
    #[metric(buckets = [64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0])]
    request_body_size_bytes: Family<ByRoute<Route>, Histogram>,
    /// Bytes of response bodies sent.
    #[metric(buckets = [64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0])]
    response_body_size_bytes: Family<ByResponse<Route>, Histogram>,
}

/// The service: its routes, measured, and `/metrics`.
///
/// ```
/// let app: axum::Router = axum_example::app();
/// ```
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "the shop\n" }))
        .route("/users/{id}", get(user))
        .route("/users", post(create_user))
        .route("/fail", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "failed on purpose\n") }))
        // The one line: every route above, and the fallback, are measured.
        .layer(MetricsLayer::new(Http::global(), route::extension(MatchedPath::as_str)))
        .route("/metrics", get(metrics))
}

async fn user(Path(id): Path<String>) -> Response {
    match id.parse::<u64>() {
        Ok(id) => format!("user {id}\n").into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no such user\n").into_response(),
    }
}

async fn create_user(body: Bytes) -> (StatusCode, String) {
    (StatusCode::CREATED, format!("created a user from {} bytes\n", body.len()))
}

async fn metrics(headers: HeaderMap) -> Response {
    let format = Format::negotiate(headers.get(ACCEPT).and_then(|v| v.to_str().ok()));
    match metricate::global() {
        Ok(registry) => {
            let mut body = Vec::new();
            format.encode(registry, &mut body);
            ([(CONTENT_TYPE, format.content_type())], body).into_response()
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
