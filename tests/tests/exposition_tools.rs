//! The demo's scrape, checked by independent parsers: `promtool check
//! metrics`, and the Prometheus text and strict OpenMetrics parsers of the
//! Python `prometheus_client`.

use std::net::SocketAddr;
use std::time::Duration;

use tests::{http_get, promtool, python_with_prometheus_client, run_with_stdin};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0";

fn start_demo() -> demo::Running {
    let running = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap()))
        .expect("the demo starts on a free loopback port");
    // Let the workload touch every metric at least once.
    std::thread::sleep(Duration::from_millis(500));
    running
}

fn scrape(addr: SocketAddr, accept: &str) -> tests::Response {
    let response = http_get(addr, "/metrics", &[("Accept", accept)]).expect("scrape");
    assert_eq!(response.status, 200, "{}", response.text());
    response
}

#[test]
fn promtool_accepts_the_text_exposition() {
    let Some(promtool) = promtool() else { return };
    let demo = start_demo();
    let response = scrape(demo.local_addr(), "text/plain");
    assert_eq!(response.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let out = run_with_stdin(&promtool, &["check", "metrics"], &response.body).unwrap();
    assert!(out.success && out.stdout.trim().is_empty(), "promtool: {}\n{}", out.stdout, out.stderr);
    demo.shutdown().unwrap();
}

#[test]
fn python_text_parser_accepts_the_text_exposition() {
    let Some(python) = python_with_prometheus_client() else { return };
    let demo = start_demo();
    let response = scrape(demo.local_addr(), "text/plain; version=0.0.4");
    let script = "import sys\n\
        from prometheus_client.parser import text_string_to_metric_families as parse\n\
        families = list(parse(sys.stdin.read()))\n\
        print(len(families), sum(len(f.samples) for f in families))\n";
    let out = run_with_stdin(&python, &["-c", script], &response.body).unwrap();
    assert!(out.success, "python parser: {}", out.stderr);
    let families: usize = out.stdout.split_whitespace().next().unwrap().parse().unwrap();
    let declared = tests::declared_types(&response.text()).len();
    assert_eq!(families, declared, "the parser saw every family");
    demo.shutdown().unwrap();
}

#[test]
fn strict_openmetrics_parser_accepts_the_openmetrics_exposition() {
    let Some(python) = python_with_prometheus_client() else { return };
    let demo = start_demo();
    let response = scrape(demo.local_addr(), OPENMETRICS);
    assert_eq!(response.header("content-type"), Some("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    let text = response.text();
    assert!(text.ends_with("# EOF\n"), "ends with # EOF");
    let script = "import sys\n\
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse\n\
        families = list(parse(sys.stdin.read()))\n\
        print(len(families))\n";
    let out = run_with_stdin(&python, &["-c", script], &response.body).unwrap();
    assert!(out.success, "OpenMetrics parser: {}", out.stderr);
    let families: usize = out.stdout.trim().parse().unwrap();
    assert_eq!(families, tests::declared_types(&text).len());
    demo.shutdown().unwrap();
}

#[test]
fn anything_but_openmetrics_gets_text() {
    let demo = start_demo();
    for accept in ["*/*", "text/plain", "application/json", "application/openmetrics-text; version=2.0.0"] {
        let response = scrape(demo.local_addr(), accept);
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; version=0.0.4; charset=utf-8"),
            "Accept: {accept}"
        );
        assert!(!response.text().contains("# EOF"));
    }
    demo.shutdown().unwrap();
}
