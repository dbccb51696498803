//! Live subscriptions (feature `server`): a stream of metric updates at a
//! chosen cadence, with sequence ids and replay after a reconnect. The
//! server serves it as Server-Sent Events on `/stream`; a [`Hub`] gives the
//! same stream to Rust code in the process.
//!
//! ```
//! use std::time::Duration;
//! use metricate::stream::{EventKind, Hub, Selection};
//!
//! let hub = Hub::global(Duration::from_millis(100))?;
//! let mut subscription = hub.subscribe(Selection::prefix("metrics_export_"), Duration::from_millis(100), None);
//! let first = subscription.next_timeout(Duration::from_secs(5)).expect("a snapshot at once");
//! assert_eq!(first.kind, EventKind::Snapshot);
//! // `first.id` (`<epoch>-<sequence>`) resumes from here after a reconnect.
//! # Ok::<(), metricate::stream::StreamError>(())
//! ```
//!
//! # How it works
//!
//! One ticker thread per hub reads the registry at every tick, aligned to
//! the clock (a 100 ms tick fires at .000, .100, ...), and keeps one frame
//! per tick: the series that changed since the tick before, with their
//! current (cumulative) values. The frames live in one ring, bounded in
//! bytes, that every subscriber reads and filters: a subscriber holds only
//! its position. Its first event is a snapshot of what it selected; then,
//! at each point of its cadence (a multiple of the tick, aligned to the
//! clock, so that subscribers of one cadence see the same events), an update
//! with the series that changed since its previous event. Values are
//! cumulative, so an event seen twice does no harm.
//!
//! A subscriber resuming from an id gets every frame it missed, in order,
//! while they are still in the ring; otherwise, or from another epoch (the
//! epoch changes with every hub, so with every start of a server), a
//! `reset` with a full snapshot. A subscriber too slow to follow the ring
//! gets a `reset` too: the hub never buffers for a subscriber.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use metricate_spec::{Descriptor, MetricKind};
use tokio::sync::watch;

use crate::constant::ConstantLabels;
use crate::registry::{Registry, RegistryError};
use crate::self_metrics::{self, StreamEventKind};
use crate::snapshot::OwnedValue;

/// The default bound of the ring of frames.
pub const DEFAULT_BUFFER_BYTES: usize = 16 * 1024 * 1024;

/// The shortest tick a hub accepts.
pub const MIN_TICK: Duration = Duration::from_millis(10);

/// The longest tick a hub accepts.
const MAX_TICK: Duration = Duration::from_secs(3600);

/// Whether `tick` is from [`MIN_TICK`] to an hour: the hub's bound, which
/// the server's settings check too.
pub(crate) fn tick_in_range(tick: Duration) -> bool {
    (MIN_TICK..=MAX_TICK).contains(&tick)
}

/// Why a hub cannot be made.
#[derive(Debug)]
pub enum StreamError {
    /// The global registry failed its check (two declarations of a name).
    Registry(&'static RegistryError),
    /// The tick is below [`MIN_TICK`] or above an hour.
    Tick(Duration),
    /// The ticker thread could not be started.
    Thread(std::io::Error),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Registry(error) => write!(f, "cannot stream the metrics: {error}"),
            StreamError::Tick(tick) => write!(f, "a stream tick of {tick:?} is outside 10 ms to 1 h"),
            StreamError::Thread(error) => write!(f, "cannot start the stream's ticker thread: {error}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// Which metrics a subscription carries: exact names and name prefixes;
/// neither means all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    names: Vec<String>,
    prefixes: Vec<String>,
}

impl Selection {
    /// Every metric.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// The metrics whose name starts with `prefix`.
    pub fn prefix(prefix: &str) -> Selection {
        Selection::default().or_prefix(prefix)
    }

    /// The metric `name`.
    pub fn name(name: &str) -> Selection {
        Selection::default().or_name(name)
    }

    /// This selection and the metrics whose name starts with `prefix`.
    #[must_use]
    pub fn or_prefix(mut self, prefix: &str) -> Selection {
        self.prefixes.push(prefix.to_owned());
        self
    }

    /// This selection and the metric `name`.
    #[must_use]
    pub fn or_name(mut self, name: &str) -> Selection {
        self.names.push(name.to_owned());
        self
    }

    /// Whether the metric `name` is selected.
    pub fn matches(&self, name: &str) -> bool {
        (self.names.is_empty() && self.prefixes.is_empty())
            || self.names.iter().any(|n| n == name)
            || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }
}

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The first event: every selected series.
    Snapshot,
    /// The series that changed since the previous event (or a frame
    /// replayed after a reconnect).
    Update,
    /// Every selected series again: the frames since the subscriber's
    /// position are gone (or belong to another epoch).
    Reset,
}

impl EventKind {
    /// The SSE event name: `snapshot`, `update` or `reset`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Snapshot => "snapshot",
            EventKind::Update => "update",
            EventKind::Reset => "reset",
        }
    }
}

/// One series' value in an event.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesValue {
    /// What the metric is.
    pub descriptor: &'static Descriptor,
    /// The series' dense index (its labels come from it).
    pub index: usize,
    /// The current value (cumulative for counters and histograms).
    pub value: OwnedValue,
}

impl SeriesValue {
    /// The label names and values.
    pub fn labels(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        crate::snapshot::label_values(self.descriptor, self.index)
    }
}

/// One event of a subscription.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `<epoch>-<sequence>`: strictly increasing within an epoch; a
    /// subscriber resumes after it.
    pub id: String,
    /// Snapshot, update or reset.
    pub kind: EventKind,
    /// The tick's time, in milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// The selected metrics (snapshots and resets only), in name order.
    pub metrics: Vec<&'static Descriptor>,
    /// The series: every selected one (snapshot, reset), or those that
    /// changed (update).
    pub series: Vec<SeriesValue>,
    /// The labels every series carries (the registry's constant labels),
    /// written first in each series' `labels`.
    pub constant_labels: ConstantLabels,
}

impl Event {
    /// The event as Server-Sent Events text: `id`, `event` and one `data`
    /// line of JSON, then a blank line.
    pub fn to_sse(&self) -> String {
        let mut out = String::with_capacity(64 + self.series.len() * 64);
        let _ = write!(out, "id: {}\nevent: {}\ndata: ", self.id, self.kind.as_str());
        self.write_json(&mut out);
        out.push_str("\n\n");
        out
    }

    /// The event's data as JSON: `{"time", "metrics" (snapshots and
    /// resets), "series"}`.
    pub fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"time\":{}", self.time_ms);
        if matches!(self.kind, EventKind::Snapshot | EventKind::Reset) {
            out.push_str(",\"metrics\":{");
            for (i, descriptor) in self.metrics.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, descriptor.name);
                let _ = write!(out, ":{{\"type\":\"{}\"", descriptor.kind.as_str());
                if descriptor.kind == MetricKind::Histogram {
                    json_numbers(out, "buckets", descriptor.buckets);
                }
                if let Some(summary) = descriptor.summary {
                    json_numbers(out, "quantiles", summary.quantiles);
                }
                out.push('}');
            }
            out.push('}');
        }
        out.push_str(",\"series\":[");
        for (i, series) in self.series.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            json_string(out, series.descriptor.name);
            out.push_str(",\"labels\":{");
            let own = series.labels().map(|(name, value)| -> (&str, &str) { (name, value) });
            for (j, (name, value)) in self.constant_labels.iter().chain(own).enumerate() {
                if j > 0 {
                    out.push(',');
                }
                json_string(out, name);
                out.push(':');
                json_string(out, value);
            }
            out.push('}');
            match &series.value {
                OwnedValue::Unsigned(v) => {
                    let _ = write!(out, ",\"value\":{v}");
                }
                OwnedValue::Signed(v) => {
                    let _ = write!(out, ",\"value\":{v}");
                }
                OwnedValue::Float(v) => {
                    out.push_str(",\"value\":");
                    json_number(out, *v);
                }
                OwnedValue::Histogram { buckets, sum, count } => {
                    let _ = write!(out, ",\"count\":{count},\"sum\":");
                    json_number(out, *sum);
                    out.push_str(",\"buckets\":[");
                    for (j, n) in buckets.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{n}");
                    }
                    out.push(']');
                }
                OwnedValue::Summary { values, sum, count, .. } => {
                    let _ = write!(out, ",\"count\":{count},\"sum\":");
                    json_number(out, *sum);
                    json_numbers(out, "quantiles", values);
                }
            }
            out.push('}');
        }
        out.push_str("]}");
    }
}

/// A JSON string: controls other than the three named escapes as `\uXXXX`.
fn json_string(out: &mut String, text: &str) {
    metricate_spec::escape::double_quoted(out, text, |out, c| {
        c < ' ' && write!(out, "\\u{:04x}", u32::from(c)).is_ok()
    });
}

/// A JSON number; NaN and the infinities, which JSON has not, as the
/// strings `"NaN"`, `"+Inf"` and `"-Inf"`.
/// Writes `,"key":[n,...]`.
fn json_numbers(out: &mut String, key: &str, values: &[f64]) {
    let _ = write!(out, ",\"{key}\":[");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_number(out, *value);
    }
    out.push(']');
}

fn json_number(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("\"NaN\"");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "\"+Inf\"" } else { "\"-Inf\"" });
    } else {
        let mut buffer = ryu::Buffer::new();
        out.push_str(buffer.format_finite(value));
    }
}

/// Where the hub reads.
enum Source {
    Global(&'static Registry<'static>),
    Owned(Arc<Registry<'static>>),
}

impl Source {
    fn registry(&self) -> &Registry<'static> {
        match self {
            Source::Global(registry) => registry,
            Source::Owned(registry) => registry,
        }
    }
}

/// One change in a frame: a series of family `family` (its position in the
/// hub's families) and its value.
#[derive(Clone, Debug)]
struct Change {
    family: usize,
    series: usize,
    value: OwnedValue,
}

/// One tick.
#[derive(Debug)]
struct Frame {
    seq: u64,
    time_ms: u64,
    changes: Vec<Change>,
    /// What it holds, roughly, in bytes.
    bytes: usize,
}

/// The hub's state, behind its lock.
struct State {
    /// The last tick's sequence (the first is 1) and time.
    seq: u64,
    time_ms: u64,
    /// Per family (in the hub's order), the series and their values at the
    /// last tick, in index order.
    current: Vec<Vec<(usize, OwnedValue)>>,
    ring: VecDeque<Arc<Frame>>,
    ring_bytes: usize,
}

/// What the ticker and the subscribers share.
struct Inner {
    source: Source,
    families: Vec<&'static Descriptor>,
    tick_ms: u64,
    epoch: String,
    buffer_bytes: usize,
    state: Mutex<State>,
    ticked: Condvar,
    latest: watch::Sender<u64>,
    stop: AtomicBool,
    started: std::sync::Once,
}

/// A source of live subscriptions over a registry: one ticker thread and one
/// ring of frames, shared by every subscriber. Dropping the last handle
/// stops the thread.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
    _stopper: Arc<Stopper>,
}

/// Stops the ticker when the last [`Hub`] handle goes.
struct Stopper(Arc<Inner>);

impl Drop for Stopper {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
        self.0.ticked.notify_all();
        // Async subscribers waiting in `changed` wake and see the stop.
        self.0.latest.send_modify(|_| {});
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("epoch", &self.inner.epoch)
            .field("tick_ms", &self.inner.tick_ms)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub over the global registry, ticking every `tick` (at least
    /// [`MIN_TICK`]).
    pub fn global(tick: Duration) -> Result<Hub, StreamError> {
        Hub::global_with(tick, DEFAULT_BUFFER_BYTES)
    }

    /// A hub over `registry`.
    pub(crate) fn owned(registry: Arc<Registry<'static>>, tick: Duration, buffer: usize) -> Result<Hub, StreamError> {
        Hub::with_source(Source::Owned(registry), tick, buffer)
    }

    /// A hub over the global registry, with a ring of `buffer` bytes.
    pub(crate) fn global_with(tick: Duration, buffer: usize) -> Result<Hub, StreamError> {
        let registry = crate::global().map_err(StreamError::Registry)?;
        Hub::with_source(Source::Global(registry), tick, buffer)
    }

    fn with_source(source: Source, tick: Duration, buffer_bytes: usize) -> Result<Hub, StreamError> {
        if !tick_in_range(tick) {
            return Err(StreamError::Tick(tick));
        }
        let families: Vec<&'static Descriptor> = source.registry().iter().map(|r| r.descriptor).collect();
        let (latest, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            source,
            tick_ms: u64::try_from(tick.as_millis()).unwrap_or(u64::MAX),
            epoch: new_epoch(),
            buffer_bytes,
            state: Mutex::new(State {
                seq: 0,
                time_ms: 0,
                current: vec![Vec::new(); families.len()],
                ring: VecDeque::new(),
                ring_bytes: 0,
            }),
            families,
            ticked: Condvar::new(),
            latest,
            stop: AtomicBool::new(false),
            started: std::sync::Once::new(),
        });
        Ok(Hub { _stopper: Arc::new(Stopper(Arc::clone(&inner))), inner })
    }

    /// This hub's epoch: the first part of every event id.
    pub fn epoch(&self) -> &str {
        &self.inner.epoch
    }

    /// The tick: the shortest cadence.
    pub fn tick(&self) -> Duration {
        Duration::from_millis(self.inner.tick_ms)
    }

    /// A subscription to the metrics `selection` picks, with an event at
    /// most every `interval` (rounded up to a multiple of the tick), from
    /// the start (`after` = `None`: a snapshot first) or after the event id
    /// `after` (the frames missed since, or a reset).
    ///
    /// The hub's ticker starts with its first subscription.
    pub fn subscribe(&self, selection: Selection, interval: Duration, after: Option<&str>) -> Subscription {
        self.start();
        let tick = self.inner.tick_ms;
        let asked = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX).max(1);
        let interval_ms = asked.div_ceil(tick).saturating_mul(tick);
        let position = match after.and_then(|id| id.split_once('-')) {
            None => Position::Fresh(EventKind::Snapshot),
            Some((epoch, seq)) => match seq.parse::<u64>() {
                Ok(seq) if epoch == self.inner.epoch => Position::Resume(seq),
                _ => Position::Fresh(EventKind::Reset),
            },
        };
        Subscription {
            inner: Arc::clone(&self.inner),
            selection,
            interval_ms,
            position,
            seen: self.inner.latest.subscribe(),
        }
    }

    /// Starts the ticker thread once; the first frame is taken before this
    /// returns, so that a subscriber always has a snapshot at once.
    fn start(&self) {
        let inner = &self.inner;
        inner.started.call_once(|| {
            tick(inner, now_ms());
            let inner = Arc::clone(inner);
            let spawned = thread::Builder::new().name("metrics-stream".to_owned()).spawn(move || run(&inner));
            // Without the thread there are no updates, only snapshots: the
            // subscribers still get what was there, and the server its
            // scrapes.
            let _ = spawned;
        });
    }
}

/// The ticker: a frame at every aligned tick, until the hub goes.
fn run(inner: &Inner) {
    let every = inner.tick_ms;
    loop {
        let now = now_ms();
        let next = (now / every + 1) * every;
        let guard = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        let wait = Duration::from_millis(next.saturating_sub(now));
        let (guard, _) = inner.ticked.wait_timeout(guard, wait).unwrap_or_else(PoisonError::into_inner);
        drop(guard);
        if inner.stop.load(Ordering::Relaxed) {
            return;
        }
        // Woken early (a spurious wake-up): wait for the tick's time.
        let now = now_ms();
        if now < next {
            thread::sleep(Duration::from_millis(next - now));
        }
        tick(inner, next);
    }
}

/// Reads the registry and records what changed as the frame of `time_ms`.
fn tick(inner: &Inner, time_ms: u64) {
    let snapshot = inner.source.registry().snapshot(|_| true);
    let mut state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
    let mut changes = Vec::new();
    let mut bytes = 64;
    // The snapshot's families are the registry's, in the same order.
    for (family, (fresh, current)) in snapshot.families().iter().zip(state.current.iter_mut()).enumerate() {
        let mut old = current.iter().peekable();
        let mut next = Vec::with_capacity(fresh.series().len());
        for series in fresh.series() {
            while old.next_if(|(index, _)| *index < series.index()).is_some() {}
            let unchanged =
                old.next_if(|(index, _)| *index == series.index()).is_some_and(|(_, v)| v.same(series.value()));
            if !unchanged {
                bytes += 48 + series.value().heap_bytes();
                changes.push(Change { family, series: series.index(), value: series.value().clone() });
            }
            next.push((series.index(), series.value().clone()));
        }
        *current = next;
    }
    state.seq += 1;
    state.time_ms = time_ms;
    let frame = Arc::new(Frame { seq: state.seq, time_ms, changes, bytes });
    state.ring_bytes += frame.bytes;
    state.ring.push_back(frame);
    while state.ring_bytes > inner.buffer_bytes && state.ring.len() > 1 {
        if let Some(old) = state.ring.pop_front() {
            state.ring_bytes -= old.bytes;
        }
    }
    let seq = state.seq;
    drop(state);
    inner.ticked.notify_all();
    inner.latest.send_replace(seq);
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A new epoch: the time in milliseconds and a count within the process,
/// in hex (no `-`, which separates it from the sequence).
fn new_epoch() -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{:x}{n:x}", now_ms())
}

/// Where a subscription stands.
#[derive(Clone, Copy, Debug)]
enum Position {
    /// Nothing sent yet: the next event is a snapshot (or a reset, for a
    /// subscriber whose id is of another epoch or unreadable).
    Fresh(EventKind),
    /// Resuming after this sequence: replay or reset.
    Resume(u64),
    /// Replaying frames one by one after this sequence, until caught up.
    Replaying(u64),
    /// Live: the last event carried this sequence.
    Live(u64),
}

/// One subscriber's view of a [`Hub`]: an iterator of events (blocking), or
/// [`Subscription::next_event`] without blocking and
/// [`Subscription::changed`] to wait in async code.
pub struct Subscription {
    /// Not a [`Hub`]: a subscription does not keep the ticker running.
    inner: Arc<Inner>,
    selection: Selection,
    interval_ms: u64,
    position: Position,
    seen: watch::Receiver<u64>,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("selection", &self.selection)
            .field("interval_ms", &self.interval_ms)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// The cadence, a multiple of the hub's tick.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms)
    }

    /// The next event if one is due now, without waiting.
    pub fn next_event(&mut self) -> Option<Event> {
        self.seen.borrow_and_update();
        let inner = Arc::clone(&self.inner);
        let state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match self.position {
                Position::Fresh(kind) => {
                    let event = self.full(&inner, &state, kind);
                    counted(&event);
                    return Some(event);
                }
                Position::Resume(after) => {
                    let oldest = state.ring.front().map_or(u64::MAX, |f| f.seq);
                    if after > state.seq || after + 1 < oldest {
                        self.position = Position::Fresh(EventKind::Reset);
                    } else {
                        if after < state.seq {
                            self_metrics::stream_replay();
                        }
                        self.position = Position::Replaying(after);
                    }
                }
                Position::Replaying(after) => {
                    if after >= state.seq {
                        self.position = Position::Live(after);
                        continue;
                    }
                    let Some(frame) = find(&state, after + 1) else {
                        self.position = Position::Fresh(EventKind::Reset);
                        continue;
                    };
                    self.position = Position::Replaying(frame.seq);
                    let event = self.update_merged(&inner, std::slice::from_ref(frame), frame);
                    if let Some(event) = event {
                        counted(&event);
                        return Some(event);
                    }
                }
                Position::Live(after) => {
                    if after >= state.seq {
                        return None;
                    }
                    let oldest = state.ring.front().map_or(u64::MAX, |f| f.seq);
                    if after + 1 < oldest {
                        self.position = Position::Fresh(EventKind::Reset);
                        continue;
                    }
                    // The latest point of this cadence among the new frames.
                    let start = usize::try_from(after + 1 - oldest).unwrap_or(usize::MAX);
                    let new = state.ring.range(start..).collect::<Vec<_>>();
                    let end = new.iter().rposition(|f| f.time_ms % self.interval_ms == 0)?;
                    let frames: Vec<Arc<Frame>> = new[..=end].iter().map(|f| Arc::clone(f)).collect();
                    let last = Arc::clone(&frames[end]);
                    self.position = Position::Live(last.seq);
                    let event = self.update_merged(&inner, &frames, &last);
                    if let Some(event) = event {
                        counted(&event);
                        return Some(event);
                    }
                }
            }
        }
    }

    /// Waits until the hub has a new frame (the next event may still not be
    /// due, at a longer cadence). Returns `false` when the hub is gone.
    pub async fn changed(&mut self) -> bool {
        !self.inner.stop.load(Ordering::Relaxed)
            && self.seen.changed().await.is_ok()
            && !self.inner.stop.load(Ordering::Relaxed)
    }

    /// The next event, waiting at most `limit`.
    pub fn next_timeout(&mut self, limit: Duration) -> Option<Event> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(event) = self.next_event() {
                return Some(event);
            }
            let inner = Arc::clone(&self.inner);
            let state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
            let seq = state.seq;
            let now = Instant::now();
            if now >= deadline || inner.stop.load(Ordering::Relaxed) {
                return None;
            }
            let _unused = inner
                .ticked
                .wait_timeout_while(state, deadline - now, |s| s.seq == seq && !inner.stop.load(Ordering::Relaxed));
        }
    }

    /// Every selected series at the last tick.
    fn full(&mut self, inner: &Inner, state: &MutexGuard<'_, State>, kind: EventKind) -> Event {
        let mut metrics = Vec::new();
        let mut series = Vec::new();
        for (family, descriptor) in inner.families.iter().enumerate() {
            if !self.selection.matches(descriptor.name) {
                continue;
            }
            metrics.push(*descriptor);
            for (index, value) in &state.current[family] {
                series.push(SeriesValue { descriptor, index: *index, value: value.clone() });
            }
        }
        self.position = Position::Live(state.seq);
        let constant_labels = inner.source.registry().constant_labels().clone();
        Event {
            id: format!("{}-{}", inner.epoch, state.seq),
            kind,
            time_ms: state.time_ms,
            metrics,
            series,
            constant_labels,
        }
    }

    /// The selected changes of `frames`, the latest value of each series,
    /// as the event of `last`; `None` when nothing selected changed.
    fn update_merged(&self, inner: &Inner, frames: &[Arc<Frame>], last: &Frame) -> Option<Event> {
        let mut merged: BTreeMap<(usize, usize), &OwnedValue> = BTreeMap::new();
        for frame in frames {
            for change in &frame.changes {
                if self.selection.matches(inner.families[change.family].name) {
                    merged.insert((change.family, change.series), &change.value);
                }
            }
        }
        if merged.is_empty() {
            return None;
        }
        let series = merged
            .into_iter()
            .map(|((family, index), value)| SeriesValue {
                descriptor: inner.families[family],
                index,
                value: value.clone(),
            })
            .collect();
        Some(Event {
            id: format!("{}-{}", inner.epoch, last.seq),
            kind: EventKind::Update,
            time_ms: last.time_ms,
            metrics: Vec::new(),
            series,
            constant_labels: inner.source.registry().constant_labels().clone(),
        })
    }
}

/// Counts an event in the runtime's metrics.
fn counted(event: &Event) {
    self_metrics::stream_event(match event.kind {
        EventKind::Snapshot => StreamEventKind::Snapshot,
        EventKind::Update => StreamEventKind::Update,
        EventKind::Reset => StreamEventKind::Reset,
    });
}

/// The frame of sequence `seq`, if still in the ring.
fn find(state: &State, seq: u64) -> Option<&Arc<Frame>> {
    let oldest = state.ring.front()?.seq;
    state.ring.get(usize::try_from(seq.checked_sub(oldest)?).ok()?)
}

impl Iterator for Subscription {
    type Item = Event;

    /// The next event, waiting for it; `None` once the hub is gone.
    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.next_timeout(Duration::from_secs(3600)) {
                return Some(event);
            }
            if self.inner.stop.load(Ordering::Relaxed) {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Counter, Metrics};

    #[derive(Metrics)]
    #[metrics(subsystem = "stream_unit")]
    struct Unit {
        /// Ticks counted.
        counted_total: Counter,
        /// Untouched.
        idle_total: Counter,
    }

    fn hub(unit: &'static Unit, tick_ms: u64) -> Hub {
        let mut registry = Registry::new();
        registry.register_group(unit).unwrap();
        Hub::owned(Arc::new(registry), Duration::from_millis(tick_ms), DEFAULT_BUFFER_BYTES).unwrap()
    }

    fn value(event: &Event, name: &str) -> Option<f64> {
        event.series.iter().find(|s| s.descriptor.name == name).map(|s| s.value.as_f64())
    }

    #[test]
    fn events_come_at_the_cadence_aligned_to_the_clock_with_what_changed() {
        let unit: &'static Unit = Box::leak(Box::new(Unit::new_unregistered()));
        let hub = hub(unit, 10);
        let mut subscription = hub.subscribe(Selection::all(), Duration::from_millis(45), None);
        assert_eq!(subscription.interval(), Duration::from_millis(50), "rounded up to the tick");
        let first = subscription.next_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(first.kind, EventKind::Snapshot);
        assert_eq!(first.metrics.len(), 2);
        assert_eq!(value(&first, "metrics_stream_unit_idle_total"), Some(0.0));
        let mut last_seq: u64 = first.id.rsplit('-').next().unwrap().parse().unwrap();
        for n in 1..=5u64 {
            unit.counted_total.inc();
            // The event of the next point of the cadence after the tick
            // that read the increment.
            loop {
                let event = subscription.next_timeout(Duration::from_secs(5)).unwrap();
                assert_eq!(event.kind, EventKind::Update);
                assert_eq!(event.time_ms % 50, 0, "aligned to the cadence");
                assert_eq!(value(&event, "metrics_stream_unit_idle_total"), None, "only what changed");
                let seq: u64 = event.id.rsplit('-').next().unwrap().parse().unwrap();
                assert!(seq > last_seq);
                last_seq = seq;
                assert!(event.to_sse().starts_with(&format!("id: {}\nevent: update\ndata: {{\"time\":", event.id)));
                if value(&event, "metrics_stream_unit_counted_total") == Some(n as f64) {
                    break;
                }
            }
        }
        // Resuming from an event: the frames since, then live.
        let mut resumed = hub.subscribe(Selection::all(), Duration::from_millis(10), Some(&first.id));
        let replayed = resumed.next_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(replayed.kind, EventKind::Update);
        assert_eq!(value(&replayed, "metrics_stream_unit_counted_total"), Some(1.0), "the first missed frame");
        // Another epoch: a reset.
        let mut other =
            hub.subscribe(Selection::name("metrics_stream_unit_counted_total"), Duration::ZERO, Some("0-1"));
        let reset = other.next_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(reset.kind, EventKind::Reset);
        assert_eq!(reset.series.len(), 1);
        assert_eq!(value(&reset, "metrics_stream_unit_counted_total"), Some(5.0));
        // The iterator ends when the hub goes.
        drop(hub);
        assert!(other.next().is_none());
    }

    #[test]
    fn json_escapes_and_spells_non_finite_numbers() {
        let mut out = String::new();
        json_string(&mut out, "a\"b\\c\nd\u{1}");
        assert_eq!(out, r#""a\"b\\c\nd\u0001""#);
        for (value, expected) in
            [(f64::NAN, "\"NaN\""), (f64::INFINITY, "\"+Inf\""), (f64::NEG_INFINITY, "\"-Inf\""), (0.5, "0.5")]
        {
            let mut out = String::new();
            json_number(&mut out, value);
            assert_eq!(out, expected);
        }
        assert!(Hub::global(Duration::from_millis(1)).unwrap_err().to_string().contains("outside 10 ms to 1 h"));
    }
}
