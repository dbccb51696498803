//! Model checks (loom) of the lock-free protocols, run on the shipped code
//! through `metricate::__loom`: every interleaving of the threads below,
//! up to a bounded number of preemptions, is explored, and each must keep
//! the protocol's promise. Built only with `--cfg loom`: `scripts/loom.sh`.
#![cfg(loom)]

use std::sync::Arc;

use loom::thread;
use metricate::__loom as protocol;
use metricate::CappedTable;
use metricate_catalog::RuntimeValues;

/// Explores interleavings with at most `PREEMPTIONS` forced switches per run:
/// enough for the two- and three-thread races below (most bugs need one or
/// two), and minutes rather than hours.
const PREEMPTIONS: usize = 3;

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(PREEMPTIONS);
    builder.check(f);
}

/// Two observers and a reader: every read is consistent (the buckets add up
/// to the count, and the sum is that of the observations counted), and after
/// everyone is done the totals are exact.
#[test]
fn histogram_reads_are_consistent() {
    model(|| {
        static BOUNDS: [f64; 1] = [1.0];
        let cells = Arc::new(protocol::histogram_cells(BOUNDS.len()));
        // One observation below the bound (0.5) and one above it (3.0): the
        // buckets say which were counted, and the sum must agree.
        let observers: Vec<_> = [0.5, 3.0]
            .into_iter()
            .map(|v| {
                let cells = Arc::clone(&cells);
                thread::spawn(move || protocol::observe(&cells, &BOUNDS, v))
            })
            .collect();
        let (buckets, sum, count) = protocol::read(&cells, &BOUNDS);
        assert_eq!(buckets.iter().sum::<u64>(), count, "buckets {buckets:?} against count {count}");
        assert_eq!(sum, 0.5 * buckets[0] as f64 + 3.0 * buckets[1] as f64, "sum {sum} against buckets {buckets:?}");
        for observer in observers {
            observer.join().unwrap();
        }
        let (buckets, sum, count) = protocol::read(&cells, &BOUNDS);
        assert_eq!((buckets, sum, count), (vec![1, 1], 3.5, 2));
    });
}

/// Reads one after the other while an observer runs: a later read never
/// counts fewer observations than an earlier one, and none is lost.
#[test]
fn histogram_reads_never_go_back() {
    model(|| {
        static BOUNDS: [f64; 1] = [1.0];
        let cells = Arc::new(protocol::histogram_cells(BOUNDS.len()));
        let observer = {
            let cells = Arc::clone(&cells);
            thread::spawn(move || {
                protocol::observe(&cells, &BOUNDS, 0.5);
                protocol::observe(&cells, &BOUNDS, 2.0);
            })
        };
        let (_, _, first) = protocol::read(&cells, &BOUNDS);
        let (buckets, sum, second) = protocol::read(&cells, &BOUNDS);
        assert!(first <= second, "{first} then {second}");
        assert_eq!(sum, 0.5 * buckets[0] as f64 + 2.0 * buckets[1] as f64);
        observer.join().unwrap();
        assert_eq!(protocol::read(&cells, &BOUNDS), (vec![1, 1], 2.5, 2));
    });
}

/// Two threads increment (one on its own shard, one on a shared one) while a
/// reader sums: the sum is between what was done before and after, and the
/// final sum is exact.
#[test]
fn sharded_counter_sums_are_exact() {
    model(|| {
        let shards = Arc::new([protocol::AtomicU64::new(0), protocol::AtomicU64::new(0)]);
        let writers: Vec<_> = [(0, 1), (1, 2)]
            .into_iter()
            .map(|(shard, n)| {
                let shards = Arc::clone(&shards);
                thread::spawn(move || {
                    protocol::sharded_add(&shards[shard], n);
                    protocol::sharded_add(&shards[1], n);
                })
            })
            .collect();
        let seen = protocol::sharded_sum(&shards[..]);
        assert!(seen <= 6, "{seen}");
        for writer in writers {
            writer.join().unwrap();
        }
        assert_eq!(protocol::sharded_sum(&shards[..]), 6);
    });
}

/// Two threads intern values into a table of two slots while a reader reads
/// the slots, as a scrape does: each value gets exactly one slot, no slot is
/// given twice, a full table sends the rest to `other`, and any slot the
/// reader sees filled holds a value that was interned.
#[test]
fn capped_label_interning() {
    model(|| {
        let table: Arc<CappedTable<2>> = Arc::new(CappedTable::new());
        let interners: Vec<_> = [["a", "b"], ["b", "c"]]
            .into_iter()
            .map(|values| {
                let table = Arc::clone(&table);
                thread::spawn(move || {
                    values.map(|value| {
                        let slot = table.intern(value);
                        // Whoever is given a slot finds its value there.
                        if slot < 2 {
                            assert_eq!(table.get(slot).map(|(v, _)| v), Some(value));
                        }
                        (value, slot)
                    })
                })
            })
            .collect();
        for slot in 0..2 {
            if let Some((value, escaped)) = table.get(slot) {
                assert!(["a", "b", "c"].contains(&value) && escaped == value, "slot {slot}: {value:?}");
            }
        }
        let results: Vec<(&str, usize)> = interners.into_iter().flat_map(|t| t.join().unwrap()).collect();
        // `b` was interned by both threads: one slot, the same for both.
        let b: Vec<usize> = results.iter().filter(|(v, _)| *v == "b").map(|(_, i)| *i).collect();
        assert_eq!(b[0], b[1], "{results:?}");
        // Three values, two slots: exactly one value went to `other` (index 2),
        // and the two that got slots got different ones.
        let mut given: Vec<(&str, usize)> = results.iter().copied().filter(|(_, i)| *i < 2).collect();
        given.sort_unstable();
        given.dedup();
        assert_eq!(given.len(), 2, "{results:?}");
        assert_ne!(given[0].1, given[1].1, "one slot given twice: {results:?}");
        assert_eq!(results.iter().filter(|(_, i)| *i == 2).count(), 1, "{results:?}");
        for (value, slot) in given {
            assert_eq!(table.get(slot).map(|(v, _)| v), Some(value));
        }
        assert_eq!(table.len(), 2);
    });
}

/// The carry-over of deltas of the `Statsd` sink against a recorder: each
/// delivery reads every series once (its snapshot), sends each series' delta
/// from that read, and records the read as sent only for the series whose
/// datagram went out. Deliveries run while the recorder increments two
/// series: the first sends series 0 and fails on series 1, the second
/// fails whole, the third sends both. Whatever the interleaving, the server
/// never holds more than was recorded (nothing counted twice), a failed
/// delivery adds nothing, and a final delivery after the recorder is done
/// brings the server's sums to the exact totals (nothing lost).
#[test]
fn statsd_carry_over_counts_every_increment_once() {
    model(|| {
        let cells = Arc::new([protocol::AtomicU64::new(0), protocol::AtomicU64::new(0)]);
        let recorder = {
            let cells = Arc::clone(&cells);
            thread::spawn(move || {
                protocol::sharded_add(&cells[0], 1);
                protocol::sharded_add(&cells[1], 2);
                protocol::sharded_add(&cells[0], 4);
            })
        };
        let snapshot =
            |cells: &[protocol::AtomicU64; 2]| [protocol::sharded_sum(&cells[..1]), protocol::sharded_sum(&cells[1..])];
        let mut carry = protocol::Carry::new();
        let mut server = [0u64; 2];
        for sent in [[true, false], [false, false], [true, true]] {
            let totals = snapshot(&cells);
            let before = server;
            for series in 0..2 {
                let delta = carry.delta(series, totals[series]);
                if sent[series] {
                    server[series] += delta;
                    carry.sent(series, totals[series]);
                }
                assert!(server[series] <= totals[series], "series {series}: {server:?} against {totals:?}");
            }
            if sent == [false, false] {
                assert_eq!(server, before, "a failed delivery added to the server");
            }
        }
        recorder.join().unwrap();
        let totals = snapshot(&cells);
        for series in 0..2 {
            server[series] += carry.delta(series, totals[series]);
            carry.sent(series, totals[series]);
            assert_eq!(carry.delta(series, totals[series]), 0);
        }
        assert_eq!(server, [5, 2]);
    });
}
