//! The HTML catalogue of the demo in a real browser: Debian's `chromium`,
//! headless, driven through `chromedriver` (Debian package
//! `chromium-driver`) by the `fantoccini` client. Nothing downloads a browser.
//!
//! The test opens the page from a file, checks that every metric shows, types
//! into the search box and picks filters, and checks after each step that
//! exactly the metrics the catalogue says should match are displayed and that
//! the count agrees. It saves screenshots under `target/test-artifacts/`.
//!
//! Under `CI=true` a missing browser or driver fails the test; elsewhere it
//! prints SKIPPED and passes (`scripts/install-test-deps.sh` installs both).

use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use metricate_catalog::json::{Catalog, Metric};
use tests::browser::{Driver, artifacts, capabilities};

/// How long the whole browser session may take before the test fails.
const SESSION_LIMIT: Duration = Duration::from_secs(120);

/// The demo's real catalogue, as `/catalog.json` serves it.
fn demo_catalog() -> Catalog {
    // The demo's metrics are registered only if its code is linked in.
    let _ = demo::metrics::api::Http::global();
    let registry = metricate::global().expect("the registry is valid");
    registry.catalog()
}

/// Whether the page's search box should keep `metric` for `query`: every
/// word occurs, ignoring case, in its name, help, or a label name or value.
fn matches(metric: &Metric, query: &str) -> bool {
    let mut haystack = vec![metric.name.to_lowercase(), metric.help.trim().to_lowercase()];
    for label in &metric.labels {
        haystack.push(label.name.to_lowercase());
        haystack.extend(label.values.iter().map(|v| v.to_lowercase()));
    }
    query.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        haystack.iter().any(|part| part.contains(&word))
    })
}

fn names<'m>(metrics: impl IntoIterator<Item = &'m Metric>) -> Vec<String> {
    let mut names: Vec<String> = metrics.into_iter().map(|m| m.name.clone()).collect();
    names.sort();
    names
}

/// The names of the metric cards the browser displays, sorted.
async fn displayed(client: &Client) -> Vec<String> {
    let mut shown = Vec::new();
    for card in client.find_all(Locator::Css("[data-metric]")).await.unwrap() {
        if card.is_displayed().await.unwrap() {
            shown.push(card.attr("data-metric").await.unwrap().expect("a card has its name"));
        }
    }
    shown.sort();
    shown
}

/// The number the page says it shows.
async fn count(client: &Client) -> usize {
    let text = client.find(Locator::Id("count")).await.unwrap().text().await.unwrap();
    text.trim().parse().unwrap_or_else(|_| panic!("#count holds a number, not {text:?}"))
}

/// Checks that exactly `expected` shows, and that the count agrees.
async fn expect_shown(client: &Client, step: &str, expected: &[String]) {
    assert_eq!(displayed(client).await, expected, "{step}: the displayed metrics");
    assert_eq!(count(client).await, expected.len(), "{step}: the count element");
}

async fn drive(client: Client, url: String, catalog: Catalog) {
    let all = names(&catalog.metrics);
    client.goto(&url).await.unwrap();
    // The script shows the filters once it has indexed the cards.
    client.wait().for_element(Locator::Css("#filters:not([hidden])")).await.unwrap();
    assert_eq!(client.title().await.unwrap(), "Metrics catalogue");

    let cards = client.find_all(Locator::Css("[data-metric]")).await.unwrap();
    assert_eq!(cards.len(), catalog.metrics.len(), "one card per metric");
    expect_shown(&client, "on load", &all).await;
    let fetched = client.execute("return performance.getEntriesByType('resource').length", vec![]).await.unwrap();
    assert_eq!(fetched, 0, "the page fetches nothing");
    let png = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("catalog.png"), png).unwrap();

    // Typing filters as you type.
    let search = client.find(Locator::Id("search")).await.unwrap();
    for query in ["boot", "BOOT result"] {
        search.clear().await.unwrap();
        search.send_keys(query).await.unwrap();
        let expected = names(catalog.metrics.iter().filter(|m| matches(m, query)));
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{query:?} should match some metrics: {expected:?}"
        );
        expect_shown(&client, &format!("search {query:?}"), &expected).await;
    }
    let nothing = "no-metric-has-this";
    search.clear().await.unwrap();
    search.send_keys(nothing).await.unwrap();
    expect_shown(&client, "a query nothing matches", &[]).await;
    assert!(client.find(Locator::Id("empty")).await.unwrap().is_displayed().await.unwrap(), "says nothing matches");

    search.clear().await.unwrap();
    expect_shown(&client, "after clearing the search", &all).await;

    // The subsystem with the most metrics, then also one type within it.
    let mut subsystems: Vec<&str> =
        catalog.metrics.iter().map(|m| m.subsystem.as_str()).filter(|s| !s.is_empty()).collect();
    subsystems.sort_unstable();
    subsystems.dedup();
    let subsystem = *subsystems
        .iter()
        .max_by_key(|s| catalog.metrics.iter().filter(|m| m.subsystem == **s).count())
        .expect("the demo has subsystems");
    let select = client.find(Locator::Id("subsystem")).await.unwrap();
    select.select_by_value(subsystem).await.unwrap();
    let expected = names(catalog.metrics.iter().filter(|m| m.subsystem == subsystem));
    expect_shown(&client, &format!("subsystem {subsystem:?}"), &expected).await;
    for other in subsystems.iter().filter(|s| **s != subsystem) {
        let section = client.find(Locator::Css(&format!("section[data-section=\"{other}\"]"))).await.unwrap();
        assert!(!section.is_displayed().await.unwrap(), "the section of {other} hides with all its metrics");
    }
    client.find(Locator::Id("type")).await.unwrap().select_by_value("histogram").await.unwrap();
    let expected = names(
        catalog
            .metrics
            .iter()
            .filter(|m| m.subsystem == subsystem && m.kind == metricate_catalog::MetricKind::Histogram),
    );
    expect_shown(&client, &format!("subsystem {subsystem:?}, type histogram"), &expected).await;

    // The Clear button resets every filter.
    client.find(Locator::Css("#filters button[type=reset]")).await.unwrap().click().await.unwrap();
    // The form resets its fields after the `reset` event: the page applies
    // the filters on the next turn of its event loop.
    let deadline = Instant::now() + Duration::from_secs(5);
    while count(&client).await != all.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    expect_shown(&client, "after Clear", &all).await;

    // On a phone-sized window nothing overflows sideways.
    client.set_window_size(390, 844).await.unwrap();
    let overflow = client
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
        .await
        .unwrap();
    assert_eq!(overflow, 0, "the page scrolls sideways on a phone");
    let png = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("catalog-phone.png"), png).unwrap();
}

#[tokio::test]
async fn browser_search_and_filters() {
    let (Some(browser), Some(driver_binary)) = (tests::chromium(), tests::chromedriver()) else { return };
    let started = Instant::now();
    let catalog = demo_catalog();
    assert!(catalog.metrics.len() > 50, "the demo's metrics are registered: {}", catalog.metrics.len());

    // The page, the browser's profile and its temporary files, all removed
    // at the end.
    let scratch = tests::TempDir::new("catalog-html");
    let page = scratch.join("catalog.html");
    std::fs::write(&page, metricate_catalog::render::html(&catalog)).unwrap();
    let url = format!("file://{}", page.display());

    let driver = Driver::start(&driver_binary, &artifacts().join("chromedriver.log"), scratch.path());
    let capabilities = capabilities(&browser, &scratch.join("profile"));
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{}", driver.addr))
        .await
        .expect("chromedriver starts a chromium session");

    // Run the checks on a task of their own so that a failed assertion still
    // lets the session close (which stops the browser) before the driver is
    // stopped.
    let outcome = tokio::time::timeout(SESSION_LIMIT, tokio::spawn(drive(client.clone(), url, catalog))).await;
    let closed = client.close().await;
    drop(driver);
    match outcome {
        Err(elapsed) => panic!("the browser session took longer than {SESSION_LIMIT:?}: {elapsed}"),
        Ok(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Ok(Err(error)) => panic!("the browser task failed: {error}"),
        Ok(Ok(())) => {}
    }
    closed.expect("the session closes");
    eprintln!("browser test took {:.1?}", started.elapsed());
}
