//! Soak: the demo under a recording load on every core. Its resident memory
//! must stay flat after warm-up, and the final scrape must show exactly what
//! the load recorded. Two runs: scraped every second (every scrape must
//! succeed) while every sink delivers every second (a real Pushgateway and a
//! textfile directory, which must end up with the exact totals, and Etsy's
//! StatsD daemon, which must never hold more than was recorded: UDP may
//! drop datagrams under load; with no failed delivery), and never scraped nor delivered until the end
//! (metrics-rs#465: nothing may pile up waiting for a reader).
//!
//! CI runs them for 60 and 30 s. The long runs are `benchmarks/soak.sh` (30
//! and 10 minutes by default), which sets `SOAK_SECONDS`,
//! `SOAK_UNSCRAPED_SECONDS` and the report paths `SOAK_REPORT` and
//! `SOAK_UNSCRAPED_REPORT` (Markdown: the memory curve, the counts, the
//! failed scrapes).

mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::{Demo, get};
use tests::TempDir;
use tests::pushgateway::Pushgateway;

/// Sums the values of the samples whose line starts with `prefix`.
fn total(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(prefix))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The collectors the demo delivers to in the scraped run: a real
/// Pushgateway (when installed; under `CI=true` it must be) and a textfile
/// directory.
struct Sinks {
    gateway: Option<Pushgateway>,
    textfile: Option<TempDir>,
    statsd: Option<tests::statsd::Daemon>,
}

/// What reached the sinks after the load, and the demo's count of its
/// deliveries.
struct Delivered {
    gateway: Option<f64>,
    textfile: Option<f64>,
    statsd: Option<f64>,
    deliveries: f64,
    failed: f64,
}

impl Sinks {
    fn start(on: bool) -> Sinks {
        let gateway = if on { tests::pushgateway().map(|binary| Pushgateway::start(&binary)) } else { None };
        let statsd = if on {
            tests::statsd_daemon(env!("CARGO_TARGET_TMPDIR")).map(|install| tests::statsd::Daemon::start(&install))
        } else {
            None
        };
        Sinks { gateway, textfile: on.then(|| TempDir::new("soak-textfile")), statsd }
    }

    /// The demo's flags for them, delivering every second.
    fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(gateway) = &self.gateway {
            args.extend(["--push-gateway".to_owned(), gateway.url()]);
        }
        if let Some(daemon) = &self.statsd {
            args.extend(["--statsd".to_owned(), daemon.addr().to_string()]);
        }
        if let Some(dir) = &self.textfile {
            args.extend(["--textfile-dir".to_owned(), dir.path().display().to_string()]);
            args.extend(["--push-interval".to_owned(), "1s".to_owned()]);
        }
        args
    }

    /// The request totals at each sink once a delivery after the load's end
    /// has reached them (or what they hold after 30 s), and the deliveries
    /// the demo counted.
    fn totals(&self, demo: std::net::SocketAddr, requests: u64) -> Delivered {
        let settled = |read: &dyn Fn() -> String| -> f64 {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let value = total(&read(), "trc_http_requests_total{");
                if value == requests as f64 || Instant::now() > deadline {
                    return value;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        };
        let gateway = self.gateway.as_ref().map(|g| settled(&|| g.metrics()));
        let textfile = self
            .textfile
            .as_ref()
            .map(|dir| settled(&|| std::fs::read_to_string(dir.join("demo.prom")).unwrap_or_default()));
        // StatsD holds what it was sent: the sum of the folded series.
        let statsd = self.statsd.as_ref().map(|daemon| {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let held: f64 = daemon
                    .counters()
                    .iter()
                    .filter(|(key, _)| key.starts_with("trc_http_requests_total."))
                    .map(|(_, value)| value)
                    .sum();
                if held >= requests as f64 || Instant::now() > deadline {
                    return held;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        let (_, last) = get(demo, "/metrics").expect("a scrape after the deliveries");
        let mut failed = 0.0;
        for sink in ["pushgateway", "textfile", "statsd"] {
            for result in ["failed", "rejected"] {
                // Every series carries the demo's constant label first.
                let series = format!(
                    "metrics_export_deliveries_total{{service=\"{}\",sink=\"{sink}\",result=\"{result}\"}}",
                    demo::SERVICE
                );
                failed += total(&last, &series);
            }
        }
        Delivered { gateway, textfile, statsd, deliveries: total(&last, "metrics_export_deliveries_total{"), failed }
    }
}

impl Delivered {
    /// The report's lines about the sinks (none when they were off).
    fn report(&self, report: &mut String) {
        if self.textfile.is_none() {
            return;
        }
        let shown = |value: Option<f64>| value.map_or_else(|| "not run".to_owned(), |v| v.to_string());
        let _ = writeln!(report, "| increments at the Pushgateway after the load | {} |", shown(self.gateway));
        let _ = writeln!(report, "| increments in the textfile after the load | {} |", shown(self.textfile));
        let _ = writeln!(report, "| increments StatsD holds after the load | {} |", shown(self.statsd));
        let _ = writeln!(
            report,
            "| deliveries (every sink, every second) / failed | {} / {} |",
            self.deliveries, self.failed
        );
    }

    /// Every sink holds the exact total, and no delivery failed (when they
    /// were on).
    fn check(&self, sinks: &Sinks, requests: u64, seconds: u64) {
        if self.textfile.is_none() {
            return;
        }
        assert_eq!(self.gateway, sinks.gateway.as_ref().map(|_| requests as f64), "the Pushgateway's total");
        assert_eq!(self.textfile, Some(requests as f64), "the textfile's total");
        // UDP may drop a datagram under load; nothing may be counted twice.
        if let Some(held) = self.statsd {
            assert!(held > 0.0 && held <= requests as f64, "StatsD holds {held} of {requests} increments");
        }
        assert_eq!(self.failed, 0.0, "deliveries failed");
        assert!(self.deliveries >= seconds as f64, "{} deliveries in {seconds} s", self.deliveries);
    }
}

/// Reads a number of seconds from the environment.
fn seconds(var: &str, default: u64) -> u64 {
    std::env::var(var).ok().map_or(default, |s| s.parse().unwrap_or_else(|_| panic!("{var}={s} is not a number")))
}

#[test]
fn soak() {
    run(seconds("SOAK_SECONDS", 60), true, std::env::var("SOAK_REPORT").ok());
}

#[test]
fn soak_unscraped() {
    run(seconds("SOAK_UNSCRAPED_SECONDS", 30), false, std::env::var("SOAK_UNSCRAPED_REPORT").ok());
}

/// Runs the demo's load for `seconds`, sampling its resident memory every
/// second and, if `with_scrapes`, scraping it as often; writes the report to
/// `report` if given, then asserts.
fn run(seconds: u64, with_scrapes: bool, report_path: Option<String>) {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // The scraped run delivers to every sink too.
    let sinks = Sinks::start(with_scrapes);
    let mut args = vec!["--load-seconds".to_owned(), seconds.to_string()];
    args.extend(sinks.args());
    let demo = Demo::start(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let started = Instant::now();
    // (second, resident bytes) once per second, and the scrapes that failed.
    let mut memory: Vec<(u64, u64)> = Vec::new();
    let mut scrapes = 0u64;
    let mut failures: Vec<String> = Vec::new();
    let finished = loop {
        let tick = memory.len() as u64 + 1;
        if let Some(wait) = Duration::from_secs(tick).checked_sub(started.elapsed())
            && let Some(line) = demo.next_line(wait)
        {
            break line;
        }
        if with_scrapes {
            scrapes += 1;
            match get(demo.addr, "/metrics") {
                Ok((200, body)) if body.contains("\ntrc_http_requests_total{") => {}
                Ok((status, body)) => failures.push(format!("{status}: {}", body.lines().next().unwrap_or(""))),
                Err(error) => failures.push(error.to_string()),
            }
        }
        memory.push((started.elapsed().as_secs(), demo.memory().0));
        assert!(tick < seconds + 300, "the load did not finish within {seconds} s and 5 more minutes");
    };
    // "demo: load finished: requests=N observations=M"
    let recorded = |key: &str| -> u64 {
        finished.split(' ').find_map(|w| w.strip_prefix(key)).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            panic!("no `{key}` in the demo's line: {finished}");
        })
    };
    let (requests, observations) = (recorded("requests="), recorded("observations="));
    let (status, last) = get(demo.addr, "/metrics").expect("the final scrape");
    assert_eq!(status, 200);
    let scraped_requests = total(&last, "trc_http_requests_total{");
    let scraped_count = total(&last, "trc_http_request_duration_seconds_count{");
    let scraped_sum = total(&last, "trc_http_request_duration_seconds_sum{");
    let delivered = sinks.totals(demo.addr, requests);

    // Warm-up: the first tenth of the run, at least 10 s.
    let warm = memory.len().div_ceil(10).max(10).min(memory.len().saturating_sub(1));
    let settled = memory[warm].1;
    let after = &memory[warm..];
    let highest = after.iter().map(|&(_, rss)| rss).max().unwrap_or(settled);
    let lowest = after.iter().map(|&(_, rss)| rss).min().unwrap_or(settled);
    let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);

    let mut report = String::new();
    let (scraping, var, test) = if with_scrapes {
        ("one scrape per second", "SOAK_SECONDS", "soak")
    } else {
        ("never scraped until the end", "SOAK_UNSCRAPED_SECONDS", "soak_unscraped")
    };
    let _ = writeln!(report, "# Soak: {seconds} s, {threads} recording threads, {scraping}\n");
    let profile = if cfg!(debug_assertions) { "" } else { " --release" };
    let _ = writeln!(
        report,
        "Command: `{var}={seconds} cargo test{profile} -p demo --test soak -- --nocapture --exact {test}`.\n"
    );
    let _ = writeln!(report, "| | |\n|---|---:|");
    let _ = writeln!(report, "| scrapes before the final one | {scrapes} |\n| failed scrapes | {} |", failures.len());
    let _ = writeln!(report, "| increments recorded / scraped | {requests} / {scraped_requests} |");
    let _ = writeln!(report, "| observations recorded / scraped | {observations} / {scraped_count} |");
    let _ = writeln!(report, "| observed sum expected / scraped | {} / {scraped_sum} |", observations as f64 * 0.125);
    delivered.report(&mut report);
    let _ = writeln!(
        report,
        "| resident memory after warm-up ({} s): at its end / lowest / highest | {:.2} / {:.2} / {:.2} MiB |\n",
        memory[warm].0,
        mib(settled),
        mib(lowest),
        mib(highest)
    );
    let _ = writeln!(report, "Resident memory over time:\n\n| second | MiB |\n|---:|---:|");
    let step = (memory.len() / 20).max(1);
    let last = memory.len() - 1;
    let rows = (0..memory.len()).step_by(step).chain((!last.is_multiple_of(step)).then_some(last));
    for (second, rss) in rows.map(|i| memory[i]) {
        let _ = writeln!(report, "| {second} | {:.2} |", mib(rss));
    }
    eprintln!("{report}");
    if let Some(path) = report_path {
        std::fs::write(&path, &report).expect("the report is written");
    }
    demo.stop();

    assert!(
        failures.is_empty(),
        "{} of {scrapes} scrapes failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(scraped_requests, requests as f64, "the counter lost or invented increments");
    assert_eq!(scraped_count, observations as f64, "the histogram lost or invented observations");
    assert_eq!(scraped_sum, observations as f64 * demo::load::OBSERVED_SECONDS);
    delivered.check(&sinks, requests, seconds);
    // Flat: nothing recorded or scraped may accumulate. The allowance is
    // for the allocator's own bookkeeping.
    assert!(
        highest <= settled + (4 << 20),
        "resident memory grew from {:.2} MiB to {:.2} MiB after warm-up",
        mib(settled),
        mib(highest)
    );
}
