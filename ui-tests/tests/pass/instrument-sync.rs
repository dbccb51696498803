//! `#[instrument_metric]` on every synchronous form of function: free,
//! returning a `Result` through an alias, with early `return` and `?`,
//! methods taking `&self`, `&mut self` and `self`, associated, generic (type
//! and lifetime parameters, `where` clause), in a trait impl, a trait's
//! default method, `unsafe fn`, `pub(crate)`, with other attributes kept.

use metricate::instrument_metric;

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
    increment(1);
    for text in ["8080", "", "http"] {
        let _ = parse_port(text);
    }

    let mut counter = Counter::create("c");
    *counter.hits_mut() += 5;
    counter.hits();
    counter.into_name();

    longest(["a", "abc", "ab"], "abc");
    longest(vec!["xyz"], &String::from("q"));

    Square(3.0).double_area();

    let value = 7;
    // SAFETY: `value` is a live local.
    unsafe { read_raw(&raw const value) };

    let _ = inner::crate_visible(4);

    attributed();
}
