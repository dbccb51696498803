//! The OTLP receiver the export tests deliver to (tests/otlp/receiver.py),
//! checked on its own with requests written byte by byte: it decodes an
//! `ExportMetricsServiceRequest` (plain or gzipped) with the official
//! definitions and records it, refuses a body that does not decode (400)
//! and another content type (415) without recording them, answers with
//! what was scripted (a 503 with `Retry-After`, a partial success) while
//! still recording, and over TLS with a client CA refuses a client without
//! a certificate and keeps serving.

use std::io::Write;

use tests::TempDir;
use tests::otlp::OtlpReceiver;
use tests::tls::{Authority, Client};

const PROTOBUF: (&str, &str) = ("Content-Type", "application/x-protobuf");

fn python() -> Option<std::path::PathBuf> {
    tests::otlp_python(env!("CARGO_TARGET_TMPDIR"))
}

/// Field `field` of wire type 2 (length-delimited) holding `contents`.
fn field(field: u8, contents: &[u8]) -> Vec<u8> {
    let length = u8::try_from(contents.len()).ok().filter(|n| *n < 0x80).expect("a one-byte length");
    let mut out = vec![(field << 3) | 2, length];
    out.extend_from_slice(contents);
    out
}

/// An `ExportMetricsServiceRequest` with one `ResourceMetrics` whose
/// `Resource` has the attribute `service.name` = `name`, and nothing else.
fn request_for(name: &str) -> Vec<u8> {
    let any_value = field(1, name.as_bytes()); // AnyValue.string_value
    let key_value = [field(1, b"service.name"), field(2, &any_value)].concat(); // KeyValue.key, .value
    let resource = field(1, &key_value); // Resource.attributes
    let resource_metrics = field(1, &resource); // ResourceMetrics.resource
    field(1, &resource_metrics) // ExportMetricsServiceRequest.resource_metrics
}

fn post(receiver: &OtlpReceiver, headers: &[(&str, &str)], body: &[u8]) -> tests::Response {
    tests::request_with_body(receiver.addr(), "POST", "/v1/metrics", headers, body).expect("the receiver answers")
}

fn service_name(recorded: &serde_json::Value) -> &serde_json::Value {
    &recorded["request"]["resource_metrics"][0]["resource"]["attributes"][0]
}

#[test]
fn requests_are_decoded_and_recorded() {
    let Some(python) = python() else { return };
    let receiver = OtlpReceiver::start(&python);
    assert!(receiver.base_url().starts_with("http://127.0.0.1:"), "{}", receiver.base_url());

    let response = post(&receiver, &[PROTOBUF], &request_for("x"));
    assert_eq!(response.status, 200, "{}", receiver.log());
    assert_eq!(response.header("content-type"), Some("application/x-protobuf"));
    assert!(response.body.is_empty(), "an empty ExportMetricsServiceResponse: {:?}", response.body);

    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&request_for("y")).unwrap();
    let response = post(&receiver, &[PROTOBUF, ("Content-Encoding", "gzip")], &gzip.finish().unwrap());
    assert_eq!(response.status, 200, "{}", receiver.log());

    let requests = receiver.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(requests[0]["path"], "/v1/metrics");
    assert_eq!(requests[0]["headers"]["content-type"], "application/x-protobuf");
    assert_eq!(requests[0]["answered"], 200);
    assert_eq!(*service_name(&requests[0]), serde_json::json!({"key": "service.name", "value": {"string_value": "x"}}));
    assert_eq!(requests[1]["headers"]["content-encoding"], "gzip");
    assert_eq!(service_name(&requests[1])["value"]["string_value"], "y");

    // The same over `GET /requests`.
    let listed = tests::http_get(receiver.addr(), "/requests", &[]).unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&listed.body).unwrap(), serde_json::Value::from(requests));
}

#[test]
fn what_does_not_decode_is_refused_and_not_recorded() {
    let Some(python) = python() else { return };
    let receiver = OtlpReceiver::start(&python);

    // A field whose length runs past the end of the body.
    let response = post(&receiver, &[PROTOBUF], b"\x0a\x05ab");
    assert_eq!(response.status, 400);
    assert!(response.text().contains("not an ExportMetricsServiceRequest"), "{}", response.text());

    let response = post(&receiver, &[("Content-Type", "application/json")], &request_for("x"));
    assert_eq!(response.status, 415, "{}", response.text());
    let response = post(&receiver, &[], &request_for("x"));
    assert_eq!(response.status, 415, "{}", response.text());

    let response = tests::request_with_body(receiver.addr(), "POST", "/v1/traces", &[PROTOBUF], &request_for("x"));
    assert_eq!(response.unwrap().status, 404);
    assert!(receiver.requests().is_empty(), "{:#?}", receiver.requests());
}

#[test]
fn scripted_answers_are_given_and_still_recorded() {
    let Some(python) = python() else { return };
    let receiver = OtlpReceiver::start(&python);
    receiver.script(r#"{"status": 503, "retry_after": "1", "times": 2}"#);
    receiver.script(r#"{"rejected_data_points": 3, "error_message": "too old"}"#);

    for _ in 0..2 {
        let response = post(&receiver, &[PROTOBUF], &request_for("x"));
        assert_eq!(response.status, 503);
        assert_eq!(response.header("retry-after"), Some("1"));
    }
    // ExportMetricsServiceResponse.partial_success: rejected_data_points 3,
    // error_message "too old".
    let response = post(&receiver, &[PROTOBUF], &request_for("x"));
    assert_eq!(response.status, 200);
    assert_eq!(response.body, field(1, &[&[0x08, 3][..], &field(2, b"too old")].concat()));
    let response = post(&receiver, &[PROTOBUF], &request_for("x"));
    assert_eq!((response.status, response.body.len()), (200, 0));

    let answered: Vec<_> = receiver.requests().iter().map(|r| r["answered"].clone()).collect();
    assert_eq!(answered, [503, 503, 200, 200]);
}

#[test]
fn tls_with_a_client_ca_refuses_clients_without_a_certificate() {
    let Some(python) = python() else { return };
    let dir = TempDir::new("otlp-tls");
    let ca = Authority::new("OTLP test CA");
    let ca_file = ca.write_cert(&dir.join("ca.crt"));
    let server = ca.server(dir.path(), "server");
    let client = ca.client(dir.path(), "client");
    let receiver = OtlpReceiver::start_tls(&python, &server.cert, &server.key, Some(&ca_file));
    assert_eq!(receiver.base_url(), format!("https://localhost:{}", receiver.addr().port()));

    let anonymous = Client { ca: Some(&ca_file), identity: None };
    assert!(anonymous.get(receiver.addr(), "/health", &[]).is_err());
    let identified = Client { ca: Some(&ca_file), identity: Some(&client) };
    let (response, presented) = identified.get(receiver.addr(), "/health", &[]).unwrap();
    assert_eq!(response.status, 200, "{}", receiver.log());
    assert_eq!(presented, server.der);
    assert!(receiver.log().contains("TLS handshake with 127.0.0.1:"), "{}", receiver.log());
    assert!(receiver.requests().is_empty());
}
