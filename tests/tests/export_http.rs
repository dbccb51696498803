//! What the Pushgateway sink puts on the wire and how it reads answers the
//! real gateway does not give on demand: a scripted HTTP server on loopback
//! records each request (method, path, headers, body) and answers as told.
//! Credentials reach the server, `Retry-After` is waited for, a 4xx is not
//! retried and its body is in the error.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use metricate::export::{Exporter, Outcome, PushMethod, Pushgateway, Transport};

/// One request as the server read it.
#[derive(Clone, Debug)]
struct Seen {
    at: Instant,
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Answers each connection's one request with the next of `answers`
/// (status line and extra headers), then `200 OK`.
fn server(answers: Vec<&'static str>) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
            let length = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            record.lock().unwrap().push(Seen { at: Instant::now(), line: line.trim_end().to_owned(), headers, body });
            let answer = answers.next().unwrap_or("200 OK\r\n");
            let text = "why not";
            let _ =
                write!(stream, "HTTP/1.1 {answer}Content-Length: {}\r\nConnection: close\r\n\r\n{text}", text.len());
        }
    });
    (addr, seen)
}

fn exporter_to(sink: Pushgateway, retries: u32) -> Exporter {
    Exporter::builder()
        .interval(Duration::from_secs(3600))
        .max_retries(retries)
        .backoff(Duration::from_millis(1), Duration::from_secs(5))
        .sink(sink)
        .build()
        .unwrap()
}

#[test]
fn credentials_method_path_and_body_reach_the_server() {
    let (addr, seen) = server(Vec::new());
    let url = format!("http://{addr}/gateway");
    let bearer = Pushgateway::new(&url, "job")
        .unwrap()
        .transport(&Transport::new().bearer_token("s3cret").unwrap().header("X-Scope-OrgID", "tenant-1").unwrap())
        .unwrap();
    let exporter = exporter_to(bearer, 0);
    exporter.start().unwrap();
    exporter.shutdown().unwrap();
    let basic = Pushgateway::new(&url, "job")
        .unwrap()
        .transport(&Transport::new().basic_auth("user", "pa:ss").unwrap())
        .unwrap()
        .method(PushMethod::Post);
    let exporter = exporter_to(basic.delete_on_shutdown(true), 0);
    exporter.start().unwrap();
    exporter.shutdown().unwrap();

    let seen = seen.lock().unwrap().clone();
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "PUT /gateway/metrics/job/job HTTP/1.1",
            "PUT /gateway/metrics/job/job HTTP/1.1",
            "POST /gateway/metrics/job/job HTTP/1.1",
            "POST /gateway/metrics/job/job HTTP/1.1",
            "DELETE /gateway/metrics/job/job HTTP/1.1",
        ],
        "a delivery at start and one at shutdown each, then the delete"
    );
    assert_eq!(seen[0].header("authorization"), Some("Bearer s3cret"));
    assert_eq!(seen[0].header("x-scope-orgid"), Some("tenant-1"), "the transport's own headers");
    // base64("user:pa:ss")
    assert_eq!(seen[2].header("authorization"), Some("Basic dXNlcjpwYTpzcw=="));
    assert_eq!(seen[4].header("authorization"), Some("Basic dXNlcjpwYTpzcw=="));
    assert_eq!(seen[0].header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert_eq!(seen[0].header("host"), Some(addr.to_string().as_str()));
    let body = String::from_utf8(seen[0].body.clone()).unwrap();
    assert!(body.contains("# TYPE metrics_export_deliveries_total counter"), "{body}");
    assert!(body.lines().filter(|l| !l.starts_with('#')).all(|l| l.split(' ').count() == 2), "no timestamps: {body}");
    assert!(seen[4].body.is_empty());
}

#[test]
fn retry_after_is_waited_for_and_a_client_error_is_not_retried() {
    let (addr, seen) = server(vec!["503 Service Unavailable\r\nRetry-After: 1\r\n", "400 Bad Request\r\n"]);
    let exporter = exporter_to(Pushgateway::new(&format!("http://{addr}"), "job").unwrap(), 3);
    exporter.start().unwrap();
    // The delivery at start: 503, a wait of at least a second, then 400,
    // not retried; the flush after it succeeds.
    let reports = exporter.flush_blocking().unwrap();
    assert!(reports[0].outcome.is_delivered(), "{reports:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "503, 400 (not retried), then the flush's 200");
    assert!(seen[1].at - seen[0].at >= Duration::from_secs(1), "Retry-After: 1 was waited for");
    exporter.shutdown().unwrap();
}

#[test]
fn a_refused_push_reports_the_status_and_the_body() {
    let (addr, seen) = server(vec!["200 OK\r\n", "400 Bad Request\r\n"]);
    let exporter = exporter_to(Pushgateway::new(&format!("http://{addr}"), "job").unwrap(), 3);
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    match &reports[0].outcome {
        Outcome::Rejected(error) => {
            assert!(error.message().ends_with("HTTP 400 Bad Request: why not"), "{error}");
            assert!(!error.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(reports[0].attempts, 1);
    assert_eq!(seen.lock().unwrap().len(), 2);

    let (addr, _) = server(vec!["200 OK\r\n", "503 Service Unavailable\r\nRetry-After: 1\r\n"]);
    let delayed = exporter_to(Pushgateway::new(&format!("http://{addr}"), "job").unwrap(), 3);
    delayed.start().unwrap();
    let reports = delayed.flush_blocking().unwrap();
    assert_eq!((&reports[0].outcome, reports[0].attempts), (&Outcome::Delivered, 2));
    assert!(reports[0].duration >= Duration::from_secs(1), "Retry-After: 1 was waited for: {:?}", reports[0].duration);
    delayed.shutdown().unwrap();
    exporter.shutdown().unwrap();
}
