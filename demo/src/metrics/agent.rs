//! E) The node agent: heartbeat, instance lifecycle, image cache, disk
//! pressure, secrets delivery, snapshots and backups.

use metricate::{Counter, Family, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics, StateSet};

use super::{ByResult, Outcome};

/// Why an instance failed (the spec's bounded list of reason codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum FailureReason {
    /// The image could not be pulled.
    ImagePullFailed,
    /// The root filesystem could not be built from the image.
    RootfsBuildFailed,
    /// The Firecracker VM did not start.
    FirecrackerStartFailed,
    /// The tap device, overlay address or routes could not be set up.
    NetworkSetupFailed,
    /// A volume could not be attached.
    VolumeAttachFailed,
    /// A secret the instance needs does not exist.
    SecretsMissing,
    /// Secrets could not be written into the guest.
    SecretsInjectionFailed,
    /// The instance failed its health check.
    HealthcheckFailed,
    /// The guest ran out of memory.
    OomKilled,
    /// The instance keeps crashing and is backing off.
    CrashLoopBackoff,
}

impl FailureReason {
    /// Every reason, in declaration order.
    pub const ALL: [FailureReason; 10] = [
        FailureReason::ImagePullFailed,
        FailureReason::RootfsBuildFailed,
        FailureReason::FirecrackerStartFailed,
        FailureReason::NetworkSetupFailed,
        FailureReason::VolumeAttachFailed,
        FailureReason::SecretsMissing,
        FailureReason::SecretsInjectionFailed,
        FailureReason::HealthcheckFailed,
        FailureReason::OomKilled,
        FailureReason::CrashLoopBackoff,
    ];
}

/// Labels `{reason}` of an instance failure.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct InstanceFailure {
    /// The failure's reason code.
    pub reason: FailureReason,
}

/// A kind of local cache (the spec's set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CacheKind {
    /// Pulled OCI image layers.
    Oci,
    /// Built root disks.
    Rootdisks,
    /// Scratch space for pulls and builds.
    Tmp,
}

impl CacheKind {
    /// Every kind.
    pub const ALL: [CacheKind; 3] = [CacheKind::Oci, CacheKind::Rootdisks, CacheKind::Tmp];
}

/// Labels `{kind}` of a cache.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Cache {
    /// The cache.
    pub kind: CacheKind,
}

/// A filesystem the agent watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Mount {
    /// The host's root filesystem.
    #[label(rename = "/")]
    Root,
    /// The agent's state directory.
    #[label(rename = "/var/lib/trc")]
    State,
    /// The image and root disk caches.
    #[label(rename = "/var/lib/trc/cache")]
    Cache,
    /// Logs.
    #[label(rename = "/var/log")]
    Log,
}

impl Mount {
    /// Every mount.
    pub const ALL: [Mount; 4] = [Mount::Root, Mount::State, Mount::Cache, Mount::Log];
}

/// Labels `{mount}` of a filesystem.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Disk {
    /// The mount point.
    pub mount: Mount,
}

/// A resource the agent raises a pressure condition for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum PressureKind {
    /// Free space on the root filesystem is low.
    RootDisk,
    /// Free space on the cache filesystem is low: the cache evicts.
    CacheDisk,
    /// Free inodes are low on any watched filesystem.
    Inodes,
    /// The volume pool is nearly full: no new volumes are placed here.
    VolumePool,
}

impl PressureKind {
    /// Every kind.
    pub const ALL: [PressureKind; 4] =
        [PressureKind::RootDisk, PressureKind::CacheDisk, PressureKind::Inodes, PressureKind::VolumePool];
}

/// Labels `{kind}` of a pressure condition.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Pressure {
    /// The resource under pressure.
    pub kind: PressureKind,
}

/// Why a secrets delivery failed; `none` when it succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum SecretsReason {
    /// Delivered: no failure.
    None,
    /// A referenced secret does not exist.
    SecretsMissing,
    /// The key to decrypt the secrets was unavailable.
    KeyUnavailable,
    /// Decryption failed.
    DecryptFailed,
    /// Writing the secrets into the guest failed.
    InjectionFailed,
    /// The delivery timed out.
    Timeout,
}

/// Labels `{result, reason}` of a secrets delivery.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct SecretsDelivery {
    /// Whether the secrets were delivered.
    pub result: Outcome,
    /// Why not, or `none`.
    pub reason: SecretsReason,
}

/// The node agent.
#[derive(Metrics)]
#[metrics(subsystem = "agent")]
pub struct Agent {
    /// Heartbeats sent to the control plane, by result.
    pub heartbeat_total: Family<ByResult, Counter>,
    /// Reconnections of the agent's stream to the control plane.
    pub controlplane_reconnects_total: Counter,
    /// Overlay network peers configured on this node.
    pub overlay_peers: IntGauge,
    /// Age of the oldest latest handshake across the overlay peers.
    pub overlay_handshake_max_age_seconds: Gauge,

    /// Instances the control plane wants on this node.
    pub instances_desired: IntGauge,
    /// Instances whose VM is running.
    pub instances_running: IntGauge,
    /// Instances passing their health check.
    pub instances_ready: IntGauge,
    /// Time from an instance's start request to ready (or to failure), by result.
    #[metric(buckets = [0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0])]
    pub instance_boot_seconds: Family<ByResult, Histogram>,
    /// Instance failures, by reason code.
    pub instance_failures_total: Family<InstanceFailure, Counter>,

    /// Image pulls, by result.
    pub image_pulls_total: Family<ByResult, Counter>,
    /// Time to pull an image, by result.
    #[metric(buckets = [1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0])]
    pub image_pull_seconds: Family<ByResult, Histogram>,
    /// Time to build a root disk from an image, by result.
    #[metric(buckets = [0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0])]
    pub rootdisk_build_seconds: Family<ByResult, Histogram>,
    /// Bytes held by each local cache.
    pub cache_bytes: Family<Cache, IntGauge>,
    /// Entries evicted from each local cache.
    pub cache_evictions_total: Family<Cache, Counter>,

    /// Free bytes in the volume pool.
    pub volume_pool_free_bytes: IntGauge,
    /// Used bytes in the volume pool.
    pub volume_pool_used_bytes: IntGauge,
    /// Free bytes on each watched filesystem.
    #[alert(
        name = "TrcAgentDiskSpaceLow",
        below = 1e9,
        for = "5m",
        severity = "critical",
        summary = "A watched filesystem of a node agent has less than 1 GB free",
        runbook = "Instances on the node will fail to start or write once the filesystem fills. Free space by \
                   pruning the image cache (`trc_agent_cache_bytes` by cache), or drain the node."
    )]
    pub disk_free_bytes: Family<Disk, IntGauge>,
    /// Whether a pressure condition is raised (1) or not (0).
    pub disk_pressure: Family<Pressure, IntGauge>,

    /// Secrets deliveries to instances, by result and reason.
    pub secrets_delivery_total: Family<SecretsDelivery, Counter>,
    /// Time to deliver an instance's secrets, by result.
    #[metric(buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])]
    pub secrets_delivery_seconds: Family<ByResult, Histogram>,

    /// Volume snapshots taken, by result.
    pub snapshots_total: Family<ByResult, Counter>,
    /// Time to take a volume snapshot, by result.
    #[metric(buckets = [0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0])]
    pub snapshot_seconds: Family<ByResult, Histogram>,
    /// Volume backups uploaded, by result.
    pub backups_total: Family<ByResult, Counter>,
    /// Time to upload a volume backup, by result.
    #[metric(buckets = [5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0])]
    pub backup_seconds: Family<ByResult, Histogram>,
    /// Bytes uploaded by volume backups, by result.
    pub backup_bytes_total: Family<ByResult, Counter>,

    /// Where the agent is in its lifecycle: starting, running, draining or stopped (a state set: 1 for the
    /// current state).
    pub lifecycle: StateSet<Lifecycle>,
}

/// Where the node agent is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Lifecycle {
    /// Connecting to the control plane and starting the instances it wants.
    Starting,
    /// Serving: instances are started and stopped as the control plane asks.
    Running,
    /// Going into maintenance: no new instances start here; the scheduler
    /// moves them elsewhere.
    Draining,
    /// Shut down.
    Stopped,
}
