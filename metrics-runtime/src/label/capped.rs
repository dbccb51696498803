//! Labels bounded only at run time: a node id bounded by the cluster's size,
//! a route id bounded by quotas. Declared with [`capped_label!`], they take
//! their values as the program meets them, up to a cap; every later value
//! shares one `other` series.
//!
//! [`capped_label!`]: crate::capped_label

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::PoisonError;
#[cfg(not(loom))]
use std::sync::{OnceLock as Slot, RwLock};

#[cfg(loom)]
use crate::sync::OnceSlot as Slot;
#[cfg(loom)]
use loom::sync::RwLock;

use metricate_spec::{Capped, Label, RuntimeValues};

use crate::self_metrics::{self, CappedOverflow};

/// The longest value, in bytes, a capped label takes; a longer one is
/// recorded as `other`. With the cap, it bounds a label's memory.
pub const MAX_CAPPED_VALUE_LEN: usize = 128;

/// The values of one capped label type: `CAP` slots filled in the order the
/// program meets the values, and an index from value to slot. Memory is fixed
/// by the cap: the slots, and at most `CAP` values of at most
/// [`MAX_CAPPED_VALUE_LEN`] bytes (kept for the life of the program, with
/// their escaped text).
///
/// Reading a value by index (what a scrape does) takes no lock. Resolving a
/// value to its index ([`CappedTable::intern`]) takes a read lock and a
/// `BTreeMap` lookup (`log2(CAP)` string comparisons); the first sight of a
/// value takes the write lock once.
pub struct CappedTable<const CAP: usize> {
    slots: [Slot<(&'static str, &'static str)>; CAP],
    index: RwLock<BTreeMap<&'static str, usize>>,
}

impl<const CAP: usize> CappedTable<CAP> {
    /// An empty table.
    #[cfg(not(loom))]
    #[allow(clippy::new_without_default, reason = "used in `static` items, where `default()` cannot be called")]
    pub const fn new() -> CappedTable<CAP> {
        CappedTable { slots: [const { Slot::new() }; CAP], index: RwLock::new(BTreeMap::new()) }
    }

    /// An empty table, on loom's locks (not `const`: loom's are not).
    #[cfg(loom)]
    #[allow(clippy::new_without_default, reason = "as the `const` one")]
    pub fn new() -> CappedTable<CAP> {
        CappedTable { slots: std::array::from_fn(|_| Slot::new()), index: RwLock::new(BTreeMap::new()) }
    }

    /// The index of `value`: its slot, taking the next free one on first
    /// sight, or `CAP` (the `other` series) when the table is full or the
    /// value is empty, reserved (`other`, `unknown`) or longer than
    /// [`MAX_CAPPED_VALUE_LEN`]. Each fall to `other` is counted in
    /// `metrics_export_capped_label_overflow_total{reason}`.
    pub fn intern(&self, value: &str) -> usize {
        let rejected = if value.is_empty() {
            Some(CappedOverflow::Empty)
        } else if value == Capped::OTHER || value == Label::UNKNOWN {
            Some(CappedOverflow::Reserved)
        } else if value.len() > MAX_CAPPED_VALUE_LEN {
            Some(CappedOverflow::TooLong)
        } else {
            None
        };
        if let Some(reason) = rejected {
            self_metrics::capped_overflow(reason);
            return CAP;
        }
        {
            let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(&slot) = index.get(value) {
                return slot;
            }
            if index.len() >= CAP {
                drop(index);
                self_metrics::capped_overflow(CappedOverflow::Full);
                return CAP;
            }
        }
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(&slot) = index.get(value) {
            return slot;
        }
        let slot = index.len();
        if slot >= CAP {
            drop(index);
            self_metrics::capped_overflow(CappedOverflow::Full);
            return CAP;
        }
        let value: &'static str = Box::leak(value.into());
        let escaped: &'static str = match metricate_spec::escape::label_value(value) {
            Cow::Borrowed(escaped) => escaped,
            Cow::Owned(escaped) => Box::leak(escaped.into_boxed_str()),
        };
        // The slot is set before the index names it, under the write lock:
        // whoever reads the index finds the slot filled.
        let _ = self.slots[slot].set((value, escaped));
        index.insert(value, slot);
        slot
    }

    /// How many values have a slot.
    pub fn len(&self) -> usize {
        self.index.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no value has a slot yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<const CAP: usize> RuntimeValues for CappedTable<CAP> {
    #[inline]
    fn get(&self, index: usize) -> Option<(&'static str, &'static str)> {
        let slot = self.slots.get(index)?;
        #[cfg(not(loom))]
        let value = slot.get().copied();
        #[cfg(loom)]
        let value = slot.get();
        value
    }
}

/// Declares a label type bounded at run time, with a cap: the first `CAP`
/// distinct values the program meets get a series of their own, later ones
/// share the `other` series (and are counted in
/// `metrics_export_capped_label_overflow_total{reason="full"}`).
///
/// The type is a `Copy` index. `Type::new(value)` resolves a value (a read
/// lock and a map lookup: see [`CappedTable`]), so resolve it once, where the
/// value enters the program, and keep it; recording with it is then the same
/// array index as an enum label. Rule L6 counts the label as `CAP + 1`
/// values (its `other` included); series of slots no value has taken are not
/// exposed.
///
/// ```
/// use metricate::{Counter, Family, LabelSet, Metrics, capped_label};
///
/// capped_label! {
///     /// A node of the cluster, bounded by its size.
///     pub struct NodeId: 64;
/// }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct ByNode {
///     node_id: NodeId,
/// }
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "overlay")]
/// struct Overlay {
///     /// Handshakes completed, per peer node.
///     handshakes_total: Family<ByNode, Counter>,
/// }
///
/// let node_id = NodeId::new("node-7");
/// let overlay = Overlay::new_unregistered();
/// overlay.handshakes_total.with(ByNode { node_id }).inc();
/// assert_eq!(node_id.as_str(), "node-7");
/// assert_eq!(NodeId::OTHER.as_str(), "other");
/// ```
#[macro_export]
macro_rules! capped_label {
    ($(#[$meta:meta])* $vis:vis struct $name:ident : $cap:expr ;) => {
        $(#[$meta])*
        #[doc = ""]
        #[doc = concat!(
            "A capped label: the first ",
            stringify!($cap),
            " distinct values get a series each; later ones share the series `other`."
        )]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(usize);

        const _: () = {
            static TABLE: $crate::CappedTable<{ $cap }> = $crate::CappedTable::new();

            impl $name {
                /// The value of the series that collects every value beyond
                /// the cap.
                #[allow(dead_code)]
                $vis const OTHER: $name = $name($cap);

                /// The label value for `value`: its own series while the cap
                /// allows, `OTHER` beyond it. Takes a read lock and a map
                /// lookup: resolve a value once and keep the result.
                #[allow(dead_code)]
                $vis fn new(value: &str) -> $name {
                    $name(TABLE.intern(value))
                }

                /// The rendered value.
                #[allow(dead_code)]
                $vis fn as_str(&self) -> &'static str {
                    <$name as $crate::LabelValue>::as_str(self)
                }
            }

            #[automatically_derived]
            impl $crate::CappedLabel for $name {
                const OTHER: $name = $name($cap);

                #[inline]
                fn intern(value: &str) -> $name {
                    $name(TABLE.intern(value))
                }
            }

            #[automatically_derived]
            impl $crate::LabelValue for $name {
                const CARDINALITY: usize = $cap + 1;
                const VALUES: &'static [&'static str] = &[];
                const ESCAPED: &'static [&'static str] = &[];
                const CAPPED: ::core::option::Option<$crate::Capped> =
                    ::core::option::Option::Some($crate::Capped { cap: $cap, table: || &TABLE });

                #[inline]
                fn index(&self) -> usize {
                    self.0
                }
            }
        };
    };
}
