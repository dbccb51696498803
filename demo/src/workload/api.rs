//! A) + B): the control plane API, commands and the event log (thread
//! `demo-api`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use metricate::instrument_metric;

use crate::metrics::api::{
    Auth, ByEndpoint, Db, DevicePoll, DevicePollResult, Endpoint, GrantType, Http, HttpMethod, HttpRequest, HttpStatus,
    Idempotency, PathTemplate, Query, QueryClass, TokenMint,
};
use crate::metrics::events::{Append, AppendResult, Command, CommandRun, Commands, EventStore};
use crate::metrics::{ByResult, Outcome};

use super::{GIB, Rng, Sim, weights};

/// Events in the log when the simulation starts.
pub(super) const INITIAL_EVENTS: i64 = 18_400_000;
/// Approximate bytes per event row, indexes included.
const EVENT_ROW_BYTES: i64 = 640;
/// The DB pool's size.
const POOL_MAX: i64 = 40;

/// One API route: what it is, how it succeeds, how long it takes.
#[derive(Clone, Copy)]
struct Route {
    method: HttpMethod,
    path: PathTemplate,
    ok: HttpStatus,
    median: f64,
    write: Option<(Command, Endpoint)>,
}

const fn read(method: HttpMethod, path: PathTemplate, median: f64) -> Route {
    Route { method, path, ok: HttpStatus::Ok, median, write: None }
}

const fn write(method: HttpMethod, path: PathTemplate, ok: HttpStatus, command: Command, endpoint: Endpoint) -> Route {
    Route { method, path, ok, median: 0.008, write: Some((command, endpoint)) }
}

/// The API's routes, with their share of the traffic.
const ROUTES: &[(Route, u32)] = &[
    (read(HttpMethod::Get, PathTemplate::Apps, 0.012), 180),
    (read(HttpMethod::Get, PathTemplate::App, 0.008), 220),
    (read(HttpMethod::Get, PathTemplate::Deploys, 0.018), 90),
    (read(HttpMethod::Get, PathTemplate::Instances, 0.025), 160),
    (read(HttpMethod::Get, PathTemplate::Secrets, 0.010), 40),
    (read(HttpMethod::Get, PathTemplate::Routes, 0.009), 50),
    (write(HttpMethod::Post, PathTemplate::Apps, HttpStatus::Created, Command::CreateApp, Endpoint::CreateApp), 10),
    (write(HttpMethod::Patch, PathTemplate::App, HttpStatus::Ok, Command::ScaleProcess, Endpoint::ScaleProcess), 25),
    (write(HttpMethod::Delete, PathTemplate::App, HttpStatus::NoContent, Command::DeleteApp, Endpoint::DeleteApp), 4),
    (
        write(
            HttpMethod::Post,
            PathTemplate::Deploys,
            HttpStatus::Created,
            Command::DeployRelease,
            Endpoint::CreateDeploy,
        ),
        40,
    ),
    (write(HttpMethod::Patch, PathTemplate::Secrets, HttpStatus::Ok, Command::SetSecrets, Endpoint::SetSecrets), 12),
    (
        write(HttpMethod::Post, PathTemplate::Routes, HttpStatus::Created, Command::CreateRoute, Endpoint::CreateRoute),
        8,
    ),
    (read(HttpMethod::Post, PathTemplate::OauthToken, 0.030), 110),
    (read(HttpMethod::Post, PathTemplate::OauthDeviceCode, 0.015), 6),
];

weights! {
    /// Deploy commands other than a plain deploy, sent to the deploys route.
    DEPLOY_COMMANDS: Command = [RollbackRelease: 60, AttachVolume: 40];
    CLIENT_ERRORS: HttpStatus = [BadRequest: 20, Unauthorized: 15, Forbidden: 10, NotFound: 40, TooManyRequests: 15];
    /// What a command's validation answers when it refuses.
    VALIDATION_ERRORS: HttpStatus = [BadRequest: 50, Forbidden: 20, NotFound: 30];
    SERVER_ERRORS: HttpStatus = [InternalServerError: 70, ServiceUnavailable: 30];
    GRANTS: GrantType = [
        AuthorizationCode: 15, ClientCredentials: 30, DeviceCode: 12, RefreshToken: 40, TokenExchange: 5,
    ];
    DEVICE_POLLS: DevicePollResult = [Ok: 15, AuthorizationPending: 70, SlowDown: 6, AccessDenied: 5, ExpiredToken: 4];
}

/// The control plane API: requests, tokens, the pool, commands and appends.
pub(super) struct ApiSim {
    head: Arc<AtomicI64>,
    in_use: i64,
    /// Sequence numbers of requests, writes, token requests and device polls.
    requests: u64,
    writes: u64,
    tokens: u64,
    polls: u64,
}

impl ApiSim {
    pub(super) fn new(head: Arc<AtomicI64>) -> ApiSim {
        Db::global().connections_max.set(POOL_MAX);
        ApiSim { head, in_use: 4, requests: 0, writes: 0, tokens: 0, polls: 0 }
    }

    /// Runs one query of `class` and returns its duration.
    pub(super) fn query(rng: &mut Rng, class: QueryClass, median: f64) -> f64 {
        let seconds = rng.log_normal(median, 0.6);
        Db::global().query_duration_seconds.with(Query { query_class: class }).observe(seconds);
        seconds
    }

    fn request(&mut self, rng: &mut Rng) {
        let route = rng.nth_or_weighted(self.requests, ROUTES);
        self.requests += 1;
        let mut seconds = rng.log_normal(route.median, 0.5);
        let status = match (route.path, route.write) {
            (PathTemplate::OauthToken, _) => self.token(rng, &mut seconds),
            (PathTemplate::OauthDeviceCode, _) if rng.chance(0.02) => HttpStatus::TooManyRequests,
            (PathTemplate::OauthDeviceCode, _) => HttpStatus::Ok,
            (_, Some((command, endpoint))) => {
                seconds += Self::query(rng, QueryClass::TokenLookup, 0.0008);
                self.write(rng, route.ok, command, endpoint, &mut seconds)
            }
            (_, None) => {
                seconds += Self::query(rng, QueryClass::TokenLookup, 0.0008);
                seconds += Self::query(rng, QueryClass::ProjectionRead, 0.002);
                if route.path == PathTemplate::Deploys && rng.chance(0.3) {
                    seconds += Self::query(rng, QueryClass::EventRead, 0.004);
                }
                Self::read_status(rng, route.ok)
            }
        };
        if matches!(status, HttpStatus::InternalServerError | HttpStatus::ServiceUnavailable) {
            seconds += rng.log_normal(0.2, 1.0);
        }
        let labels = HttpRequest { method: route.method, path_template: route.path, status };
        let http = Http::global();
        http.requests_total.with(labels).inc();
        // The request's trace id, as a tracing middleware would have it:
        // the exemplar that leads from a slow bucket to the request.
        let trace_id = rng.trace_id();
        let trace_id = std::str::from_utf8(&trace_id).expect("hex digits are ASCII");
        http.request_duration_seconds.with(labels).observe_with_exemplar(seconds, &[("trace_id", trace_id)]);
    }

    fn read_status(rng: &mut Rng, ok: HttpStatus) -> HttpStatus {
        let r = rng.unit();
        if r < 0.955 {
            ok
        } else if r < 0.99 {
            rng.weighted(CLIENT_ERRORS)
        } else {
            rng.weighted(SERVER_ERRORS)
        }
    }

    /// A token request: a mint, a refresh or a device flow poll.
    fn token(&mut self, rng: &mut Rng, seconds: &mut f64) -> HttpStatus {
        *seconds += Self::query(rng, QueryClass::TokenLookup, 0.001);
        let auth = Auth::global();
        let n = self.tokens;
        self.tokens += 1;
        let grant_type = rng.nth_or_weighted(n, GRANTS);
        if grant_type == GrantType::DeviceCode {
            let result = rng.nth_or_weighted(self.polls, DEVICE_POLLS);
            self.polls += 1;
            auth.device_flow_polls_total.with(DevicePoll { result }).inc();
            if result != DevicePollResult::Ok {
                // RFC 8628: pending, slow_down, denied and expired are 400s.
                return HttpStatus::BadRequest;
            }
        }
        let ok = !rng.rare(0.03, n, 500, 1);
        auth.token_mints_total.with(TokenMint { grant_type, result: Outcome::from_ok(ok) }).inc();
        if grant_type == GrantType::RefreshToken {
            auth.token_refresh_total.with(ByResult::from_ok(ok)).inc();
        }
        match (ok, grant_type) {
            (true, _) => HttpStatus::Ok,
            (false, GrantType::ClientCredentials) => HttpStatus::Unauthorized,
            (false, _) => HttpStatus::BadRequest,
        }
    }

    /// A mutating request: idempotency, then the command.
    fn write(
        &mut self,
        rng: &mut Rng,
        ok: HttpStatus,
        command: Command,
        endpoint: Endpoint,
        seconds: &mut f64,
    ) -> HttpStatus {
        let n = self.writes;
        self.writes += 1;
        *seconds += Self::query(rng, QueryClass::IdempotencyLookup, 0.0006);
        let idempotency = Idempotency::global();
        if rng.rare(0.03, n, 400, 0) {
            // The stored response is replayed.
            idempotency.hits_total.with(ByEndpoint { endpoint }).inc();
            return ok;
        }
        if rng.rare(0.004, n, 700, 1) {
            idempotency.conflicts_total.with(ByEndpoint { endpoint }).inc();
            return HttpStatus::Conflict;
        }
        let command = if command == Command::DeployRelease && rng.rare(0.05, n, 100, 5) {
            rng.weighted(DEPLOY_COMMANDS)
        } else {
            command
        };
        let (status, duration) = self.command(rng, n, command);
        *seconds += duration;
        status.unwrap_or(ok)
    }

    /// Validates `command` and appends its events: the error status, if any,
    /// and the duration.
    fn command(&self, rng: &mut Rng, n: u64, command: Command) -> (Option<HttpStatus>, f64) {
        let mut seconds = rng.log_normal(0.004, 0.5);
        let status = if rng.rare(0.04, n, 300, 2) {
            Some(rng.weighted(VALIDATION_ERRORS))
        } else {
            let (result, append) = self.append(rng, n);
            seconds += append;
            match result {
                AppendResult::Ok => None,
                AppendResult::Conflict => Some(HttpStatus::Conflict),
                AppendResult::Error => Some(rng.weighted(SERVER_ERRORS)),
            }
        };
        let labels = CommandRun { command, result: Outcome::from_ok(status.is_none()) };
        let commands = Commands::global();
        commands.commands_total.with(labels).inc();
        commands.command_duration_seconds.with(labels).observe(seconds);
        (status, seconds)
    }

    /// Appends a command's events: the result and the simulated duration.
    /// Its calls are timed into `trc_event_append_total{result}` and
    /// `trc_event_append_duration_seconds{result}`.
    #[instrument_metric(
        duration = EventStore::global().event_append_duration_seconds,
        count = EventStore::global().event_append_total,
        labels = Append { result },
        classify = |out| out.0,
    )]
    fn append(&self, rng: &mut Rng, n: u64) -> (AppendResult, f64) {
        let result = if rng.rare(0.005, n, 600, 3) {
            AppendResult::Error
        } else if rng.rare(0.01, n, 600, 4) {
            AppendResult::Conflict
        } else {
            AppendResult::Ok
        };
        let seconds = match result {
            AppendResult::Error => rng.log_normal(0.25, 0.8),
            _ => rng.log_normal(0.006, 0.5),
        };
        Db::global().query_duration_seconds.with(Query { query_class: QueryClass::EventAppend }).observe(seconds);
        if result == AppendResult::Ok {
            self.head.fetch_add(rng.between(1, 4), Ordering::Relaxed);
        }
        (result, seconds)
    }

    /// Moves the pool gauge towards the load of this step.
    fn pool(&mut self, rng: &mut Rng, requests: i64) {
        let burst = if rng.chance(0.02) { 25 } else { 0 };
        let target = 3 + requests * 3 + burst;
        self.in_use = (self.in_use + (target - self.in_use) / 2 + rng.between(-2, 2)).clamp(0, POOL_MAX);
        Db::global().connections_in_use.set(self.in_use);
    }
}

impl Sim for ApiSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        let requests = rng.between(1, 4);
        for _ in 0..requests {
            self.request(rng);
        }
        self.pool(rng, requests);
        if tick.is_multiple_of(64) {
            // Table statistics: approximate, refreshed now and then.
            let rows = self.head.load(Ordering::Relaxed) + rng.between(-500, 500);
            let events = EventStore::global();
            events.events_table_rows.set(rows);
            events.events_table_size_bytes.set(rows * EVENT_ROW_BYTES + 3 * GIB);
        }
    }
}
