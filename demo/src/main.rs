//! `demo [--listen ADDR] [--bearer-token-file PATH] [--tls-cert PATH --tls-key PATH [--tls-client-ca PATH]]
//! [--load-seconds S [--load-threads N]] [--push-gateway URL [--push-job NAME]] [--textfile-dir DIR]
//! [--statsd HOST:PORT] [--remote-write URL] [--otlp URL] [--push-interval DURATION]`: serves the platform's metrics,
//! driven by a
//! simulated workload (or a recording load), and delivers them to the
//! collectors asked for, until SIGINT (Ctrl-C) or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use metricate::export::{ExportError, Exporter, ExternalLabels, Otlp, Pushgateway, RemoteWrite, Statsd, Textfile};
use metricate::server::{DEFAULT_LISTEN, ServerBuilder};

const USAGE: &str = "\
Usage: demo [--listen ADDR] [--bearer-token-file PATH]
            [--tls-cert PATH --tls-key PATH [--tls-client-ca PATH]]
            [--load-seconds S [--load-threads N]]
            [--push-gateway URL [--push-job NAME]] [--textfile-dir DIR]
            [--statsd HOST:PORT] [--remote-write URL] [--otlp URL]
            [--push-interval DURATION]

Serves the platform's metrics, driven by a simulated workload, on
http://ADDR/metrics (Prometheus text 0.0.4, or OpenMetrics 1.0 when the
Accept header asks for it) until SIGINT (Ctrl-C) or SIGTERM.

Options:
  --listen ADDR              the address to listen on, IP:PORT [default: 127.0.0.1:9464]
  --bearer-token-file PATH   require `Authorization: Bearer <token>` on /metrics and
                             /catalog.json, with any token of the file (one per line);
                             the file is re-read when it changes
  --tls-cert PATH            serve HTTPS with this PEM certificate chain...
  --tls-key PATH             ...and this PEM private key; both re-read when they change
  --tls-client-ca PATH       require client certificates signed by a CA of this PEM file
  --load-seconds S           instead of the simulated workload, record into the API's
                             request metrics as fast as possible for S seconds, then
                             print what was recorded and keep serving (for soak tests)
  --load-threads N           threads of that load [default: one per core]
  --push-gateway URL         also push the metrics to the Prometheus Pushgateway at URL
                             (e.g. http://127.0.0.1:9091), replacing the group each time
  --push-job NAME            the Pushgateway job, also remote-write's job label [default: demo]
  --textfile-dir DIR         also write DIR/demo.prom for node_exporter's textfile
                             collector, whole at every delivery
  --statsd HOST:PORT         also send the metrics to a StatsD server over UDP: counters
                             and histograms as what changed since the last delivery,
                             gauges as their values, labels folded into the names
  --remote-write URL         also send the metrics with Prometheus remote-write 1.0 to URL
                             (e.g. http://127.0.0.1:9090/api/v1/write), with the label job=demo
                             (or the --push-job)
  --otlp URL                 also send the metrics with OTLP/HTTP (protobuf) to URL, a
                             collector's base URL (e.g. http://127.0.0.1:4318, posting to
                             /v1/metrics) or the whole /v1/metrics URL, as service.name=demo
  --push-interval DURATION   how often every sink delivers, e.g. 500ms, 1s, 2m [default: 15s];
                             one delivery at start, one at shutdown
  -h, --help                 print this help
";

/// The options that take a value, with an example for the error message.
const FLAGS: &[(&str, &str)] = &[
    ("--listen", "an address, e.g. `--listen 127.0.0.1:9464`"),
    ("--bearer-token-file", "a path, e.g. `--bearer-token-file token.txt`"),
    ("--tls-cert", "a path, e.g. `--tls-cert cert.pem`"),
    ("--tls-key", "a path, e.g. `--tls-key key.pem`"),
    ("--tls-client-ca", "a path, e.g. `--tls-client-ca ca.pem`"),
    ("--load-seconds", "a number of seconds, e.g. `--load-seconds 60`"),
    ("--load-threads", "a number of threads, e.g. `--load-threads 2`"),
    ("--push-gateway", "a URL, e.g. `--push-gateway http://127.0.0.1:9091`"),
    ("--push-job", "a job name, e.g. `--push-job demo`"),
    ("--push-interval", "a duration, e.g. `--push-interval 1s`"),
    ("--textfile-dir", "a directory, e.g. `--textfile-dir /var/lib/node_exporter`"),
    ("--statsd", "an address, e.g. `--statsd 127.0.0.1:8125`"),
    ("--remote-write", "a URL, e.g. `--remote-write http://127.0.0.1:9090/api/v1/write`"),
    ("--otlp", "a URL, e.g. `--otlp http://127.0.0.1:4318`"),
];

/// What the command line asks for.
#[derive(Debug, Default)]
struct Settings {
    listen: Option<SocketAddr>,
    bearer_token_file: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_client_ca: Option<PathBuf>,
    load_seconds: Option<u64>,
    load_threads: Option<usize>,
    push_gateway: Option<String>,
    push_job: Option<String>,
    push_interval: Option<Duration>,
    textfile_dir: Option<PathBuf>,
    statsd: Option<String>,
    remote_write: Option<String>,
    otlp: Option<String>,
}

enum Command {
    Run(Box<Settings>),
    Help,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut settings = Settings::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if matches!(arg.as_str(), "-h" | "--help") {
            return Ok(Command::Help);
        }
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), value.to_owned()),
            _ => match FLAGS.iter().find(|(flag, _)| *flag == arg) {
                Some((flag, needs)) => ((*flag).to_owned(), args.next().ok_or(format!("`{flag}` needs {needs}"))?),
                None => return Err(format!("unexpected argument `{arg}`")),
            },
        };
        let twice = || format!("`{flag}` given twice");
        let path = |slot: &mut Option<PathBuf>| match slot.replace(PathBuf::from(&value)) {
            Some(_) => Err(twice()),
            None => Ok(()),
        };
        match flag.as_str() {
            "--listen" => {
                let addr = value.parse::<SocketAddr>().map_err(|_| {
                    format!(
                        "invalid address `{value}` for `--listen`: expected IP:PORT, e.g. 127.0.0.1:9464 or [::1]:9464"
                    )
                })?;
                if settings.listen.replace(addr).is_some() {
                    return Err(twice());
                }
            }
            "--bearer-token-file" => path(&mut settings.bearer_token_file)?,
            "--tls-cert" => path(&mut settings.tls_cert)?,
            "--tls-key" => path(&mut settings.tls_key)?,
            "--tls-client-ca" => path(&mut settings.tls_client_ca)?,
            "--load-seconds" | "--load-threads" => {
                let n = value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("invalid value `{value}` for `{flag}`: expected a positive integer"))?;
                let replaced = if flag == "--load-seconds" {
                    settings.load_seconds.replace(n).is_some()
                } else {
                    settings.load_threads.replace(usize::try_from(n).unwrap_or(usize::MAX)).is_some()
                };
                if replaced {
                    return Err(twice());
                }
            }
            "--push-gateway" | "--push-job" | "--statsd" | "--remote-write" | "--otlp" => {
                let slot = match flag.as_str() {
                    "--push-gateway" => &mut settings.push_gateway,
                    "--push-job" => &mut settings.push_job,
                    "--statsd" => &mut settings.statsd,
                    "--remote-write" => &mut settings.remote_write,
                    _ => &mut settings.otlp,
                };
                if slot.replace(value.clone()).is_some() {
                    return Err(twice());
                }
            }
            "--push-interval" => {
                let interval = duration(&value).ok_or_else(|| {
                    format!("invalid duration `{value}` for `--push-interval`: expected e.g. 500ms, 1s, 2m or 1h")
                })?;
                if settings.push_interval.replace(interval).is_some() {
                    return Err(twice());
                }
            }
            "--textfile-dir" => path(&mut settings.textfile_dir)?,
            _ => return Err(format!("unexpected argument `{flag}`")),
        }
    }
    if settings.push_job.is_some() && settings.push_gateway.is_none() {
        return Err("`--push-job` needs `--push-gateway`".to_owned());
    }
    if settings.push_interval.is_some() && !settings.exports() {
        return Err(
            "`--push-interval` needs a sink: `--push-gateway`, `--textfile-dir`, `--statsd`, `--remote-write` \
             or `--otlp`"
                .to_owned(),
        );
    }
    if settings.tls_cert.is_some() != settings.tls_key.is_some() {
        return Err("`--tls-cert` and `--tls-key` go together".to_owned());
    }
    if settings.tls_client_ca.is_some() && settings.tls_cert.is_none() {
        return Err("`--tls-client-ca` needs `--tls-cert` and `--tls-key`".to_owned());
    }
    if settings.load_threads.is_some() && settings.load_seconds.is_none() {
        return Err("`--load-threads` needs `--load-seconds`".to_owned());
    }
    Ok(Command::Run(Box::new(settings)))
}

/// A positive duration: a whole number and `ms`, `s`, `m` or `h`.
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

impl Settings {
    /// Whether any sink is asked for.
    fn exports(&self) -> bool {
        self.push_gateway.is_some()
            || self.textfile_dir.is_some()
            || self.statsd.is_some()
            || self.remote_write.is_some()
            || self.otlp.is_some()
    }

    /// The exporter these settings describe, if any sink is asked for; bad
    /// input (a URL, a job name, a directory) is refused here, before the
    /// first delivery.
    fn exporter(&self) -> Result<Option<Exporter>, ExportError> {
        if !self.exports() {
            return Ok(None);
        }
        let mut builder = Exporter::builder().interval(self.push_interval.unwrap_or(Duration::from_secs(15)));
        // One set of labels for the Pushgateway's group and remote-write.
        let labels = ExternalLabels::new().label("job", self.push_job.as_deref().unwrap_or("demo"));
        let labels = labels.map_err(|_| ExportError::Config("the Pushgateway job name is empty".into()))?;
        if let Some(url) = &self.push_gateway {
            builder = builder.sink(Pushgateway::with_labels(url, &labels)?);
        }
        if let Some(dir) = &self.textfile_dir {
            builder = builder.sink(Textfile::new(dir, "demo")?);
        }
        if let Some(address) = &self.statsd {
            builder = builder.sink(Statsd::new(address)?);
        }
        if let Some(url) = &self.remote_write {
            builder = builder.sink(RemoteWrite::new(url)?.external_labels(&labels)?);
        }
        if let Some(url) = &self.otlp {
            let sink = Otlp::new(url, "demo")?.resource_attribute("service.version", env!("CARGO_PKG_VERSION"))?;
            builder = builder.sink(sink);
        }
        builder.build().map(Some)
    }

    /// The server these settings describe.
    fn server(&self) -> ServerBuilder {
        let listen = self.listen.unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses"));
        let mut server = ServerBuilder::new().listen(listen);
        if let Some(path) = &self.bearer_token_file {
            server = server.bearer_token_file(path);
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            server = server.tls(cert, key);
        }
        if let Some(ca) = &self.tls_client_ca {
            server = server.tls_client_ca(ca);
        }
        server
    }
}

fn main() -> ExitCode {
    let settings = match parse(std::env::args().skip(1)) {
        Ok(Command::Run(settings)) => settings,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!(
                "demo: {message}\nUsage: demo [--listen ADDR] [--bearer-token-file PATH] [--tls-cert PATH --tls-key PATH]; see `demo --help`"
            );
            return ExitCode::from(2);
        }
    };
    match run(&settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(settings: &Settings) -> std::io::Result<()> {
    let scheme = if settings.tls_cert.is_some() { "https" } else { "http" };
    // Install the signal handlers before serving, so that a signal that
    // arrives right after the address is printed is not fatal.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut signals = runtime.block_on(async { signals::Signals::new() })?;
    let workload = settings.load_seconds.is_none();
    // Bad sink settings stop the demo before it serves anything.
    let exporter = settings.exporter().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let running = demo::start(demo::Options { server: settings.server(), workload })?;
    println!("demo: serving metrics on {scheme}://{}/metrics", running.local_addr());
    if let Some(exporter) = &exporter {
        exporter.start().map_err(std::io::Error::other)?;
        eprintln!("demo: delivering metrics every {:?}", settings.push_interval.unwrap_or(Duration::from_secs(15)));
    }
    let signal = match settings.load_seconds {
        Some(seconds) => {
            let threads = settings
                .load_threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
            runtime.block_on(load(Duration::from_secs(seconds), threads, &mut signals))?
        }
        None => None,
    };
    let signal = match signal {
        Some(signal) => signal,
        None => runtime.block_on(signals.recv())?,
    };
    eprintln!("demo: {signal}, shutting down");
    if let Some(exporter) = exporter {
        // The final delivery, within the exporter's grace period.
        exporter.shutdown().map_err(std::io::Error::other)?;
    }
    running.shutdown()
}

/// Runs the recording load until it ends or a signal arrives (which is then
/// returned), and prints what it recorded.
async fn load(
    duration: Duration,
    threads: usize,
    signals: &mut signals::Signals,
) -> std::io::Result<Option<&'static str>> {
    let stop = Arc::new(AtomicBool::new(false));
    let (done, finished) = tokio::sync::oneshot::channel();
    let load = std::thread::Builder::new().name("demo-load".to_owned()).spawn({
        let stop = Arc::clone(&stop);
        move || {
            let _ = done.send(demo::load::run(threads, duration, &stop));
        }
    })?;
    let mut finished = std::pin::pin!(finished);
    let (signal, totals) = tokio::select! {
        signal = signals.recv() => {
            stop.store(true, Ordering::Relaxed);
            (Some(signal?), finished.await)
        }
        totals = &mut finished => (None, totals),
    };
    let totals = totals.map_err(|_| std::io::Error::other("the load thread panicked"))??;
    load.join().map_err(|_| std::io::Error::other("the load thread panicked"))?;
    println!("demo: load finished: requests={} observations={}", totals.requests, totals.observations);
    Ok(signal)
}

#[cfg(unix)]
mod signals {
    use tokio::signal::unix::{Signal, SignalKind, signal};

    /// SIGINT and SIGTERM, registered when created.
    pub(crate) struct Signals {
        interrupt: Signal,
        terminate: Signal,
    }

    impl Signals {
        pub(crate) fn new() -> std::io::Result<Signals> {
            Ok(Signals { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
        }

        /// The name of the next signal received.
        pub(crate) async fn recv(&mut self) -> std::io::Result<&'static str> {
            tokio::select! {
                _ = self.interrupt.recv() => Ok("SIGINT"),
                _ = self.terminate.recv() => Ok("SIGTERM"),
            }
        }
    }
}

#[cfg(not(unix))]
mod signals {
    /// Ctrl-C.
    pub(crate) struct Signals;

    impl Signals {
        pub(crate) fn new() -> std::io::Result<Signals> {
            Ok(Signals)
        }

        /// The name of the next signal received.
        pub(crate) async fn recv(&mut self) -> std::io::Result<&'static str> {
            tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Command, Settings, duration, parse};

    fn settings(list: &[&str]) -> Result<Settings, String> {
        match parse(list.iter().map(|s| (*s).to_owned()))? {
            Command::Run(settings) => Ok(*settings),
            Command::Help => Err("help".to_owned()),
        }
    }

    fn listen(list: &[&str]) -> Result<String, String> {
        settings(list).map(|s| s.listen.map_or_else(|| "default".to_owned(), |addr| addr.to_string()))
    }

    #[test]
    fn parses_the_bearer_token_file() {
        let file = |list: &[&str]| settings(list).map(|s| s.bearer_token_file);
        assert_eq!(file(&[]).unwrap(), None);
        assert_eq!(file(&["--bearer-token-file", "/run/t"]).unwrap(), Some("/run/t".into()));
        assert_eq!(file(&["--bearer-token-file=t.txt", "--listen", "127.0.0.1:1"]).unwrap(), Some("t.txt".into()));
        assert!(file(&["--bearer-token-file"]).unwrap_err().contains("needs a path"));
        assert!(file(&["--bearer-token-file", "a", "--bearer-token-file", "b"]).unwrap_err().contains("twice"));
    }

    #[test]
    fn parses_the_tls_files() {
        let tls = settings(&["--tls-cert", "c.pem", "--tls-key=k.pem", "--tls-client-ca", "ca.pem"]).unwrap();
        assert_eq!(
            (tls.tls_cert.as_deref(), tls.tls_key.as_deref(), tls.tls_client_ca.as_deref()),
            (Some("c.pem".as_ref()), Some("k.pem".as_ref()), Some("ca.pem".as_ref()))
        );
        assert!(settings(&["--tls-cert", "c.pem"]).unwrap_err().contains("go together"));
        assert!(settings(&["--tls-key", "k.pem"]).unwrap_err().contains("go together"));
        assert!(settings(&["--tls-client-ca", "ca.pem"]).unwrap_err().contains("needs `--tls-cert`"));
        assert!(settings(&["--tls-cert"]).unwrap_err().contains("`--tls-cert` needs a path"));
    }

    #[test]
    fn parses_the_load() {
        let load = settings(&["--load-seconds", "60", "--load-threads=3"]).unwrap();
        assert_eq!((load.load_seconds, load.load_threads), (Some(60), Some(3)));
        assert!(settings(&["--load-seconds", "0"]).unwrap_err().contains("expected a positive integer"));
        assert!(settings(&["--load-seconds", "x"]).unwrap_err().contains("invalid value `x`"));
        assert!(settings(&["--load-threads", "2"]).unwrap_err().contains("needs `--load-seconds`"));
    }

    #[test]
    fn parses_the_sinks() {
        let both = settings(&["--push-gateway", "http://gw:9091", "--push-job=api", "--textfile-dir", "/d"]).unwrap();
        let statsd = settings(&["--statsd", "127.0.0.1:8125"]).unwrap();
        assert_eq!(statsd.statsd.as_deref(), Some("127.0.0.1:8125"));
        assert!(statsd.exporter().unwrap().is_some());
        assert_eq!(both.push_gateway.as_deref(), Some("http://gw:9091"));
        assert_eq!((both.push_job.as_deref(), both.textfile_dir), (Some("api"), Some("/d".into())));
        let interval = settings(&["--textfile-dir", "/d", "--push-interval", "250ms"]).unwrap();
        assert_eq!(interval.push_interval, Some(Duration::from_millis(250)));
        assert_eq!(duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(duration("1h"), Some(Duration::from_secs(3600)));
        for bad in ["0s", "1", "s", "1.5s", "-1s", "1d"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
        assert!(settings(&["--push-interval", "1s"]).unwrap_err().contains("needs a sink"));
        assert!(settings(&["--push-job", "api"]).unwrap_err().contains("needs `--push-gateway`"));
        assert!(
            settings(&["--textfile-dir", "/d", "--push-interval", "soon"]).unwrap_err().contains("invalid duration")
        );
        assert!(settings(&["--push-gateway", "a", "--push-gateway", "b"]).unwrap_err().contains("twice"));
        // The sinks check their input when the exporter is built: before the
        // first delivery, and before the server answers a scrape.
        let bad = |list: &[&str]| settings(list).unwrap().exporter().unwrap_err().to_string();
        assert!(bad(&["--push-gateway", "gw:9091"]).contains("has no scheme"));
        assert!(bad(&["--push-gateway", "http://gw", "--push-job", ""]).contains("job name is empty"));
        assert!(bad(&["--textfile-dir", "/nonexistent/dir"]).contains("cannot use the directory"));
        assert!(!bad(&["--statsd", "no port"]).is_empty());
        assert!(bad(&["--remote-write", "127.0.0.1:9090/api/v1/write"]).contains("is not a URL"));
        let remote = settings(&["--remote-write", "http://127.0.0.1:9090/api/v1/write"]).unwrap();
        assert!(remote.exporter().unwrap().is_some());
        assert!(bad(&["--otlp", "ftp://collector"]).contains("the scheme is `ftp`"));
        let otlp = settings(&["--otlp", "http://127.0.0.1:4318", "--push-interval", "1s"]).unwrap();
        assert!(otlp.exporter().unwrap().is_some());
        assert!(settings(&[]).unwrap().exporter().unwrap().is_none());
    }

    #[test]
    fn parses_the_command_line() {
        assert_eq!(listen(&[]).unwrap(), "default");
        assert_eq!(listen(&["--listen", "0.0.0.0:80"]).unwrap(), "0.0.0.0:80");
        assert_eq!(listen(&["--listen=[::1]:9000"]).unwrap(), "[::1]:9000");
        assert_eq!(listen(&["--help"]).unwrap_err(), "help");
        assert!(listen(&["--listen"]).unwrap_err().contains("needs an address"));
        assert!(listen(&["--listen", "localhost"]).unwrap_err().contains("invalid address `localhost`"));
        assert!(listen(&["--port", "1"]).unwrap_err().contains("unexpected argument `--port`"));
        assert!(listen(&["--listen", ":1", "--listen", ":2"]).is_err());
    }
}
