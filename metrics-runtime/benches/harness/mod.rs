//! Timing shared by the benchmarks: batches timed alternately with their
//! baseline, minimum and median over repetitions, a Markdown table.

#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::time::Instant;

/// ns/op of each repetition.
pub(crate) struct Samples(pub(crate) Vec<f64>);

impl Samples {
    pub(crate) fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub(crate) fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    }
}

/// Times one batch of `ops` operations; returns ns/op.
pub(crate) fn time(ops: u64, batch: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    batch();
    start.elapsed().as_nanos() as f64 / ops as f64
}

/// Runs `ours` and `baseline` alternately, one batch each per repetition,
/// after one untimed warm-up batch of each.
pub(crate) fn interleaved(
    reps: usize,
    ops: u64,
    ours: &mut dyn FnMut(),
    baseline: &mut dyn FnMut(),
) -> (Samples, Samples) {
    ours();
    baseline();
    let (mut a, mut b) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        a.push(time(ops, ours));
        b.push(time(ops, baseline));
    }
    (Samples(a), Samples(b))
}

pub(crate) fn alone(reps: usize, ops: u64, ours: &mut dyn FnMut()) -> Samples {
    ours();
    Samples((0..reps).map(|_| time(ops, ours)).collect())
}

pub(crate) struct TableRow {
    pub(crate) case: &'static str,
    pub(crate) ours: Samples,
    pub(crate) baseline: Option<Samples>,
    pub(crate) target: Option<f64>,
}

pub(crate) fn ns(v: f64) -> String {
    if v >= 1000.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

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
