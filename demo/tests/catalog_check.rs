//! The README's `catalog check` command against the demo binary, as a
//! service's operator runs it:
//!
//! ```sh
//! catalog check --namespace trc --catalog catalog.json http://127.0.0.1:9464/metrics
//! ```
//!
//! It exits 0: every rule holds, every family is declared, and the
//! runtime's own `metrics_export_*` families need no flag of their own.

mod common;

use common::{Demo, get};
use metricate_catalog::cli::{CLEAN, run};

#[test]
fn the_readme_check_command_passes_on_the_demo() {
    let demo = Demo::start(&[]);
    let (status, response) = get(demo.addr, "/catalog.json").expect("the demo answers");
    assert_eq!(status, 200, "{response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("a response has a head and a body");
    assert!(body.contains("\"metrics_export_scrapes_total\""), "the runtime declares its own metrics too");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-catalog-check");
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = dir.join("catalog.json");
    std::fs::write(&catalog, body).unwrap();

    let args: Vec<String> = ["check", "--namespace", "trc", "--catalog"]
        .into_iter()
        .map(str::to_owned)
        .chain([catalog.display().to_string(), format!("http://{}/metrics", demo.addr)])
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(&args, &mut out, &mut err);
    let (out, err) = (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap());
    assert_eq!(status, CLEAN, "{out}{err}");
    assert!(out.ends_with("no violations\n"), "{out}");
    demo.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
