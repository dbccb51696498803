//! `demo [--listen ADDR] [--bearer-token-file PATH] [--tls-cert PATH --tls-key PATH [--tls-client-ca PATH]]
//! [--load-seconds S [--load-threads N]]`: serves the platform's metrics,
//! driven by a simulated workload (or a recording load), until SIGINT
//! (Ctrl-C) or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use metricate::server::{DEFAULT_LISTEN, ServerBuilder};

const USAGE: &str = "\
Usage: demo [--listen ADDR] [--bearer-token-file PATH]
            [--tls-cert PATH --tls-key PATH [--tls-client-ca PATH]]
            [--load-seconds S [--load-threads N]]

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
}

enum Command {
    Run(Settings),
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
            _ => return Err(format!("unexpected argument `{flag}`")),
        }
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
    Ok(Command::Run(settings))
}

impl Settings {
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
    let running = demo::start(demo::Options { server: settings.server(), workload })?;
    println!("demo: serving metrics on {scheme}://{}/metrics", running.local_addr());
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
    use super::{Command, Settings, parse};

    fn settings(list: &[&str]) -> Result<Settings, String> {
        match parse(list.iter().map(|s| (*s).to_owned()))? {
            Command::Run(settings) => Ok(settings),
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
