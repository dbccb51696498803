//! The server over HTTPS, with certificates from CAs made at test time:
//! served to a client that trusts the CA and to no other, certificates
//! renewed on disk without a restart, client certificates required when a
//! client CA is set, and bearer tokens rotated through their file.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use metricate::server::{BackgroundServer, ServerBuilder, ServerError};
use tests::TempDir;
use tests::tls::{Authority, Client};

fn server(builder: ServerBuilder) -> BackgroundServer {
    // The demo's metrics are registered only if its code is linked in.
    let _ = demo::metrics::api::Http::global();
    builder.listen("127.0.0.1:0".parse().unwrap()).spawn().expect("the server starts")
}

/// The value of a `metrics_export_*` series, read over HTTPS.
fn self_metric(addr: SocketAddr, client: &Client<'_>, sample: &str) -> f64 {
    tests::sample_value(&client.get(addr, "/metrics", &[]).unwrap().0.text(), sample)
}

#[test]
fn https_for_clients_that_trust_the_ca_and_nobody_else() {
    let dir = TempDir::new("tls-basic");
    let ca = Authority::new("metrics test CA");
    let ca_file = ca.write_cert(&dir.join("ca.crt"));
    let issued = ca.server(dir.path(), "server");
    let server = server(ServerBuilder::new().tls(&issued.cert, &issued.key));
    let addr = server.local_addr();

    let trusting = Client { ca: Some(&ca_file), identity: None };
    let (response, presented) = trusting.get(addr, "/metrics", &[]).unwrap();
    assert_eq!(response.status, 200);
    assert!(response.text().contains("# TYPE trc_http_requests_total counter"));
    assert_eq!(presented, issued.der);

    // Trusting nothing, or another CA: the handshake fails.
    assert!(Client::default().get(addr, "/metrics", &[]).is_err());
    let other = Authority::new("another CA");
    let other_file = other.write_cert(&dir.join("other.crt"));
    let error = Client { ca: Some(&other_file), identity: None }.get(addr, "/metrics", &[]).unwrap_err();
    assert!(error.to_string().contains("UnknownIssuer"), "{error}");

    // Plain HTTP on the TLS port gets no answer, and is counted.
    let mut plain = TcpStream::connect(addr).unwrap();
    plain.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    plain.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{}", String::from_utf8_lossy(&answer));
    let failed = self_metric(addr, &trusting, r#"metrics_export_rejected_connections_total{reason="tls_handshake"}"#);
    assert!(failed >= 3.0, "{failed}");
    server.shutdown().unwrap();
}

#[test]
fn renewed_certificates_are_used_without_a_restart() {
    let dir = TempDir::new("tls-renew");
    let ca = Authority::new("metrics test CA");
    let ca_file = ca.write_cert(&dir.join("ca.crt"));
    let first = ca.server(dir.path(), "first");
    let second = ca.server(dir.path(), "second");
    let cert = dir.replace("server.crt", std::fs::read(&first.cert).unwrap());
    let key = dir.replace("server.key", std::fs::read(&first.key).unwrap());
    let server = server(ServerBuilder::new().tls(&cert, &key));
    let addr = server.local_addr();
    let client = Client { ca: Some(&ca_file), identity: None };
    assert_eq!(client.get(addr, "/health", &[]).unwrap().1, first.der);

    // Renewed: the next connection gets the new certificate.
    dir.replace("server.crt", std::fs::read(&second.cert).unwrap());
    dir.replace("server.key", std::fs::read(&second.key).unwrap());
    assert_eq!(client.get(addr, "/health", &[]).unwrap().1, second.der);
    let reloads = |result: &str| {
        self_metric(addr, &client, &format!(r#"metrics_export_config_reloads_total{{source="tls",result="{result}"}}"#))
    };
    assert!(reloads("ok") >= 1.0);

    // Half renewed (a certificate whose key is not there yet): the previous
    // pair stays in use, and the failure is counted.
    dir.replace("server.crt", std::fs::read(&first.cert).unwrap());
    let (response, presented) = client.get(addr, "/health", &[]).unwrap();
    assert_eq!((response.status, presented), (200, second.der.clone()));
    assert!(reloads("error") >= 1.0);
    // Completed: in use.
    dir.replace("server.key", std::fs::read(&first.key).unwrap());
    assert_eq!(client.get(addr, "/health", &[]).unwrap().1, first.der);
    server.shutdown().unwrap();
}

#[test]
fn a_client_ca_requires_client_certificates() {
    let dir = TempDir::new("tls-mutual");
    let ca = Authority::new("metrics test CA");
    let ca_file = ca.write_cert(&dir.join("ca.crt"));
    let issued = ca.server(dir.path(), "server");
    let clients = Authority::new("scrapers CA");
    let clients_file = clients.write_cert(&dir.join("clients.crt"));
    let scraper = clients.client(dir.path(), "prometheus");
    let stranger = Authority::new("stranger CA").client(dir.path(), "stranger");
    let server = server(ServerBuilder::new().tls(&issued.cert, &issued.key).tls_client_ca(&clients_file));
    let addr = server.local_addr();

    let with = |identity| Client { ca: Some(&ca_file), identity };
    assert_eq!(with(Some(&scraper)).get(addr, "/metrics", &[]).unwrap().0.status, 200);
    // TLS 1.3 reports a refused client certificate on the first read.
    assert!(with(None).get(addr, "/metrics", &[]).is_err());
    assert!(with(Some(&stranger)).get(addr, "/metrics", &[]).is_err());
    server.shutdown().unwrap();
}

#[test]
fn bad_tls_files_are_errors_at_start() {
    let dir = TempDir::new("tls-bad");
    let ca = Authority::new("metrics test CA");
    let issued = ca.server(dir.path(), "server");
    let other = ca.server(dir.path(), "other");
    let empty = dir.replace("empty.pem", "");
    for (builder, message) in [
        (ServerBuilder::new().tls(dir.join("missing.crt"), &issued.key), "cannot read certificates from"),
        (ServerBuilder::new().tls(&empty, &issued.key), "no certificate found in"),
        (ServerBuilder::new().tls(&issued.cert, &empty), "no private key read from"),
        (ServerBuilder::new().tls(&issued.cert, &other.key), "are not a usable pair"),
        (ServerBuilder::new().tls(&issued.cert, &issued.key).tls_client_ca(&empty), "no certificate found in"),
    ] {
        let error = builder.listen("127.0.0.1:0".parse().unwrap()).spawn().unwrap_err();
        assert!(matches!(error, ServerError::Tls(_)), "{error:?}");
        assert!(error.to_string().starts_with("cannot serve HTTPS: "), "{error}");
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[test]
fn a_rotated_token_file_takes_effect_without_a_restart() {
    let dir = TempDir::new("token-rotation");
    let token = dir.replace("token", "first-token\n");
    let server = server(ServerBuilder::new().bearer_token_file(&token));
    let addr = server.local_addr();
    let status = |token: &str| {
        let auth = format!("Bearer {token}");
        tests::http_get(addr, "/metrics", &[("Authorization", &auth)]).unwrap().status
    };
    assert_eq!((status("first-token"), status("second-token")), (200, 401));
    // Both during the switch, then only the new one.
    dir.replace("token", "second-token\nfirst-token\n");
    assert_eq!((status("first-token"), status("second-token")), (200, 200));
    dir.replace("token", "second-token\n");
    assert_eq!((status("first-token"), status("second-token")), (401, 200));
    // Emptied by mistake: nobody, until it is fixed.
    dir.replace("token", "\n");
    assert_eq!(status("second-token"), 401);
    dir.replace("token", "third-token");
    assert_eq!(status("third-token"), 200);
    let text = tests::http_get(addr, "/metrics", &[("Authorization", "Bearer third-token")]).unwrap().text();
    let errors =
        tests::sample_value(&text, r#"metrics_export_config_reloads_total{source="bearer_token",result="error"}"#);
    assert_eq!(errors, 1.0);
    server.shutdown().unwrap();
}
