//! Fetching over HTTP is bounded in time: against a loopback server that
//! accepts and never answers, or answers one byte a second, every command
//! that reads a URL fails with exit status 2 once `--timeout` has passed,
//! instead of waiting for ever. The servers are `TcpListener`s this test
//! owns, on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use metricate_catalog::cli::{BAD_INPUT, CLEAN, run};

/// How the server treats the one connection it accepts.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Reads the request and never answers.
    Silent,
    /// Sends a valid response, one byte a second.
    Trickle,
    /// Sends a valid response at once.
    Prompt,
}

/// A valid response with a clean exposition.
fn response() -> String {
    let body = "# HELP trc_up Up.\n# TYPE trc_up gauge\ntrc_up 1\n";
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A loopback server for one connection; `stop` ends it.
struct Server {
    url: String,
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(behaviour: Behaviour) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/metrics", listener.local_addr().unwrap());
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else { return };
            serve(stream, behaviour, &stopped);
        });
        Server { url, stop, thread: Some(thread) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        // Unblocks an `accept` that no client reached.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://").trim_end_matches("/metrics"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, stopped: &Receiver<()>) {
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let mut request = Vec::new();
    let mut buffer = [0; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
            Err(_) if stopped.try_recv().is_err() => {}
            Err(_) => return,
        }
    }
    match behaviour {
        Behaviour::Silent => {
            let _ = stopped.recv();
        }
        Behaviour::Prompt => {
            let _ = stream.write_all(response().as_bytes());
            let _ = stopped.recv();
        }
        Behaviour::Trickle => {
            for byte in response().as_bytes() {
                if stream.write_all(&[*byte]).is_err() {
                    return;
                }
                match stopped.recv_timeout(Duration::from_secs(1)) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
            }
        }
    }
}

/// Runs the command on a thread of its own; fails if it takes longer than
/// `bound` (a liveness bound, not a timing). Returns (status, stdout, stderr).
fn within(bound: Duration, args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let shown = args.join(" ");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(&args, &mut out, &mut err);
        let _ = send.send((status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap()));
    });
    receive.recv_timeout(bound).unwrap_or_else(|_| panic!("`catalog {shown}` not done within {bound:?}"))
}

/// Ten times the one-second timeouts the tests pass.
const BOUND: Duration = Duration::from_secs(10);

#[test]
fn a_server_that_never_answers_times_out() {
    let server = Server::start(Behaviour::Silent);
    let (status, out, err) = within(BOUND, &["check", "--connect-timeout", "1", "--timeout", "1", server.url.as_str()]);
    assert_eq!(status, BAD_INPUT, "{out}{err}");
    assert!(err.starts_with(&format!("catalog: cannot fetch {}: timeout", server.url)), "{err}");
}

#[test]
fn a_server_that_answers_one_byte_a_second_times_out() {
    let server = Server::start(Behaviour::Trickle);
    // The response takes more than a minute at that pace.
    let (status, out, err) = within(BOUND, &["check", "--timeout", "2", server.url.as_str()]);
    assert_eq!(status, BAD_INPUT, "{out}{err}");
    let named =
        err.contains(&format!("cannot fetch {}", server.url)) || err.contains(&format!("cannot read {}", server.url));
    assert!(named && err.contains("timeout"), "{err}");
}

#[test]
fn every_fetching_command_is_bounded() {
    for command in [&["render", "--format", "json", "--from"][..], &["diff", "old.json"], &["check", "--catalog"]] {
        let server = Server::start(Behaviour::Silent);
        let mut args = command.to_vec();
        args.insert(1, "--timeout=0.5");
        args.push(&server.url);
        if command[0] == "check" {
            args.push("-");
        }
        if command[0] == "diff" {
            // The URL first, so that it is read first.
            args.swap(2, 3);
        }
        let (status, out, err) = within(BOUND, &args);
        assert_eq!(status, BAD_INPUT, "{args:?}: {out}{err}");
        assert!(err.contains("timeout"), "{args:?}: {err}");
    }
}

#[test]
fn a_prompt_server_is_read_with_the_default_timeouts() {
    let server = Server::start(Behaviour::Prompt);
    let (status, out, err) = within(BOUND, &["check", server.url.as_str()]);
    assert_eq!(status, CLEAN, "{out}{err}");
    assert_eq!(out, format!("{}: 1 families, no violations\n", server.url));
}

#[test]
fn timeouts_take_a_bounded_positive_number_of_seconds() {
    for value in ["0", "-1", "soon", "NaN", "inf", "1e300"] {
        for flag in ["--timeout", "--connect-timeout"] {
            let (status, _, err) = within(BOUND, &["check", flag, value, "x.prom"]);
            assert_eq!(status, BAD_INPUT, "{flag} {value}");
            assert!(err.contains(&format!("`{flag}` takes a number of seconds up to 86400, not `{value}`")), "{err}");
        }
    }
    let (_, out, _) = within(BOUND, &["--help"]);
    assert!(out.contains("--connect-timeout SECONDS   to connect [default: 5]"), "{out}");
    assert!(
        out.contains("--timeout SECONDS           for the whole response, headers and body [default: 30]"),
        "{out}"
    );
}
