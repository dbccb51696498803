//! `prometheus/client_rust#231` and `#300`: recording and encoding could
//! deadlock (a family's lock held across encoding while a recorder waited
//! on it, or the other way round). Here many threads record, into labeled
//! families, histograms and capped labels whose values are still being
//! interned, while others scrape the global registry in both formats and
//! take snapshots; everything must finish. A watchdog turns a deadlock into
//! a failure instead of a hung test run.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use metricate::encode::Format;
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, capped_label};

capped_label! {
    /// A tenant, interned as it is met.
    struct Tenant: 32;
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Op {
    Read,
    Write,
    Delete,
}

#[derive(Clone, Copy, LabelSet)]
struct ByOp {
    op: Op,
}

#[derive(Clone, Copy, LabelSet)]
struct ByTenant {
    tenant: Tenant,
    op: Op,
}

/// Storage operations.
#[derive(Metrics)]
#[metrics(subsystem = "regression_store")]
struct Store {
    /// Operations by kind.
    operations_total: Family<ByOp, Counter>,
    /// Operations by tenant.
    tenant_operations_total: Family<ByTenant, Counter>,
    /// Operation latency.
    operation_duration_seconds: Family<ByOp, Histogram>,
}

const RECORDERS: usize = 8;
const RECORDS: usize = 20_000;

#[test]
fn recording_while_scraping_never_deadlocks() {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let store = Store::global();
        let registry = metricate::global().expect("the registry checks");
        thread::scope(|s| {
            let recorders: Vec<_> = (0..RECORDERS)
                .map(|t| {
                    s.spawn(move || {
                        for i in 0..RECORDS {
                            let op = [Op::Read, Op::Write, Op::Delete][(t + i) % 3];
                            store.operations_total.with(ByOp { op }).inc();
                            store.operation_duration_seconds.with(ByOp { op }).observe(i as f64 * 1e-6);
                            // 40 tenant names for 32 slots: interning and
                            // overflow both happen during the scrapes.
                            let tenant = Tenant::new(&format!("tenant-{}", (t * 7 + i) % 40));
                            store.tenant_operations_total.with(ByTenant { tenant, op }).inc();
                        }
                    })
                })
                .collect();
            for format in [Format::Prometheus, Format::OpenMetrics] {
                s.spawn(move || {
                    let mut out = Vec::new();
                    for _ in 0..200 {
                        out.clear();
                        format.encode(registry, &mut out);
                        let _ = registry.snapshot(|d| d.name.starts_with("trc_regression_store"));
                    }
                });
            }
            for recorder in recorders {
                recorder.join().expect("a recorder panicked");
            }
        });
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(120))
        .expect("recording and scraping deadlocked (or took over 2 minutes)");
    let mut out = Vec::new();
    Format::Prometheus.encode(metricate::global().unwrap(), &mut out);
    let text = String::from_utf8(out).unwrap();
    let total: f64 = text
        .lines()
        .filter(|l| l.starts_with("trc_regression_store_operations_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, (RECORDERS * RECORDS) as f64, "no increment lost");
}
