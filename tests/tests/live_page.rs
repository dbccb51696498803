//! The server's pages in a real browser: Debian's `chromium`, headless,
//! driven through `chromedriver` (Debian package `chromium-driver`) by the
//! `fantoccini` client, against the demo served by the real server.
//!
//! The test opens the index page and checks that it links every endpoint,
//! follows its link to the HTML catalogue, then opens the live page, picks
//! the counter the demo's workload drives and waits until the page has
//! plotted a few points and the plotted value has moved. It saves a
//! screenshot under `target/test-artifacts/`. It also checks that `/live`
//! comes with its Content-Security-Policy, under which the page must work.
//!
//! Under `CI=true` a missing browser or driver fails the test; elsewhere it
//! prints SKIPPED and passes (`scripts/install-test-deps.sh` installs both).

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tests::browser::{Driver, artifacts, capabilities};

/// How long the whole browser session may take before the test fails.
const SESSION_LIMIT: Duration = Duration::from_secs(150);

/// How long the live page may take to plot a moving value (a liveness
/// bound, not a timing).
const LIVENESS: Duration = Duration::from_secs(60);

/// The counter the demo's workload increments all the time.
const METRIC: &str = "trc_http_requests_total";

/// The endpoints the index page links.
const ENDPOINTS: [&str; 6] = ["/metrics", "/catalog", "/catalog.json", "/live", "/stream", "/health"];

/// The `#latest` output: how many points the page plotted, and the value.
async fn latest(client: &Client) -> (u64, String) {
    let output = client.find(Locator::Id("latest")).await.unwrap();
    let points = output.attr("data-points").await.unwrap().expect("#latest has data-points");
    let points = points.parse().unwrap_or_else(|_| panic!("data-points is a count, not {points:?}"));
    (points, output.text().await.unwrap().trim().to_owned())
}

async fn status(client: &Client) -> String {
    client.find(Locator::Id("status")).await.unwrap().text().await.unwrap()
}

async fn drive(client: Client, base: String) {
    // The index links every endpoint, at the root.
    client.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(client.title().await.unwrap(), "Metrics");
    for endpoint in ENDPOINTS {
        let link = client.find(Locator::Css(&format!("li[data-endpoint=\"{endpoint}\"] a"))).await.unwrap();
        assert_eq!(link.attr("href").await.unwrap().as_deref(), Some(endpoint), "the link to {endpoint}");
    }
    let items = client.find_all(Locator::Css("li[data-endpoint]")).await.unwrap();
    assert_eq!(items.len(), ENDPOINTS.len(), "one item per endpoint");

    // Its link to the catalogue leads to the HTML catalogue.
    client.find(Locator::Css("li[data-endpoint=\"/catalog\"] a")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Css(&format!("article[data-metric=\"{METRIC}\"]"))).await.unwrap();
    assert_eq!(client.current_url().await.unwrap().path(), "/catalog");

    // The live page lists the catalogue; the filter keeps the metric.
    client.goto(&format!("{base}/live")).await.unwrap();
    let button = Locator::Css(&format!("button[data-metric=\"{METRIC}\"]"));
    client.wait().for_element(button).await.unwrap();
    let listed = client.find_all(Locator::Css("button[data-metric]")).await.unwrap().len();
    assert!(listed > 50, "the live page lists the demo's metrics: {listed}");
    client.find(Locator::Id("filter")).await.unwrap().send_keys("http requests_total").await.unwrap();
    let mut shown = Vec::new();
    for candidate in client.find_all(Locator::Css("button[data-metric]")).await.unwrap() {
        if candidate.is_displayed().await.unwrap() {
            shown.push(candidate.attr("data-metric").await.unwrap().unwrap_or_default());
        }
    }
    assert!(shown.iter().any(|name| name == METRIC) && shown.len() < listed, "the filter keeps {METRIC}: {shown:?}");

    // Picking the counter plots its rate; the value moves.
    client.find(button).await.unwrap().click().await.unwrap();
    let selected = client.execute("return document.body.dataset.selected", vec![]).await.unwrap();
    assert_eq!(selected, METRIC, "the page says which metric is selected");
    let deadline = Instant::now() + LIVENESS;
    let mut first: Option<String> = None;
    loop {
        let (points, value) = latest(&client).await;
        if points > 0 {
            let rate: f64 = value.parse().unwrap_or_else(|_| panic!("#latest holds a number, not {value:?}"));
            assert!(rate >= 0.0, "a counter's rate is never negative: {rate}");
            let first = first.get_or_insert_with(|| value.clone());
            if points >= 3 && value != *first {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the live page did not plot a moving value within {LIVENESS:?}: {points} points, {value:?}, status {:?}",
            status(&client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status(&client).await;
    assert!(status.starts_with("Live") && status.contains("last event"), "the status line: {status:?}");
    let png = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("live.png"), png).unwrap();

    // The page loads nothing but the catalogue and the stream, from its own
    // server.
    let loaded = client.execute("return performance.getEntriesByType('resource').map(e => e.name)", vec![]).await;
    for url in loaded.unwrap().as_array().expect("a list of URLs") {
        let url = url.as_str().unwrap_or_default();
        assert!(
            url.starts_with(&format!("{base}/catalog.json")) || url.starts_with(&format!("{base}/stream?")),
            "{url}"
        );
    }

    // On a phone-sized window nothing overflows sideways.
    client.set_window_size(390, 844).await.unwrap();
    let overflow = client
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
        .await
        .unwrap();
    assert_eq!(overflow, 0, "the live page scrolls sideways on a phone");
}

// A plain test: the demo's server starts a runtime of its own, which it
// cannot from within the test's; the browser session gets one below.
#[test]
fn the_live_page_plots_a_moving_counter() {
    let (Some(browser), Some(driver_binary)) = (tests::chromium(), tests::chromedriver()) else { return };
    let started = Instant::now();
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    let addr = demo.local_addr();

    // The pages, served as HTML; the live page under its policy.
    let index = tests::http_get(addr, "/", &[]).unwrap();
    assert_eq!(index.status, 200, "{}", index.text());
    assert!(index.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", index.headers);
    let live = tests::http_get(addr, "/live", &[]).unwrap();
    assert_eq!(live.status, 200, "{}", live.text());
    assert!(live.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", live.headers);
    let policy = live.header("content-security-policy").expect("/live has a Content-Security-Policy");
    assert!(policy.contains("connect-src 'self'"), "{policy}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(session(&browser, &driver_binary, addr));
    // The browser has closed its stream: the demo stops at once.
    demo.shutdown().expect("the demo stops");
    eprintln!("browser test took {:.1?}", started.elapsed());
}

/// Starts the driver and a browser session, runs [`drive`], and stops both,
/// also when a check fails.
async fn session(browser: &Path, driver_binary: &Path, addr: SocketAddr) {
    // The browser's profile and temporary files, all removed at the end.
    let scratch = tests::TempDir::new("live-page");
    let driver = Driver::start(driver_binary, &artifacts().join("chromedriver-live.log"), scratch.path());
    let capabilities = capabilities(browser, &scratch.join("profile"));
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{}", driver.addr))
        .await
        .expect("chromedriver starts a chromium session");

    // Run the checks on a task of their own so that a failed assertion still
    // lets the session close (which stops the browser and its stream) before
    // the driver (and then the demo) are stopped.
    let outcome =
        tokio::time::timeout(SESSION_LIMIT, tokio::spawn(drive(client.clone(), format!("http://{addr}")))).await;
    let closed = client.close().await;
    drop(driver);
    match outcome {
        Err(elapsed) => panic!("the browser session took longer than {SESSION_LIMIT:?}: {elapsed}"),
        Ok(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Ok(Err(error)) => panic!("the browser task failed: {error}"),
        Ok(Ok(())) => {}
    }
    closed.expect("the session closes");
}
