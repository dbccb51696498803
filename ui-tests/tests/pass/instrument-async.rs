//! `#[instrument_metric]` on asynchronous functions: `async fn`, a function
//! returning `impl Future<Output = Result<..>>`, `async fn` in a trait impl,
//! `async fn` taking `&self`, and a generic `async fn`; driven by a minimal
//! executor (no runtime dependency).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use metricate::instrument_metric;

/// Polls `future` to completion with a waker that does nothing.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Pending once, then ready: a future that really waits.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn yield_now() -> YieldOnce {
    YieldOnce(false)
}

#[derive(Debug, PartialEq)]
struct Timeout;

/// Waits once, then answers or fails.
#[instrument_metric(subsystem = "ui")]
async fn fetch(fail: bool) -> Result<u32, Timeout> {
    yield_now().await;
    if fail {
        return Err(Timeout);
    }
    let value: Result<u32, Timeout> = Ok(41);
    Ok(value? + 1)
}

/// Returns a future rather than being `async`.
#[instrument_metric(subsystem = "ui")]
fn deferred(fail: bool) -> impl Future<Output = Result<u32, Timeout>> {
    async move {
        yield_now().await;
        if fail { Err(Timeout) } else { Ok(1) }
    }
}

trait Store {
    async fn get(&self, key: u32) -> Result<u32, Timeout>;
}

struct Memory {
    factor: u32,
}

impl Store for Memory {
    /// Reads from memory.
    #[instrument_metric(subsystem = "ui", name = "memory_get")]
    async fn get(&self, key: u32) -> Result<u32, Timeout> {
        yield_now().await;
        if key == 0 { Err(Timeout) } else { Ok(key * self.factor) }
    }
}

impl Memory {
    /// Scales by the factor, through `&self`.
    #[instrument_metric(subsystem = "ui")]
    async fn scale(&self, value: u32) -> u32 {
        yield_now().await;
        value * self.factor
    }
}

/// Sums anything iterable, asynchronously.
#[instrument_metric(subsystem = "ui")]
async fn sum_all<'a, I>(values: I) -> u64
where
    I: IntoIterator<Item = &'a u32>,
{
    yield_now().await;
    values.into_iter().map(|v| u64::from(*v)).sum()
}

fn main() {
    let _ = block_on(fetch(false));
    let _ = block_on(fetch(true));

    let _ = block_on(deferred(false));
    let _ = block_on(deferred(true));
    // Its clock starts when it is called: dropped unpolled, it is cancelled.
    drop(deferred(false));

    let memory = Memory { factor: 2 };
    let _ = block_on(memory.get(21));
    let _ = block_on(memory.get(0));

    block_on(memory.scale(5));
    {
        // Polled once (it yields), then dropped: cancelled.
        let mut pending = pin!(memory.scale(1));
        let mut cx = Context::from_waker(Waker::noop());
        let _ = pending.as_mut().poll(&mut cx);
    }

    block_on(sum_all(&[1, 2, 3]));
    block_on(sum_all(vec![&4, &5]));
}
