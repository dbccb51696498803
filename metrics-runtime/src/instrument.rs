//! What [`#[instrument_metric]`](crate::instrument_metric) records with: how a
//! call ended ([`Outcome`]), how a return value is classified ([`Classify`]),
//! how an error names its reason ([`ErrorReason`]), and the metrics a call
//! records into ([`DurationMetric`], [`CountMetric`]).
//!
//! The attribute keeps the function's signature. It starts a clock when the
//! call starts (for an `async fn`, when its future is first polled; for a
//! function returning `impl Future`, when it is called) and records when the
//! call ends:
//!
//! | how the call ends | `result` |
//! |---|---|
//! | returns a value that [`Classify`] calls an error (`Err(_)` of a `Result`) | `error` |
//! | returns any other value | `ok` |
//! | unwinds (panics) | `panic` |
//! | its future is dropped before it completes | `cancelled` |
//!
//! The metrics the attribute declares are labeled [`ByOutcome`] for an
//! `async fn` or a function returning `impl Future`, and [`BySyncOutcome`]
//! (no `cancelled`, which a synchronous call cannot end with) for any other
//! function.
//!
//! Nothing is allocated per call and no future is boxed: a call costs two
//! reads of the monotonic clock and the record path of its metrics.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::{Counter, Family, Histogram, LabelSet, LabelValue};

/// How an instrumented call ended: the values of its `result` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
pub enum Outcome {
    /// It returned a value that is not an error.
    Ok,
    /// It returned an error (`Err(_)`, or what [`Classify`] calls one).
    Error,
    /// It unwound.
    Panic,
    /// Its future was dropped before it completed.
    Cancelled,
}

/// The label set `{result}` of the metrics the attribute declares for an
/// `async fn` or a function returning `impl Future`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelSet)]
pub struct ByOutcome {
    /// How the call ended.
    pub result: Outcome,
}

impl ByOutcome {
    /// `{result="ok"}`.
    pub const OK: ByOutcome = ByOutcome { result: Outcome::Ok };
    /// `{result="error"}`.
    pub const ERROR: ByOutcome = ByOutcome { result: Outcome::Error };
    /// `{result="panic"}`.
    pub const PANIC: ByOutcome = ByOutcome { result: Outcome::Panic };
    /// `{result="cancelled"}`.
    pub const CANCELLED: ByOutcome = ByOutcome { result: Outcome::Cancelled };
}

/// How a synchronous instrumented call ended: the values of its `result`
/// label. A synchronous call runs to its end or unwinds; only a future can
/// be dropped before it completes, so there is no `cancelled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
pub enum SyncOutcome {
    /// It returned a value that is not an error.
    Ok,
    /// It returned an error (`Err(_)`, or what [`Classify`] calls one).
    Error,
    /// It unwound.
    Panic,
}

/// [`Outcome::Cancelled`], which never ends a synchronous call (only a
/// `classify` function could return it), counts as an error.
impl From<Outcome> for SyncOutcome {
    #[inline]
    fn from(outcome: Outcome) -> SyncOutcome {
        match outcome {
            Outcome::Ok => SyncOutcome::Ok,
            Outcome::Error | Outcome::Cancelled => SyncOutcome::Error,
            Outcome::Panic => SyncOutcome::Panic,
        }
    }
}

/// The label set `{result}` of the metrics the attribute declares for a
/// synchronous function: `ok`, `error` or `panic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelSet)]
pub struct BySyncOutcome {
    /// How the call ended.
    pub result: SyncOutcome,
}

impl BySyncOutcome {
    /// `{result="ok"}`.
    pub const OK: BySyncOutcome = BySyncOutcome { result: SyncOutcome::Ok };
    /// `{result="error"}`.
    pub const ERROR: BySyncOutcome = BySyncOutcome { result: SyncOutcome::Error };
    /// `{result="panic"}`.
    pub const PANIC: BySyncOutcome = BySyncOutcome { result: SyncOutcome::Panic };
}

/// Says whether a return value is an error. Implemented for `Result`
/// (`Err(_)` is an error); return types that do not implement it are always
/// `ok`. Implement it for a return type of your own whose values can be
/// errors, or name a function with `classify = ..` on the attribute.
pub trait Classify {
    /// [`Outcome::Ok`] or [`Outcome::Error`].
    fn outcome(&self) -> Outcome;
}

impl<T, E> Classify for Result<T, E> {
    #[inline]
    fn outcome(&self) -> Outcome {
        if self.is_ok() { Outcome::Ok } else { Outcome::Error }
    }
}

/// The error of a return value, for `reason = ..`: implemented for `Result`.
#[diagnostic::on_unimplemented(
    message = "`reason = ..` needs a function that returns a `Result`, not `{Self}`",
    note = "the reason label is read from the `Err` value of the result"
)]
pub trait HasError {
    /// The error type.
    type Error;
    /// The error, if the value is one.
    fn error(&self) -> Option<&Self::Error>;
}

impl<T, E> HasError for Result<T, E> {
    type Error = E;
    #[inline]
    fn error(&self) -> Option<&E> {
        self.as_ref().err()
    }
}

/// Maps an error to a value of the reason label `R` of `reason = R`.
///
/// Usually not needed: an error enum that derives
/// [`LabelValue`](derive@crate::LabelValue) is its own reason, one value per
/// variant, its fields ignored (`reason = MyError`). Implement this trait to
/// label an error type by another enum, e.g. one whose values group
/// several variants, or for an error type that is not an enum.
///
/// ```
/// use metricate::LabelValue;
/// use metricate::instrument::ErrorReason;
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Transient { Yes, No }
///
/// enum FetchError { Timeout(u64), Refused, NotFound(String) }
///
/// impl ErrorReason<Transient> for FetchError {
///     fn reason(&self) -> Transient {
///         match self {
///             FetchError::Timeout(_) | FetchError::Refused => Transient::Yes,
///             FetchError::NotFound(_) => Transient::No,
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no reason of type `{R}`",
    note = "`reason = {R}` labels each error with a value of `{R}`: write `reason = {Self}` with `#[derive(LabelValue)]` on `{Self}` (one value per variant, fields ignored), or implement `ErrorReason<{R}>` for `{Self}`"
)]
pub trait ErrorReason<R> {
    /// The label value for this error.
    fn reason(&self) -> R;
}

/// How an error gives the reason label `R` of `reason = R`: generated code
/// calls `(&ReasonProbe(error, PhantomData::<R>)).__metrics_reason(index)`
/// (`index` is `<R as LabelValue>::index`, passed in so that nothing here
/// needs `R` to be a label value: the caller reports it once if it is not)
/// with both traits in scope. Method resolution picks [`ReasonIsError`] when
/// the error's type is `R` itself (an enum deriving
/// [`LabelValue`](derive@crate::LabelValue), under whatever alias the
/// function's signature names it), and [`ReasonByMapping`] otherwise, which
/// needs the error's [`ErrorReason<R>`] and reports its absence with that
/// trait's message.
#[doc(hidden)]
pub struct ReasonProbe<'e, E, R>(pub &'e E, pub PhantomData<R>);

#[doc(hidden)]
pub trait ReasonIsError<R> {
    fn __metrics_reason(&self, index: fn(&R) -> usize) -> usize;
}

impl<T> ReasonIsError<T> for ReasonProbe<'_, T, T> {
    #[inline]
    fn __metrics_reason(&self, index: fn(&T) -> usize) -> usize {
        index(self.0)
    }
}

#[doc(hidden)]
pub trait ReasonByMapping<E, R> {
    fn __metrics_reason(&self, index: fn(&R) -> usize) -> usize
    where
        E: ErrorReason<R>;
}

impl<E, R> ReasonByMapping<E, R> for &ReasonProbe<'_, E, R> {
    #[inline]
    fn __metrics_reason(&self, index: fn(&R) -> usize) -> usize
    where
        E: ErrorReason<R>,
    {
        index(&self.0.reason())
    }
}

/// A metric a call's duration is recorded into: a [`Histogram`] (no labels,
/// `L = ()`) or a `Family<L, Histogram>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot record call durations",
    note = "`duration = ..` names a `Histogram`, or a `Family<L, Histogram>` whose label set is the `labels = ..` of the attribute"
)]
pub trait DurationMetric<L> {
    /// Records `seconds` under `labels`.
    fn record_duration(&self, labels: L, seconds: f64);
}

impl DurationMetric<()> for Histogram {
    #[inline]
    fn record_duration(&self, (): (), seconds: f64) {
        self.observe(seconds);
    }
}

impl<L: LabelSet> DurationMetric<L> for Family<L, Histogram> {
    #[inline]
    fn record_duration(&self, labels: L, seconds: f64) {
        self.with(labels).observe(seconds);
    }
}

/// A metric a call is counted in: a [`Counter`] (no labels, `L = ()`) or a
/// `Family<L, Counter>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot count calls",
    note = "`count = ..` names a `Counter`, or a `Family<L, Counter>` whose label set is the `labels = ..` of the attribute"
)]
pub trait CountMetric<L> {
    /// Counts one call under `labels`.
    fn record_call(&self, labels: L);
}

impl CountMetric<()> for Counter {
    #[inline]
    fn record_call(&self, (): ()) {
        self.inc();
    }
}

impl<L: LabelSet> CountMetric<L> for Family<L, Counter> {
    #[inline]
    fn record_call(&self, labels: L) {
        self.with(labels).inc();
    }
}

/// The clock and the recording of one call. [`CallGuard::finish`] records a
/// returned value; dropped unfinished, the guard records `on_drop`
/// ([`Outcome::Panic`] for a function whose frame unwinds,
/// [`Outcome::Cancelled`] for a future dropped before it completed).
///
/// `T` is the value of the `result` label (an [`Outcome`], or a type of the
/// user's made from one); `F` records it and the elapsed seconds.
#[doc(hidden)]
pub struct CallGuard<T, F: FnOnce(T, f64)> {
    start: Instant,
    record: Option<F>,
    on_drop: Outcome,
    /// `T::from`, taken where the guard starts, so that only `start` needs
    /// the bound (and reports it, once, where the `result` label is named).
    from_outcome: fn(Outcome) -> T,
}

impl<T: From<Outcome>, F: FnOnce(T, f64)> CallGuard<T, F> {
    /// Starts the clock of a call.
    #[inline]
    pub fn start(on_drop: Outcome, record: F) -> CallGuard<T, F> {
        CallGuard { start: Instant::now(), record: Some(record), on_drop, from_outcome: T::from }
    }
}

impl<T, F: FnOnce(T, f64)> CallGuard<T, F> {
    /// From now on, dropping the guard unfinished means the call's future
    /// was dropped: [`Outcome::Cancelled`].
    #[inline]
    #[must_use]
    pub fn pending(mut self) -> CallGuard<T, F> {
        self.on_drop = Outcome::Cancelled;
        self
    }

    /// Records the call with this `result`.
    #[inline]
    pub fn finish(mut self, result: T) {
        self.end(result);
    }

    /// Records the call with the `result` label made from `outcome`.
    #[inline]
    pub fn finish_outcome(self, outcome: Outcome) {
        let result = (self.from_outcome)(outcome);
        self.finish(result);
    }

    /// Records the call with the `result` label `classify` gives `output`.
    #[inline]
    pub fn finish_classified<O>(self, output: &O, classify: impl FnOnce(&O) -> T) {
        let result = classify(output);
        self.finish(result);
    }

    #[inline]
    fn end(&mut self, result: T) {
        if let Some(record) = self.record.take() {
            record(result, self.start.elapsed().as_secs_f64());
        }
    }
}

impl<T, F: FnOnce(T, f64)> Drop for CallGuard<T, F> {
    fn drop(&mut self) {
        let result = (self.from_outcome)(self.on_drop);
        self.end(result);
    }
}

pin_project_lite::pin_project! {
    /// An instrumented future: polls the function's own future, records
    /// [`Outcome::Panic`] when a poll unwinds, and hands the guard back with
    /// the output. Dropped before completion, its guard records
    /// [`Outcome::Cancelled`].
    #[doc(hidden)]
    pub struct Instrumented<Fut, T, F: FnOnce(T, f64)> {
        #[pin]
        inner: Fut,
        guard: Option<CallGuard<T, F>>,
    }
}

impl<Fut, T, F: FnOnce(T, f64)> Instrumented<Fut, T, F> {
    /// Wraps `inner`, whose call `guard` times.
    #[inline]
    pub fn new(inner: Fut, guard: CallGuard<T, F>) -> Self {
        Instrumented { inner, guard: Some(guard) }
    }
}

/// Records a panic when dropped during unwinding, unless disarmed.
struct PanicProbe<'g, T, F: FnOnce(T, f64)> {
    guard: &'g mut Option<CallGuard<T, F>>,
}

impl<T, F: FnOnce(T, f64)> Drop for PanicProbe<'_, T, F> {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(mut guard) = self.guard.take()
        {
            let result = (guard.from_outcome)(Outcome::Panic);
            guard.end(result);
        }
    }
}

impl<Fut: Future, T, F: FnOnce(T, f64)> Future for Instrumented<Fut, T, F> {
    type Output = (Fut::Output, CallGuard<T, F>);

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Only a panic of this poll unwinds through this frame while the
        // probe is alive.
        let probe = PanicProbe { guard: this.guard };
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(output) => {
                let guard = probe.guard.take().expect("`Instrumented` polled after completion");
                Poll::Ready((output, guard))
            }
        }
    }
}

/// `index` of `output`'s error (for `reason = ..`, the index of its reason,
/// through [`ReasonProbe`]): `None` when it is not an error.
#[doc(hidden)]
#[inline]
pub fn reason_index<O: HasError>(output: &O, index: impl FnOnce(&O::Error) -> usize) -> Option<usize> {
    output.error().map(index)
}

/// Calls `f`: the body of an instrumented function runs in a closure so that
/// its `return` and `?` end the body, not the recording around it.
#[doc(hidden)]
#[inline]
pub fn call_once<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// The outcome of a return value: through [`Classify`] when its type
/// implements it, `ok` otherwise. Generated code calls
/// `(&Probe(&value)).__metrics_outcome()` with both traits in scope: method
/// resolution picks [`ClassifyByTrait`] when it applies (on any concrete or
/// generic type known to implement [`Classify`]) and falls back to
/// [`ClassifyOther`].
#[doc(hidden)]
pub struct Probe<'v, V>(pub &'v V);

#[doc(hidden)]
pub trait ClassifyByTrait {
    fn __metrics_outcome(&self) -> Outcome;
}

impl<V: Classify> ClassifyByTrait for Probe<'_, V> {
    #[inline]
    fn __metrics_outcome(&self) -> Outcome {
        self.0.outcome()
    }
}

#[doc(hidden)]
pub trait ClassifyOther {
    fn __metrics_outcome(&self) -> Outcome;
}

impl<V> ClassifyOther for &Probe<'_, V> {
    #[inline]
    fn __metrics_outcome(&self) -> Outcome {
        Outcome::Ok
    }
}
