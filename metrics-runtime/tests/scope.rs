//! `metricate::testing::Scope` (feature `test-scope`): each scope gets fresh
//! instances of every metrics struct, on the threads in it and nowhere else.
//!
//! The structs here are used by this file only, so that the registered
//! statics are seen by these tests alone: the checks that a static saw
//! nothing are exact.

use std::future::Future;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::thread;

use metricate::encode::Format;
use metricate::testing::{Scope, describe, scope};
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, assert_metric, instrument_metric};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Queue {
    Email,
    Sms,
}

#[derive(Clone, Copy, LabelSet)]
struct ByQueue {
    queue: Queue,
}

/// Jobs.
#[derive(Metrics)]
#[metrics(subsystem = "scope")]
struct Jobs {
    /// Jobs done, by queue.
    done_total: Family<ByQueue, Counter>,
    /// Time a job took.
    #[metric(buckets = [0.5, 1.0])]
    job_seconds: Histogram,
}

/// Metrics nothing but the parallel test touches.
#[derive(Metrics)]
#[metrics(subsystem = "scope_parallel")]
struct Parallel {
    /// Increments of the parallel test.
    hits_total: Counter,
}

/// Metrics only the thread tests touch.
#[derive(Metrics)]
#[metrics(subsystem = "scope_threads")]
struct Threads {
    /// Increments of the thread tests.
    hits_total: Counter,
}

/// Metrics only the future test touches.
#[derive(Metrics)]
#[metrics(subsystem = "scope_future")]
struct Futures {
    /// Polls of the future test.
    polls_total: Counter,
}

fn done(queue: Queue) {
    Jobs::global().done_total.with(ByQueue { queue }).inc();
}

/// Sends a mail, counted by the attribute.
#[instrument_metric(subsystem = "scope")]
fn send_mail(fail: bool) -> Result<(), ()> {
    if fail { Err(()) } else { Ok(()) }
}

#[test]
fn parallel_scopes_count_only_their_own() {
    const THREADS: u64 = 8;
    let barrier = Barrier::new(THREADS as usize);
    thread::scope(|s| {
        for n in 1..=THREADS {
            let barrier = &barrier;
            s.spawn(move || {
                scope(|| {
                    barrier.wait();
                    for _ in 0..n * 1000 {
                        Parallel::global().hits_total.inc();
                    }
                    barrier.wait();
                    assert_eq!(Parallel::global().hits_total.get(), n * 1000);
                });
            });
        }
    });
    // Outside every scope: the registered static, which nobody touched.
    assert_eq!(Parallel::global().hits_total.get(), 0);
}

#[test]
fn a_scope_starts_at_zero_and_sees_its_instrumented_functions() {
    let outer = Scope::new();
    outer.in_scope(|| {
        done(Queue::Email);
        send_mail(false).unwrap();
        send_mail(true).unwrap_err();
        Jobs::global().job_seconds.observe(0.75);
        assert_eq!(Jobs::global().done_total.with(ByQueue { queue: Queue::Email }).get(), 1);
        assert_eq!(Jobs::global().job_seconds.count(), 1);
        // A scope inside it starts from zero, and the outer one is back after it.
        scope(|| {
            assert_eq!(Jobs::global().done_total.with(ByQueue { queue: Queue::Email }).get(), 0);
            assert_eq!(Jobs::global().job_seconds.count(), 0);
            done(Queue::Email);
        });
        assert_eq!(Jobs::global().done_total.with(ByQueue { queue: Queue::Email }).get(), 1);
    });
    // The same scope entered again keeps its instances.
    outer.in_scope(|| done(Queue::Sms));
    let registry = outer.registry().unwrap();
    let mut text = Vec::new();
    Format::Prometheus.encode(&registry, &mut text);
    let text = String::from_utf8(text).unwrap();
    for line in [
        "metrics_scope_done_total{queue=\"email\"} 1\n",
        "metrics_scope_done_total{queue=\"sms\"} 1\n",
        "metrics_scope_job_seconds_bucket{le=\"1.0\"} 1\n",
        "metrics_scope_send_mail_total{result=\"ok\"} 1\n",
        "metrics_scope_send_mail_total{result=\"error\"} 1\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from the scope's exposition:\n{text}");
    }
    // The global registry reads the statics, which saw none of it.
    let global = metricate::global().unwrap().snapshot(|d| d.name.starts_with("metrics_scope_"));
    let calls = global.family("metrics_scope_send_mail_total").unwrap();
    assert!(calls.series().iter().all(|s| s.value().as_f64() == 0.0), "{calls:?}");
    assert!(global.family("metrics_scope_done_total").unwrap().series().iter().all(|s| s.value().as_f64() == 0.0));
}

#[test]
fn spawned_threads_are_in_the_scope_only_when_bound() {
    let scope = Scope::new();
    scope.in_scope(|| {
        // Not bound: the thread records into the static.
        thread::spawn(|| Threads::global().hits_total.inc()).join().unwrap();
        // Bound: into the scope, from several threads onto one instance.
        let current = Scope::current().expect("in a scope");
        let bound: Vec<_> = (0..4)
            .map(|_| thread::spawn(current.bind(|| (0..250).for_each(|_| Threads::global().hits_total.inc()))))
            .collect();
        for thread in bound {
            thread.join().unwrap();
        }
        assert_eq!(Threads::global().hits_total.get(), 1000);
    });
    assert_eq!(Threads::global().hits_total.get(), 1);
    assert!(Scope::current().is_none(), "the thread left the scope");
}

#[test]
fn a_panic_leaves_the_scope() {
    let unwound = std::panic::catch_unwind(|| {
        scope(|| {
            assert!(Scope::current().is_some());
            panic!("inside a scope");
        })
    });
    assert!(unwound.is_err());
    assert!(Scope::current().is_none());
}

/// Yields once, counting each poll.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Futures::global().polls_total.inc();
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn a_wrapped_future_is_in_the_scope_on_any_thread() {
    let scope = Scope::new();
    let mut task = Box::pin(scope.wrap(YieldOnce(false)));
    let mut cx = Context::from_waker(Waker::noop());
    // The first poll here, the second on another thread: both in the scope.
    assert!(task.as_mut().poll(&mut cx).is_pending());
    thread::spawn(move || {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(task.as_mut().poll(&mut cx).is_ready());
        assert!(Scope::current().is_none(), "polling left the thread outside the scope");
    })
    .join()
    .unwrap();
    assert_eq!(scope.in_scope(|| Futures::global().polls_total.get()), 2);
    assert_eq!(Futures::global().polls_total.get(), 0);
    // Unwrapped, the same future counts into the static.
    let mut plain = Box::pin(YieldOnce(true));
    assert!(plain.as_mut().poll(&mut cx).is_ready());
    assert_eq!(Futures::global().polls_total.get(), 1);
}

#[test]
fn assertions_name_the_series_of_a_scope() {
    scope(|| {
        done(Queue::Sms);
        assert_metric!(Jobs::global().done_total.with(ByQueue { queue: Queue::Sms }), 1);
        let series = describe(&Jobs::global().done_total.with(ByQueue { queue: Queue::Sms }));
        assert_eq!(series.as_deref(), Some("metrics_scope_done_total{queue=\"sms\"}"));
        let failed = std::panic::catch_unwind(|| assert_metric!(Jobs::global().job_seconds, count = 1));
        let message = failed.expect_err("nothing observed in this scope");
        assert_eq!(
            message.downcast_ref::<String>().map(String::as_str),
            Some(
                "histogram `metrics_scope_job_seconds` has count 0, expected 1 (sum 0.0)\n  handle: Jobs::global().job_seconds"
            )
        );
    });
}
