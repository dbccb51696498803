//! The HTTP sinks over HTTPS against real Go servers: a Prometheus receiving
//! remote writes and a Pushgateway, each serving TLS with a certificate of a
//! CA made at test time and requiring a client certificate of it
//! (`--web.config.file`). With the CA and the client certificate the
//! deliveries arrive; without the CA they fail at once with the reason,
//! counted.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use metricate::export::{Exporter, Outcome, Pushgateway, RemoteWrite, Transport};
use metricate::{Counter, Metrics};
use tests::prometheus::Prometheus;
use tests::tls::{Authority, Client};
use tests::{Process, TempDir, registry_value, wait_until};

/// What the test delivers.
#[derive(Metrics)]
#[metrics(subsystem = "tls_export")]
struct Delivered {
    /// Events counted before the delivery.
    events_total: Counter,
}

/// Waits until `addr` answers `GET /-/ready` with 200 over HTTPS.
fn wait_ready(client: &Client<'_>, addr: SocketAddr, what: &str) {
    wait_until(what, Duration::from_secs(60), || {
        client.get(addr, "/-/ready", &[]).is_ok_and(|(response, _)| response.status == 200)
    });
}

#[test]
fn remote_write_and_the_pushgateway_deliver_over_https_with_a_client_certificate() {
    let Some(prometheus_binary) = tests::prometheus() else { return };
    let Some(gateway_binary) = tests::pushgateway() else { return };
    let dir = TempDir::new("export-tls");
    let authority = Authority::new("export test CA");
    let ca = authority.write_cert(&dir.join("ca.pem"));
    let server = authority.server(dir.path(), "server");
    let client = authority.client(dir.path(), "client");
    let web = dir.join("web.yml");
    std::fs::write(
        &web,
        format!(
            "tls_server_config:\n  cert_file: {}\n  key_file: {}\n  client_auth_type: RequireAndVerifyClientCert\n  \
             client_ca_file: {}\n",
            server.cert.display(),
            server.key.display(),
            ca.display()
        ),
    )
    .unwrap();
    let web_flag = format!("--web.config.file={}", web.display());
    let https = Client { ca: Some(&ca), identity: Some(&client) };

    let prometheus = Prometheus::start_with(&prometheus_binary, "", &["--web.enable-remote-write-receiver", &web_flag]);
    wait_ready(&https, prometheus.addr(), "Prometheus serves HTTPS");
    let gateway_addr = tests::free_loopback_addr();
    let mut command = Command::new(&gateway_binary);
    command.arg(format!("--web.listen-address={gateway_addr}")).arg(&web_flag);
    let _gateway = Process::spawn("the pushgateway", command, dir.join("pushgateway.log"));
    wait_ready(&https, gateway_addr, "the Pushgateway serves HTTPS");

    Delivered::global().events_total.inc_by(42);
    let remote_write = format!("https://localhost:{}/api/v1/write", prometheus.addr().port());
    let gateway = format!("https://localhost:{}", gateway_addr.port());
    let transport = Transport::new().ca_file(&ca).unwrap().client_cert(&client.cert, &client.key).unwrap();
    let exporter = Exporter::builder()
        .interval(Duration::from_secs(3600))
        .sink(
            RemoteWrite::new(&remote_write)
                .unwrap()
                .external_label("job", "tls")
                .unwrap()
                .transport(&transport)
                .unwrap(),
        )
        .sink(Pushgateway::new(&gateway, "tls").unwrap().transport(&transport).unwrap())
        .build()
        .unwrap();
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    assert!(reports.iter().all(|r| r.outcome.is_delivered()), "{reports:?}\n{}", prometheus.log());
    exporter.shutdown().unwrap();

    let (answer, _) = https.get(prometheus.addr(), "/api/v1/query?query=trc_tls_export_events_total", &[]).unwrap();
    let answer = answer.text();
    assert!(answer.contains(r#""job":"tls""#) && answer.contains(r#""42"]"#), "{answer}");
    let (metrics, _) = https.get(gateway_addr, "/metrics", &[]).unwrap();
    let metrics = metrics.text();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("trc_tls_export_events_total{") && l.contains(r#"job="tls""#) && l.ends_with(" 42")),
        "{metrics}"
    );

    // Without the CA: refused at the handshake, with the reason, counted as
    // rejected, not retried.
    let exporter = Exporter::builder()
        .interval(Duration::from_secs(3600))
        .named_sink("tls_untrusted", RemoteWrite::new(&remote_write).unwrap(), None)
        .build()
        .unwrap();
    exporter.start().unwrap();
    let report = exporter.flush_blocking().unwrap().remove(0);
    let Outcome::Rejected(error) = &report.outcome else { panic!("{report:?}") };
    assert!(error.message().contains("UnknownIssuer"), "{error}");
    assert_eq!(report.attempts, 1);
    exporter.shutdown().unwrap();
    let rejected =
        registry_value("metrics_export_deliveries_total", &[("sink", "tls_untrusted"), ("result", "rejected")]);
    assert!(rejected >= 1.0, "{rejected}");
}
