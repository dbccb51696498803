//! A simulated platform: a few threads that drive every metric of the
//! catalogue at a plausible mix until they are told to stop.
//!
//! | thread | drives |
//! |---|---|
//! | `demo-api` | API requests, token issuance, the DB pool, idempotency, commands, event appends |
//! | `demo-control` | projection workers and the scheduler's reconcile loop |
//! | `demo-agent` | a node agent: heartbeats, instance boots and failures, image cache, disks, secrets, snapshots, backups |
//! | `demo-edge` | an edge node: connections, SNI sniffing, upstream failures, config applies, backends |
//!
//! Each thread does one step, then sleeps 1–5 ms, so the four together use a
//! few percent of one core. Simulated time runs faster than real time: rare
//! events (a failed rollout, a projection rebuild, a cache eviction) happen
//! every second or so, and each one also happens in the first step, so that
//! every counter moves as soon as the workload starts.
//!
//! Beyond the spec's catalogue: every step is timed (real time) into the
//! summary `trc_workload_step_seconds{component}`, and the threads running
//! are read by the callback gauge `trc_workload_threads`. Every simulated API
//! request has a trace id, kept as the exemplar of the bucket of
//! `trc_http_request_duration_seconds` it lands in. The agent goes through
//! its lifecycle (`trc_agent_lifecycle`): starting, running, draining now
//! and then, stopped when the workload stops.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metricate::{LabelValue, instrument_metric};

use crate::metrics::agent::{
    Agent, Cache, CacheKind, Disk, FailureReason, InstanceFailure, Lifecycle, Mount, Pressure, PressureKind,
    SecretsDelivery, SecretsReason,
};
use crate::metrics::api::{
    Auth, ByEndpoint, Db, DevicePoll, DevicePollResult, Endpoint, GrantType, Http, HttpMethod, HttpRequest, HttpStatus,
    Idempotency, PathTemplate, Query, QueryClass, TokenMint,
};
use crate::metrics::edge::{
    ByProtocol, Connection, ConnectionResult, Edge, Listener, ListenerPort, ProtocolHint, SniResult, SniSniff,
    UpstreamFailure, UpstreamFailureReason,
};
use crate::metrics::events::{Append, AppendResult, Command, CommandRun, Commands, EventStore};
use crate::metrics::projections::{ByProjection, Projection, Projections};
use crate::metrics::scheduler::{
    Allocation, AllocationResult, Drain, DrainReason, Rollout, RolloutFailure, RolloutFailureReason, RolloutResult,
    Scheduler, Stop, StopReason, Unschedulable, UnschedulableReason,
};
use crate::metrics::service::{self, ByComponent, Component};
use crate::metrics::{ByResult, Outcome};

const MIB: i64 = 1 << 20;
const GIB: i64 = 1 << 30;
const TIB: i64 = 1 << 40;

/// The running workload threads.
pub(crate) struct Workload {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Workload {
    /// Starts the workload threads.
    pub(crate) fn start() -> io::Result<Workload> {
        let stop = Arc::new(AtomicBool::new(false));
        // Events appended so far: written by the API thread, read by the
        // projection workers.
        let head = Arc::new(AtomicI64::new(INITIAL_EVENTS));
        let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        // On an early return, dropping `workload` stops the threads started so far.
        let mut workload = Workload { stop, threads: Vec::new() };
        workload.spawn("demo-api", Component::Api, seed, ApiSim::new(Arc::clone(&head)))?;
        let control = ControlSim::new(&mut Rng::new(seed ^ 0xC0DE), head);
        workload.spawn("demo-control", Component::Control, seed, control)?;
        workload.spawn("demo-agent", Component::Agent, seed, AgentSim::new())?;
        workload.spawn("demo-edge", Component::Edge, seed, EdgeSim::new())?;
        Ok(workload)
    }

    fn spawn(
        &mut self,
        name: &str,
        component: Component,
        seed: u64,
        mut sim: impl Sim + Send + 'static,
    ) -> io::Result<()> {
        let stop = Arc::clone(&self.stop);
        let mut rng = Rng::new(seed ^ (self.threads.len() as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let step_seconds = service::Workload::global().step_seconds.with(ByComponent { component });
        let handle = thread::Builder::new().name(name.to_owned()).spawn(move || {
            let _counted = Counted::enter();
            let mut tick = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let timer = step_seconds.start_timer();
                sim.step(&mut rng, tick);
                drop(timer);
                tick += 1;
                thread::sleep(Duration::from_micros(1_000 + rng.below(4_000)));
            }
            sim.stop();
        })?;
        self.threads.push(handle);
        Ok(())
    }

    /// Stops the threads and waits for them; an error if one panicked.
    pub(crate) fn stop(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        let mut result = Ok(());
        for handle in self.threads.drain(..) {
            let name = handle.thread().name().unwrap_or("workload").to_owned();
            if handle.join().is_err() {
                result = Err(io::Error::other(format!("workload thread `{name}` panicked")));
            }
        }
        result
    }
}

impl Drop for Workload {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// Workload threads running now, in every workload of the process: what
/// the callback gauge `trc_workload_threads` reads.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts a workload thread in [`RUNNING`] while it lives (also when it
/// panics).
struct Counted;

impl Counted {
    fn enter() -> Counted {
        RUNNING.fetch_add(1, Ordering::Relaxed);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Gives `trc_workload_threads` its function, once per process (later
/// calls find it registered: the same function).
pub(crate) fn register_callbacks() {
    let _ = service::Workload::global().threads.register(|| RUNNING.load(Ordering::Relaxed) as f64);
}

/// One simulated component: a step per tick.
trait Sim {
    fn step(&mut self, rng: &mut Rng, tick: u64);

    /// Called once, on the component's thread, when the workload stops.
    fn stop(&mut self) {}
}

/// A xorshift64* generator: small, fast, and good enough for a simulation.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from `seed` (scrambled with splitmix64; never zero).
    pub(crate) fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// One of `items`, each as likely as its weight.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut n = self.below(total);
        for (item, weight) in items {
            if n < u64::from(*weight) {
                return *item;
            }
            n -= u64::from(*weight);
        }
        items[items.len() - 1].0
    }

    /// Log-normal around `median`; `sigma` is the spread of its logarithm.
    pub(crate) fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        // Irwin–Hall: the sum of twelve uniforms, less six, is close to N(0, 1).
        let z: f64 = (0..12).map(|_| self.unit()).sum::<f64>() - 6.0;
        median * (sigma * z).exp()
    }

    /// A rare event: true with probability `p`, and always when the event's
    /// sequence number `n` is `phase` modulo `period`, so that it shows up
    /// early and never stays away for long.
    pub(crate) fn rare(&mut self, p: f64, n: u64, period: u64, phase: u64) -> bool {
        n % period == phase || self.chance(p)
    }

    /// A W3C trace id: 16 random bytes (never all zero) as 32 lowercase hex
    /// digits.
    pub(crate) fn trace_id(&mut self) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let id = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        std::array::from_fn(|i| HEX[((id >> (4 * (31 - i))) & 0xf) as usize])
    }

    /// Item `n` of `items` for the first `items.len()` draws (so every value
    /// shows up early), then one by weight.
    pub(crate) fn nth_or_weighted<T: Copy>(&mut self, n: u64, items: &[(T, u32)]) -> T {
        match usize::try_from(n).ok().and_then(|n| items.get(n)) {
            Some((item, _)) => *item,
            None => self.weighted(items),
        }
    }
}

// ---------------------------------------------------------------------------
// A) + B): the control plane API, commands and the event log.

/// Events in the log when the simulation starts.
const INITIAL_EVENTS: i64 = 18_400_000;
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

/// Deploy commands other than a plain deploy, sent to the deploys route.
const DEPLOY_COMMANDS: &[(Command, u32)] = &[(Command::RollbackRelease, 60), (Command::AttachVolume, 40)];

const CLIENT_ERRORS: &[(HttpStatus, u32)] = &[
    (HttpStatus::BadRequest, 20),
    (HttpStatus::Unauthorized, 15),
    (HttpStatus::Forbidden, 10),
    (HttpStatus::NotFound, 40),
    (HttpStatus::TooManyRequests, 15),
];

/// What a command's validation answers when it refuses.
const VALIDATION_ERRORS: &[(HttpStatus, u32)] =
    &[(HttpStatus::BadRequest, 50), (HttpStatus::Forbidden, 20), (HttpStatus::NotFound, 30)];

const SERVER_ERRORS: &[(HttpStatus, u32)] =
    &[(HttpStatus::InternalServerError, 70), (HttpStatus::ServiceUnavailable, 30)];

const GRANTS: &[(GrantType, u32)] = &[
    (GrantType::AuthorizationCode, 15),
    (GrantType::ClientCredentials, 30),
    (GrantType::DeviceCode, 12),
    (GrantType::RefreshToken, 40),
    (GrantType::TokenExchange, 5),
];

const DEVICE_POLLS: &[(DevicePollResult, u32)] = &[
    (DevicePollResult::Ok, 15),
    (DevicePollResult::AuthorizationPending, 70),
    (DevicePollResult::SlowDown, 6),
    (DevicePollResult::AccessDenied, 5),
    (DevicePollResult::ExpiredToken, 4),
];

/// The control plane API: requests, tokens, the pool, commands and appends.
struct ApiSim {
    head: Arc<AtomicI64>,
    in_use: i64,
    /// Sequence numbers of requests, writes, token requests and device polls.
    requests: u64,
    writes: u64,
    tokens: u64,
    polls: u64,
}

impl ApiSim {
    fn new(head: Arc<AtomicI64>) -> ApiSim {
        Db::global().connections_max.set(POOL_MAX);
        ApiSim { head, in_use: 4, requests: 0, writes: 0, tokens: 0, polls: 0 }
    }

    /// Runs one query of `class` and returns its duration.
    fn query(rng: &mut Rng, class: QueryClass, median: f64) -> f64 {
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

// ---------------------------------------------------------------------------
// C) + D): projection workers and the scheduler.

/// Ticks between two scheduler reconcile passes.
const RECONCILE_EVERY: u64 = 20;

const UNSCHEDULABLE: &[(UnschedulableReason, u32)] = &[
    (UnschedulableReason::NoCapacityMemory, 40),
    (UnschedulableReason::NoNodesActive, 3),
    (UnschedulableReason::VolumeLocalityNoNode, 20),
    (UnschedulableReason::IpamExhausted, 5),
    (UnschedulableReason::SecretsMissing, 15),
    (UnschedulableReason::OrgQuotaExceeded, 17),
];

const DRAINS: &[(DrainReason, u32)] = &[
    (DrainReason::NodeMaintenance, 50),
    (DrainReason::NodeUnhealthy, 20),
    (DrainReason::Rebalance, 25),
    (DrainReason::OperatorRequest, 5),
];

const STOPS: &[(StopReason, u32)] = &[
    (StopReason::ScaleDown, 30),
    (StopReason::DeployReplaced, 45),
    (StopReason::AppDeleted, 5),
    (StopReason::NodeDrained, 8),
    (StopReason::HealthcheckFailed, 10),
    (StopReason::OperatorRequest, 2),
];

const ROLLOUTS: &[(RolloutResult, u32)] =
    &[(RolloutResult::Ok, 87), (RolloutResult::Failed, 8), (RolloutResult::RolledBack, 5)];

const ROLLOUT_FAILURES: &[(RolloutFailureReason, u32)] = &[
    (RolloutFailureReason::HealthcheckFailed, 35),
    (RolloutFailureReason::BootTimeout, 20),
    (RolloutFailureReason::ImagePullFailed, 15),
    (RolloutFailureReason::Unschedulable, 15),
    (RolloutFailureReason::Superseded, 15),
];

/// Projection workers and the scheduler's reconcile loop.
struct ControlSim {
    head: Arc<AtomicI64>,
    applied: [i64; Projection::ALL.len()],
    /// Sequence numbers of process groups, allocations and rollouts.
    groups: u64,
    allocations: u64,
    rollouts: u64,
    /// What the projections compute from the events they apply.
    checksum: u64,
}

impl ControlSim {
    fn new(rng: &mut Rng, head: Arc<AtomicI64>) -> ControlSim {
        // Restarted workers: each projection a little behind.
        let start = head.load(Ordering::Relaxed);
        let applied = std::array::from_fn(|_| start - rng.between(50, 400));
        ControlSim { head, applied, groups: 0, allocations: 0, rollouts: 0, checksum: 0 }
    }

    fn project(&mut self, rng: &mut Rng, tick: u64) {
        let head = self.head.load(Ordering::Relaxed);
        let metrics = Projections::global();
        for ((i, projection), applied) in Projection::ALL.into_iter().enumerate().zip(&mut self.applied) {
            let labels = ByProjection { projection };
            if rng.rare(0.000_05, tick, 2_000, i as u64 * 250) {
                // Replay from the last checkpoint.
                metrics.rebuilds_total.with(labels).inc();
                *applied = head - rng.between(3_000, 12_000);
            }
            let median = match projection {
                Projection::Instances | Projection::OrgUsage => 0.003,
                Projection::Deploys | Projection::Routes => 0.0015,
                _ => 0.0008,
            };
            let batch = (head - *applied).clamp(0, 24);
            for event in *applied..*applied + batch {
                self.checksum = Self::apply(self.checksum, projection, event, rng.log_normal(median, 0.7));
            }
            if batch > 0 && rng.rare(0.01, tick, 400, 1) {
                // An event that failed to apply: logged and skipped after retries.
                metrics.errors_total.with(labels).inc();
            }
            *applied += batch;
            metrics.last_applied_event_id.with(labels).set(*applied);
            metrics.lag_events.with(labels).set(head - *applied);
        }
    }

    /// Applies one event to a projection: folds it into the projection's
    /// checksum. Timed into `trc_projection_apply_duration_seconds{projection}`.
    #[instrument_metric(
        duration = Projections::global().apply_duration_seconds,
        labels = ByProjection { projection },
    )]
    fn apply(checksum: u64, projection: Projection, event: i64, weight: f64) -> u64 {
        let mixed = checksum.rotate_left(5) ^ (event as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        mixed.wrapping_add(projection as u64).wrapping_add(weight.to_bits())
    }

    /// One reconcile pass over every process group. Timed into
    /// `trc_scheduler_reconcile_duration_seconds` and counted in
    /// `trc_scheduler_reconcile_runs_total`.
    #[instrument_metric(
        duration = Scheduler::global().reconcile_duration_seconds,
        count = Scheduler::global().reconcile_runs_total,
    )]
    fn reconcile(&mut self, rng: &mut Rng, run: u64) {
        let scheduler = Scheduler::global();
        ApiSim::query(rng, QueryClass::SchedulerSnapshot, 0.006);
        for _ in 0..rng.between(30, 60) {
            let n = self.groups;
            self.groups += 1;
            let mut seconds = rng.log_normal(0.0012, 0.6);
            if rng.rare(0.06, n, 64, 0) {
                for _ in 0..rng.between(1, 3) {
                    seconds += self.allocate(rng);
                }
            }
            if rng.rare(0.004, n, 200, 1) {
                scheduler.instance_drains_total.with(Drain { reason: rng.weighted(DRAINS) }).inc();
            }
            if rng.rare(0.03, n, 100, 2) {
                scheduler.instance_stops_total.with(Stop { reason: rng.weighted(STOPS) }).inc();
            }
            let ok = !rng.rare(0.004, n, 1_000, 3);
            if !ok {
                seconds += rng.log_normal(0.05, 0.8);
            }
            scheduler.group_reconciles_total.with(ByResult::from_ok(ok)).inc();
            scheduler.group_reconcile_duration_seconds.with(ByResult::from_ok(ok)).observe(seconds);
        }
        // The first pass finds the deploys that were in flight at startup.
        let rollouts = if run == 0 { ROLLOUTS.len() } else { usize::from(rng.chance(0.2)) };
        for _ in 0..rollouts {
            self.rollout(rng);
        }
    }

    /// One placement attempt; its duration.
    fn allocate(&mut self, rng: &mut Rng) -> f64 {
        let n = self.allocations;
        self.allocations += 1;
        let scheduler = Scheduler::global();
        let result = if rng.rare(0.06, n, 15, 1) {
            let reason = rng.weighted(UNSCHEDULABLE);
            scheduler.unschedulable_total.with(Unschedulable { reason }).inc();
            AllocationResult::Unschedulable
        } else if rng.rare(0.01, n, 50, 2) {
            AllocationResult::Error
        } else {
            AllocationResult::Ok
        };
        scheduler.instance_allocations_total.with(Allocation { result }).inc();
        rng.log_normal(0.002, 0.5)
    }

    fn rollout(&mut self, rng: &mut Rng) {
        let scheduler = Scheduler::global();
        let result = rng.nth_or_weighted(self.rollouts, ROLLOUTS);
        self.rollouts += 1;
        let seconds = match result {
            RolloutResult::Ok => rng.log_normal(45.0, 0.6),
            RolloutResult::Failed => rng.log_normal(180.0, 0.6),
            RolloutResult::RolledBack => rng.log_normal(260.0, 0.5),
        };
        scheduler.rollout_seconds.with(Rollout { result }).observe(seconds);
        if result != RolloutResult::Ok {
            scheduler.rollout_failures_total.with(RolloutFailure { reason: rng.weighted(ROLLOUT_FAILURES) }).inc();
        }
    }
}

impl Sim for ControlSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        self.project(rng, tick);
        if tick.is_multiple_of(RECONCILE_EVERY) {
            self.reconcile(rng, tick / RECONCILE_EVERY);
        }
    }
}

// ---------------------------------------------------------------------------
// E): one node agent.

const OCI_CAP: i64 = 80 * GIB;
const ROOTDISKS_CAP: i64 = 150 * GIB;
const CACHE_DISK: i64 = 400 * GIB;
const VOLUME_POOL: i64 = 2 * TIB;
const LOG_DISK: i64 = 20 * GIB;

/// Size ranges of one cache entry, for `oci` and `rootdisks`.
const ENTRY_SIZES: [(i64, i64); 2] = [(100 * MIB, 800 * MIB), (GIB, 4 * GIB)];

const CRASHES: &[(FailureReason, u32)] =
    &[(FailureReason::HealthcheckFailed, 45), (FailureReason::OomKilled, 35), (FailureReason::CrashLoopBackoff, 20)];

const START_FAILURES: &[(FailureReason, u32)] = &[
    (FailureReason::FirecrackerStartFailed, 40),
    (FailureReason::NetworkSetupFailed, 35),
    (FailureReason::VolumeAttachFailed, 25),
];

const SECRETS_FAILURES: &[(SecretsReason, u32)] = &[
    (SecretsReason::SecretsMissing, 35),
    (SecretsReason::KeyUnavailable, 15),
    (SecretsReason::DecryptFailed, 10),
    (SecretsReason::InjectionFailed, 25),
    (SecretsReason::Timeout, 15),
];

/// Ticks the agent spends starting.
const AGENT_STARTING_TICKS: u64 = 50;
/// Ticks a drain for maintenance lasts.
const AGENT_DRAIN_TICKS: u64 = 100;

/// One node agent.
struct AgentSim {
    /// Where the agent is in its lifecycle, and until which tick it drains.
    state: Lifecycle,
    drain_until: u64,
    desired: i64,
    running: i64,
    ready: i64,
    /// Bytes held by each cache, indexed like [`CacheKind::ALL`].
    cache: [i64; 3],
    /// Entries left in `tmp` by failed pulls and builds.
    tmp_leftovers: u64,
    volume_used: i64,
    log_used: i64,
    peers: i64,
    handshake_age: f64,
    /// Sequence numbers of heartbeats, boots, pulls, builds, secrets
    /// deliveries, VM starts, snapshots and backups.
    beats: u64,
    boots: u64,
    pulls: u64,
    builds: u64,
    deliveries: u64,
    snapshots: u64,
    backups: u64,
}

impl AgentSim {
    fn new() -> AgentSim {
        // A freshly restarted agent: caches above their caps, leftovers in
        // tmp, instances still to start.
        AgentSim {
            state: Lifecycle::Starting,
            drain_until: 0,
            desired: 32,
            running: 20,
            ready: 18,
            cache: [OCI_CAP + 2 * GIB, ROOTDISKS_CAP + 5 * GIB, 600 * MIB],
            tmp_leftovers: 3,
            volume_used: 1_750 * GIB,
            log_used: 6 * GIB,
            peers: 28,
            handshake_age: 12.0,
            beats: 0,
            boots: 0,
            pulls: 0,
            builds: 0,
            deliveries: 0,
            snapshots: 0,
            backups: 0,
        }
    }

    /// Moves the agent through its lifecycle: starting for the first ticks,
    /// then running, draining for maintenance now and then (the first time
    /// about a second in).
    fn phase(&mut self, rng: &mut Rng, tick: u64) {
        self.state = match self.state {
            Lifecycle::Starting if tick < AGENT_STARTING_TICKS => Lifecycle::Starting,
            Lifecycle::Draining if tick < self.drain_until => Lifecycle::Draining,
            Lifecycle::Running if rng.rare(0.000_5, tick, 3_000, 300) => {
                self.drain_until = tick + AGENT_DRAIN_TICKS;
                Lifecycle::Draining
            }
            _ => Lifecycle::Running,
        };
        Agent::global().lifecycle.set(self.state);
    }

    fn fail(reason: FailureReason) {
        Agent::global().instance_failures_total.with(InstanceFailure { reason }).inc();
    }

    /// Starts one instance: pull and build if the image is not cached,
    /// deliver secrets, start the VM, wait for the health check. Timed into
    /// `trc_agent_instance_boot_seconds{result}`.
    #[instrument_metric(duration = Agent::global().instance_boot_seconds, labels = ByResult { result })]
    fn boot(&mut self, rng: &mut Rng) -> Result<(), FailureReason> {
        let n = self.boots;
        self.boots += 1;
        let mut failure = None;
        if rng.rare(0.2, n, 5, 0) {
            let (pulled, _) = self.pull(rng);
            failure = pulled.err();
        }
        if failure.is_none() {
            let (delivered, _) = self.deliver_secrets(rng);
            failure = delivered.err();
        }
        if failure.is_none() && rng.rare(0.01, n, 100, 2) {
            failure = Some(rng.weighted(START_FAILURES));
        }
        if failure.is_none() && rng.rare(0.015, n, 100, 3) {
            // The health check gave up after its grace period.
            failure = Some(FailureReason::HealthcheckFailed);
        }
        if let Some(reason) = failure {
            Self::fail(reason);
            return Err(reason);
        }
        self.running += 1;
        self.ready += 1;
        Ok(())
    }

    /// Pulls an image and builds its root disk: the failure, if any, and the
    /// duration.
    fn pull(&mut self, rng: &mut Rng) -> (Result<(), FailureReason>, f64) {
        let agent = Agent::global();
        let size = rng.between(40, 900) * MIB;
        let pulled = !rng.rare(0.04, self.pulls, 50, 1);
        self.pulls += 1;
        let mut seconds = if pulled { rng.log_normal(12.0, 0.9) } else { rng.log_normal(60.0, 1.0) };
        agent.image_pulls_total.with(ByResult::from_ok(pulled)).inc();
        agent.image_pull_seconds.with(ByResult::from_ok(pulled)).observe(seconds);
        self.cache[2] += size;
        if !pulled {
            self.tmp_leftovers += 1;
            return (Err(FailureReason::ImagePullFailed), seconds);
        }
        self.cache[0] += size;
        let built = !rng.rare(0.01, self.builds, 100, 2);
        self.builds += 1;
        let build_seconds = if built { rng.log_normal(4.0, 0.6) } else { rng.log_normal(8.0, 0.8) };
        seconds += build_seconds;
        agent.rootdisk_build_seconds.with(ByResult::from_ok(built)).observe(build_seconds);
        if built {
            self.cache[1] += rng.between(1, 4) * GIB;
            self.cache[2] -= size;
            (Ok(()), seconds)
        } else {
            self.tmp_leftovers += 1;
            (Err(FailureReason::RootfsBuildFailed), seconds)
        }
    }

    /// Delivers an instance's secrets: the failure, if any, and the duration.
    fn deliver_secrets(&mut self, rng: &mut Rng) -> (Result<(), FailureReason>, f64) {
        let agent = Agent::global();
        let failed = rng.rare(0.025, self.deliveries, 40, 1);
        self.deliveries += 1;
        let reason = if failed { rng.weighted(SECRETS_FAILURES) } else { SecretsReason::None };
        let seconds = match reason {
            SecretsReason::Timeout => 5.0 + rng.unit() * 0.05,
            _ => rng.log_normal(0.03, 0.6),
        };
        agent.secrets_delivery_total.with(SecretsDelivery { result: Outcome::from_ok(!failed), reason }).inc();
        agent.secrets_delivery_seconds.with(ByResult::from_ok(!failed)).observe(seconds);
        let result = match reason {
            SecretsReason::None => Ok(()),
            SecretsReason::SecretsMissing => Err(FailureReason::SecretsMissing),
            _ => Err(FailureReason::SecretsInjectionFailed),
        };
        (result, seconds)
    }

    fn lifecycle(&mut self, rng: &mut Rng, tick: u64) {
        if tick.is_multiple_of(200) && tick > 0 {
            self.desired = (self.desired + rng.between(-4, 4)).clamp(16, 48);
        }
        if self.running > 0 && rng.chance(0.02) {
            // A deploy replaces one instance.
            self.running -= 1;
            self.ready = self.ready.min(self.running);
        }
        if self.running > 0 && rng.rare(0.003, tick, 500, 50) {
            Self::fail(rng.weighted(CRASHES));
            self.running -= 1;
            self.ready = self.ready.min(self.running);
        }
        // A draining agent starts no instance.
        if self.running < self.desired && self.state != Lifecycle::Draining && rng.chance(0.5) {
            // A failure is counted by reason where it happens.
            let _ = self.boot(rng);
        } else if self.running > self.desired && rng.chance(0.3) {
            self.running -= 1;
            self.ready = self.ready.min(self.running);
        }
        if self.ready < self.running && rng.chance(0.2) {
            self.ready += 1;
        }
        let agent = Agent::global();
        agent.instances_desired.set(self.desired);
        agent.instances_running.set(self.running);
        agent.instances_ready.set(self.ready);
    }

    fn connectivity(&mut self, rng: &mut Rng, tick: u64) {
        let agent = Agent::global();
        if tick == 0 {
            // The agent's first connection counts as a (re)connect.
            agent.controlplane_reconnects_total.inc();
        }
        if tick.is_multiple_of(10) {
            let ok = !rng.rare(0.005, self.beats, 300, 1);
            self.beats += 1;
            agent.heartbeat_total.with(ByResult::from_ok(ok)).inc();
            if !ok {
                agent.controlplane_reconnects_total.inc();
            }
        }
        if tick.is_multiple_of(100) {
            self.peers = (self.peers + rng.between(-1, 1)).clamp(20, 40);
        }
        // Two simulated seconds a tick; WireGuard re-handshakes every two minutes.
        self.handshake_age += 2.0;
        if self.handshake_age > 120.0 + rng.unit() * 15.0 {
            self.handshake_age = rng.unit() * 5.0;
        }
        agent.overlay_peers.set(self.peers);
        agent.overlay_handshake_max_age_seconds.set(self.handshake_age);
    }

    fn caches(&mut self, rng: &mut Rng, tick: u64) {
        let agent = Agent::global();
        for (i, ((bytes, cap), (small, large))) in
            self.cache.iter_mut().zip([OCI_CAP, ROOTDISKS_CAP]).zip(ENTRY_SIZES).enumerate()
        {
            // Least-recently-used eviction down to 80% of the cap.
            if *bytes > cap {
                while *bytes > cap / 5 * 4 {
                    *bytes -= rng.between(small, large);
                    agent.cache_evictions_total.with(Cache { kind: CacheKind::ALL[i] }).inc();
                }
            }
        }
        if tick.is_multiple_of(300) && self.tmp_leftovers > 0 {
            // The sweep removes what failed pulls and builds left behind.
            agent.cache_evictions_total.with(Cache { kind: CacheKind::Tmp }).inc_by(self.tmp_leftovers);
            self.tmp_leftovers = 0;
            self.cache[2] = rng.between(50, 400) * MIB;
        }
        for (kind, bytes) in CacheKind::ALL.into_iter().zip(self.cache) {
            agent.cache_bytes.with(Cache { kind }).set(bytes);
        }
    }

    fn volumes(&mut self, rng: &mut Rng, tick: u64) {
        let agent = Agent::global();
        self.volume_used = (self.volume_used + rng.between(-2, 2) * GIB).clamp(1_500 * GIB, 1_950 * GIB);
        agent.volume_pool_used_bytes.set(self.volume_used);
        agent.volume_pool_free_bytes.set(VOLUME_POOL - self.volume_used);
        if rng.rare(0.004, tick, 400, 0) {
            let ok = !rng.rare(0.02, self.snapshots, 50, 1);
            self.snapshots += 1;
            let seconds = if ok { rng.log_normal(4.0, 0.8) } else { rng.log_normal(20.0, 0.8) };
            agent.snapshots_total.with(ByResult::from_ok(ok)).inc();
            agent.snapshot_seconds.with(ByResult::from_ok(ok)).observe(seconds);
        }
        if rng.rare(0.004, tick, 400, 0) {
            let ok = !rng.rare(0.03, self.backups, 30, 1);
            self.backups += 1;
            let seconds = rng.log_normal(90.0, 0.8);
            // A failed upload still sent part of the volume.
            let bytes = rng.between(GIB, 40 * GIB) / if ok { 1 } else { 3 };
            agent.backups_total.with(ByResult::from_ok(ok)).inc();
            agent.backup_seconds.with(ByResult::from_ok(ok)).observe(seconds);
            agent.backup_bytes_total.with(ByResult::from_ok(ok)).inc_by(bytes as u64);
        }
    }

    fn disks(&mut self, rng: &mut Rng) {
        let agent = Agent::global();
        self.log_used += rng.between(0, 2) * MIB;
        if self.log_used > 8 * GIB {
            // Rotation.
            self.log_used = GIB;
        }
        let cache_free = CACHE_DISK - 10 * GIB - self.cache.iter().sum::<i64>();
        let root_free = 30 * GIB + rng.between(-64, 64) * MIB;
        let free = [root_free, 180 * GIB, cache_free, LOG_DISK - self.log_used];
        for (mount, free) in Mount::ALL.into_iter().zip(free) {
            agent.disk_free_bytes.with(Disk { mount }).set(free);
        }
        let volume_free = VOLUME_POOL - self.volume_used;
        let pressure = [root_free < 5 * GIB, cache_free < CACHE_DISK / 10, false, volume_free < VOLUME_POOL / 10];
        for (kind, on) in PressureKind::ALL.into_iter().zip(pressure) {
            agent.disk_pressure.with(Pressure { kind }).set(i64::from(on));
        }
    }
}

impl Sim for AgentSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        self.phase(rng, tick);
        self.connectivity(rng, tick);
        self.lifecycle(rng, tick);
        self.caches(rng, tick);
        self.volumes(rng, tick);
        self.disks(rng);
    }

    fn stop(&mut self) {
        self.state = Lifecycle::Stopped;
        Agent::global().lifecycle.set(Lifecycle::Stopped);
    }
}

// ---------------------------------------------------------------------------
// F): one edge node.

const LISTENERS: &[(ListenerPort, u32)] =
    &[(ListenerPort::Https, 80), (ListenerPort::Http, 15), (ListenerPort::AltTls, 5)];

const SNI: &[(SniResult, u32)] =
    &[(SniResult::Ok, 970), (SniResult::NoSni, 12), (SniResult::NotTls, 10), (SniResult::Timeout, 8)];

const UPSTREAM_FAILURES: &[(UpstreamFailureReason, u32)] = &[
    (UpstreamFailureReason::Refused, 40),
    (UpstreamFailureReason::Timeout, 25),
    (UpstreamFailureReason::Reset, 10),
    (UpstreamFailureReason::Unreachable, 5),
    (UpstreamFailureReason::NoHealthyBackend, 20),
];

/// How long the edge waits for a TLS client hello.
const SNIFF_TIMEOUT: f64 = 3.0;

/// One edge node.
/// A route configuration the proxy refused to load.
#[derive(Debug)]
struct ConfigRejected;

struct EdgeSim {
    open: [i64; ListenerPort::ALL.len()],
    routes: i64,
    backends: [i64; ProtocolHint::ALL.len()],
    /// Sequence numbers of connections, SNI sniffs, PROXY v2 injections and
    /// config applies.
    connections: u64,
    sniffs: u64,
    injections: u64,
    applies: u64,
}

impl EdgeSim {
    fn new() -> EdgeSim {
        EdgeSim {
            open: [0; ListenerPort::ALL.len()],
            routes: 420,
            backends: [310, 60, 25, 18, 40, 22],
            connections: 0,
            sniffs: 0,
            injections: 0,
            applies: 0,
        }
    }

    /// Accepts one connection; whether it stays open.
    fn connect(&mut self, rng: &mut Rng, listener_port: ListenerPort) -> bool {
        let edge = Edge::global();
        let n = self.connections;
        self.connections += 1;
        let mut result = ConnectionResult::Ok;
        if listener_port != ListenerPort::Http {
            let sni = rng.nth_or_weighted(self.sniffs, SNI);
            self.sniffs += 1;
            let seconds = match sni {
                SniResult::Timeout => SNIFF_TIMEOUT + rng.unit() * 0.01,
                SniResult::NotTls => rng.log_normal(0.000_4, 0.6),
                SniResult::Ok | SniResult::NoSni => rng.log_normal(0.000_7, 0.8),
            };
            edge.sni_sniffs_total.with(SniSniff { result: sni }).inc();
            edge.sni_sniff_seconds.with(SniSniff { result: sni }).observe(seconds);
            result = match sni {
                SniResult::Ok => result,
                SniResult::NoSni => ConnectionResult::NoRoute,
                SniResult::NotTls | SniResult::Timeout => ConnectionResult::Error,
            };
        }
        if result == ConnectionResult::Ok {
            if rng.rare(0.003, n, 500, 1) {
                result = ConnectionResult::Rejected;
            } else if rng.rare(0.007, n, 500, 2) {
                result = ConnectionResult::NoRoute;
            } else if rng.rare(0.006, n, 200, 3) {
                let reason = rng.weighted(UPSTREAM_FAILURES);
                edge.upstream_connect_failures_total.with(UpstreamFailure { reason }).inc();
                result = ConnectionResult::Error;
            } else if rng.rare(0.08, n, 50, 4) {
                // The route has PROXY protocol v2 on.
                let ok = !rng.rare(0.002, self.injections, 500, 1);
                self.injections += 1;
                edge.proxy_v2_injections_total.with(ByResult::from_ok(ok)).inc();
                if !ok {
                    result = ConnectionResult::Error;
                }
            }
        }
        edge.connections_total.with(Connection { listener_port, result }).inc();
        result == ConnectionResult::Ok
    }

    /// Loads a new route configuration; a rejected one keeps the old. Timed
    /// into `trc_edge_config_apply_seconds{result}` and counted in
    /// `trc_edge_config_apply_total{result}`.
    #[instrument_metric(
        duration = Edge::global().config_apply_seconds,
        count = Edge::global().config_apply_total,
        labels = ByResult { result },
    )]
    fn apply_config(&mut self, rng: &mut Rng) -> Result<(), ConfigRejected> {
        let edge = Edge::global();
        let ok = !rng.rare(0.03, self.applies, 30, 1);
        self.applies += 1;
        let routes = (self.routes + rng.between(-2, 4)).max(50);
        if ok {
            self.routes = routes;
        }
        edge.routes_loaded.set(self.routes);
        edge.proxy_v2_enabled_routes.set(self.routes * 7 / 100);
        if ok { Ok(()) } else { Err(ConfigRejected) }
    }
}

impl Sim for EdgeSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        let edge = Edge::global();
        for _ in 0..rng.between(1, 6) {
            let listener_port = rng.weighted(LISTENERS);
            if self.connect(rng, listener_port) {
                self.open[listener_port.index()] += 1;
            }
        }
        for (open, listener_port) in self.open.iter_mut().zip(ListenerPort::ALL) {
            // Each open connection closes with probability 1% a tick.
            let expected = *open as f64 * 0.01;
            let closes = expected as i64 + i64::from(rng.chance(expected.fract()));
            *open = (*open - closes).max(0);
            edge.concurrent_connections.with(Listener { listener_port }).set(*open);
        }
        if rng.rare(0.01, tick, 100, 0) {
            // A rejected configuration is counted by the attribute.
            let _ = self.apply_config(rng);
        }
        if tick.is_multiple_of(20) {
            for (backends, protocol_hint) in self.backends.iter_mut().zip(ProtocolHint::ALL) {
                *backends = (*backends + rng.between(-1, 1)).max(0);
                edge.backends_active_by_protocol.with(ByProtocol { protocol_hint }).set(*backends);
            }
            edge.backends_active.set(self.backends.iter().sum());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AgentSim, Lifecycle, Rng, Sim};

    #[test]
    fn trace_ids_are_32_hex_digits() {
        let mut rng = Rng::new(3);
        let ids: Vec<[u8; 32]> = (0..100).map(|_| rng.trace_id()).collect();
        for id in &ids {
            assert!(id.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)), "{id:?}");
            assert!(id.iter().any(|b| *b != b'0'), "never all zero");
        }
        assert!(ids.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn the_agent_starts_runs_drains_and_stops() {
        let mut agent = AgentSim::new();
        let mut rng = Rng::new(11);
        let mut states = vec![agent.state];
        for tick in 0..1_000 {
            agent.phase(&mut rng, tick);
            if states.last() != Some(&agent.state) {
                states.push(agent.state);
            }
        }
        assert_eq!(states[..4], [Lifecycle::Starting, Lifecycle::Running, Lifecycle::Draining, Lifecycle::Running]);
        agent.stop();
        assert_eq!(agent.state, Lifecycle::Stopped);
    }

    #[test]
    fn rng_stays_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((3..=5).contains(&rng.between(3, 5)));
            assert!(rng.log_normal(1.0, 0.5) > 0.0);
        }
    }

    #[test]
    fn weighted_picks_by_weight() {
        let mut rng = Rng::new(42);
        let picks = (0..10_000).filter(|_| rng.weighted(&[(true, 9), (false, 1)])).count();
        assert!((8_500..9_500).contains(&picks), "{picks}");
    }
}
