//! The table the runtime's benchmarks print: per case, ours and its
//! baseline (timed by `bench_support::harness`), min and median, their
//! ratios and the target, in Markdown.

use bench_support::harness::Samples;

/// One case: ours, its baseline and the ratio it should stay under.
pub(crate) struct TableRow {
    pub(crate) case: &'static str,
    pub(crate) ours: Samples,
    pub(crate) baseline: Option<Samples>,
    pub(crate) target: Option<f64>,
}

/// ns with as many decimals as matter.
pub(crate) fn ns(v: f64) -> String {
    if v >= 1000.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// Prints `rows` as a Markdown table.
pub(crate) fn print_table(rows: &[TableRow]) {
    println!(
        "| case | ours min (ns/op) | ours median (ns/op) | baseline min (ns/op) | baseline median (ns/op) | ratio (min) | ratio (median) | target | met? |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let (omin, omed) = (row.ours.min(), row.ours.median());
        match &row.baseline {
            Some(base) => {
                let (bmin, bmed) = (base.min(), base.median());
                let ratio = omin / bmin;
                let target = row.target.map_or("—".to_owned(), |t| format!("≤ {t}"));
                let met = row.target.map_or("—", |t| if ratio <= t { "yes" } else { "**no**" });
                println!(
                    "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {} |",
                    row.case,
                    ns(omin),
                    ns(omed),
                    ns(bmin),
                    ns(bmed),
                    ratio,
                    omed / bmed,
                    target,
                    met
                );
            }
            None => println!("| {} | {} | {} | — | — | — | — | — | — |", row.case, ns(omin), ns(omed)),
        }
    }
}
