//! E): one node agent (thread `demo-agent`).

use metricate::instrument_metric;

use crate::metrics::agent::{
    Agent, Cache, CacheKind, Disk, FailureReason, InstanceFailure, Lifecycle, Mount, Pressure, PressureKind,
    SecretsDelivery, SecretsReason,
};
use crate::metrics::{ByResult, Outcome};

use super::{GIB, MIB, Rng, Sim, TIB, weights};

const OCI_CAP: i64 = 80 * GIB;
const ROOTDISKS_CAP: i64 = 150 * GIB;
const CACHE_DISK: i64 = 400 * GIB;
const VOLUME_POOL: i64 = 2 * TIB;
const LOG_DISK: i64 = 20 * GIB;

/// Size ranges of one cache entry, for `oci` and `rootdisks`.
const ENTRY_SIZES: [(i64, i64); 2] = [(100 * MIB, 800 * MIB), (GIB, 4 * GIB)];

weights! {
    CRASHES: FailureReason = [HealthcheckFailed: 45, OomKilled: 35, CrashLoopBackoff: 20];
    START_FAILURES: FailureReason = [FirecrackerStartFailed: 40, NetworkSetupFailed: 35, VolumeAttachFailed: 25];
    SECRETS_FAILURES: SecretsReason = [
        SecretsMissing: 35, KeyUnavailable: 15, DecryptFailed: 10, InjectionFailed: 25, Timeout: 15,
    ];
}

/// Ticks the agent spends starting.
const AGENT_STARTING_TICKS: u64 = 50;
/// Ticks a drain for maintenance lasts.
const AGENT_DRAIN_TICKS: u64 = 100;

/// One node agent.
pub(super) struct AgentSim {
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
    pub(super) fn new() -> AgentSim {
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

#[cfg(test)]
mod tests {
    use super::{AgentSim, Lifecycle, Rng, Sim};

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
}
