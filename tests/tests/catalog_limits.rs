//! `catalog check` on inputs built to hurt it: a sample with 200,000 labels,
//! an exposition of 1,000,000 families, a server that never answers and one
//! that answers a byte a second, a 10 MB line that does not parse. Each
//! must end, with a bounded amount of memory and of message. The bounds on
//! time are liveness bounds (a minute, for what takes a second or two),
//! failing only a hang or a quadratic blow-up.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use catalog::check::{Checker, Options};
use catalog::exposition::{self, Format};

#[global_allocator]
static ALLOCATOR: tests::alloc::Counting = tests::alloc::Counting;

/// Runs `catalog` with `args` on a thread of its own; its exit status and
/// output, or a failure if it takes longer than `limit`.
fn run(args: &[&str], limit: Duration) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = catalog::cli::run(&args, &mut out, &mut err);
        let _ =
            send.send((status, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned()));
    });
    receive.recv_timeout(limit).unwrap_or_else(|_| panic!("`catalog` ran longer than {limit:?}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn two_hundred_thousand_labels_on_one_sample() {
    let dir = tests::TempDir::new("limits-labels");
    let labels: Vec<String> = (0..200_000).map(|i| format!("l{i}=\"v\"")).collect();
    let file = write(dir.path(), "labels.prom", &format!("# TYPE trc_x gauge\ntrc_x{{{}}} 1\n", labels.join(",")));
    let (status, out, _) = run(&["check", &file], Duration::from_mins(1));
    assert_eq!(status, catalog::cli::VIOLATIONS, "{out}");
    assert!(out.contains("L5: metric `trc_x` has 200000 labels"), "{out}");
    // A duplicate far down the list is still found.
    let mut duplicated = labels;
    duplicated.push("l123456=\"again\"".to_owned());
    let file = write(dir.path(), "dup.prom", &format!("trc_x{{{}}} 1\n", duplicated.join(",")));
    let (status, _, err) = run(&["check", &file], Duration::from_mins(1));
    assert_eq!(status, catalog::cli::BAD_INPUT);
    assert!(err.contains(":1:") && err.contains("duplicate label name `l123456`"), "{err}");
}

#[test]
fn a_million_families() {
    let dir = tests::TempDir::new("limits-families");
    let mut text = String::with_capacity(64 << 20);
    for i in 0..1_000_000 {
        let _ = write!(text, "# HELP trc_family_{i} F.\n# TYPE trc_family_{i} gauge\ntrc_family_{i} {i}\n");
    }
    let file = write(dir.path(), "families.prom", &text);
    let (status, out, err) = run(&["check", &file], Duration::from_mins(2));
    assert_eq!(status, catalog::cli::CLEAN, "{out}{err}");
    assert!(out.ends_with("1000000 families, no violations\n"), "{out}");
}

#[test]
fn memory_is_a_small_multiple_of_the_input() {
    // A realistic exposition: 200 families of 700 series with three labels.
    let mut text = String::new();
    for family in 0..200 {
        let _ = writeln!(text, "# HELP trc_svc{family}_requests_total Requests.");
        let _ = writeln!(text, "# TYPE trc_svc{family}_requests_total counter");
        for series in 0..700 {
            let _ = writeln!(
                text,
                "trc_svc{family}_requests_total{{method=\"m{}\",path_template=\"/v1/p{}\",status=\"{}\"}} {series}",
                series % 4,
                series % 25,
                200 + series % 7
            );
        }
    }
    // And a pathological one: families of one sample each.
    let mut tiny = String::new();
    for i in 0..300_000 {
        let _ = write!(tiny, "# HELP trc_family_{i} F.\n# TYPE trc_family_{i} gauge\ntrc_family_{i} {i}\n");
    }
    // Memory beyond the input itself, which the caller holds.
    for (name, text, bound) in [("realistic", &text, 0.5), ("one-sample families", &tiny, 3.0)] {
        let options = Options::default();
        let (families, used) = tests::alloc::measure(|| {
            let mut checker = Checker::new(&options);
            let families = exposition::parse_each(text, Format::Prometheus, |f| checker.family(&f)).unwrap();
            assert!(checker.finish().is_empty());
            families
        });
        let ratio = used.peak_bytes as f64 / text.len() as f64;
        eprintln!(
            "{name}: {} bytes, {families} families, {} bytes at the peak besides the input: {ratio:.2}x the input",
            text.len(),
            used.peak_bytes
        );
        assert!(ratio < bound, "{name}: checking took {ratio:.2}x the input in memory, more than {bound}x");
    }
}

#[test]
fn a_huge_bad_line_gives_a_short_error() {
    let dir = tests::TempDir::new("limits-line");
    let name = "a".repeat(10_000_000);
    let file = write(dir.path(), "bad.prom", &format!("# TYPE trc_x gauge\ntrc_x 1\n{name}{{le=\"1\" 2\n"));
    let (status, _, err) = run(&["check", &file], Duration::from_mins(1));
    assert_eq!(status, catalog::cli::BAD_INPUT);
    let first = err.lines().next().unwrap();
    assert!(first.len() < 1200, "a {}-byte error", first.len());
    assert!(first.starts_with(&format!("{file}:3:")), "{first}");
    // A valid but absurdly long name: the findings quote an excerpt too.
    let file = write(dir.path(), "long.prom", &format!("{name}_ms 1\n"));
    let (status, out, _) = run(&["check", &file], Duration::from_mins(1));
    assert_eq!(status, catalog::cli::VIOLATIONS);
    assert!(out.len() < 20_000, "{} bytes of findings", out.len());
    assert!(out.contains("characters)"), "{}", &out[..out.len().min(2000)]);
}

#[test]
fn a_server_that_never_answers_or_dribbles_is_given_up() {
    // Accepts, reads the request, and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/metrics", silent.local_addr().unwrap());
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
        }
    });
    // Answers one byte a second, forever.
    let dribble = TcpListener::bind("127.0.0.1:0").unwrap();
    let dribble_url = format!("http://{}/metrics", dribble.local_addr().unwrap());
    thread::spawn(move || {
        for mut stream in dribble.incoming().flatten() {
            thread::spawn(move || {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n";
                if stream.write_all(head).is_err() {
                    return;
                }
                while stream.write_all(b"#").is_ok() {
                    thread::sleep(Duration::from_secs(1));
                }
            });
        }
    });
    for url in [&silent_url, &dribble_url] {
        let (status, _, err) = run(&["check", "--timeout", "2", "--connect-timeout", "2", url], Duration::from_mins(1));
        assert_eq!(status, catalog::cli::BAD_INPUT, "{url}: {err}");
        let named = err.contains(&format!("cannot fetch {url}")) || err.contains(&format!("cannot read {url}"));
        assert!(named && err.to_lowercase().contains("timeout"), "{url}: {err}");
    }
    let (status, _, err) = run(&["check", "--timeout", "0", &silent_url], Duration::from_mins(1));
    assert_eq!(status, catalog::cli::BAD_INPUT);
    assert!(err.contains("`--timeout` takes a number of seconds"), "{err}");
}
