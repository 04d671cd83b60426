//! The 837 screen: the loop state machine of [`ClaimParser`] and every
//! check it makes (element values, loop structure, CLM02 = Σ line
//! charges), answered on borrowed segments with a few running sums, to
//! vouch that a transaction has no finding at all — without building billed
//! claims.
//!
//! It follows the parser segment for segment (the same areas, the same
//! segments accepted in each, the same elements read with the same checks).
//! Anything the parser would report is a [`Doubt`], and the caller then
//! reads the input with the parser to word the findings.
//!
//! [`ClaimParser`]: super::ClaimParser

use super::parser::Area;
use super::parser::SKIPPED;
use crate::fields::screen::{
    Doubt, Screened, Units, amount, is_date_range, optional_amount, optional_date, procedure,
    required_text, vouch,
};
use crate::x12::{Segment, SegmentId, ids};

/// `PAT` (one of the [`SKIPPED`] segments).
const PAT: SegmentId = SegmentId::of(b"PAT");

/// What a transaction the screen vouched for holds: the figures `validate`
/// prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClaimFigures {
    /// Claims (CLM).
    pub claims: u64,
    /// Service lines (LX).
    pub lines: u64,
    /// Σ CLM02.
    pub billed: Units,
}

/// The running sums of the claim being screened.
#[derive(Clone, Copy, Debug, Default)]
struct ClaimSums {
    charge: Units,
    lines: u64,
    /// Σ charges of the lines before the last one.
    closed_charges: Units,
    /// The last line's charge (zero until its SV1, SV2 or SV3).
    line_charge: Units,
}

/// Screens the body of one 837 transaction (between ST and SE).
#[derive(Debug)]
pub struct ClaimScreen {
    area: Area,
    claim: Option<ClaimSums>,
    figures: ClaimFigures,
}

impl Default for ClaimScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ClaimScreen {
    /// A screen for a transaction whose ST has been read.
    pub fn new() -> Self {
        ClaimScreen {
            area: Area::Heading,
            claim: None,
            figures: ClaimFigures::default(),
        }
    }

    /// Screens one body segment.
    #[inline]
    pub fn segment(&mut self, seg: &Segment<'_>) -> Screened {
        match seg.code() {
            ids::BHT => optional_date(seg, 4),
            ids::HL => self.hierarchy(seg),
            ids::NM1 => {
                self.area = match self.area {
                    Area::Line | Area::LineDetail => Area::LineDetail,
                    Area::Claim | Area::ClaimProvider => Area::ClaimProvider,
                    area => area,
                };
                Ok(())
            }
            ids::SBR => match self.area {
                Area::Subscriber => Ok(()),
                Area::Claim | Area::ClaimProvider | Area::OtherPayer => {
                    self.area = Area::OtherPayer;
                    Ok(())
                }
                _ => Err(Doubt),
            },
            ids::REF | ids::HI => Ok(()),
            ids::CLM => self.claim_start(seg),
            ids::DTP => self.date(seg),
            ids::DMG => {
                let person = matches!(self.area, Area::Subscriber | Area::Patient);
                if person && seg.element(1) == b"D8" {
                    optional_date(seg, 2)?;
                }
                Ok(())
            }
            ids::LX => {
                let claim = self.claim.as_mut().ok_or(Doubt)?;
                claim.closed_charges += std::mem::take(&mut claim.line_charge);
                claim.lines += 1;
                self.area = Area::Line;
                Ok(())
            }
            ids::SV1 | ids::SV2 | ids::SV3 => self.service(seg),
            ids::LIN | ids::SVD if matches!(self.area, Area::Line | Area::LineDetail) => {
                self.area = Area::LineDetail;
                Ok(())
            }
            // The commonest of the skipped segments by integer, before
            // the list's slice compares.
            ids::N3 | ids::N4 | ids::PER | PAT => Ok(()),
            _ => vouch(SKIPPED.contains(&seg.id())),
        }
    }

    /// Screens the end of the transaction (its SE) and returns its figures.
    pub fn finish(mut self) -> Screened<ClaimFigures> {
        self.flush_claim()?;
        Ok(self.figures)
    }

    fn hierarchy(&mut self, e: &Segment<'_>) -> Screened {
        self.flush_claim()?;
        self.area = match e.element(3) {
            b"20" => Area::BillingProvider,
            b"22" => Area::Subscriber,
            b"23" => Area::Patient,
            _ => return Err(Doubt),
        };
        Ok(())
    }

    fn claim_start(&mut self, e: &Segment<'_>) -> Screened {
        self.flush_claim()?;
        vouch(matches!(
            self.area,
            Area::Subscriber
                | Area::Patient
                | Area::Claim
                | Area::ClaimProvider
                | Area::OtherPayer
                | Area::Line
                | Area::LineDetail
        ))?;
        required_text(e, 1)?;
        let charge = amount(e, 2)?;
        self.claim = Some(ClaimSums {
            charge,
            ..ClaimSums::default()
        });
        self.area = Area::Claim;
        Ok(())
    }

    /// DTP: a claim or line date, or the other payer's paid date (573).
    fn date(&mut self, e: &Segment<'_>) -> Screened {
        let read = match self.area {
            Area::OtherPayer | Area::LineDetail => e.element(1) == b"573" && self.claim.is_some(),
            Area::Claim | Area::Line => true,
            _ => false,
        };
        if !read {
            return Ok(());
        }
        match e.element(2) {
            b"D8" | b"RD8" | b"" => vouch(is_date_range(e.element(3))),
            _ => Ok(()),
        }
    }

    fn service(&mut self, e: &Segment<'_>) -> Screened {
        vouch(self.area == Area::Line)?;
        let claim = self.claim.as_mut().ok_or(Doubt)?;
        vouch(claim.lines > 0)?;
        claim.line_charge = match e.code() {
            ids::SV1 => {
                vouch(procedure(e, 1)?)?;
                let charge = amount(e, 2)?;
                optional_amount(e, 4)?;
                charge
            }
            ids::SV2 => {
                required_text(e, 1)?;
                procedure(e, 2)?;
                let charge = amount(e, 3)?;
                optional_amount(e, 5)?;
                optional_amount(e, 7)?;
                charge
            }
            _ => {
                vouch(procedure(e, 1)?)?;
                let charge = amount(e, 2)?;
                optional_amount(e, 6)?;
                charge
            }
        };
        Ok(())
    }

    /// CLM02 = Σ line charges, when the claim has lines.
    fn flush_claim(&mut self) -> Screened {
        let Some(claim) = self.claim.take() else {
            return Ok(());
        };
        if claim.lines > 0 {
            vouch(claim.closed_charges + claim.line_charge == claim.charge)?;
        }
        self.figures.claims += 1;
        self.figures.lines += claim.lines;
        self.figures.billed += claim.charge;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The segments accepted by integer are skipped ones: the shortcut
    /// accepts nothing the list does not.
    #[test]
    fn the_skipped_shortcut_is_in_the_list() {
        for id in [&b"N3"[..], b"N4", b"PER", b"PAT"] {
            assert!(SKIPPED.contains(&id), "{id:?}");
        }
        assert_eq!(PAT, SegmentId::of(b"PAT"));
    }
}
