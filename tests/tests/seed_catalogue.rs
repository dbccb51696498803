//! Every metric family of the platform catalogue (the seed spec) is declared
//! by the demo, registered, and present in the scrape with its declared type
//! and labels. Two names differ from the spec; the demo's README documents
//! why (rules N3 and N5).
//!
//! The demo declares nothing else but the families of [`BEYOND_SEED`], an
//! explicit allow-list where each entry says why it is there (the demo
//! exercises every metric type, and a few the spec has no use for), and the
//! runtime's own `metrics_export_*` families. Two additions are not
//! families: the exemplars of [`EXEMPLARS`] and the constant label of
//! [`CONSTANT_LABELS`], which every series carries.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// `(name, type, labels)` of every family the spec requires.
const SEED: &[(&str, &str, &[&str])] = &[
    // A) Control plane API
    ("trc_http_requests_total", "counter", &["method", "path_template", "status"]),
    ("trc_http_request_duration_seconds", "histogram", &["method", "path_template", "status"]),
    ("trc_auth_token_mints_total", "counter", &["grant_type", "result"]),
    ("trc_auth_token_refresh_total", "counter", &["result"]),
    ("trc_auth_device_flow_polls_total", "counter", &["result"]),
    ("trc_db_connections_in_use", "gauge", &[]),
    ("trc_db_connections_max", "gauge", &[]),
    ("trc_db_query_duration_seconds", "histogram", &["query_class"]),
    ("trc_idempotency_hits_total", "counter", &["endpoint"]),
    ("trc_idempotency_conflicts_total", "counter", &["endpoint"]),
    // B) Event append and command handling
    ("trc_event_append_total", "counter", &["result"]),
    ("trc_event_append_duration_seconds", "histogram", &["result"]),
    ("trc_events_table_rows", "gauge", &[]),
    ("trc_events_table_size_bytes", "gauge", &[]),
    ("trc_commands_total", "counter", &["command", "result"]),
    ("trc_command_duration_seconds", "histogram", &["command", "result"]),
    // C) Projection workers
    ("trc_projection_last_applied_event_id", "gauge", &["projection"]),
    ("trc_projection_lag_events", "gauge", &["projection"]),
    ("trc_projection_apply_duration_seconds", "histogram", &["projection"]),
    ("trc_projection_errors_total", "counter", &["projection"]),
    ("trc_projection_rebuilds_total", "counter", &["projection"]),
    // D) Scheduler
    ("trc_scheduler_reconcile_runs_total", "counter", &[]),
    ("trc_scheduler_reconcile_duration_seconds", "histogram", &[]),
    ("trc_scheduler_group_reconciles_total", "counter", &["result"]),
    ("trc_scheduler_group_reconcile_duration_seconds", "histogram", &["result"]),
    ("trc_scheduler_instance_allocations_total", "counter", &["result"]),
    ("trc_scheduler_instance_drains_total", "counter", &["reason"]),
    ("trc_scheduler_instance_stops_total", "counter", &["reason"]),
    ("trc_scheduler_unschedulable_total", "counter", &["reason"]),
    ("trc_scheduler_rollout_seconds", "histogram", &["result"]),
    ("trc_scheduler_rollout_failures_total", "counter", &["reason"]),
    // E) Node agent
    ("trc_agent_heartbeat_total", "counter", &["result"]),
    ("trc_agent_controlplane_reconnects_total", "counter", &[]),
    ("trc_agent_overlay_peers", "gauge", &[]),
    // Spec: trc_agent_overlay_handshake_age_seconds_max (N5: the unit is the suffix).
    ("trc_agent_overlay_handshake_max_age_seconds", "gauge", &[]),
    ("trc_agent_instances_desired", "gauge", &[]),
    ("trc_agent_instances_running", "gauge", &[]),
    ("trc_agent_instances_ready", "gauge", &[]),
    ("trc_agent_instance_boot_seconds", "histogram", &["result"]),
    ("trc_agent_instance_failures_total", "counter", &["reason"]),
    ("trc_agent_image_pulls_total", "counter", &["result"]),
    ("trc_agent_image_pull_seconds", "histogram", &["result"]),
    ("trc_agent_rootdisk_build_seconds", "histogram", &["result"]),
    ("trc_agent_cache_bytes", "gauge", &["kind"]),
    ("trc_agent_cache_evictions_total", "counter", &["kind"]),
    ("trc_agent_volume_pool_free_bytes", "gauge", &[]),
    ("trc_agent_volume_pool_used_bytes", "gauge", &[]),
    ("trc_agent_disk_free_bytes", "gauge", &["mount"]),
    ("trc_agent_disk_pressure", "gauge", &["kind"]),
    ("trc_agent_secrets_delivery_total", "counter", &["result", "reason"]),
    ("trc_agent_secrets_delivery_seconds", "histogram", &["result"]),
    ("trc_agent_snapshots_total", "counter", &["result"]),
    ("trc_agent_snapshot_seconds", "histogram", &["result"]),
    ("trc_agent_backups_total", "counter", &["result"]),
    ("trc_agent_backup_seconds", "histogram", &["result"]),
    ("trc_agent_backup_bytes_total", "counter", &["result"]),
    // F) Edge ingress
    ("trc_edge_connections_total", "counter", &["listener_port", "result"]),
    ("trc_edge_concurrent_connections", "gauge", &["listener_port"]),
    ("trc_edge_upstream_connect_failures_total", "counter", &["reason"]),
    ("trc_edge_routes_loaded", "gauge", &[]),
    ("trc_edge_config_apply_total", "counter", &["result"]),
    ("trc_edge_config_apply_seconds", "histogram", &["result"]),
    // Spec: trc_edge_backends_active_total, a gauge (N3: only counters end in _total).
    ("trc_edge_backends_active", "gauge", &[]),
    ("trc_edge_backends_active_by_protocol", "gauge", &["protocol_hint"]),
    ("trc_edge_sni_sniffs_total", "counter", &["result"]),
    ("trc_edge_sni_sniff_seconds", "histogram", &["result"]),
    ("trc_edge_proxy_v2_enabled_routes", "gauge", &[]),
    ("trc_edge_proxy_v2_injections_total", "counter", &["result"]),
];

/// `(name, type, labels, why)` of every family the demo declares beyond the
/// spec. Nothing else may be declared (but the runtime's own
/// `metrics_export_*`, see `metricate::is_runtime_metric`).
const BEYOND_SEED: &[(&str, &str, &[&str], &str)] = &[
    // The demo's own build and workload (demo/src/metrics/service.rs).
    (
        "trc_workload_step_seconds",
        "summary",
        &["component"],
        "a summary, which the spec has none of: the real time each workload thread's step takes, quantiles 0.5, \
         0.9 and 0.99 over the last minute",
    ),
    (
        "trc_workload_threads",
        "gauge",
        &[],
        "a callback gauge: the workload threads running, read from the workload when scraped",
    ),
    (
        "trc_build_info",
        "info",
        &["version", "rustc", "target", "revision"],
        "an info metric, the standard build_info: the revision comes from demo/build.rs (`unknown` outside git)",
    ),
    // The node agent (demo/src/metrics/agent.rs).
    (
        "trc_agent_lifecycle",
        "stateset",
        &["trc_agent_lifecycle"],
        "a state set: the agent's lifecycle (starting, running, draining, stopped), driven by the workload",
    ),
    // The runtime's standard process metrics, registered by the runtime on
    // Linux under the names every Prometheus client uses (the documented
    // exception to the namespace rule N2) and served by default.
    ("process_cpu_seconds_total", "counter", &[], "process metrics: CPU time"),
    ("process_max_fds", "gauge", &[], "process metrics: the open files limit"),
    ("process_open_fds", "gauge", &[], "process metrics: open files"),
    ("process_resident_memory_bytes", "gauge", &[], "process metrics: resident memory"),
    ("process_start_time_seconds", "gauge", &[], "process metrics: when the process started"),
    ("process_threads", "gauge", &[], "process metrics: threads"),
    ("process_virtual_memory_bytes", "gauge", &[], "process metrics: virtual memory"),
];

/// `(family, exemplar label)`: families whose series carry exemplars, in
/// OpenMetrics only. The seed's HTTP request histogram keeps its name,
/// labels and buckets; each bucket keeps the trace id of the latest request
/// it counted, which leads from a slow bucket to a trace.
const EXEMPLARS: &[(&str, &str)] = &[("trc_http_request_duration_seconds", "trace_id")];

/// The process's constant labels, set by `demo::start`: every series of
/// every family carries them, so that the demo's series are told apart from
/// other services' in a shared Prometheus without relabelling.
const CONSTANT_LABELS: &[(&str, &str)] = &[("service", "demo")];

#[test]
fn every_seed_family_is_scraped_with_its_declared_type() {
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let response = tests::http_get(demo.local_addr(), "/metrics", &[]).unwrap();
    assert_eq!(response.status, 200);
    let scraped: BTreeMap<String, String> = tests::declared_types(&response.text()).into_iter().collect();
    let missing: Vec<String> = SEED
        .iter()
        .filter(|(name, kind, _)| scraped.get(*name).map(String::as_str) != Some(*kind))
        .map(|(name, kind, _)| format!("{name} ({kind}): scraped as {:?}", scraped.get(*name)))
        .collect();
    assert!(missing.is_empty(), "families missing or of the wrong type:\n{}", missing.join("\n"));
    demo.shutdown().unwrap();
}

#[test]
fn every_seed_family_is_registered_with_the_spec_labels() {
    let registry = metricate::global().expect("the demo's metrics do not collide");
    for (name, kind, labels) in SEED {
        let entry = registry.get(name).unwrap_or_else(|| panic!("{name} is not registered"));
        assert_eq!(entry.descriptor.kind.as_str(), *kind, "{name}");
        let declared: Vec<&str> = entry.descriptor.labels.iter().map(|l| l.name).collect();
        assert_eq!(&declared, labels, "labels of {name}");
        assert!(!entry.descriptor.help.is_empty(), "{name} has help text");
    }
    // The spec's own names where the rules forced a rename are not declared.
    for name in ["trc_edge_backends_active_total", "trc_agent_overlay_handshake_age_seconds_max"] {
        assert!(registry.get(name).is_none(), "{name}");
    }
    // The spec forbids a per-route backend gauge: no metric may carry route_id.
    for entry in registry.iter() {
        assert!(entry.descriptor.labels.iter().all(|l| l.name != "route_id"), "{}", entry.descriptor.name);
    }
}

#[test]
fn the_registry_holds_the_seed_catalogue_and_the_runtime_metrics() {
    let registry = metricate::global().unwrap();
    // On other systems the runtime registers no process metrics.
    let linux = cfg!(target_os = "linux");
    let listed: Vec<&str> = SEED
        .iter()
        .map(|(name, ..)| *name)
        .chain(BEYOND_SEED.iter().map(|(name, ..)| *name).filter(|name| linux || !name.starts_with("process_")))
        .collect();
    let allowed: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(allowed.len(), listed.len(), "no name listed twice");
    let declared: BTreeSet<&str> =
        registry.iter().map(|e| e.descriptor).filter(|d| !metricate::is_runtime_metric(d)).map(|d| d.name).collect();
    let beyond: Vec<&&str> = declared.difference(&allowed).collect();
    assert!(beyond.is_empty(), "declared beyond the seed and the allow-list (BEYOND_SEED): {beyond:?}");
    let missing: Vec<&&str> = allowed.difference(&declared).collect();
    assert!(missing.is_empty(), "not declared: {missing:?}");
    assert!(registry.get("metrics_export_invalid_samples_total").is_some());
    assert!(declared.iter().all(|name| name.starts_with("trc_") || name.starts_with("process_")));

    // The allow-list's types and labels are the declared ones.
    for (name, kind, labels, why) in BEYOND_SEED.iter().filter(|(name, ..)| allowed.contains(name)) {
        assert!(!why.is_empty(), "{name}: the allow-list says why");
        let descriptor = registry.get(name).unwrap().descriptor;
        assert_eq!(descriptor.kind.as_str(), *kind, "{name}");
        let declared: Vec<&str> = descriptor.labels.iter().map(|l| l.name).collect();
        assert_eq!(&declared, labels, "labels of {name}");
    }
    // Exactly the listed families keep exemplars.
    let with_exemplars: Vec<&str> =
        registry.iter().map(|e| e.descriptor).filter(|d| d.exemplars).map(|d| d.name).collect();
    assert_eq!(with_exemplars, EXEMPLARS.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    // No declared label has a constant label's name (rule D1).
    for entry in registry.iter() {
        for (name, _) in CONSTANT_LABELS {
            assert!(entry.descriptor.labels.iter().all(|l| l.name != *name), "{}", entry.descriptor.name);
        }
    }
}

/// The labels of a sample line of a text exposition (`name{labels} value`,
/// `name value`), up to their closing brace; `None` for a comment.
fn sample_labels(line: &str) -> Option<&str> {
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let name_end = line.find(['{', ' ']).unwrap_or(line.len());
    let rest = &line[name_end..];
    Some(rest.strip_prefix('{').map_or("", |labels| labels.split_once("} ").map_or(labels, |(labels, _)| labels)))
}

#[test]
fn every_series_carries_the_service_label_and_the_histogram_its_exemplars() {
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).unwrap();
    assert_eq!(
        metricate::process_constant_labels().iter().collect::<Vec<_>>(),
        CONSTANT_LABELS,
        "demo::start sets the process's constant labels"
    );
    // Constant labels come first in every series, in the order set.
    let constant =
        CONSTANT_LABELS.iter().map(|(name, value)| format!("{name}=\"{value}\"")).collect::<Vec<_>>().join(",");
    // Until every exemplar family has one.
    let openmetrics = "application/openmetrics-text; version=1.0.0";
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (text, openmetrics_text) = loop {
        let text = tests::http_get(demo.local_addr(), "/metrics", &[("Accept", "text/plain")]).unwrap().text();
        let om = tests::http_get(demo.local_addr(), "/metrics", &[("Accept", openmetrics)]).unwrap().text();
        let exemplars = EXEMPLARS.iter().all(|(family, label)| {
            om.lines().any(|l| l.starts_with(&format!("{family}_bucket{{")) && l.contains(&format!(" # {{{label}=\"")))
        });
        if exemplars {
            break (text, om);
        }
        assert!(std::time::Instant::now() < deadline, "no exemplar on {EXEMPLARS:?} within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    for (format, exposition) in [("Prometheus text", &text), ("OpenMetrics", &openmetrics_text)] {
        let mut samples = 0;
        for line in exposition.lines() {
            let Some(labels) = sample_labels(line) else { continue };
            samples += 1;
            assert!(labels.starts_with(&constant), "{format}: a series without {constant}: {line}");
        }
        assert!(samples > 1_000, "{format}: {samples} samples");
    }
    // Only OpenMetrics writes exemplars.
    assert!(!text.contains(" # {"), "the Prometheus text has no exemplars");
    demo.shutdown().unwrap();
}
