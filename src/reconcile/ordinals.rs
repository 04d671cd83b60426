//! Ordinals: which of several identical service lines of one claim
//! payment a line is. REF*6R picks the ordinal when the payer echoes a line
//! control number the history already knows; payers often drop it on
//! reprocessed remittances, so it is never required.

use crate::hashing::{HashMap, HashSet};

use crate::line::LineKey;

/// Numbers identical keys within one claim payment: the n-th line with the
/// same identity gets ordinal n, unless its REF*6R names a line the history
/// already knows under that identity (`known` answers which ordinal). A
/// failure of `known` (the store's) stops the numbering and is returned:
/// guessing an ordinal would give a line another line's history.
///
/// Linear in the lines: each identity keeps the ordinals it has handed out
/// and the smallest one still free (a claim of a million identical lines
/// is a real capitated or institutional file, so no scan of earlier lines).
pub fn assign_ordinals<E>(
    keys: &mut [LineKey],
    controls: &[&str],
    mut known: impl FnMut(&LineKey, &str) -> Result<Option<u32>, E>,
) -> Result<(), E> {
    let mut identities: HashMap<LineKey, Handed> = HashMap::default();
    for (i, key) in keys.iter_mut().enumerate() {
        let control = controls.get(i).copied().unwrap_or("");
        key.ordinal = 0;
        let by_control = if control.is_empty() {
            None
        } else {
            known(key, control)?
        };
        let handed = identities.entry(key.clone()).or_default();
        // REF*6R is the practice's own line id: when the history knows it,
        // the line keeps the identity it had, even if the payer now lists
        // the lines in another order. Only while that ordinal is free here:
        // two lines echoing one control number (a payer copying it) must
        // not become one line, or their histories would merge. Otherwise
        // the n-th identical line is ordinal n — the payer's order is all
        // that tells them apart, and a reprocessed remittance usually keeps
        // it.
        let ordinal = match by_control {
            Some(o) if !handed.used.contains(&o) => o,
            _ => handed.lowest_free,
        };
        handed.take(ordinal);
        key.ordinal = ordinal;
    }
    Ok(())
}

/// The ordinals one identity has handed out in this claim payment.
#[derive(Default)]
struct Handed {
    used: HashSet<u32>,
    /// The smallest ordinal not in `used`.
    lowest_free: u32,
}

impl Handed {
    fn take(&mut self, ordinal: u32) {
        self.used.insert(ordinal);
        while self.used.contains(&self.lowest_free) {
            self.lowest_free += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::Scope;
    use crate::text::Text;

    fn key(procedure: &str) -> LineKey {
        LineKey {
            payer: "P".into(),
            payee: "1".into(),
            claim_id: "C".into(),
            member_id: "M".into(),
            service_date: None,
            procedure: procedure.into(),
            modifiers: Text::default(),
            ordinal: 0,
            scope: Scope::Line,
        }
    }

    #[test]
    fn identical_lines_get_increasing_ordinals() {
        let mut keys = vec![key("97110"), key("97110"), key("97140"), key("97110")];
        assign_ordinals(&mut keys, &[], |_, _| Ok::<_, ()>(None)).unwrap();
        let ordinals: Vec<u32> = keys.iter().map(|k| k.ordinal).collect();
        assert_eq!(ordinals, vec![0, 1, 0, 2]);
    }

    #[test]
    fn line_control_number_picks_a_known_ordinal() {
        let mut keys = vec![key("97110"), key("97110")];
        // The history knows line "B" as ordinal 0 and "A" as ordinal 1.
        assign_ordinals(&mut keys, &["A", "B"], |_, c| {
            Ok::<_, ()>(Some(if c == "A" { 1 } else { 0 }))
        })
        .unwrap();
        assert_eq!((keys[0].ordinal, keys[1].ordinal), (1, 0));
    }

    #[test]
    fn a_known_ordinal_is_skipped_by_the_others_and_a_copied_control_is_not_reused() {
        // The history knows "A" as ordinal 2: the first line keeps 2, the
        // others count 0, 1, then 3; a payer copying "A" onto a later line
        // does not make it ordinal 2 again.
        let mut keys = vec![
            key("97110"),
            key("97110"),
            key("97110"),
            key("97110"),
            key("97110"),
        ];
        assign_ordinals(&mut keys, &["A", "", "", "", "A"], |_, c| {
            Ok::<_, ()>((c == "A").then_some(2))
        })
        .unwrap();
        let ordinals: Vec<u32> = keys.iter().map(|k| k.ordinal).collect();
        assert_eq!(ordinals, vec![2, 0, 1, 3, 4]);
    }

    #[test]
    fn a_failing_lookup_stops_the_numbering() {
        let mut keys = vec![key("97110"), key("97110")];
        let failed = assign_ordinals(&mut keys, &["A", ""], |_, _| Err("store failed"));
        assert_eq!(failed, Err("store failed"));
    }
}
