//! `catalog`: renders, diffs and checks metric catalogues; see
//! `catalog --help` and the crate's `cli` module.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(metricate_catalog::cli::run(&args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock()))
}
