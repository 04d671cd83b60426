//! The 835 screen: the loop state machine of [`RemittanceParser`] and every
//! check it and the TR3 balancing make ([`balance`](super::balance)),
//! answered on borrowed segments with a few running sums, to vouch that a
//! transaction has no finding at all — without building claim payments.
//!
//! It follows the parser segment for segment (the same states, the same
//! segments accepted in each, the same elements read with the same checks)
//! and checks every equation the parser checks:
//!
//! * service line: SVC02 − Σ line CAS = SVC03;
//! * claim: CLP03 − Σ (claim CAS + line CAS) = CLP04;
//! * claim versus lines: CLP04 = Σ SVC03 − Σ claim CAS, CLP03 = Σ SVC02;
//! * CLP05 = Σ PR adjustments;
//! * transaction: BPR02 = Σ CLP04 − Σ PLB.
//!
//! Anything the parser would report — or that the screen does not model —
//! is a [`Doubt`], and the caller then reads the input with the parser to
//! word the findings. Amounts are exact integer [`Units`] (ten-thousandths):
//! no `Decimal` arithmetic, no heap.
//!
//! [`RemittanceParser`]: super::RemittanceParser

use super::parser::State;
use crate::fields::screen::{
    Doubt, Screened, Units, amount, date, first_component, optional_amount, procedure,
    required_text, vouch,
};
use crate::x12::{Segment, SegmentId, ids};

/// What a transaction the screen vouched for holds: the figures `validate`
/// prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RemittanceFigures {
    /// Claim payments (CLP).
    pub claims: u64,
    /// Service lines (SVC).
    pub lines: u64,
    /// Σ CLP03.
    pub billed: Units,
    /// BPR02.
    pub paid: Units,
}

/// The running sums of the claim payment being screened.
#[derive(Clone, Copy, Debug, Default)]
struct ClaimSums {
    charge: Units,
    paid: Units,
    patient_responsibility: Option<Units>,
    /// Σ claim-level CAS amounts.
    claim_adjustments: Units,
    /// Σ line-level CAS amounts of the lines closed so far.
    line_adjustments: Units,
    /// Σ PR amounts, claim and lines.
    patient_adjustments: Units,
    line_charges: Units,
    line_paid: Units,
    lines: u64,
    /// The open service line: SVC02, SVC03 and Σ its CAS.
    line: Option<(Units, Units, Units)>,
}

/// Screens the body of one 835 transaction (between ST and SE).
#[derive(Debug)]
pub struct RemittanceScreen {
    state: State,
    /// The header is open until the first LX, CLP or PLB (or SE).
    header_open: bool,
    payer: bool,
    payee: bool,
    bpr: Option<Units>,
    claim: Option<ClaimSums>,
    /// Σ CLP04 and Σ PLB amounts.
    paid: Units,
    provider_adjustments: Units,
    figures: RemittanceFigures,
}

impl Default for RemittanceScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl RemittanceScreen {
    /// A screen for a transaction whose ST has been read.
    pub fn new() -> Self {
        RemittanceScreen {
            state: State::Header,
            header_open: true,
            payer: false,
            payee: false,
            bpr: None,
            claim: None,
            paid: 0,
            provider_adjustments: 0,
            figures: RemittanceFigures::default(),
        }
    }

    /// Screens one body segment.
    #[inline]
    pub fn segment(&mut self, seg: &Segment<'_>) -> Screened {
        let id = seg.code();
        let handled = match self.state {
            State::Header => self.in_header(seg, id)?,
            State::Payer | State::Payee => self.in_party(id),
            State::HeaderNumber => matches!(id, ids::TS3 | ids::TS2),
            State::Claim => self.in_claim(seg, id)?,
            State::Line => self.in_line(seg, id)?,
            State::Trailer => false,
        };
        if handled {
            return Ok(());
        }
        // A segment no state takes is reported as unexpected.
        match id {
            ids::N1 => self.party_start(seg),
            ids::LX => {
                self.flush_header()?;
                self.flush_claim()?;
                self.state = State::HeaderNumber;
                Ok(())
            }
            ids::CLP => self.claim_start(seg),
            ids::PLB => self.provider_adjustment(seg),
            _ => Err(Doubt),
        }
    }

    /// Screens the end of the transaction (its SE) and returns its figures.
    pub fn finish(mut self) -> Screened<RemittanceFigures> {
        self.flush_header()?;
        self.flush_claim()?;
        let stated = self.bpr.ok_or(Doubt)?;
        vouch(self.paid - self.provider_adjustments == stated)?;
        self.figures.paid = stated;
        Ok(self.figures)
    }

    fn in_header(&mut self, e: &Segment<'_>, id: SegmentId) -> Screened<bool> {
        match id {
            ids::BPR => {
                required_text(e, 1)?;
                self.bpr = Some(amount(e, 2)?);
                date(e, 16)?;
            }
            ids::TRN => required_text(e, 2)?,
            ids::CUR | ids::REF => {}
            ids::DTM => qualified_date(e)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn in_party(&self, id: SegmentId) -> bool {
        match id {
            ids::N3 | ids::N4 | ids::REF | ids::PER => true,
            ids::RDM => self.state == State::Payee,
            _ => false,
        }
    }

    fn party_start(&mut self, e: &Segment<'_>) -> Screened {
        vouch(self.header_open)?;
        match e.element(1) {
            b"PR" => {
                self.payer = true;
                self.state = State::Payer;
            }
            b"PE" => {
                self.payee = true;
                self.state = State::Payee;
            }
            _ => return Err(Doubt),
        }
        Ok(())
    }

    fn claim_start(&mut self, e: &Segment<'_>) -> Screened {
        self.flush_header()?;
        self.flush_claim()?;
        required_text(e, 1)?;
        required_text(e, 2)?;
        let charge = amount(e, 3)?;
        let paid = amount(e, 4)?;
        let patient_responsibility = optional_amount(e, 5)?;
        optional_amount(e, 12)?;
        optional_amount(e, 13)?;
        self.paid += paid;
        self.claim = Some(ClaimSums {
            charge,
            paid,
            patient_responsibility,
            ..ClaimSums::default()
        });
        self.state = State::Claim;
        Ok(())
    }

    fn in_claim(&mut self, e: &Segment<'_>, id: SegmentId) -> Screened<bool> {
        let claim = self.claim.as_mut().ok_or(Doubt)?;
        match id {
            ids::SVC => {
                self.line_start(e)?;
            }
            ids::CAS => {
                let (total, patient) = adjustments(e)?;
                claim.claim_adjustments += total;
                claim.patient_adjustments += patient;
            }
            ids::NM1 | ids::REF | ids::PER => {}
            ids::MIA => {
                optional_amount(e, 1)?;
            }
            ids::MOA => {
                for n in [1, 2, 8, 9] {
                    optional_amount(e, n)?;
                }
            }
            ids::DTM => qualified_date(e)?,
            ids::AMT | ids::QTY => qualified_amount(e)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn line_start(&mut self, e: &Segment<'_>) -> Screened {
        let claim = self.claim.as_mut().ok_or(Doubt)?;
        close_line(claim)?;
        vouch(procedure(e, 1)?)?;
        let charge = amount(e, 2)?;
        let paid = amount(e, 3)?;
        optional_amount(e, 5)?;
        procedure(e, 6)?;
        optional_amount(e, 7)?;
        claim.line = Some((charge, paid, 0));
        claim.lines += 1;
        self.state = State::Line;
        Ok(())
    }

    fn in_line(&mut self, e: &Segment<'_>, id: SegmentId) -> Screened<bool> {
        match id {
            ids::SVC => self.line_start(e)?,
            ids::DTM => {
                qualified_date(e)?;
                // The parser warns of any other date on a service line.
                vouch(matches!(trimmed(e.element(1)), b"472" | b"150" | b"151"))?;
            }
            ids::CAS => {
                let claim = self.claim.as_mut().ok_or(Doubt)?;
                let (total, patient) = adjustments(e)?;
                let line = claim.line.as_mut().ok_or(Doubt)?;
                line.2 += total;
                claim.patient_adjustments += patient;
            }
            ids::REF | ids::LQ => {}
            ids::AMT | ids::QTY => qualified_amount(e)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn provider_adjustment(&mut self, e: &Segment<'_>) -> Screened {
        self.flush_header()?;
        self.flush_claim()?;
        self.state = State::Trailer;
        required_text(e, 1)?;
        date(e, 2)?;
        for pair in 0..6 {
            let (reason_at, amount_at) = (3 + 2 * pair, 4 + 2 * pair);
            if e.element(reason_at).is_empty() && e.element(amount_at).is_empty() {
                continue;
            }
            first_component(e, reason_at)?;
            let adjustment = amount(e, amount_at)?;
            vouch(adjustment != 0)?;
            self.provider_adjustments += adjustment;
        }
        Ok(())
    }

    /// The parser reports a header without a payer or payee loop.
    fn flush_header(&mut self) -> Screened {
        if std::mem::take(&mut self.header_open) {
            vouch(self.payer && self.payee)?;
        }
        Ok(())
    }

    /// Checks the claim payment's equations ([`balance::check_claim`]).
    ///
    /// [`balance::check_claim`]: super::balance::check_claim
    fn flush_claim(&mut self) -> Screened {
        let Some(mut claim) = self.claim.take() else {
            return Ok(());
        };
        close_line(&mut claim)?;
        let adjusted = claim.claim_adjustments + claim.line_adjustments;
        vouch(claim.charge - adjusted == claim.paid)?;
        if claim.lines > 0 {
            vouch(claim.paid == claim.line_paid - claim.claim_adjustments)?;
            vouch(claim.charge == claim.line_charges)?;
        }
        if let Some(stated) = claim.patient_responsibility {
            vouch(stated == claim.patient_adjustments)?;
        }
        self.figures.claims += 1;
        self.figures.lines += claim.lines;
        self.figures.billed += claim.charge;
        Ok(())
    }
}

/// Closes the open service line of `claim`: SVC02 − Σ CAS = SVC03.
fn close_line(claim: &mut ClaimSums) -> Screened {
    if let Some((charge, paid, adjusted)) = claim.line.take() {
        vouch(charge - adjusted == paid)?;
        claim.line_adjustments += adjusted;
        claim.line_charges += charge;
        claim.line_paid += paid;
    }
    Ok(())
}

/// A CAS segment: Σ its amounts, and that sum again when its group is PR.
fn adjustments(e: &Segment<'_>) -> Screened<(Units, Units)> {
    required_text(e, 1)?;
    let mut total = 0;
    let last = e.last_element();
    for triple in 0..6 {
        let at = 2 + 3 * triple;
        if at > last {
            // This triple and the ones after it are left out.
            break;
        }
        let reason_blank = crate::fields::screen::blank_text(e.element(at));
        let has_amount = !e.element(at + 1).is_empty();
        if reason_blank && !has_amount {
            continue;
        }
        vouch(!reason_blank)?;
        total += amount(e, at + 1)?;
        optional_amount(e, at + 2)?;
    }
    let patient = if trimmed(e.element(1)) == b"PR" {
        total
    } else {
        0
    };
    Ok((total, patient))
}

/// DTM01 (a qualifier) and DTM02 (a date).
fn qualified_date(e: &Segment<'_>) -> Screened {
    required_text(e, 1)?;
    date(e, 2)
}

/// AMT or QTY: a qualifier and an amount; an element left out (not merely
/// blank) is missing.
fn qualified_amount(e: &Segment<'_>) -> Screened {
    required_text(e, 1)?;
    optional_amount(e, 2)?;
    vouch(!e.element(2).is_empty())
}

/// Element bytes without padding spaces (as the parser's text is).
fn trimmed(raw: &[u8]) -> &[u8] {
    // Padding is rare: most elements are returned as they are.
    if raw.first() != Some(&b' ') && raw.last() != Some(&b' ') {
        return raw;
    }
    let start = raw.iter().position(|&b| b != b' ').unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |e| e + 1);
    &raw[start..end]
}
