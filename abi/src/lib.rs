//! The registry every version of the metricate runtime in a program shares.
//!
//! Each runtime version submits one [`Runtime`]: its version, the names it
//! exposes, and a function that writes its metrics. Whichever version serves
//! a scrape writes its own metrics, then those of every other [`runtimes`]
//! entry, so that the scrape has every metric of the program; a name that
//! two versions both expose is an error of the serving registry, naming both
//! versions. Programs do not use this crate directly.
//!
//! ```
//! use metricate_abi::{Format, Runtime};
//!
//! fn names() -> Vec<(String, String)> {
//!     vec![("app_jobs_total".to_owned(), "src/jobs.rs:12:5".to_owned())]
//! }
//! fn write(format: Format, out: &mut Vec<u8>) {
//!     if format == Format::Prometheus {
//!         out.extend_from_slice(b"# TYPE app_jobs_total counter\napp_jobs_total 3\n");
//!     }
//! }
//! static MARKER: u8 = 0;
//! metricate_abi::submit!(Runtime::new("9.9.9", &MARKER, names, write));
//!
//! let runtime = metricate_abi::runtimes().find(|r| r.version() == "9.9.9").unwrap();
//! assert!(runtime.is(&MARKER));
//! let mut out = Vec::new();
//! runtime.write(Format::Prometheus, &mut out);
//! assert_eq!(out, b"# TYPE app_jobs_total counter\napp_jobs_total 3\n");
//! assert_eq!(runtime.exposed_names()[0].0, "app_jobs_total");
//! ```
//!
//! # Stability
//!
//! Every version of this crate is 1.x: items are only ever added. The
//! runtime versions it joins agree on nothing else, so what crosses between
//! them is plain data (strings, bytes) and function pointers.
#![deny(missing_docs)]

/// An exposition format, as the serving runtime asks the others for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0.0 text, without the final `# EOF`: the serving
    /// runtime writes that once, after every runtime's families.
    OpenMetrics,
}

/// One runtime version of the program, as it submits itself.
#[derive(Debug)]
pub struct Runtime {
    version: &'static str,
    marker: &'static u8,
    exposed_names: fn() -> Vec<(String, String)>,
    write: fn(Format, &mut Vec<u8>),
}

impl Runtime {
    /// A runtime at `version` (its crate's version), known by the address
    /// of its own `marker` static; `exposed_names` lists every name its
    /// metrics expose, with where each metric is declared (`file:line:col`);
    /// `write` appends its metrics in a format to a buffer. Neither lists nor
    /// writes the runtime's own metrics about itself (`metrics_export_*`,
    /// `process_*`), which the serving runtime writes of its own.
    pub const fn new(
        version: &'static str,
        marker: &'static u8,
        exposed_names: fn() -> Vec<(String, String)>,
        write: fn(Format, &mut Vec<u8>),
    ) -> Runtime {
        Runtime { version, marker, exposed_names, write }
    }

    /// The runtime crate's version.
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// Whether this is the runtime whose marker is `marker`: how a runtime
    /// finds itself among [`runtimes`].
    pub fn is(&self, marker: &'static u8) -> bool {
        std::ptr::eq(self.marker, marker)
    }

    /// Every name its metrics expose, with where each is declared.
    pub fn exposed_names(&self) -> Vec<(String, String)> {
        (self.exposed_names)()
    }

    /// Appends its metrics in `format` to `out`.
    pub fn write(&self, format: Format, out: &mut Vec<u8>) {
        (self.write)(format, out);
    }
}

inventory::collect!(Runtime);

/// Every runtime version of the program that submitted itself.
pub fn runtimes() -> impl Iterator<Item = &'static Runtime> {
    inventory::iter::<Runtime>.into_iter()
}

#[doc(hidden)]
pub use inventory as __inventory;

/// Submits a [`Runtime`] (a constant expression) at link time.
#[macro_export]
macro_rules! submit {
    ($runtime:expr) => {
        $crate::__inventory::submit! { $runtime }
    };
}
