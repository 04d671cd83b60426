//! A service line's identity across remittances: payer, payee, claim id,
//! member id, date of service, procedure (SVC06 when present, else SVC01)
//! and modifiers as a set, plus an ordinal that tells apart identical lines
//! of one claim (numbered by `reconcile::ordinals`).

use std::fmt;

use jiff::civil::Date;

use super::event::{EventKind, LineEvent};
use crate::text::Text;

/// The identity of one service line.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct LineKey {
    /// Payer id (N1*PR N104, else TRN03), else payer name; upper case.
    pub payer: Text,
    /// Payee NPI, else the payee id.
    pub payee: Text,
    /// CLP01.
    pub claim_id: Text,
    /// Member id.
    pub member_id: Text,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Procedure code as billed; empty for claim-level events.
    pub procedure: Text,
    /// Modifiers sorted and joined with `:`.
    pub modifiers: Text,
    /// Which of several identical lines of the claim (0 for the first).
    pub ordinal: u32,
    /// What kind of event the key is for (lines, claim-level, provider).
    pub scope: Scope,
}

/// Lines, claim-level remainders and provider adjustments live apart.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Scope {
    /// A service line (or the single row of a claim without lines).
    Line,
    /// The claim-level adjustment row of a claim with lines.
    Claim,
    /// A PLB amount.
    Provider,
}

impl fmt::Display for LineKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.service_date.map(|d| d.to_string()).unwrap_or_default();
        let scope = match self.scope {
            Scope::Line => "L",
            Scope::Claim => "C",
            Scope::Provider => "P",
        };
        write!(
            f,
            "{}|{}|{}|{}|{}|{}|{}|{}|{scope}",
            self.payer,
            self.payee,
            self.claim_id,
            self.member_id,
            date,
            self.procedure,
            self.modifiers,
            self.ordinal
        )
    }
}

/// The payer part of a key: an id when the remittance gives one, else the
/// name, upper-cased.
pub fn payer_key(payer_id: &str, payer_name: &str) -> Text {
    let raw = if payer_id.trim().is_empty() {
        payer_name
    } else {
        payer_id
    };
    raw.trim().to_ascii_uppercase().into()
}

/// Modifiers as a set: sorted, de-duplicated, joined with `:`.
pub fn modifier_set(modifiers: &[Text]) -> Text {
    let mut sorted: Vec<&str> = modifiers
        .iter()
        .map(|m| m.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.join(":").into()
}

/// The key of an event, with ordinal 0 (`reconcile::ordinals` numbers identical lines).
pub fn event_key(event: &LineEvent) -> LineKey {
    let c = &event.context;
    let payee = if c.payee_npi.is_empty() {
        &c.payee_id
    } else {
        &c.payee_npi
    };
    let scope = match event.kind {
        EventKind::Line | EventKind::Claim => Scope::Line,
        EventKind::ClaimAdjustment => Scope::Claim,
        EventKind::ProviderAdjustment => Scope::Provider,
    };
    LineKey {
        payer: payer_key(&c.payer_id, &c.payer),
        payee: payee.clone(),
        claim_id: event.claim_id.clone(),
        member_id: event.member_id.clone(),
        service_date: event.service_date,
        procedure: event.procedure.clone(),
        modifiers: modifier_set(&event.modifiers),
        ordinal: 0,
        scope,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_are_a_set() {
        let a = modifier_set(&["GP".into(), "59".into()]);
        let b = modifier_set(&["59".into(), "GP".into(), "GP".into()]);
        assert_eq!(a, b);
        assert_eq!(a, "59:GP");
    }

    #[test]
    fn payer_key_prefers_id() {
        assert_eq!(payer_key(" 60054 ", "Acme"), "60054");
        assert_eq!(payer_key("", "Acme Health"), "ACME HEALTH");
    }
}
