//! `reason = E` with an error enum that carries data (one derive, the fields
//! ignored): written out, through a `Result` alias, in an async function with
//! `?` and in a method. An enum whose variants carry data is a label value
//! anywhere.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

/// Why a fetch failed; each variant carries what happened.
#[derive(Debug, LabelValue)]
enum FetchError {
    Timeout { after_ms: u64 },
    Status(u16),
    #[label(rename = "tls")]
    Handshake(String),
    Closed,
}

type FetchResult<T> = Result<T, FetchError>;

fn outcome(code: u16) -> FetchResult<usize> {
    match code {
        200 => Ok(3),
        0 => Err(FetchError::Timeout { after_ms: 30 }),
        1 => Err(FetchError::Handshake("expired".to_owned())),
        2 => Err(FetchError::Closed),
        other => Err(FetchError::Status(other)),
    }
}

/// Fetches, its error written out.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
fn fetch(code: u16) -> Result<usize, FetchError> {
    outcome(code)
}

/// Fetches, its error through an alias.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
fn fetch_aliased(code: u16) -> FetchResult<usize> {
    outcome(code)
}

/// Fetches asynchronously, with `?`.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
async fn fetch_async(code: u16) -> FetchResult<usize> {
    let n = outcome(code)?;
    Ok(n + 1)
}

struct Client;

impl Client {
    /// Fetches through a client.
    #[instrument_metric(subsystem = "ui", reason = FetchError)]
    fn get(&self, code: u16) -> FetchResult<usize> {
        outcome(code)
    }
}

#[derive(Clone, Copy, LabelSet)]
struct ByProtocol {
    protocol: Protocol,
}

/// A label whose variants carry data: the value is the variant.
#[derive(Clone, Copy, LabelValue)]
enum Protocol {
    Http(u8),
    Tcp { port: u16 },
    Udp,
}

/// Connections.
#[derive(Metrics)]
#[metrics(subsystem = "ui_reason")]
struct Net {
    /// Connections opened, by protocol.
    connections_total: Family<ByProtocol, Counter>,
}

fn main() {
    for code in [200, 0, 1, 2, 404, 503] {
        let _ = fetch(code);
        let _ = fetch_aliased(code);
        let _ = Client.get(code);
        let mut future = pin!(fetch_async(code));
        let _ = future.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    }

    let net = Net::global();
    net.connections_total.with(ByProtocol { protocol: Protocol::Http(2) }).inc();
    net.connections_total.with(ByProtocol { protocol: Protocol::Tcp { port: 22 } }).inc();
    net.connections_total.with(ByProtocol { protocol: Protocol::Udp }).inc();
}
