//! The record-path cases, run the same way for every library: the loops are
//! written once here, generic over the call that records, so that a
//! library's module states only its handles and calls. Each loop is out of
//! line, one copy per library with that library's call inlined into it; the
//! input tables pass through `black_box` once per round so that their loads
//! stay in the loop.

use std::hint::black_box;
use std::ops::Deref;
use std::sync::Arc;

use crate::Cases;
use crate::common::{SEQUENCE, THREAD_CHILDREN, histogram_values};
use crate::harness::{Batch, timed, two_threads};

/// `n` calls of `record`.
#[inline(never)]
fn repeat<H: ?Sized, O>(record: impl Fn(&H) -> O, handle: &H, n: u64) {
    for _ in 0..n {
        record(handle);
    }
}

/// `n` calls of `record` on `item`, which passes through `black_box` on
/// each call.
#[inline(never)]
fn repeat_on<H: ?Sized, T: Copy, O>(record: impl Fn(&H, &T) -> O, handle: &H, n: u64, item: T) {
    for _ in 0..n {
        record(handle, &black_box(item));
    }
}

/// `rounds` passes over `items`, a call of `record` on each.
#[inline(never)]
fn rounds<H: ?Sized, T, O, const N: usize>(record: impl Fn(&H, &T) -> O, handle: &H, rounds: u64, items: &[T; N]) {
    for _ in 0..rounds {
        for item in black_box(items) {
            record(handle, item);
        }
    }
}

/// A batch of the 2-thread counter case: units are calls of `inc` on `ops`
/// per thread.
pub fn threads_counter<A, O>(
    ops: impl Deref<Target = A> + Sync + 'static,
    inc: impl Fn(&A) -> O + Copy + Sync + 'static,
) -> Box<Batch<'static>> {
    Box::new(move |n| two_threads(n, &|_, n| repeat(inc, &*ops, black_box(n))))
}

impl Cases {
    /// The five record-path cases of a library from its three handles and
    /// its call on each: `inc` increments the unlabeled counter `ops`,
    /// `inc_labeled` the child of a request in the labeled counter
    /// `requests`, `observe` records a value into the histogram `latency`.
    /// Each loop takes its handle by reference, as one written for the
    /// library would. `request` builds the library's request from the
    /// indices of a method and a status ([`SEQUENCE`], [`THREAD_CHILDREN`]).
    /// The library sets the encoding cases.
    ///
    /// `inc_labeled` runs in two loops: mark it `#[inline(always)]`, so that
    /// each inlines it as it would a call written in the loop.
    pub fn record<A, B, C, R, O, P, Q>(
        (ops, requests, latency): (A, B, C),
        request: impl Fn(usize, usize) -> R + Copy + Sync + 'static,
        inc: impl Fn(&A) -> O + Copy + Sync + 'static,
        inc_labeled: impl Fn(&B, &R) -> P + Copy + Sync + 'static,
        observe: impl Fn(&C, &f64) -> Q + Copy + 'static,
    ) -> Cases
    where
        A: Send + Sync + 'static,
        B: Send + Sync + 'static,
        C: 'static,
        R: Copy + Sync + 'static,
    {
        let ops = Arc::new(ops);
        let values = histogram_values();
        let counter = ops.clone();
        Cases {
            counter: Some(Box::new(move |n| timed(n, &mut |n| repeat(inc, &*counter, black_box(n))))),
            histogram: Some(Box::new(move |n| timed(n, &mut |n| rounds(observe, &latency, black_box(n), &values)))),
            threads_counter: Some(threads_counter(ops, inc)),
            ..Cases::labeled(requests, request, inc_labeled)
        }
    }

    /// The labeled cases alone: [`Cases::record`] without the counter and
    /// the histogram.
    pub fn labeled<B, R, P>(
        requests: B,
        request: impl Fn(usize, usize) -> R + Copy + Sync + 'static,
        inc: impl Fn(&B, &R) -> P + Copy + Sync + 'static,
    ) -> Cases
    where
        B: Send + Sync + 'static,
        R: Copy + Sync + 'static,
    {
        let sequence: [R; 20] = SEQUENCE.map(|(m, s)| request(m, s));
        let requests = Arc::new(requests);
        let threads = requests.clone();
        Cases {
            labeled: Some(Box::new(move |n| timed(n, &mut |n| rounds(inc, &*requests, black_box(n), &sequence)))),
            threads_children: Some(Box::new(move |n| {
                two_threads(n, &|t, n| {
                    let (m, s) = THREAD_CHILDREN[t];
                    repeat_on(inc, &*threads, n, request(m, s));
                })
            })),
            ..Cases::default()
        }
    }
}
