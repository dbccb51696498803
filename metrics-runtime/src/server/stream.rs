//! `GET /stream`: a [`Hub`](crate::stream::Hub) subscription as
//! Server-Sent Events. Each subscriber is a task that writes its events into
//! a channel of two, which the response body reads: a client that stops
//! reading stops its task (and, after the send timeout, loses its
//! connection), never grows the server's memory.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::Shared;
use super::connections::{EventBody, Tracker};
use super::http::{TEXT, respond, unauthorized};
use crate::self_metrics::{self, Rejection};
use crate::stream::Selection;

/// A comment line sent when no event was for this long, so that proxies and
/// clients see the stream alive.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// What the client's `EventSource` waits before reconnecting.
const RETRY: &[u8] = b"retry: 1000\n\n";

type Body = Either<Full<Bytes>, EventBody>;

/// What the query asked for.
#[derive(Debug, PartialEq)]
struct Query {
    selection: Selection,
    interval: Duration,
}

/// Parses `metric=NAME`, `prefix=P` (each repeatable) and `interval=`
/// (milliseconds, or with `ms` or `s`).
fn parse_query(query: Option<&str>) -> Result<Query, String> {
    let mut selection = Selection::all();
    let mut interval = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value).ok_or_else(|| format!("`{pair}` is not percent-encoded correctly"))?;
        match key {
            "metric" if !value.is_empty() => selection = selection.or_name(&value),
            "prefix" if !value.is_empty() => selection = selection.or_prefix(&value),
            "metric" | "prefix" => return Err(format!("`{key}` needs a value")),
            "interval" => {
                let parsed = parse_interval(&value)
                    .ok_or_else(|| format!("`interval={value}`: expected milliseconds, e.g. 250, 250ms or 1s"))?;
                if interval.replace(parsed).is_some() {
                    return Err("`interval` is given twice".to_owned());
                }
            }
            other => {
                let shown: String = other.chars().take(64).collect();
                return Err(format!("unknown parameter `{shown}`: expected metric, prefix or interval"));
            }
        }
    }
    Ok(Query { selection, interval: interval.unwrap_or(Duration::from_millis(100)) })
}

/// `250`, `250ms` or `2s`, above zero and at most an hour.
fn parse_interval(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 1)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1000)
    } else {
        (text, 1)
    };
    let n: u64 = number.parse().ok()?;
    let ms = n.checked_mul(scale)?;
    (1..=3_600_000).contains(&ms).then(|| Duration::from_millis(ms))
}

/// Percent-decoding of a query value (`+` is a space); `None` when it is
/// malformed or not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Releases a subscriber's slot when its task ends.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        let left = self.0.subscribers.fetch_sub(1, Ordering::Relaxed) - 1;
        self_metrics::stream_subscribers(left);
    }
}

/// The response to `/stream`.
pub(super) fn respond_to(
    shared: &Arc<Shared>,
    request: &Request<Incoming>,
    tracker: Option<&Arc<Tracker>>,
) -> Response<Body> {
    let whole = |response: Response<Full<Bytes>>| response.map(Either::Left);
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = respond(StatusCode::METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return whole(response);
    }
    if !shared.auth.allows(request.headers()) {
        return whole(unauthorized());
    }
    let query = match parse_query(request.uri().query()) {
        Ok(query) => query,
        Err(message) => return whole(respond(StatusCode::BAD_REQUEST, TEXT, format!("{message}\n"))),
    };
    let hub = match shared.hub() {
        Ok(hub) => hub.clone(),
        Err(message) => return whole(respond(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("{message}\n"))),
    };
    let sse = |body: Body| {
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // Proxies that buffer (nginx) pass the events on at once.
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        response
    };
    if request.method() == Method::HEAD {
        return sse(Either::Left(Full::new(Bytes::new())));
    }
    // A subscriber slot, under the subscriber limit.
    let taken = shared.subscribers.fetch_add(1, Ordering::Relaxed) + 1;
    if taken > shared.settings.max_subscribers {
        shared.subscribers.fetch_sub(1, Ordering::Relaxed);
        self_metrics::rejected_connection(Rejection::SubscriberLimit);
        let mut response = respond(StatusCode::SERVICE_UNAVAILABLE, TEXT, "too many subscribers; retry later\n");
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return whole(response);
    }
    self_metrics::stream_subscribers(taken);
    let slot = Slot(Arc::clone(shared));
    // The connection leaves the scrape connections' table: it does not
    // count against their limit and cannot be closed to make room.
    if let Some(tracker) = tracker {
        tracker.streaming();
        shared.connections.release(tracker);
    }
    let after = request.headers().get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut subscription = hub.subscribe(query.selection, query.interval, after.as_deref());
    let mut stopping = shared.stopping.subscribe();
    let (events, receiver) = tokio::sync::mpsc::channel::<Bytes>(2);
    tokio::spawn(async move {
        let _slot = slot;
        // The hub stays while its subscribers are served.
        let _hub = hub;
        if events.send(Bytes::from_static(RETRY)).await.is_err() {
            return;
        }
        loop {
            while let Some(event) = subscription.next_event() {
                if events.send(Bytes::from(event.to_sse())).await.is_err() {
                    return;
                }
            }
            tokio::select! {
                alive = subscription.changed() => if !alive { return },
                () = tokio::time::sleep(KEEPALIVE) => {
                    if events.send(Bytes::from_static(b": keepalive\n\n")).await.is_err() {
                        return;
                    }
                }
                () = async { drop(stopping.wait_for(|stopping| *stopping).await) } => return,
                () = events.closed() => return,
            }
        }
    });
    sse(Either::Right(EventBody::new(receiver)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_or_say_why_not() {
        let query = parse_query(Some("metric=a_total&prefix=trc_http_&interval=250ms&metric=b%5Fx")).unwrap();
        assert_eq!(query.interval, Duration::from_millis(250));
        assert!(query.selection.matches("a_total") && query.selection.matches("b_x"));
        assert!(query.selection.matches("trc_http_requests_total"));
        assert!(!query.selection.matches("other"));
        let all = parse_query(None).unwrap();
        assert!(all.selection.matches("anything"));
        assert_eq!(all.interval, Duration::from_millis(100));
        assert_eq!(parse_query(Some("interval=2s")).unwrap().interval, Duration::from_secs(2));
        assert_eq!(parse_query(Some("interval=300")).unwrap().interval, Duration::from_millis(300));
        for (query, expected) in [
            ("interval=0", "expected milliseconds"),
            ("interval=soon", "expected milliseconds"),
            ("interval=1&interval=2", "given twice"),
            ("metric=", "needs a value"),
            ("colour=red", "unknown parameter `colour`"),
            ("metric=%zz", "percent-encoded"),
        ] {
            let error = parse_query(Some(query)).unwrap_err();
            assert!(error.contains(expected), "{query}: {error}");
        }
    }
}
