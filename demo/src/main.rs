//! `demo [--listen ADDR] [--bearer-token-file PATH]`: serves the platform's
//! metrics, driven by a simulated workload, until SIGINT (Ctrl-C) or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

const USAGE: &str = "\
Usage: demo [--listen ADDR] [--bearer-token-file PATH]

Serves the platform's metrics, driven by a simulated workload, on
http://ADDR/metrics (Prometheus text 0.0.4, or OpenMetrics 1.0 when the
Accept header asks for it) until SIGINT (Ctrl-C) or SIGTERM.

Options:
  --listen ADDR              the address to listen on, IP:PORT [default: 127.0.0.1:9464]
  --bearer-token-file PATH   require `Authorization: Bearer <token>` on /metrics and
                             /catalog.json, the token being the file's content
  -h, --help                 print this help
";

/// What the command line asks for.
enum Command {
    Run { listen: SocketAddr, bearer_token_file: Option<PathBuf> },
    Help,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut bearer_token_file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if matches!(arg.as_str(), "-h" | "--help") {
            return Ok(Command::Help);
        }
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), value.to_owned()),
            _ => {
                let value = match arg.as_str() {
                    "--listen" => args.next().ok_or("`--listen` needs an address, e.g. `--listen 127.0.0.1:9464`")?,
                    "--bearer-token-file" => {
                        args.next().ok_or("`--bearer-token-file` needs a path, e.g. `--bearer-token-file token.txt`")?
                    }
                    _ => return Err(format!("unexpected argument `{arg}`")),
                };
                (arg, value)
            }
        };
        match flag.as_str() {
            "--listen" => {
                if listen.is_some() {
                    return Err("`--listen` given twice".to_owned());
                }
                let addr = value.parse::<SocketAddr>().map_err(|_| {
                    format!(
                        "invalid address `{value}` for `--listen`: expected IP:PORT, e.g. 127.0.0.1:9464 or [::1]:9464"
                    )
                })?;
                listen = Some(addr);
            }
            "--bearer-token-file" => {
                if bearer_token_file.is_some() {
                    return Err("`--bearer-token-file` given twice".to_owned());
                }
                bearer_token_file = Some(PathBuf::from(value));
            }
            _ => return Err(format!("unexpected argument `{flag}`")),
        }
    }
    let listen = match listen {
        Some(listen) => listen,
        None => DEFAULT_LISTEN.parse().expect("the default address parses"),
    };
    Ok(Command::Run { listen, bearer_token_file })
}

/// The token in `path`: its content without surrounding whitespace.
fn read_token(path: &std::path::Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot read the bearer token file {}: {e}", path.display()))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the bearer token file {} is empty", path.display()),
        ));
    }
    Ok(token.to_owned())
}

fn main() -> ExitCode {
    let (listen, bearer_token_file) = match parse(std::env::args().skip(1)) {
        Ok(Command::Run { listen, bearer_token_file }) => (listen, bearer_token_file),
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("demo: {message}\nUsage: demo [--listen ADDR] [--bearer-token-file PATH]; see `demo --help`");
            return ExitCode::from(2);
        }
    };
    match run(listen, bearer_token_file.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(listen: SocketAddr, bearer_token_file: Option<&std::path::Path>) -> std::io::Result<()> {
    let bearer_token = bearer_token_file.map(read_token).transpose()?;
    // Install the signal handlers before serving, so that a signal that
    // arrives right after the address is printed is not fatal.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut signals = runtime.block_on(async { signals::Signals::new() })?;
    let running = demo::start(demo::Options { listen, workload: true, bearer_token })?;
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
            Command::Run { listen, .. } => Ok(listen.to_string()),
            Command::Help => Ok("help".to_owned()),
        }
    }

    #[test]
    fn parses_the_bearer_token_file() {
        let file = |list: &[&str]| match parse(args(list)) {
            Ok(Command::Run { bearer_token_file, .. }) => Ok(bearer_token_file),
            Ok(Command::Help) => Err("help".to_owned()),
            Err(e) => Err(e),
        };
        assert_eq!(file(&[]).unwrap(), None);
        assert_eq!(file(&["--bearer-token-file", "/run/t"]).unwrap(), Some("/run/t".into()));
        assert_eq!(file(&["--bearer-token-file=t.txt", "--listen", "127.0.0.1:1"]).unwrap(), Some("t.txt".into()));
        assert!(file(&["--bearer-token-file"]).unwrap_err().contains("needs a path"));
        assert!(file(&["--bearer-token-file", "a", "--bearer-token-file", "b"]).unwrap_err().contains("twice"));
    }

    #[test]
    fn reads_the_token_without_whitespace() {
        let dir = std::env::temp_dir().join(format!("demo-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "  s3cret\n").unwrap();
        assert_eq!(super::read_token(&path).unwrap(), "s3cret");
        std::fs::write(&path, "\n").unwrap();
        assert!(super::read_token(&path).unwrap_err().to_string().contains("is empty"));
        assert!(super::read_token(&dir.join("missing")).unwrap_err().to_string().contains("cannot read"));
        std::fs::remove_dir_all(&dir).unwrap();
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
