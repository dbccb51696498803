//! `catalog check` against the demo's live `/metrics`, with the demo's own
//! `/catalog.json`: every rule, the series limit and the catalogue's
//! compliance hold, in both exposition formats.

use metricate_catalog::cli::{CLEAN, run};

fn catalog(args: &[String]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(args, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[test]
fn the_demo_passes_its_own_catalogue() {
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    let base = format!("http://{}", demo.local_addr());
    let args = |extra: &[&str]| -> Vec<String> {
        // The runtime's own `metrics_export_*` families need no namespace of
        // their own.
        let mut args: Vec<String> =
            ["check", "--namespace", "trc", "--catalog"].iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("{base}/catalog.json"));
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.push(format!("{base}/metrics"));
        args
    };
    // The server negotiates OpenMetrics for `check`'s Accept header.
    let (status, out, err) = catalog(&args(&[]));
    assert_eq!(status, CLEAN, "{out}{err}");
    assert!(out.ends_with("no violations\n"), "{out}");
    let families: usize = out.rsplit(": ").next().and_then(|s| s.split(' ').next()).unwrap().parse().unwrap();
    assert!(families >= 68, "{out}");

    // Prometheus text, by saving a text scrape to a file.
    let text = tests::http_get(demo.local_addr(), "/metrics", &[("Accept", "text/plain")]).unwrap().text();
    let dir = tests::TempDir::new("catalog-live");
    let file = dir.join("metrics.prom");
    std::fs::write(&file, text).unwrap();
    let mut file_args = args(&[]);
    *file_args.last_mut().unwrap() = file.display().to_string();
    let (status, out, err) = catalog(&file_args);
    assert_eq!(status, CLEAN, "{out}{err}");

    demo.shutdown().unwrap();
}
