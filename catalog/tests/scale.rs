//! `catalog check` at scale: a sample with 200,000 labels and an exposition
//! of 1,000,000 families each finish well within a liveness bound (the
//! linter is linear), and the memory it needs stays a small multiple of the
//! input, measured by a global allocator that counts live bytes. A huge bad
//! line gives an error that quotes a short excerpt, with line and column.
//!
//! The bounds are liveness bounds, ten times what a debug build takes here,
//! not timings; the memory bounds are ratios to the input's size. The tests
//! of this binary run one at a time, since the allocator counts the whole
//! process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufWriter, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use metricate_catalog::cli::{BAD_INPUT, CLEAN, VIOLATIONS, run};
use metricate_catalog::exposition::{Format, parse};

/// Counts the bytes allocated and not yet freed, and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrink(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: delegates every call to the system allocator unchanged; it only
// counts the sizes.
#[allow(unsafe_code, reason = "a global allocator is an unsafe trait; this one only counts and delegates")]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on unchanged.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            grow(new_size);
            shrink(layout.size());
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time: the allocator counts the whole process.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `f` on a thread of its own and returns its result and the peak of
/// the bytes allocated meanwhile beyond those live before; fails if it
/// takes longer than `bound` (a liveness bound, not a timing).
fn measured<T: Send + 'static>(what: &str, bound: Duration, f: impl FnOnce() -> T + Send + 'static) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    let result = receive.recv_timeout(bound).unwrap_or_else(|_| panic!("{what}: not done within {bound:?}"));
    (result, PEAK.load(Ordering::Relaxed) - before)
}

/// `catalog check ARGS...`: (status, stdout, stderr).
fn check(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = std::iter::once("check").chain(args.iter().copied()).map(str::to_owned).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(&args, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// A scratch directory under the target directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("catalog-scale-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes the file `name` with `write`, and returns its path and size.
    fn file(&self, name: &str, write: impl FnOnce(&mut dyn std::io::Write)) -> (String, usize) {
        let path = self.0.join(name);
        let mut file = BufWriter::new(std::fs::File::create(&path).unwrap());
        write(&mut file);
        file.flush().unwrap();
        drop(file);
        let size = std::fs::metadata(&path).unwrap().len();
        (path.display().to_string(), usize::try_from(size).unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ratio(peak: usize, input: usize) -> f64 {
    peak as f64 / input as f64
}

#[test]
fn a_sample_with_200000_labels() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scratch = Scratch::new("labels");
    let (path, size) = scratch.file("wide.prom", |out| {
        write!(out, "# HELP trc_wide Wide.\n# TYPE trc_wide gauge\ntrc_wide{{").unwrap();
        for i in 0..200_000 {
            write!(out, "{}l{i}=\"v\"", if i == 0 { "" } else { "," }).unwrap();
        }
        writeln!(out, "}} 1").unwrap();
    });
    // A debug build takes about 1 s; the quadratic search took minutes.
    let ((status, out, err), peak) =
        measured("200,000 labels", Duration::from_secs(20), move || check(&["--format", "json", &path]));
    assert_eq!(status, VIOLATIONS, "{out}{err}");
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> =
        document["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["L5"], "only too many labels: {out}");
    // The labels of one line are lexed and kept together while it is read.
    assert!(ratio(peak, size) < 16.0, "peak {peak} bytes for {size} bytes of input");
    eprintln!("200,000 labels: {size} bytes in, peak {peak} bytes ({:.2}x)", ratio(peak, size));
}

#[test]
fn a_million_families() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scratch = Scratch::new("families");
    // The OpenMetrics exposition of a million counters: 68 MB, which took
    // the linter about 1 GB before.
    let (path, size) = scratch.file("families.om", |out| {
        for i in 0..1_000_000 {
            write!(out, "# TYPE trc_m{i} counter\n# HELP trc_m{i} H.\ntrc_m{i}_total {i}\n").unwrap();
        }
        writeln!(out, "# EOF").unwrap();
    });
    // A debug build takes about 20 s.
    let ((status, out, err), peak) = measured("1,000,000 families", Duration::from_secs(200), move || check(&[&path]));
    assert_eq!(status, CLEAN, "{err}");
    assert!(out.ends_with(": 1000000 families, no violations\n"), "{out}");
    // The input itself is one of these.
    assert!(ratio(peak, size) < 4.0, "peak {peak} bytes for {size} bytes of input ({:.2}x)", ratio(peak, size));
    eprintln!("1,000,000 families: {size} bytes in, peak {peak} bytes ({:.2}x)", ratio(peak, size));
}

/// A realistic exposition: labelled counters and histograms over many
/// families.
fn realistic(out: &mut dyn std::io::Write, families: usize) {
    let bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
    for family in 0..families {
        let name = format!("trc_http{family}");
        write!(out, "# HELP {name}_requests_total Requests handled.\n# TYPE {name}_requests_total counter\n").unwrap();
        for method in ["get", "post", "put", "delete"] {
            for status in ["200", "404", "500"] {
                for route in 0..10 {
                    writeln!(
                        out,
                        "{name}_requests_total{{method=\"{method}\",status=\"{status}\",route=\"r{route}\"}} 7"
                    )
                    .unwrap();
                }
            }
        }
        write!(out, "# HELP {name}_duration_seconds Latency.\n# TYPE {name}_duration_seconds histogram\n").unwrap();
        for method in ["get", "post", "put", "delete"] {
            for route in 0..10 {
                let labels = format!("method=\"{method}\",route=\"r{route}\"");
                for (count, le) in bounds.iter().enumerate() {
                    writeln!(out, "{name}_duration_seconds_bucket{{{labels},le=\"{le}\"}} {count}").unwrap();
                }
                writeln!(out, "{name}_duration_seconds_sum{{{labels}}} 1.5").unwrap();
                writeln!(out, "{name}_duration_seconds_count{{{labels}}} 11").unwrap();
            }
        }
    }
}

#[test]
fn memory_is_a_small_multiple_of_the_input() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scratch = Scratch::new("memory");
    let (path, size) = scratch.file("realistic.prom", |out| realistic(out, 200));
    let ((status, out, err), peak) =
        measured("a realistic exposition", Duration::from_secs(30), move || check(&["--namespace", "trc", &path]));
    assert_eq!(status, CLEAN, "{out}{err}");
    assert!(out.ends_with(": 400 families, no violations\n"), "{out}");
    // The text read, and little beside it.
    assert!(ratio(peak, size) < 2.0, "peak {peak} bytes for {size} bytes of input ({:.2}x)", ratio(peak, size));
    eprintln!("realistic: {size} bytes in, peak {peak} bytes ({:.2}x)", ratio(peak, size));
}

/// The error of `text` in `format`, and of `catalog check` on it.
fn error_of(scratch: &Scratch, text: &str, format: Format) -> (metricate_catalog::exposition::ParseError, String) {
    let error = parse(text, format).unwrap_err();
    let (path, _) = scratch.file("bad.txt", |out| out.write_all(text.as_bytes()).unwrap());
    let args: &[&str] = if format == Format::OpenMetrics { &["--openmetrics", &path] } else { &[&path] };
    let (status, _, err) = check(args);
    assert_eq!(status, BAD_INPUT, "{err}");
    (error, err)
}

#[test]
fn an_error_on_a_huge_line_quotes_a_short_excerpt() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scratch = Scratch::new("excerpt");
    let huge = "x".repeat(10_000_000);
    // A number of ten million characters: 0.000…01.
    let digits = format!("0.{}1", "0".repeat(10_000_000));
    let long_name = format!("trc_{huge}");
    // The text, its format, the error's line and column, and whether the
    // message quotes the long token.
    let cases: Vec<(String, Format, usize, usize, bool)> = vec![
        // A value that is not a number.
        (format!("# TYPE trc_a gauge\ntrc_a {huge}\n"), Format::Prometheus, 2, 7, true),
        // A metric name that goes on with an invalid character.
        (format!("{long_name}-x 1\n"), Format::Prometheus, 1, long_name.len() + 1, true),
        // A label value with a bad escape at its end.
        (format!("trc_b{{path=\"{huge}\\t\"}} 1\n"), Format::Prometheus, 1, 13 + huge.len(), false),
        // The same series twice: the series is named in the message.
        (format!("trc_c{{path=\"{huge}\"}} 1\ntrc_c{{path=\"{huge}\"}} 2\n"), Format::Prometheus, 2, 1, true),
        // A bucket bound of ten million digits, then a bound not above it.
        (
            format!(
                "# TYPE trc_d histogram\ntrc_d_bucket{{le=\"{digits}\"}} 1\ntrc_d_bucket{{le=\"0\"}} 1\n\
                 trc_d_bucket{{le=\"+Inf\"}} 1\n"
            ),
            Format::Prometheus,
            3,
            18,
            true,
        ),
        // An unknown type word.
        (format!("# TYPE trc_e {huge}\n# EOF\n"), Format::OpenMetrics, 1, 14, true),
    ];
    for (text, format, line, column, cut) in cases {
        let (error, stderr) = error_of(&scratch, &text, format);
        let shown = error.to_string();
        assert_eq!((error.line, error.column), (line, column), "{shown}");
        assert!(shown.starts_with(&format!("line {line}, column {column}: ")), "{shown}");
        assert!(shown.chars().count() < 400, "{} characters: {}", shown.len(), &shown[..400]);
        assert_eq!(shown.contains('…'), cut, "the long token is cut: {shown}");
        assert!(stderr.len() < 600, "{} bytes on stderr", stderr.len());
        assert!(stderr.contains(&format!(":{line}:{column}: not valid ")), "{stderr}");
    }
}

#[test]
fn findings_on_a_huge_valid_name_quote_a_short_excerpt() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scratch = Scratch::new("finding");
    // A valid name of ten million characters, breaking N4 (`_ms`) and N7.
    let name = format!("trc_{}_ms", "a".repeat(10_000_000));
    let (path, size) = scratch.file("long.prom", |out| writeln!(out, "{name} 1").unwrap());
    let (status, out, _) = check(&[&path]);
    assert_eq!(status, metricate_catalog::cli::VIOLATIONS);
    assert!(out.len() < size / 100, "{} bytes of findings for a {size}-byte input", out.len());
    assert!(out.contains("characters)"), "{}", &out[..out.len().min(2000)]);
}
