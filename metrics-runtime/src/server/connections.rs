//! The open connections, and which one makes room when they are all taken.
//!
//! A connection is either *waiting* (for its request head, for the TLS
//! handshake, or idle between keep-alive requests) or *busy* (a request head
//! arrived and its response is being produced). At the limit, a newcomer does
//! not get turned away: the connection that has waited longest is closed
//! instead. Clients that open connections and never finish a request head
//! therefore only ever push each other out, and a scraper that sends its
//! request at once always gets in. Only when every connection is busy is the
//! newcomer refused.
//!
//! A new connection counts as busy until a read on it first finds nothing
//! more to read: until then its request may be sitting unread in the socket,
//! and closing it would reset the client's connection instead of answering.
//! Under a flood of reconnecting clients the newest connection can otherwise
//! become the longest-waiting one before its task has run at all.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Body, Bytes, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Sleep;

use crate::self_metrics;

/// The top bit of [`Tracker::state`]: a request is being answered.
const BUSY: u64 = 1 << 63;

/// [`Tracker::state`] of a connection nothing has been read from yet: busy,
/// as far as eviction goes, and distinct from a request being answered.
const UNREAD: u64 = BUSY | 1;

/// Every open connection, up to a limit.
pub(super) struct Connections {
    limit: usize,
    epoch: Instant,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<Tracker>>,
}

/// One connection's state, shared between its task, its request handler and
/// the table.
pub(super) struct Tracker {
    id: u64,
    /// `UNREAD`, `BUSY`, or the millisecond (since the table's epoch) from
    /// which it has been waiting.
    state: AtomicU64,
    /// Notified when the connection is chosen to make room.
    evicted: Notify,
    epoch: Instant,
    /// Whether it carries a `/stream` subscription (and left the table).
    streaming: AtomicBool,
}

/// What [`Connections::admit`] decided for a newcomer.
pub(super) enum Admission {
    /// Admitted; `evicted` says whether another connection was closed for it.
    Admitted { tracker: Arc<Tracker>, evicted: bool },
    /// Every connection is busy (or not read yet): the newcomer is refused.
    Full,
}

impl Connections {
    pub(super) fn new(limit: usize) -> Connections {
        Connections { limit, epoch: Instant::now(), table: Mutex::new(Table::default()) }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        // The table is consistent after every statement: a panic elsewhere
        // while it was locked leaves nothing half-done.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `change` on the table and publishes the number of open
    /// connections after it.
    fn change<T>(&self, change: impl FnOnce(&mut Table) -> T) -> T {
        let mut table = self.table();
        let result = change(&mut table);
        self_metrics::connections_open(table.open.len());
        result
    }

    /// Takes a slot for a new connection, closing the longest-waiting one
    /// when all are taken.
    pub(super) fn admit(&self) -> Admission {
        self.change(|table| self.admit_into(table))
    }

    fn admit_into(&self, table: &mut Table) -> Admission {
        let evicted = if table.open.len() >= self.limit {
            match table.evict_longest_waiting() {
                Some(()) => true,
                None => return Admission::Full,
            }
        } else {
            false
        };
        let id = table.next_id;
        table.next_id += 1;
        let tracker = Arc::new(Tracker {
            id,
            state: AtomicU64::new(UNREAD),
            evicted: Notify::new(),
            epoch: self.epoch,
            streaming: AtomicBool::new(false),
        });
        table.open.insert(id, Arc::clone(&tracker));
        Admission::Admitted { tracker, evicted }
    }

    /// Closes the longest-waiting connection, if any is waiting: used when
    /// the process runs out of file descriptors, so that `accept` can go on.
    pub(super) fn evict_one(&self) -> bool {
        self.change(|table| table.evict_longest_waiting().is_some())
    }

    /// Frees a connection's slot when it ends.
    pub(super) fn release(&self, tracker: &Tracker) {
        self.change(|table| table.open.remove(&tracker.id));
    }

    /// Connections open now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table().open.len()
    }
}

impl Table {
    /// Removes the waiting connection with the oldest start and tells it to
    /// close. A linear scan: it runs only at the limit, over at most `limit`
    /// entries, which costs far less than the `accept` it serves.
    fn evict_longest_waiting(&mut self) -> Option<()> {
        let (&id, _) = self
            .open
            .iter()
            .filter(|(_, t)| t.state.load(Ordering::Relaxed) & BUSY == 0)
            .min_by_key(|(_, t)| t.state.load(Ordering::Relaxed))?;
        let victim = self.open.remove(&id)?;
        // A permit is stored if the task is not waiting on it yet.
        victim.evicted.notify_one();
        Some(())
    }
}

fn millis_since(epoch: Instant) -> u64 {
    // Below BUSY for 292 million years.
    epoch.elapsed().as_millis().min(u128::from(BUSY - 1)) as u64
}

impl Tracker {
    /// A read found nothing left to read: if this is the first time, the
    /// connection is waiting from now on (and may be closed to make room).
    pub(super) fn caught_up(&self) {
        let now = millis_since(self.epoch);
        let _ = self.state.compare_exchange(UNREAD, now, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// A request head arrived: the connection may not be evicted until its
    /// response is handed over.
    pub(super) fn busy(&self) {
        self.state.store(BUSY, Ordering::Relaxed);
    }

    /// The response was handed over: waiting again (for the next request on a
    /// keep-alive connection), from now.
    pub(super) fn waiting(&self) {
        self.state.store(millis_since(self.epoch), Ordering::Relaxed);
    }

    /// The connection now carries a `/stream` subscription.
    pub(super) fn streaming(&self) {
        self.streaming.store(true, Ordering::Relaxed);
    }

    /// Whether it carries a `/stream` subscription.
    pub(super) fn is_streaming(&self) -> bool {
        self.streaming.load(Ordering::Relaxed)
    }

    /// Resolves when the connection is chosen to make room.
    pub(super) async fn evicted(&self) {
        self.evicted.notified().await;
    }
}

/// A response body that marks its connection waiting again once hyper has
/// taken all of it (or dropped it).
pub(super) struct Tracked<B> {
    body: B,
    tracker: Option<Arc<Tracker>>,
}

impl<B> Tracked<B> {
    pub(super) fn new(body: B, tracker: Option<Arc<Tracker>>) -> Tracked<B> {
        Tracked { body, tracker }
    }
}

impl<B> Drop for Tracked<B> {
    fn drop(&mut self) {
        if let Some(tracker) = &self.tracker {
            tracker.waiting();
        }
    }
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response body as the server sends it: whole, or a stream of events.
pub(super) type ResponseBody = Tracked<http_body_util::Either<http_body_util::Full<Bytes>, EventBody>>;

/// A response body made of what a `/stream` subscriber's task sends: at
/// most a few events wait in it, so a slow client slows its task, never
/// the server's memory. It ends when the task does.
pub(super) struct EventBody(tokio::sync::mpsc::Receiver<Bytes>);

impl EventBody {
    pub(super) fn new(receiver: tokio::sync::mpsc::Receiver<Bytes>) -> EventBody {
        EventBody(receiver)
    }
}

impl Body for EventBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|event| event.map(|bytes| Ok(Frame::data(bytes))))
    }
}

/// A socket that tells its connection's tracker when a read first finds
/// nothing to read ([`Tracker::caught_up`]). It sits under TLS, so that a
/// client that never starts its handshake becomes waiting too.
pub(super) struct FirstRead<I> {
    io: I,
    tracker: Option<Arc<Tracker>>,
}

impl<I> FirstRead<I> {
    pub(super) fn new(io: I, tracker: &Arc<Tracker>) -> FirstRead<I> {
        FirstRead { io, tracker: Some(Arc::clone(tracker)) }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for FirstRead<I> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_read(cx, buf);
        if result.is_pending()
            && let Some(tracker) = self.tracker.take()
        {
            tracker.caught_up();
        }
        result
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for FirstRead<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A socket whose writes fail with [`io::ErrorKind::TimedOut`] once they
/// make no progress for `timeout`: a client that stops reading its response
/// cannot hold the response's memory and its slot forever.
pub(super) struct SendTimeout<I> {
    io: I,
    timeout: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl<I> SendTimeout<I> {
    pub(super) fn new(io: I, timeout: Duration) -> SendTimeout<I> {
        SendTimeout { io, timeout, stalled: None, armed: false }
    }

    /// Called when a write could not progress: starts the clock if it is not
    /// running, and fails once it has run out.
    fn poll_stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        if !self.armed {
            let deadline = tokio::time::Instant::now().checked_add(self.timeout);
            // A timeout too far to represent never fires.
            let Some(deadline) = deadline else { return Poll::Pending };
            match &mut self.stalled {
                Some(sleep) => sleep.as_mut().reset(deadline),
                None => self.stalled = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            self.armed = true;
        }
        let expired = self.stalled.as_mut().is_some_and(|sleep| sleep.as_mut().poll(cx).is_ready());
        if expired {
            Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")))
        } else {
            Poll::Pending
        }
    }

    fn progressed<T>(&mut self, result: Poll<io::Result<T>>, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match result {
            Poll::Pending => self.poll_stall(cx),
            ready @ Poll::Ready(_) => {
                self.armed = false;
                ready
            }
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for SendTimeout<I> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for SendTimeout<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        self.progressed(result, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.progressed(result, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_flush(cx);
        self.progressed(result, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_shutdown(cx);
        self.progressed(result, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(connections: &Connections) -> Arc<Tracker> {
        match connections.admit() {
            Admission::Admitted { tracker, .. } => tracker,
            Admission::Full => panic!("refused"),
        }
    }

    #[test]
    fn at_the_limit_the_longest_waiting_connection_makes_room() {
        let connections = Connections::new(3);
        let first = admitted(&connections);
        let second = admitted(&connections);
        let third = admitted(&connections);
        // The oldest is busy; of the waiting ones, `second` started first.
        first.busy();
        second.state.store(5, Ordering::Relaxed);
        third.state.store(9, Ordering::Relaxed);
        let Admission::Admitted { tracker: fourth, evicted: true } = connections.admit() else {
            panic!("the newcomer was refused or nobody was evicted")
        };
        assert_eq!(connections.len(), 3);
        let open = connections.table().open.keys().copied().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(open, [first.id, third.id, fourth.id].into());
        // `second` has been told to close.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(30), second.evicted()).await.expect("second was notified");
        });
        // Releasing a connection that was already evicted is harmless.
        connections.release(&second);
        assert_eq!(connections.len(), 3);
    }

    #[test]
    fn when_every_connection_is_busy_the_newcomer_is_refused() {
        let connections = Connections::new(2);
        let a = admitted(&connections);
        let b = admitted(&connections);
        a.busy();
        b.busy();
        assert!(matches!(connections.admit(), Admission::Full));
        assert!(!connections.evict_one());
        b.waiting();
        assert!(connections.evict_one());
        assert_eq!(connections.len(), 1);
        connections.release(&a);
        assert_eq!(connections.len(), 0);
    }

    #[test]
    fn a_connection_is_not_evicted_before_a_read_finds_it_caught_up() {
        let connections = Connections::new(2);
        let old = admitted(&connections);
        let new = admitted(&connections);
        // Neither has been read from: a newcomer is refused rather than
        // closing a connection whose request may sit unread.
        assert!(matches!(connections.admit(), Admission::Full));
        new.caught_up();
        // Only `new` has been read up to date: it is the one that makes room,
        // though `old` was admitted first.
        let Admission::Admitted { evicted: true, .. } = connections.admit() else { panic!("nobody was evicted") };
        let open = connections.table().open.keys().copied().collect::<std::collections::BTreeSet<_>>();
        assert!(open.contains(&old.id) && !open.contains(&new.id));
        // Once busy, a later empty read does not make it waiting.
        old.busy();
        old.caught_up();
        assert_eq!(old.state.load(Ordering::Relaxed), BUSY);
    }

    #[test]
    fn the_first_empty_read_marks_the_connection_caught_up() {
        let connections = Connections::new(1);
        let tracker = admitted(&connections);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut client, server) = tokio::io::duplex(64);
            let mut server = FirstRead::new(server, &tracker);
            client.write_all(b"GET").await.unwrap();
            let mut buf = [0u8; 3];
            server.read_exact(&mut buf).await.unwrap();
            // Everything sent so far was read, but no read has come back
            // empty yet.
            assert_eq!(tracker.state.load(Ordering::Relaxed), UNREAD);
            let more = tokio::time::timeout(Duration::from_millis(10), server.read(&mut buf)).await;
            assert!(more.is_err(), "nothing more was sent");
            assert_eq!(tracker.state.load(Ordering::Relaxed) & BUSY, 0);
        });
    }

    #[test]
    fn a_response_handed_over_makes_the_connection_waiting_again() {
        let connections = Connections::new(1);
        let tracker = admitted(&connections);
        tracker.busy();
        let body = Tracked::new(http_body_util::Full::new(Bytes::from_static(b"ok")), Some(Arc::clone(&tracker)));
        assert_eq!(tracker.state.load(Ordering::Relaxed), BUSY);
        drop(body);
        assert_ne!(tracker.state.load(Ordering::Relaxed) & BUSY, BUSY);
    }
}
