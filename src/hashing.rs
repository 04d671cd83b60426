//! The hash maps and sets the engine and the stores key by ids, line keys
//! and claim numbers: std's tables with foldhash instead of SipHash.
//!
//! Why: SipHash was ~7% of a `reconcile` run's instructions (issue 17,
//! callgrind on a generated 4 MB 835 + its 837), hashing short claim
//! numbers and line keys in the matching and ordinal maps. foldhash is
//! seeded per process, so crafted ids in a hostile file cannot aim at a
//! known hash; no output depends on a table's iteration order (std's
//! tables were randomly seeded per process already).

/// `std::collections::HashMap` hashed with foldhash; build one with
/// `HashMap::default()` or `with_capacity_and_hasher(n, Default::default())`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// `std::collections::HashSet` hashed with foldhash.
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
