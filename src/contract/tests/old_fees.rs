//! The `FeeSchedule` lookup that contracts replaced, frozen here as the
//! oracle the legacy tests compare with: payer-specific before any payer,
//! exactly the line's modifiers before none, allowed × units.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::text::Text;

/// Allowed amounts by (payer, procedure, sorted modifiers).
pub(super) struct FeeSchedule {
    rows: HashMap<(Text, Text, Text), Decimal>,
}

impl FeeSchedule {
    /// Reads `procedure,modifier,allowed[,payer]` (test input: panics on
    /// anything malformed).
    pub(super) fn from_reader(input: &[u8]) -> FeeSchedule {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let (procedure, allowed) = (column("procedure").unwrap(), column("allowed").unwrap());
        let (modifier, payer) = (column("modifier"), column("payer"));
        let mut rows = HashMap::new();
        for record in reader.records() {
            let record = record.unwrap();
            let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
            let amount = crate::x12::value::decimal(get(Some(allowed)).as_bytes()).unwrap();
            let modifiers: Vec<Text> = get(modifier)
                .split([':', ' ', ';'])
                .map(Text::from)
                .collect();
            let key = (
                normalise(get(payer)),
                Text::from(get(Some(procedure)).to_ascii_uppercase()),
                modifier_set(&modifiers),
            );
            rows.insert(key, amount);
        }
        FeeSchedule { rows }
    }

    /// Number of rows.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The allowed amount for one unit.
    pub(super) fn allowed(
        &self,
        payers: &[&str],
        procedure: &str,
        modifiers: &[Text],
    ) -> Option<Decimal> {
        let code = Text::from(procedure.to_ascii_uppercase());
        let exact = modifier_set(modifiers);
        let none = Text::default();
        let payer_keys: Vec<Text> = payers
            .iter()
            .map(|p| normalise(p))
            .filter(|p| !p.is_empty())
            .collect();
        let any = [Text::default()];
        for payer in payer_keys.iter().chain(any.iter()) {
            for mods in [&exact, &none] {
                if let Some(amount) = self.rows.get(&(payer.clone(), code.clone(), mods.clone())) {
                    return Some(*amount);
                }
            }
        }
        None
    }
}

fn normalise(payer: &str) -> Text {
    payer.trim().to_ascii_uppercase().into()
}

fn modifier_set(modifiers: &[Text]) -> Text {
    let mut sorted: Vec<&str> = modifiers
        .iter()
        .map(|m| m.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.join(":").into()
}
