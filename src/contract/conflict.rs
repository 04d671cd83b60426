//! Rows that would compete for the same lines: two undated rows of one
//! scope (ambiguous), or two dated rows of one scope whose dates overlap.
//! A dated row beside an undated one is not a conflict: within its dates
//! it overrides the standing rate (see the specificity order).

use super::error::{ContractError, RowRef};
use super::scope::Period;

/// A row as the conflict check sees it.
pub(crate) struct Entry<'a, K> {
    pub at: &'a RowRef,
    pub key: K,
    pub period: Period,
}

/// Pushes one error for every conflicting pair, naming both rows in the
/// order of `entries` (load order). `same` says whether two keys cover the same lines; `describe`
/// names the scope.
pub(crate) fn check<K>(
    entries: &[Entry<'_, K>],
    same: impl Fn(&K, &K) -> bool,
    describe: impl Fn(&K) -> String,
    errors: &mut Vec<ContractError>,
) {
    for (i, a) in entries.iter().enumerate() {
        for b in &entries[i + 1..] {
            if !same(&a.key, &b.key) || a.period.is_dated() != b.period.is_dated() {
                continue;
            }
            // Entries come in load order: the first row is the one loaded
            // first, whatever the file names.
            let (first, second) = (a, b);
            if first.period == second.period {
                errors.push(ContractError::Ambiguous {
                    first: first.at.clone(),
                    second: second.at.clone(),
                    scope: describe(&first.key),
                    when: if first.period.is_dated() {
                        format!(" {}", first.period.days())
                    } else {
                        String::new()
                    },
                });
            } else if let Some(days) = first.period.overlap(&second.period) {
                errors.push(ContractError::OverlappingDates {
                    first: first.at.clone(),
                    second: second.at.clone(),
                    scope: describe(&first.key),
                    days: days.days(),
                });
            }
        }
    }
}
