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
//!
//! One file per simulator: [`api`], [`control`], [`agent`], [`edge`]; [`rng`]
//! draws their random numbers.

mod agent;
mod api;
mod control;
mod edge;
mod rng;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::metrics::service::{self, ByComponent, Component};

use agent::AgentSim;
use api::{ApiSim, INITIAL_EVENTS};
use control::ControlSim;
use edge::EdgeSim;
pub(crate) use rng::Rng;
use rng::weights;

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
