//! What delivery costs: the record path while an exporter delivers every
//! 10 ms, against the same record path with no exporter, in one run; and
//! the cost of one delivery per series, for each sink.
//!
//! Run with `cargo bench -p metricate --features remote-write,otlp --bench export`;
//! `BENCH_REPS` sets the repetitions (11 by default). The Pushgateway row
//! needs `prometheus-pushgateway` on the `PATH` (the test command installs
//! it); the bench starts it on a free loopback port and stops it by pid.
//!
//! | case | measured | against |
//! |---|---|---|
//! | counter / histogram under an exporter | `Counter::inc`, `Histogram::observe` in batches of ~0.2 s while a textfile sink delivers every 10 ms (the snapshot reads every series of the registry, 10,000 of them in one family) | the same batches with no exporter, alternating with them |
//! | delivery per series | one `flush_blocking` to each sink, divided by the series delivered | encoding the same registry alone |
//! | encode + compress per delivery | the body (bodies) one delivery sends for the 10,000-series registry: remote-write (protobuf + snappy), OTLP (protobuf, and with gzip) | the Prometheus text encoder on the same snapshot |

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod table;

use bench_support::harness::{Samples, ns_per_op, timed};
use metricate::encode::Format;
use metricate::encode::PrometheusText;
use metricate::export::{Exporter, Otlp, Pushgateway, RemoteWrite, Sink, Statsd, Textfile};
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics};
use table::{TableRow, print_table};

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    #[label(rename = "s0")]
    S0,
    #[label(rename = "s1")]
    S1,
    #[label(rename = "s2")]
    S2,
    #[label(rename = "s3")]
    S3,
    #[label(rename = "s4")]
    S4,
    #[label(rename = "s5")]
    S5,
    #[label(rename = "s6")]
    S6,
    #[label(rename = "s7")]
    S7,
    #[label(rename = "s8")]
    S8,
    #[label(rename = "s9")]
    S9,
}

metricate::capped_label! {
    /// A tenant: 999 of them (and `other`) make 10,000 series with the shard.
    pub struct Tenant: 999;
}

#[derive(Clone, Copy, LabelSet)]
struct Key {
    shard: Shard,
    tenant: Tenant,
}

/// What the record cases write and the exporter reads.
#[derive(Metrics)]
#[metrics(subsystem = "bench_export")]
struct Bench {
    /// Operations of the counter case.
    ops_total: Counter,
    /// Observations of the histogram case.
    latency_seconds: Histogram,
    /// A large family, for the snapshot to read: 10,000 series.
    #[metric(max_series = 10000)]
    rows_total: Family<Key, Counter>,
}

const COUNTER_OPS: u64 = 1 << 26;
const HISTOGRAM_ROUNDS: u64 = 1 << 19;

/// A scratch directory under the target directory, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory is created");
    dir
}

/// Times batches of `units` units of `f` (each `ops_per_unit` operations)
/// alternately with no exporter and with one delivering to a textfile every
/// 10 ms (started before its batch, stopped after). The batches are fixed
/// and long (many deliveries each), not sized by the harness.
fn under_exporter(reps: usize, units: u64, ops_per_unit: u64, f: &mut dyn FnMut(u64)) -> (Samples, Samples, u64) {
    let dir = scratch("bench-export-record");
    let mut time = |units| ns_per_op(timed(units, &mut *f), units, ops_per_unit);
    time(units);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    let mut deliveries = 0;
    for _ in 0..reps {
        without.push(time(units));
        let exporter = Exporter::builder()
            .interval(Duration::from_millis(10))
            .sink(Textfile::new(&dir, "bench").expect("the scratch directory is writable"))
            .build()
            .expect("the exporter builds");
        exporter.start().expect("the exporter starts");
        // Its first delivery has happened: it runs during the whole batch.
        let _ = exporter.flush_blocking();
        let start = Instant::now();
        with.push(time(units));
        deliveries += start.elapsed().as_millis() as u64 / 10;
        exporter.shutdown().expect("the exporter stops");
    }
    let _ = std::fs::remove_dir_all(&dir);
    (Samples(with), Samples(without), deliveries)
}

/// A Pushgateway on a free loopback port, if one is installed; killed (by
/// pid) on drop.
struct Gateway(Child, SocketAddr);

impl Gateway {
    fn start() -> Option<Gateway> {
        let addr = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?;
        let child = Command::new("prometheus-pushgateway")
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let gateway = Gateway(child, addr);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(addr) {
                let _ = stream.write_all(b"GET /-/ready HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                    return Some(gateway);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The key of series `i` of the large family.
fn key(i: usize) -> Key {
    const SHARDS: [Shard; 10] =
        [Shard::S0, Shard::S1, Shard::S2, Shard::S3, Shard::S4, Shard::S5, Shard::S6, Shard::S7, Shard::S8, Shard::S9];
    Key { shard: SHARDS[i % 10], tenant: Tenant::new(&format!("tenant-{}", i / 10)) }
}

/// Median time of one delivery to `sink`, over `reps` flushes, each after
/// `before` (outside the timing).
fn delivery(reps: usize, sink: impl Sink, before: &dyn Fn()) -> Duration {
    let exporter = Exporter::builder().interval(Duration::from_secs(3600)).sink(sink).build().expect("it builds");
    exporter.start().expect("it starts");
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            before();
            let report = exporter.flush_blocking().expect("it flushes").remove(0);
            assert!(report.outcome.is_delivered(), "{report:?}");
            report.duration
        })
        .collect();
    exporter.shutdown().expect("it stops");
    times.sort();
    times[times.len() / 2]
}

/// The median time of `encode` over `reps` runs, and the bytes of its last
/// output.
fn encoded(reps: usize, mut encode: impl FnMut() -> usize) -> (Duration, usize) {
    let mut bytes = 0;
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            bytes = black_box(encode());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], bytes)
}

/// What one delivery's body costs to make for each wire format, from the
/// same snapshot, next to the text encoder.
fn encodings(reps: usize, registry: &metricate::Registry<'_>, series: usize) {
    let snapshot = registry.snapshot(|_| true);
    println!("\nEncode + compress one delivery ({series} series, from one snapshot), median of {reps}:\n");
    println!("| format | time | bytes | bytes per series | time vs. text |\n|---|---:|---:|---:|---:|");
    let mut out = Vec::new();
    let (text, text_bytes) = encoded(reps, || {
        out.clear();
        metricate::encode::encode(&snapshot, &mut PrometheusText::new(), &mut out);
        out.len()
    });
    let remote_write = RemoteWrite::new("http://127.0.0.1:9/api/v1/write").expect("the URL parses");
    let otlp = Otlp::new("http://127.0.0.1:9", "bench").expect("the URL parses");
    let otlp_gzip = Otlp::new("http://127.0.0.1:9", "bench").expect("the URL parses").gzip(true);
    let rows: [(&str, (Duration, usize)); 4] = [
        ("Prometheus text 0.0.4 (the text encoder)", (text, text_bytes)),
        (
            "remote-write 1.0: protobuf + snappy, 2,000 samples per request",
            encoded(reps, || {
                let requests = remote_write.requests(&snapshot, 1_700_000_000_000).expect("it encodes");
                requests.iter().map(Vec::len).sum()
            }),
        ),
        ("OTLP/HTTP: protobuf", encoded(reps, || otlp.request(&snapshot, 1).expect("it encodes").0.len())),
        ("OTLP/HTTP: protobuf + gzip", encoded(reps, || otlp_gzip.request(&snapshot, 1).expect("it encodes").0.len())),
    ];
    for (name, (time, bytes)) in rows {
        println!(
            "| {name} | {:.2} ms | {bytes} | {:.1} | {:.2}× |",
            time.as_secs_f64() * 1e3,
            bytes as f64 / series as f64,
            time.as_secs_f64() / text.as_secs_f64()
        );
    }
}

fn main() {
    let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(11);
    let bench = Bench::global();
    for i in 0..10_000usize {
        bench.rows_total.with(key(i)).inc_by(i as u64);
    }
    let registry = metricate::global().expect("the registry builds");
    let series: usize = registry.snapshot(|_| true).families().iter().map(|f| f.series().len()).sum();

    println!(
        "Record path under an exporter delivering every 10 ms ({series} series in the registry), {reps} repetitions:\n"
    );
    // Each loop is the body of the closure the batches call (through `dyn`),
    // so it stays out of line.
    let (with, without, counted) = under_exporter(reps, COUNTER_OPS, 1, &mut |n| {
        for _ in 0..black_box(n) {
            Bench::global().ops_total.inc();
        }
    });
    let values: [f64; 64] = std::array::from_fn(|i| 0.001 * (i as f64 + 1.0) * 1.7);
    let (hwith, hwithout, hcounted) = under_exporter(reps, HISTOGRAM_ROUNDS, 64, &mut |rounds| {
        for _ in 0..black_box(rounds) {
            for &v in black_box(&values) {
                Bench::global().latency_seconds.observe(v);
            }
        }
    });
    print_table(&[
        TableRow {
            case: "counter `inc()`, exporter running (baseline: none)",
            ours: with,
            baseline: Some(without),
            target: Some(1.1),
        },
        TableRow {
            case: "histogram `observe()`, exporter running (baseline: none)",
            ours: hwith,
            baseline: Some(hwithout),
            target: Some(1.1),
        },
    ]);
    println!("\n(about {} deliveries during the timed batches)\n", counted + hcounted);

    println!("One delivery per series ({series} series), median of {reps}:\n");
    println!("| sink | per delivery | per series |\n|---|---:|---:|");
    let mut out = Vec::new();
    let encode = (0..reps)
        .map(|_| {
            let start = Instant::now();
            out.clear();
            Format::Prometheus.encode(registry, &mut out);
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    let row = |name: &str, d: Duration| {
        println!("| {name} | {:.2} ms | {:.0} ns |", d.as_secs_f64() * 1e3, d.as_nanos() as f64 / series as f64);
    };
    row("(encoding alone, Prometheus text)", encode);
    let dir = scratch("bench-export-delivery");
    row("textfile (write, fsync, rename)", delivery(reps, Textfile::new(&dir, "bench").expect("writable"), &|| {}));
    let _ = std::fs::remove_dir_all(&dir);
    match Gateway::start() {
        Some(gateway) => {
            let sink = Pushgateway::new(&format!("http://{}", gateway.1), "bench").expect("the URL parses");
            row("Pushgateway (PUT, the gateway parses it)", delivery(reps, sink, &|| {}));
        }
        None => println!("| Pushgateway | not installed | — |"),
    }
    // StatsD sends what changed: every series of the large family changes
    // before each delivery. A loopback socket takes the datagrams.
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("a loopback socket");
    let address = receiver.local_addr().expect("its address");
    let draining = std::thread::spawn(move || {
        let mut buffer = vec![0u8; 65_536];
        receiver.set_read_timeout(Some(Duration::from_secs(2))).expect("a timeout");
        while receiver.recv(&mut buffer).is_ok() {}
    });
    let touch_all = || {
        for i in 0..10_000usize {
            bench.rows_total.with(key(i)).inc();
        }
    };
    let sink = Statsd::new(&address.to_string()).expect("the address parses");
    row("StatsD (every series changed: one `|c` line each, 1432-byte datagrams)", delivery(reps, sink, &touch_all));
    let _ = draining.join();

    encodings(reps, registry, series);
}
