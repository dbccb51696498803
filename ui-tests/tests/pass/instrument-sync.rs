//! `#[instrument_metric]` on every synchronous form of function: free,
//! returning a `Result` through an alias, with early `return` and `?`,
//! methods taking `&self`, `&mut self` and `self`, associated, generic (type
//! and lifetime parameters, `where` clause), in a trait impl, a trait's
//! default method, `unsafe fn`, `pub(crate)`, with other attributes kept.

use metricate::instrument_metric;

fn calls(name: &str, result: &str) -> f64 {
    let registry = metricate::global().expect("the global registry builds");
    registry.series(name, &[("result", result)]).map_or(0.0, |s| s.value().as_f64())
}

#[derive(Debug, PartialEq)]
struct ParseError;

type ParseResult<T> = Result<T, ParseError>;

/// Adds one.
#[instrument_metric(subsystem = "ui")]
fn increment(x: u32) -> u32 {
    x + 1
}

/// Parses a port, returning early on empty input.
#[instrument_metric(subsystem = "ui")]
fn parse_port(text: &str) -> ParseResult<u16> {
    if text.is_empty() {
        return Err(ParseError);
    }
    let port = text.parse::<u16>().map_err(|_| ParseError)?;
    Ok(port)
}

struct Counter {
    hits: u64,
    name: String,
}

impl Counter {
    /// Creates a counter.
    #[instrument_metric(subsystem = "ui")]
    fn create(name: &str) -> Counter {
        Counter { hits: 0, name: name.to_owned() }
    }

    /// Reads the hits.
    #[instrument_metric(subsystem = "ui")]
    fn hits(&self) -> u64 {
        self.hits
    }

    /// Borrows the hits mutably.
    #[instrument_metric(subsystem = "ui")]
    fn hits_mut(&mut self) -> &mut u64 {
        &mut self.hits
    }

    /// Consumes the counter, returning its name.
    #[instrument_metric(subsystem = "ui")]
    fn into_name(self) -> String {
        self.name
    }
}

/// Finds the longest string, ignoring the ones that equal `skip`.
#[instrument_metric(subsystem = "ui")]
fn longest<'a, I, S>(items: I, skip: &S) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
    S: AsRef<str> + ?Sized,
{
    items.into_iter().filter(|s| *s != skip.as_ref()).max_by_key(|s| s.len())
}

trait Area {
    fn area(&self) -> f64;

    /// Twice the area: a default method with a body.
    #[instrument_metric(subsystem = "ui")]
    fn double_area(&self) -> f64 {
        2.0 * self.area()
    }
}

struct Square(f64);

impl Area for Square {
    /// The area of a square.
    #[instrument_metric(subsystem = "ui", name = "square_area")]
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}

/// Reads through a raw pointer.
///
/// # Safety
/// `ptr` must be valid for reads.
#[instrument_metric(subsystem = "ui")]
unsafe fn read_raw(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid.
    unsafe { *ptr }
}

mod inner {
    use metricate::instrument_metric;

    /// Visible in the crate only; inlined, and its result must be used.
    #[inline]
    #[must_use]
    #[instrument_metric(subsystem = "ui")]
    pub(crate) fn crate_visible(x: i64) -> i64 {
        -x
    }
}

/// Has other attributes after the instrumenting one.
#[instrument_metric(subsystem = "ui")]
#[allow(clippy::needless_return)]
#[cold]
fn attributed() -> u8 {
    return 3;
}

fn main() {
    assert_eq!(increment(1), 2);
    assert_eq!(calls("trc_ui_increment_total", "ok"), 1.0);

    assert_eq!(parse_port("8080"), Ok(8080));
    assert_eq!(parse_port(""), Err(ParseError));
    assert_eq!(parse_port("http"), Err(ParseError));
    assert_eq!(calls("trc_ui_parse_port_total", "ok"), 1.0);
    assert_eq!(calls("trc_ui_parse_port_total", "error"), 2.0);

    let mut counter = Counter::create("c");
    *counter.hits_mut() += 5;
    assert_eq!(counter.hits(), 5);
    assert_eq!(counter.into_name(), "c");
    for name in ["create", "hits", "hits_mut", "into_name"] {
        assert_eq!(calls(&format!("trc_ui_{name}_total"), "ok"), 1.0, "{name}");
    }

    assert_eq!(longest(["a", "abc", "ab"], "abc"), Some("ab"));
    assert_eq!(longest(vec!["xyz"], &String::from("q")), Some("xyz"));
    assert_eq!(calls("trc_ui_longest_total", "ok"), 2.0, "one metric for all instantiations");

    let square = Square(3.0);
    assert_eq!(square.double_area(), 18.0);
    assert_eq!(calls("trc_ui_double_area_total", "ok"), 1.0);
    assert_eq!(calls("trc_ui_square_area_total", "ok"), 1.0);

    let value = 7;
    // SAFETY: `value` is a live local.
    assert_eq!(unsafe { read_raw(&raw const value) }, 7);
    assert_eq!(calls("trc_ui_read_raw_total", "ok"), 1.0);

    assert_eq!(inner::crate_visible(4), -4);
    assert_eq!(calls("trc_ui_crate_visible_total", "ok"), 1.0);

    assert_eq!(attributed(), 3);
    assert_eq!(calls("trc_ui_attributed_total", "ok"), 1.0);

    // The help text is the doc comment.
    let registry = metricate::global().unwrap();
    let descriptor = registry.get("trc_ui_increment_total").unwrap().descriptor;
    assert_eq!(descriptor.help, "Calls of `increment`, by result. Adds one.");
}
