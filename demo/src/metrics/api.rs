//! A) The control plane API: requests, token issuance, the database pool and
//! idempotency.

use metricate::{Counter, ExemplarHistogram, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

use super::ByResult;

/// An HTTP request method the API serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

/// The route template a request matched: never the raw path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum PathTemplate {
    /// The apps of an org.
    #[label(rename = "/v1/orgs/{org_id}/apps")]
    Apps,
    /// One app.
    #[label(rename = "/v1/orgs/{org_id}/apps/{app_id}")]
    App,
    /// The deploys of an app.
    #[label(rename = "/v1/orgs/{org_id}/apps/{app_id}/deploys")]
    Deploys,
    /// The instances of an environment.
    #[label(rename = "/v1/orgs/{org_id}/envs/{env_id}/instances")]
    Instances,
    /// The secrets of an environment.
    #[label(rename = "/v1/orgs/{org_id}/envs/{env_id}/secrets")]
    Secrets,
    /// The routes of an org.
    #[label(rename = "/v1/orgs/{org_id}/routes")]
    Routes,
    /// The OAuth token endpoint.
    #[label(rename = "/v1/oauth/token")]
    OauthToken,
    /// The OAuth device authorization endpoint.
    #[label(rename = "/v1/oauth/device/code")]
    OauthDeviceCode,
}

/// The HTTP status codes the API answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum HttpStatus {
    /// 200 OK.
    #[label(rename = "200")]
    Ok,
    /// 201 Created.
    #[label(rename = "201")]
    Created,
    /// 204 No Content.
    #[label(rename = "204")]
    NoContent,
    /// 400 Bad Request.
    #[label(rename = "400")]
    BadRequest,
    /// 401 Unauthorized.
    #[label(rename = "401")]
    Unauthorized,
    /// 403 Forbidden.
    #[label(rename = "403")]
    Forbidden,
    /// 404 Not Found.
    #[label(rename = "404")]
    NotFound,
    /// 409 Conflict.
    #[label(rename = "409")]
    Conflict,
    /// 429 Too Many Requests.
    #[label(rename = "429")]
    TooManyRequests,
    /// 500 Internal Server Error.
    #[label(rename = "500", error)]
    InternalServerError,
    /// 503 Service Unavailable.
    #[label(rename = "503", error)]
    ServiceUnavailable,
}

/// Labels `{method, path_template, status}` of an API request.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct HttpRequest {
    /// The request method.
    pub method: HttpMethod,
    /// The matched route template.
    pub path_template: PathTemplate,
    /// The response status.
    pub status: HttpStatus,
}

/// Control plane API requests.
#[derive(Metrics)]
#[metrics(subsystem = "http")]
pub struct Http {
    /// HTTP requests handled by the control plane API.
    #[alert(
        name = "TrcApiErrorRatioHigh",
        error_ratio = 0.05,
        for = "5m",
        severity = "critical",
        summary = "More than 5 % of control plane API requests fail with a server error",
        runbook = "The API answers 500 or 503 to more than one request in twenty. Look at the API's logs for the failing \
                   routes (`path_template`), then at what they depend on: the event store (`trc_event_append_duration_seconds`) \
                   and the projections' lag. A 503 burst during a deploy is expected and ends with it."
    )]
    pub requests_total: Family<HttpRequest, Counter>,
    /// Time from reading a request's headers to writing its response.
    ///
    /// Each bucket keeps an exemplar: the trace id of the latest request it counted.
    #[metric(buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])]
    pub request_duration_seconds: Family<HttpRequest, ExemplarHistogram>,
}

/// An OAuth grant type the token endpoint accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum GrantType {
    /// Authorization code with PKCE (browser login).
    AuthorizationCode,
    /// Client credentials (service accounts).
    ClientCredentials,
    /// Device authorization grant (CLI login).
    DeviceCode,
    /// Refresh token.
    RefreshToken,
    /// Token exchange (deploy tokens from CI identity tokens).
    TokenExchange,
}

/// Labels `{grant_type, result}` of a token mint.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct TokenMint {
    /// The grant the token was requested with.
    pub grant_type: GrantType,
    /// Whether a token was issued.
    pub result: super::Outcome,
}

/// The outcome of one device flow poll (RFC 8628 §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum DevicePollResult {
    /// The user approved: a token was issued.
    Ok,
    /// The user has not acted yet.
    AuthorizationPending,
    /// The client polls too fast.
    SlowDown,
    /// The user denied the request.
    AccessDenied,
    /// The device code expired.
    ExpiredToken,
}

/// Labels `{result}` of a device flow poll.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct DevicePoll {
    /// What the poll answered.
    pub result: DevicePollResult,
}

/// Token issuance.
#[derive(Metrics)]
#[metrics(subsystem = "auth")]
pub struct Auth {
    /// Access token mint attempts, by grant type and result.
    pub token_mints_total: Family<TokenMint, Counter>,
    /// Refresh token redemptions, by result.
    pub token_refresh_total: Family<ByResult, Counter>,
    /// Device authorization flow token polls, by result.
    pub device_flow_polls_total: Family<DevicePoll, Counter>,
}

/// A bounded class of database queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum QueryClass {
    /// Appending events to the event log.
    EventAppend,
    /// Reading a stream of events.
    EventRead,
    /// Reading a projection's view.
    ProjectionRead,
    /// Writing a projection's view.
    ProjectionWrite,
    /// Looking up an idempotency key.
    IdempotencyLookup,
    /// Looking up a token or session.
    TokenLookup,
    /// The scheduler's cluster snapshot.
    SchedulerSnapshot,
}

/// Labels `{query_class}` of a database query.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Query {
    /// The query's class.
    pub query_class: QueryClass,
}

/// The database connection pool.
#[derive(Metrics)]
#[metrics(subsystem = "db")]
pub struct Db {
    /// Pool connections currently checked out.
    pub connections_in_use: IntGauge,
    /// The pool's maximum number of connections.
    pub connections_max: IntGauge,
    /// Time to run a database query, by query class.
    #[metric(buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])]
    pub query_duration_seconds: Family<Query, Histogram>,
}

/// A mutating API endpoint that honours `Idempotency-Key`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Endpoint {
    /// `POST /v1/orgs/{org_id}/apps`.
    CreateApp,
    /// `POST /v1/orgs/{org_id}/apps/{app_id}/deploys`.
    CreateDeploy,
    /// `PATCH /v1/orgs/{org_id}/apps/{app_id}` (process scale).
    ScaleProcess,
    /// `PATCH /v1/orgs/{org_id}/envs/{env_id}/secrets`.
    SetSecrets,
    /// `POST /v1/orgs/{org_id}/routes`.
    CreateRoute,
    /// `DELETE /v1/orgs/{org_id}/apps/{app_id}`.
    DeleteApp,
}

/// Labels `{endpoint}` of an idempotent request.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByEndpoint {
    /// The endpoint called.
    pub endpoint: Endpoint,
}

/// Idempotency keys.
#[derive(Metrics)]
#[metrics(subsystem = "idempotency")]
pub struct Idempotency {
    /// Requests answered from a stored response for a repeated idempotency key.
    pub hits_total: Family<ByEndpoint, Counter>,
    /// Requests refused because an idempotency key was reused with a different body.
    pub conflicts_total: Family<ByEndpoint, Counter>,
}
