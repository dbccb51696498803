//! `demo [--listen ADDR]`: serves the platform's metrics, driven by a
//! simulated workload, until SIGINT (Ctrl-C) or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

const USAGE: &str = "\
Usage: demo [--listen ADDR]

Serves the platform's metrics, driven by a simulated workload, on
http://ADDR/metrics (Prometheus text 0.0.4, or OpenMetrics 1.0 when the
Accept header asks for it) until SIGINT (Ctrl-C) or SIGTERM.

Options:
  --listen ADDR   the address to listen on, IP:PORT [default: 127.0.0.1:9464]
  -h, --help      print this help
";

/// What the command line asks for.
enum Command {
    Run { listen: SocketAddr },
    Help,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--listen" => args.next().ok_or("`--listen` needs an address, e.g. `--listen 127.0.0.1:9464`")?,
            _ => match arg.strip_prefix("--listen=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unexpected argument `{arg}`")),
            },
        };
        if listen.is_some() {
            return Err("`--listen` given twice".to_owned());
        }
        let addr = value.parse::<SocketAddr>().map_err(|_| {
            format!("invalid address `{value}` for `--listen`: expected IP:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
        })?;
        listen = Some(addr);
    }
    let listen = match listen {
        Some(listen) => listen,
        None => DEFAULT_LISTEN.parse().expect("the default address parses"),
    };
    Ok(Command::Run { listen })
}

fn main() -> ExitCode {
    let listen = match parse(std::env::args().skip(1)) {
        Ok(Command::Run { listen }) => listen,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("demo: {message}\nUsage: demo [--listen ADDR]; see `demo --help`");
            return ExitCode::from(2);
        }
    };
    match run(listen) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(listen: SocketAddr) -> std::io::Result<()> {
    // Install the signal handlers before serving, so that a signal that
    // arrives right after the address is printed is not fatal.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut signals = runtime.block_on(async { signals::Signals::new() })?;
    let running = demo::start(demo::Options { listen, workload: true })?;
    println!("demo: serving metrics on http://{}/metrics", running.local_addr());
    let signal = runtime.block_on(signals.recv())?;
    eprintln!("demo: {signal}, shutting down");
    running.shutdown()
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
    use super::{Command, parse};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn listen(list: &[&str]) -> Result<String, String> {
        match parse(args(list))? {
            Command::Run { listen } => Ok(listen.to_string()),
            Command::Help => Ok("help".to_owned()),
        }
    }

    #[test]
    fn parses_the_command_line() {
        assert_eq!(listen(&[]).unwrap(), "127.0.0.1:9464");
        assert_eq!(listen(&["--listen", "0.0.0.0:80"]).unwrap(), "0.0.0.0:80");
        assert_eq!(listen(&["--listen=[::1]:9000"]).unwrap(), "[::1]:9000");
        assert_eq!(listen(&["--help"]).unwrap(), "help");
        assert!(listen(&["--listen"]).unwrap_err().contains("needs an address"));
        assert!(listen(&["--listen", "localhost"]).unwrap_err().contains("invalid address `localhost`"));
        assert!(listen(&["--port", "1"]).unwrap_err().contains("unexpected argument `--port`"));
        assert!(listen(&["--listen", ":1", "--listen", ":2"]).is_err());
    }
}
