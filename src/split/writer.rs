//! Writes one part of a split transaction as a standalone interchange: the
//! original ISA and GS, ST and the header with BPR restated for the part,
//! the part's header-number loops and claims copied byte for byte, its
//! share of each PLB, and SE/GE/IEA with recomputed counts. Original
//! delimiters and line breaks are kept; a part that is the whole
//! transaction is copied unchanged.

use rust_decimal::Decimal;

use super::PartNote;
use super::plan::{Plan, Target};
use crate::x12::Segment;

/// The envelope segments around a transaction, as read (no terminators).
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    /// The ISA segment.
    pub isa: &'a [u8],
    /// The GS segment.
    pub gs: &'a [u8],
    /// What follows each segment: the terminator and the input's line break.
    pub suffix: &'a [u8],
}

/// What one written part holds.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// BPR02 as written.
    pub payment: Decimal,
    /// Number of claims.
    pub claims: usize,
    /// ISA13 as written.
    pub interchange: Vec<u8>,
    /// GS06 as written.
    pub group: Vec<u8>,
    /// Things worth saying about the part.
    pub notes: Vec<PartNote>,
}

/// Appends segments to a buffer, counting them.
struct Out<'a> {
    buf: &'a mut Vec<u8>,
    suffix: &'a [u8],
    separator: u8,
    count: usize,
}

impl Out<'_> {
    fn segment(&mut self, raw: &[u8]) {
        self.buf.extend_from_slice(raw);
        self.buf.extend_from_slice(self.suffix);
        self.count += 1;
    }

    fn elements(&mut self, elements: &[&[u8]]) {
        for (i, element) in elements.iter().enumerate() {
            if i > 0 {
                self.buf.push(self.separator);
            }
            self.buf.extend_from_slice(element);
        }
        self.buf.extend_from_slice(self.suffix);
        self.count += 1;
    }
}

/// Writes the part `target` of `plan` into `out` (cleared first); `whole`
/// says it is the transaction's only part, copied unchanged. With
/// `renumber`, ISA13 and GS06 become that number; otherwise they are kept.
pub fn write_part(
    plan: &Plan,
    envelope: &Envelope<'_>,
    (target, whole): (Target, bool),
    renumber: Option<u64>,
    out: &mut Vec<u8>,
) -> Written {
    out.clear();
    let separator = plan.delimiters().element;
    let mut w = Out {
        buf: out,
        suffix: envelope.suffix,
        separator,
        count: 0,
    };
    let mut written = Written::default();
    write_envelope_start(&mut w, envelope, renumber, &mut written);
    w.count = 0;
    if whole {
        (0..plan.segment_count()).for_each(|i| w.segment(plan.segment_bytes(i)));
        written.payment = plan.stated_payment();
        written.claims = plan.claims().len();
    } else {
        write_share(&mut w, plan, target, &mut written);
    }
    let st = Segment::new(plan.segment_bytes(0), plan.delimiters());
    let count = (w.count + 1).to_string();
    w.elements(&[b"SE".as_slice(), count.as_bytes(), st.element(2)]);
    w.elements(&[b"GE".as_slice(), b"1", &written.group]);
    w.elements(&[b"IEA".as_slice(), b"1", &written.interchange]);
    written
}

/// ISA and GS, renumbered or as read; records the control numbers.
fn write_envelope_start(
    w: &mut Out<'_>,
    envelope: &Envelope<'_>,
    renumber: Option<u64>,
    written: &mut Written,
) {
    let separator = w.separator;
    match renumber {
        Some(n) => {
            written.interchange = format!("{n:09}").into_bytes();
            written.group = n.to_string().into_bytes();
            w.segment(&with_element(
                envelope.isa,
                separator,
                13,
                &written.interchange,
            ));
            w.segment(&with_element(envelope.gs, separator, 6, &written.group));
        }
        None => {
            written.interchange = nth_element(envelope.isa, separator, 13).to_vec();
            written.group = nth_element(envelope.gs, separator, 6).to_vec();
            w.segment(envelope.isa);
            w.segment(envelope.gs);
        }
    }
}

/// ST, the header with a restated BPR, the part's claims in their LX
/// loops, its PLB amounts, and any trailing segments.
fn write_share(w: &mut Out<'_>, plan: &Plan, target: Target, written: &mut Written) {
    let share = plan.share(target);
    let payment = share.payment().unwrap_or_default();
    for i in plan.header() {
        if Some(i) == plan.bpr() {
            let bpr = plan.segment_bytes(i);
            restate_bpr(w, bpr, payment, &mut written.notes);
        } else {
            w.segment(plan.segment_bytes(i));
        }
    }
    let mut header_number = None;
    for &c in &share.claims {
        let claim = &plan.claims()[c];
        if claim.header_number != header_number {
            if let Some(h) = claim.header_number {
                plan.header_number(h)
                    .for_each(|i| w.segment(plan.segment_bytes(i)));
            }
            header_number = claim.header_number;
        }
        claim
            .segments
            .clone()
            .for_each(|i| w.segment(plan.segment_bytes(i)));
    }
    for amounts in share
        .amounts
        .chunk_by(|&a, &b| plan.amounts()[a].segment == plan.amounts()[b].segment)
    {
        write_plb(w, plan, amounts);
    }
    for &i in plan.extras() {
        w.segment(plan.segment_bytes(i));
    }
    written.payment = payment;
    written.claims = share.claims.len();
}

/// One PLB segment with only the given pairs (all of one original PLB,
/// whose PLB01 and PLB02 are kept).
fn write_plb(w: &mut Out<'_>, plan: &Plan, amounts: &[usize]) {
    let Some(&first) = amounts.first() else {
        return;
    };
    let seg = Segment::new(
        plan.segment_bytes(plan.amounts()[first].segment),
        plan.delimiters(),
    );
    let mut elements: Vec<&[u8]> = vec![b"PLB".as_slice(), seg.element(1), seg.element(2)];
    for &a in amounts {
        let pair = plan.amounts()[a].pair;
        elements.push(seg.element(3 + 2 * pair));
        elements.push(seg.element(4 + 2 * pair));
    }
    w.elements(&elements);
}

/// BPR with BPR02 = the part's payment. A part that pays nothing becomes a
/// non-payment (BPR01 `H`, BPR04 `NON`, BPR05-BPR15 empty, BPR16 kept), as
/// the TR3 requires; other elements are kept.
fn restate_bpr(w: &mut Out<'_>, raw: &[u8], payment: Decimal, notes: &mut Vec<PartNote>) {
    let mut elements: Vec<&[u8]> = raw.split(|&b| b == w.separator).collect();
    if elements.len() < 5 {
        elements.resize(5, b"");
    }
    let no_transfer = elements[1] == b"H" || elements[4] == b"NON";
    let amount = amount_text(payment);
    elements[2] = amount.as_bytes();
    if payment.is_zero() {
        elements[1] = b"H";
        elements[4] = b"NON";
        elements.iter_mut().take(16).skip(5).for_each(|e| *e = b"");
    } else {
        if no_transfer {
            notes.push(PartNote::PaymentWithoutTransfer);
        }
        if payment.is_sign_negative() {
            notes.push(PartNote::NegativePayment);
        }
    }
    while elements.len() > 1 && elements.last().is_some_and(|e| e.is_empty()) {
        elements.pop();
    }
    w.elements(&elements);
}

/// An amount as X12 type `R`: no trailing zeros, `-` for negatives.
/// Zero is `0`, never `-0`.
pub fn amount_text(amount: Decimal) -> String {
    if amount.is_zero() {
        return "0".to_string();
    }
    amount.normalize().to_string()
}

/// Element `n` (1-based) of `raw` as read (padding kept).
fn nth_element(raw: &[u8], separator: u8, n: usize) -> &[u8] {
    raw.split(|&b| b == separator).nth(n).unwrap_or(b"")
}

/// `raw` with element `n` replaced by `value`.
fn with_element(raw: &[u8], separator: u8, n: usize, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + value.len());
    for (i, element) in raw.split(|&b| b == separator).enumerate() {
        if i > 0 {
            out.push(separator);
        }
        out.extend_from_slice(if i == n { value } else { element });
    }
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn bpr(raw: &str, payment: &str) -> (String, Vec<PartNote>) {
        let mut buf = Vec::new();
        let mut notes = Vec::new();
        let mut w = Out {
            buf: &mut buf,
            suffix: b"~",
            separator: b'*',
            count: 0,
        };
        restate_bpr(&mut w, raw.as_bytes(), d(payment), &mut notes);
        (String::from_utf8(buf).unwrap(), notes)
    }

    const ACH: &str = "BPR*I*207*C*ACH*CCP*01*011000028*DA*88776655*1310060054**01*031207607*DA*4410098765*20240501";

    #[test]
    fn amounts_are_written_as_type_r() {
        assert_eq!(amount_text(d("120.50")), "120.5");
        assert_eq!(amount_text(d("-35.00")), "-35");
        assert_eq!(amount_text(d("0.00")), "0");
        assert_eq!(amount_text(d("-0.00")), "0");
        assert_eq!(amount_text(d("0.045")), "0.045");
    }

    #[test]
    fn bpr_keeps_everything_but_the_amount() {
        let (out, notes) = bpr(ACH, "120.50");
        assert_eq!(out, ACH.replace("*207*", "*120.5*") + "~");
        assert!(notes.is_empty());
    }

    #[test]
    fn a_part_paying_nothing_becomes_a_non_payment() {
        let (out, _) = bpr(ACH, "0");
        assert_eq!(out, "BPR*H*0*C*NON************20240501~");
        let (out, _) = bpr("BPR*I*10*C*CHK", "0.00");
        assert_eq!(out, "BPR*H*0*C*NON~");
    }

    #[test]
    fn negative_parts_and_parts_of_non_payments_are_noted() {
        let (out, notes) = bpr("BPR*H*0*C*NON************20240911", "-130");
        assert_eq!(out, "BPR*H*-130*C*NON************20240911~");
        assert_eq!(
            notes,
            vec![PartNote::PaymentWithoutTransfer, PartNote::NegativePayment]
        );
    }

    #[test]
    fn elements_are_replaced_in_place() {
        assert_eq!(
            with_element(b"GS*HP*A*B*1*2*77*X", b'*', 6, b"5"),
            b"GS*HP*A*B*1*2*5*X"
        );
        assert_eq!(nth_element(b"GS*HP*A", b'*', 2), b"A");
        assert_eq!(nth_element(b"GS*HP*A", b'*', 6), b"");
    }
}
