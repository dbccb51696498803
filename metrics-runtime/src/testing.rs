//! Helpers for tests that read metrics.
//!
//! With the feature `test-scope` (meant for `[dev-dependencies]`), a
//! [`Scope`] gives each test fresh instances of every metrics struct, so
//! that tests running in parallel count only their own calls, without
//! passing metrics around as parameters:
//!
//! ```toml
//! [dev-dependencies]
//! metricate = { version = "0.1", features = ["test-scope"] }
//! ```
//!
//! Without the feature, `Struct::global()` is the address of its `static`,
//! compiled exactly as before; with it, `global()` reads a thread-local
//! first. Cargo enables a dev-dependency's features only for the targets
//! that use them (tests, benches, examples), so a release build of the
//! program does not carry it.

#[cfg(feature = "test-scope")]
mod scope;

#[cfg(feature = "test-scope")]
#[doc(hidden)]
pub use scope::__scoped;
#[cfg(feature = "test-scope")]
pub use scope::{Scope, ScopeGuard, Scoped, scope};

/// `Struct::global()` of a `#[derive(Metrics)]` struct: the address of its
/// `static`. Not public API. Used by generated code.
#[cfg(not(feature = "test-scope"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __metricate_global {
    ($global:ident, $ty:ty) => {
        &$global
    };
}

/// `Struct::global()` of a `#[derive(Metrics)]` struct: the current scope's
/// instance, or the address of its `static` outside a scope. Not public API.
/// Used by generated code.
#[cfg(feature = "test-scope")]
#[doc(hidden)]
#[macro_export]
macro_rules! __metricate_global {
    ($global:ident, $ty:ty) => {
        $crate::testing::__scoped::<$ty>(&$global, <$ty>::new_unregistered)
    };
}
