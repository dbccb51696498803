//! `ShardedCounter`: exact totals under concurrent increments, as a field and
//! in a family, and exposed as an ordinary counter.

use std::thread;

use metricate::encode::Format;
use metricate::{COUNTER_SHARDS, Family, LabelSet, LabelValue, Metrics, Registry, ShardedCounter};

#[derive(Clone, Copy, LabelValue)]
enum Queue {
    Fast,
    Slow,
}

#[derive(Clone, Copy, LabelSet)]
struct ByQueue {
    queue: Queue,
}

#[derive(Metrics)]
#[metrics(subsystem = "sharded")]
struct Hot {
    /// Messages handled by every worker.
    messages_total: ShardedCounter,
    /// Messages handled, by queue.
    queued_total: Family<ByQueue, ShardedCounter>,
}

#[test]
fn totals_are_exact_under_contention() {
    let hot = Hot::new_unregistered();
    let threads = COUNTER_SHARDS + 3;
    thread::scope(|s| {
        for t in 0..threads {
            let hot = &hot;
            s.spawn(move || {
                let queue = if t % 2 == 0 { Queue::Fast } else { Queue::Slow };
                for _ in 0..10_000 {
                    hot.messages_total.inc();
                    hot.queued_total.with(ByQueue { queue }).inc_by(2);
                }
            });
        }
    });
    assert_eq!(hot.messages_total.get(), threads as u64 * 10_000);
    let fast = threads.div_ceil(2) as u64;
    assert_eq!(hot.queued_total.with(ByQueue { queue: Queue::Fast }).get(), fast * 20_000);
    assert_eq!(hot.queued_total.with(ByQueue { queue: Queue::Slow }).get(), (threads as u64 - fast) * 20_000);

    let mut registry = Registry::new();
    registry.register_group(&hot).unwrap();
    let mut out = Vec::new();
    Format::Prometheus.encode(&registry, &mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("# TYPE metrics_sharded_messages_total counter\n"), "{text}");
    assert!(text.contains(&format!("metrics_sharded_messages_total {}\n", threads * 10_000)), "{text}");
    assert!(text.contains(&format!("metrics_sharded_queued_total{{queue=\"fast\"}} {}\n", fast * 20_000)), "{text}");
}

#[test]
fn a_global_sharded_counter_is_static() {
    Hot::global().messages_total.inc_by(5);
    assert!(Hot::global().messages_total.get() >= 5);
    assert_eq!(std::mem::size_of::<ShardedCounter>(), COUNTER_SHARDS * 64);
}
