//! Scoped metrics for tests (feature `test-scope`): inside a [`Scope`],
//! every `Struct::global()` of a `#[derive(Metrics)]` struct returns an
//! instance of that scope's own, made fresh on first use, so that tests
//! running in parallel in one process count only their own calls.
//!
//! Without the feature none of this is compiled and `global()` is the
//! address of the `static` it always was; with it, `global()` first looks at
//! a thread-local: one load and a branch outside a scope.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use crate::metric::MetricGroup;
use crate::registry::{Registry, RegistryError};

std::thread_local! {
    /// The scope this thread is in, if any.
    static CURRENT: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// One struct's instance in a scope.
struct Instance {
    id: TypeId,
    value: &'static (dyn Any + Sync),
    group: &'static dyn MetricGroup,
}

/// A set of fresh metric instances: inside it (on a thread that entered it),
/// `Struct::global()` returns the scope's instance of `Struct` instead of the
/// registered `static`, making it with `Struct::new_unregistered()` the first
/// time. Cloning a `Scope` gives another handle to the same instances.
///
/// **Isolated**, on every thread that is in the scope: every
/// `#[derive(Metrics)]` struct's `global()`, and so the metrics that
/// `#[instrument_metric]` declares, the `duration = ..`/`count = ..` targets
/// it reaches through `global()`, and the runtime's own `metrics_export_*`
/// metrics. The scope's instances start at zero.
///
/// **Not isolated:**
/// - threads and tasks started inside the scope, unless they enter it: a
///   scope is a thread-local. Pass the work through [`Scope::bind`] (any
///   thread spawner) or wrap a future with [`Scope::wrap`] (any executor);
///   on a current-thread runtime driven from inside the scope, tasks are in
///   it already;
/// - [`metricate::global()`](crate::global), and so the encoders, the HTTP
///   server and [`docs`](crate::docs) reading it: they show the registered
///   `static`s. Encode the scope's instances through [`Scope::registry`];
/// - references taken from `global()` outside the scope and kept (in a
///   variable, a struct, a `LazyLock`): they point at the `static`;
/// - values of capped labels, interned process-wide;
/// - metrics registered by hand with [`Registry::register`].
///
/// The instances are never freed, because the references `global()` handed
/// out are `'static`: per struct and scope, 8 bytes per counter or gauge
/// series and about 200 per histogram series.
///
/// ```
/// use metricate::testing::Scope;
/// use metricate::{Counter, Metrics};
///
/// /// The mailer.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "mail")]
/// struct Mail {
///     /// Mails sent.
///     sent_total: Counter,
/// }
///
/// fn send() {
///     Mail::global().sent_total.inc();
/// }
///
/// let scope = Scope::new();
/// scope.in_scope(|| {
///     send();
///     send();
///     assert_eq!(Mail::global().sent_total.get(), 2);
/// });
/// // Another scope starts from zero; the registered static saw nothing.
/// metricate::testing::scope(|| assert_eq!(Mail::global().sent_total.get(), 0));
/// assert_eq!(Mail::global().sent_total.get(), 0);
/// // A thread spawned inside a scope enters it through `bind`.
/// scope.in_scope(|| {
///     let scope = Scope::current().unwrap();
///     std::thread::spawn(scope.bind(send)).join().unwrap();
///     assert_eq!(Mail::global().sent_total.get(), 3);
/// });
/// ```
#[derive(Clone, Default)]
pub struct Scope {
    instances: Arc<Mutex<Vec<Instance>>>,
}

impl Scope {
    /// A scope with no instances yet.
    pub fn new() -> Scope {
        Scope::default()
    }

    /// The scope this thread is in, if any.
    pub fn current() -> Option<Scope> {
        CURRENT.try_with(|current| current.borrow().clone()).ok().flatten()
    }

    /// Enters the scope on this thread until the guard is dropped; the scope
    /// the thread was in before (if any) is restored then. Guards are
    /// dropped in the reverse order of `enter`.
    pub fn enter(&self) -> ScopeGuard {
        let previous = CURRENT.with(|current| current.replace(Some(self.clone())));
        ScopeGuard { previous, not_send: PhantomData }
    }

    /// Runs `f` in the scope on this thread.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.enter();
        f()
    }

    /// `f`, made to run in this scope on whatever thread calls it: for
    /// `std::thread::spawn(scope.bind(f))`, `std::thread::scope`, thread
    /// pools.
    pub fn bind<R, F: FnOnce() -> R>(&self, f: F) -> impl FnOnce() -> R + use<R, F> {
        let scope = self.clone();
        move || scope.in_scope(f)
    }

    /// `future`, polled in this scope on whatever thread polls it: for tasks
    /// of a multi-threaded runtime (`tokio::spawn(scope.wrap(task))`).
    pub fn wrap<F: Future>(&self, future: F) -> Scoped<F> {
        Scoped { inner: future, scope: self.clone() }
    }

    /// A registry of the instances this scope has made so far (the structs
    /// whose `global()` was called in it), for encoding them as a scrape of
    /// the scope would show them.
    pub fn registry(&self) -> Result<Registry<'static>, RegistryError> {
        let mut registry = Registry::new();
        let mut collisions = Vec::new();
        for instance in self.lock().iter() {
            if let Err(mut error) = registry.register_group(instance.group) {
                collisions.append(&mut error.collisions);
            }
        }
        if collisions.is_empty() {
            Ok(registry)
        } else {
            Err(RegistryError { collisions, label_conflicts: Vec::new(), versions: Vec::new() })
        }
    }

    /// The groups of the instances made so far.
    pub(crate) fn groups(&self) -> Vec<&'static dyn MetricGroup> {
        self.lock().iter().map(|instance| instance.group).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Instance>> {
        self.instances.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This scope's instance of `T`, made with `new` on first use.
    fn instance<T: MetricGroup + 'static>(&self, new: fn() -> T) -> &'static T {
        let id = TypeId::of::<T>();
        let mut instances = self.lock();
        let found = instances.iter().find(|i| i.id == id).map(|i| -> &'static dyn Any { i.value });
        if let Some(value) = found.and_then(<dyn Any>::downcast_ref::<T>) {
            return value;
        }
        // Leaked: `global()` hands out `'static` references.
        let made: &'static T = Box::leak(Box::new(new()));
        instances.push(Instance { id, value: made, group: made });
        made
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").field("instances", &self.lock().len()).finish()
    }
}

/// Runs `f` in a new [`Scope`]: every `Struct::global()` it calls (on this
/// thread) starts from zero and is seen by nothing outside.
///
/// ```
/// use metricate::{Counter, Metrics};
///
/// /// The mailer.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "mailer")]
/// struct Mailer {
///     /// Mails sent.
///     sent_total: Counter,
/// }
///
/// let sent = metricate::testing::scope(|| {
///     Mailer::global().sent_total.inc();
///     Mailer::global().sent_total.get()
/// });
/// assert_eq!(sent, 1);
/// ```
pub fn scope<R>(f: impl FnOnce() -> R) -> R {
    Scope::new().in_scope(f)
}

/// Keeps a thread in a [`Scope`] (from [`Scope::enter`]) until dropped. It
/// stays on the thread that made it.
#[must_use = "the thread leaves the scope when the guard is dropped"]
pub struct ScopeGuard {
    previous: Option<Scope>,
    not_send: PhantomData<*const ()>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // During thread teardown the thread-local may be gone: nothing to restore.
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

impl std::fmt::Debug for ScopeGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeGuard").finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// A future polled in a [`Scope`] (from [`Scope::wrap`]).
    pub struct Scoped<F> {
        #[pin]
        inner: F,
        scope: Scope,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _guard = this.scope.enter();
        this.inner.poll(cx)
    }
}

impl<F> std::fmt::Debug for Scoped<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scoped").field("scope", &self.scope).finish_non_exhaustive()
    }
}

/// `Struct::global()` with the feature: the scope's instance inside a scope,
/// the registered `static` outside. Not public API. Used by generated code.
#[doc(hidden)]
#[inline]
pub fn __scoped<T: MetricGroup + 'static>(global: &'static T, new: fn() -> T) -> &'static T {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(|scope| scope.instance(new)))
        .ok()
        .flatten()
        .unwrap_or(global)
}
