//! Capped labels: values met at run time take series up to the cap, later
//! ones share `other`, every fall to `other` is counted, and series whose
//! slot no value has taken are not exposed.
//!
//! Each test uses label types of its own (each type has its own table); only
//! `overflow_reasons_are_counted` makes values fall to `other` (it runs the
//! concurrent case after reading its deltas), so that it can read exact deltas
//! of the global overflow counter.

use std::collections::HashSet;
use std::thread;

use metricate::encode::Format;
use metricate::{
    Counter, Family, LabelSet, LabelValue, MAX_CAPPED_VALUE_LEN, Metrics, OwnedValue, Registry, capped_label,
};

capped_label! {
    /// A node id, for the encoding tests.
    struct NodeId: 3;
}

capped_label! {
    /// A route id, for the overflow test.
    struct RouteId: 2;
}

capped_label! {
    /// A peer id, for the concurrency test.
    struct PeerId: 64;
}

capped_label! {
    /// A zone, for the `Option` test.
    struct Zone: 2;
}

#[derive(Clone, Copy, LabelValue)]
enum Direction {
    In,
    Out,
}

#[derive(Clone, Copy, LabelSet)]
struct ByNode {
    node_id: NodeId,
    direction: Direction,
}

#[derive(Clone, Copy, LabelSet)]
struct ByRoute {
    route_id: RouteId,
}

#[derive(Clone, Copy, LabelSet)]
struct ByPeer {
    peer_id: PeerId,
}

#[derive(Clone, Copy, LabelSet)]
struct ByZone {
    zone: Option<Zone>,
}

#[derive(Metrics)]
#[metrics(subsystem = "capped")]
struct Capped {
    /// Bytes moved, per node and direction.
    moved_bytes_total: Family<ByNode, Counter>,
    /// Requests, per route.
    requests_total: Family<ByRoute, Counter>,
    /// Handshakes, per peer.
    handshakes_total: Family<ByPeer, Counter>,
    /// Jobs, per zone.
    jobs_total: Family<ByZone, Counter>,
}

fn encode(format: Format, group: &Capped) -> String {
    let mut registry = Registry::new();
    registry.register_group(group).unwrap();
    let mut out = Vec::new();
    format.encode(&registry, &mut out);
    String::from_utf8(out).unwrap()
}

fn family_lines<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    text.lines().filter(|l| l.starts_with(name) && !l.starts_with('#')).collect()
}

#[test]
fn cardinality_counts_the_cap_and_other() {
    assert_eq!(NodeId::CARDINALITY, 4);
    assert_eq!(ByNode::CARDINALITY, 8);
    assert_eq!(<Option<Zone>>::CARDINALITY, 4);
    let label = ByNode::LABELS[0];
    assert_eq!(label.name, "node_id");
    assert_eq!(label.capped.map(|c| c.cap), Some(3));
    assert_eq!(label.cardinality(), 4);
}

#[test]
fn only_met_values_and_other_are_exposed() {
    let group = Capped::new_unregistered();
    let text = encode(Format::Prometheus, &group);
    // Before any value is met, only the `other` series exist.
    assert_eq!(
        family_lines(&text, "metrics_capped_moved_bytes_total"),
        [
            r#"metrics_capped_moved_bytes_total{node_id="other",direction="in"} 0"#,
            r#"metrics_capped_moved_bytes_total{node_id="other",direction="out"} 0"#,
        ]
    );

    let b = NodeId::new("node-b");
    let a = NodeId::new("node \"a\"\\");
    assert_eq!(NodeId::new("node-b"), b, "a value keeps its slot");
    assert_eq!(b.as_str(), "node-b");
    assert_eq!(a.as_str(), "node \"a\"\\");
    group.moved_bytes_total.with(ByNode { node_id: b, direction: Direction::Out }).inc_by(10);
    group.moved_bytes_total.with(ByNode { node_id: a, direction: Direction::In }).inc_by(3);
    let text = encode(Format::Prometheus, &group);
    // Slots in the order the values were met; values escaped once.
    assert_eq!(
        family_lines(&text, "metrics_capped_moved_bytes_total"),
        [
            r#"metrics_capped_moved_bytes_total{node_id="node-b",direction="in"} 0"#,
            r#"metrics_capped_moved_bytes_total{node_id="node-b",direction="out"} 10"#,
            r#"metrics_capped_moved_bytes_total{node_id="node \"a\"\\",direction="in"} 3"#,
            r#"metrics_capped_moved_bytes_total{node_id="node \"a\"\\",direction="out"} 0"#,
            r#"metrics_capped_moved_bytes_total{node_id="other",direction="in"} 0"#,
            r#"metrics_capped_moved_bytes_total{node_id="other",direction="out"} 0"#,
        ]
    );
    let om = encode(Format::OpenMetrics, &group);
    assert!(om.contains("metrics_capped_moved_bytes_total{node_id=\"node-b\",direction=\"out\"} 10\n"), "{om}");
    assert!(!om.contains("node_id=\"\""), "{om}");

    // The snapshot skips the same series and reads the values back.
    let mut registry = Registry::new();
    registry.register_group(&group).unwrap();
    let snapshot = registry.snapshot(|d| d.name == "metrics_capped_moved_bytes_total");
    let family = snapshot.family("metrics_capped_moved_bytes_total").unwrap();
    assert_eq!(family.series().len(), 6);
    let series = family.find(&[("node_id", "node-b"), ("direction", "out")]).unwrap();
    assert_eq!(series.value(), &OwnedValue::Unsigned(10));
}

#[test]
fn overflow_reasons_are_counted() {
    fn overflows(reason: &str) -> u64 {
        let registry = metricate::global().expect("the global registry builds");
        let snapshot = registry.snapshot(|d| d.name == "metrics_export_capped_label_overflow_total");
        let family =
            snapshot.family("metrics_export_capped_label_overflow_total").expect("the self-metric is registered");
        match family.find(&[("reason", reason)]).expect("one series per reason").value() {
            OwnedValue::Unsigned(n) => *n,
            other => panic!("a counter, got {other:?}"),
        }
    }
    let reasons = ["full", "empty", "reserved", "too_long"];
    let before: Vec<u64> = reasons.iter().map(|r| overflows(r)).collect();

    let group = Capped::new_unregistered();
    let first = RouteId::new("r1");
    let second = RouteId::new("r2");
    assert_ne!(first, second);
    // Full: the third and fourth distinct values share `other`, each time.
    assert_eq!(RouteId::new("r3"), RouteId::OTHER);
    assert_eq!(RouteId::new("r4"), RouteId::OTHER);
    assert_eq!(RouteId::new("r3"), RouteId::OTHER);
    // Values met before the cap keep their slots.
    assert_eq!(RouteId::new("r1"), first);
    // Empty, reserved and too long values go to `other` without a slot.
    assert_eq!(RouteId::new(""), RouteId::OTHER);
    assert_eq!(RouteId::new("other"), RouteId::OTHER);
    assert_eq!(RouteId::new("unknown"), RouteId::OTHER);
    assert_eq!(RouteId::new(&"x".repeat(MAX_CAPPED_VALUE_LEN + 1)), RouteId::OTHER);

    for route_id in [first, second, RouteId::new("r5"), RouteId::new("r6")] {
        group.requests_total.with(ByRoute { route_id }).inc();
    }
    let text = encode(Format::Prometheus, &group);
    assert_eq!(
        family_lines(&text, "metrics_capped_requests_total"),
        [
            r#"metrics_capped_requests_total{route_id="r1"} 1"#,
            r#"metrics_capped_requests_total{route_id="r2"} 1"#,
            r#"metrics_capped_requests_total{route_id="other"} 2"#,
        ]
    );

    let after: Vec<u64> = reasons.iter().map(|r| overflows(r)).collect();
    let deltas: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(deltas, [5, 1, 2, 1], "overflows by reason {reasons:?}");

    concurrent_interning_fills_each_slot_once();
}

/// Part of `overflow_reasons_are_counted`: its overflows would disturb that
/// test's deltas if it ran beside it.
fn concurrent_interning_fills_each_slot_once() {
    // 4 threads meet 100 values in different orders: 64 get slots, each
    // value resolves to the same index in every thread.
    let results: Vec<Vec<(String, usize)>> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || {
                    (0..100)
                        .map(|i| (i * 37 + t * 11) % 100)
                        .map(|i| {
                            let value = format!("peer-{i}");
                            let index = PeerId::new(&value).index();
                            (value, index)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut by_value = std::collections::HashMap::new();
    for (value, index) in results.iter().flatten() {
        let first = *by_value.entry(value.clone()).or_insert(*index);
        assert_eq!(first, *index, "{value} resolved to two indices");
    }
    let slots: HashSet<usize> = by_value.values().copied().filter(|&i| i < 64).collect();
    assert_eq!(slots.len(), 64, "every slot taken once");
    assert_eq!(by_value.values().filter(|&&i| i == 64).count(), 36, "the rest share `other`");
    for (value, index) in &by_value {
        if *index < 64 {
            assert_eq!(PeerId::new(value).as_str(), value);
        }
    }
    let group = Capped::new_unregistered();
    group.handshakes_total.with(ByPeer { peer_id: PeerId::new("peer-0") }).inc();
    let text = encode(Format::Prometheus, &group);
    assert_eq!(family_lines(&text, "metrics_capped_handshakes_total").len(), 65);
}

#[test]
fn option_of_a_capped_label_renders_none_as_unknown() {
    let group = Capped::new_unregistered();
    let east = Zone::new("east");
    group.jobs_total.with(ByZone { zone: Some(east) }).inc_by(2);
    group.jobs_total.with(ByZone { zone: None }).inc();
    let text = encode(Format::Prometheus, &group);
    assert_eq!(
        family_lines(&text, "metrics_capped_jobs_total"),
        [
            r#"metrics_capped_jobs_total{zone="east"} 2"#,
            r#"metrics_capped_jobs_total{zone="other"} 0"#,
            r#"metrics_capped_jobs_total{zone="unknown"} 1"#,
        ]
    );
}
