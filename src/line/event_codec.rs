//! An 835 transaction's line events as compact bytes and back
//! (`crate::packing`'s values, in [`LineEvent`]'s declaration order,
//! without the context the events share): how a run without `--db` holds
//! a transaction from reading to deciding when its input is not read
//! again (issue 17). On a generated 4 MB 835 + its 837, MessagePack's
//! packing and unpacking of events was an eighth of `reconcile`'s
//! instructions.
//!
//! [`decode`] fails, never panics, on bytes it did not write.

use std::sync::Arc;

use super::event::{EventKind, LineEvent, RemittanceContext};
use super::status::Status;
use crate::packing::{Packer, Unpacker};
use crate::remittance::Adjustment;
use crate::remittance::balance::ClaimLineTotals;

/// `events` as bytes [`decode`] reads back (their context is not packed).
pub fn encode(events: &[LineEvent]) -> Vec<u8> {
    let mut out = Packer::with_capacity(64 + 200 * events.len());
    out.uint(events.len() as u64);
    for event in events {
        event_into(&mut out, event);
    }
    out.into_bytes()
}

/// The events [`encode`] wrote into `bytes`, each given `context`; an
/// error saying what did not read back otherwise.
pub fn decode(bytes: &[u8], context: &Arc<RemittanceContext>) -> Result<Vec<LineEvent>, String> {
    let mut input = Unpacker::new(bytes)?;
    let n = input.len()?;
    let mut events = Vec::with_capacity(n);
    for _ in 0..n {
        events.push(event_from(&mut input, context)?);
    }
    input.finish()?;
    Ok(events)
}

/// True when `a` and `b` are the same event written the same way: equal,
/// and equal as packed here, which tells amounts apart by their scale (1.0
/// and 1.00 are equal values, printed differently). Their contexts are
/// compared as values. The history store names a row's event among its
/// transaction's stored events only when they are alike so.
pub fn written_alike(a: &LineEvent, b: &LineEvent) -> bool {
    if a != b {
        return false;
    }
    let packed = |event: &LineEvent| {
        let mut out = Packer::with_capacity(256);
        event_into(&mut out, event);
        out.into_bytes()
    };
    packed(a) == packed(b)
}

/// The byte of an event kind; [`kind_of`] reads it back.
fn kind_byte(kind: EventKind) -> u8 {
    match kind {
        EventKind::Line => 0,
        EventKind::Claim => 1,
        EventKind::ClaimAdjustment => 2,
        EventKind::ProviderAdjustment => 3,
    }
}

fn kind_of(byte: u8) -> Result<EventKind, String> {
    Ok(match byte {
        0 => EventKind::Line,
        1 => EventKind::Claim,
        2 => EventKind::ClaimAdjustment,
        3 => EventKind::ProviderAdjustment,
        other => return Err(format!("a packed event kind reads {other}")),
    })
}

/// The byte of a status; [`status_of`] reads it back.
fn status_byte(status: Status) -> u8 {
    match status {
        Status::Paid => 0,
        Status::Denied => 1,
        Status::PatientResp => 2,
        Status::NoPaymentDue => 3,
        Status::Reversal => 4,
        Status::ClaimAdjustment => 5,
        Status::ProviderAdjustment => 6,
        Status::NoRemittance => 7,
    }
}

fn status_of(byte: u8) -> Result<Status, String> {
    Ok(match byte {
        0 => Status::Paid,
        1 => Status::Denied,
        2 => Status::PatientResp,
        3 => Status::NoPaymentDue,
        4 => Status::Reversal,
        5 => Status::ClaimAdjustment,
        6 => Status::ProviderAdjustment,
        7 => Status::NoRemittance,
        other => return Err(format!("a packed status reads {other}")),
    })
}

fn event_into(out: &mut Packer, event: &LineEvent) {
    // Destructured whole: a field added to `LineEvent` is a compile error
    // here until it is packed (and read back in `event_from`, in the same
    // place).
    let LineEvent {
        context: _,
        kind,
        sequence,
        claim_seq,
        claim_id,
        payer_claim_id,
        claim_status,
        claim_frequency,
        member_id,
        member_name,
        service_date,
        procedure,
        modifiers,
        paid_procedure,
        revenue_code,
        units,
        billed_units,
        billed,
        allowed,
        allowed_reported,
        paid,
        patient_resp,
        adjustments,
        remarks,
        line_control,
        received_date,
        interest,
        status,
        filing_indicator,
        facility_code,
        rendering_provider,
        plan_id,
        unexplained,
    } = event;
    out.byte(kind_byte(*kind));
    out.uint(u64::from(*sequence));
    out.uint(u64::from(*claim_seq));
    for text in [
        claim_id,
        payer_claim_id,
        claim_status,
        claim_frequency,
        member_id,
    ] {
        out.text(text);
    }
    out.text(member_name);
    out.option_date(*service_date);
    out.text(procedure);
    out.texts(modifiers);
    out.option_text(paid_procedure.as_ref());
    out.text(revenue_code);
    for amount in [units, billed_units, billed, allowed] {
        out.decimal(*amount);
    }
    out.flag(*allowed_reported);
    out.decimal(*paid);
    out.decimal(*patient_resp);
    out.uint(adjustments.len() as u64);
    for Adjustment {
        group,
        reason,
        amount,
        quantity,
    } in adjustments
    {
        out.text(group);
        out.text(reason);
        out.decimal(*amount);
        out.option_decimal(*quantity);
    }
    out.texts(remarks);
    out.text(line_control);
    out.option_date(*received_date);
    out.decimal(*interest);
    out.byte(status_byte(*status));
    for text in [filing_indicator, facility_code, rendering_provider, plan_id] {
        out.text(text);
    }
    out.flag(unexplained.is_some());
    if let Some(totals) = unexplained {
        let ClaimLineTotals {
            claim_charge,
            claim_paid,
            line_charges,
            line_paid,
            claim_adjustments,
        } = &**totals;
        for amount in [
            claim_charge,
            claim_paid,
            line_charges,
            line_paid,
            claim_adjustments,
        ] {
            out.decimal(*amount);
        }
    }
}

fn event_from(
    input: &mut Unpacker<'_>,
    context: &Arc<RemittanceContext>,
) -> Result<LineEvent, String> {
    let count =
        |n: u64| u32::try_from(n).map_err(|_| "a packed sequence passes 32 bits".to_owned());
    // Struct expressions evaluate their fields in the order written: the
    // order `event_into` packed them in.
    Ok(LineEvent {
        context: Arc::clone(context),
        kind: kind_of(input.byte()?)?,
        sequence: count(input.uint()?)?,
        claim_seq: count(input.uint()?)?,
        claim_id: input.text()?,
        payer_claim_id: input.text()?,
        claim_status: input.text()?,
        claim_frequency: input.text()?,
        member_id: input.text()?,
        member_name: input.text()?.into(),
        service_date: input.option_date()?,
        procedure: input.text()?,
        modifiers: input.texts()?,
        paid_procedure: input.option_text()?,
        revenue_code: input.text()?,
        units: input.decimal()?,
        billed_units: input.decimal()?,
        billed: input.decimal()?,
        allowed: input.decimal()?,
        allowed_reported: input.flag()?,
        paid: input.decimal()?,
        patient_resp: input.decimal()?,
        adjustments: {
            let n = input.len()?;
            (0..n)
                .map(|_| {
                    Ok(Adjustment {
                        group: input.text()?,
                        reason: input.text()?,
                        amount: input.decimal()?,
                        quantity: input.option_decimal()?,
                    })
                })
                .collect::<Result<_, String>>()?
        },
        remarks: input.texts()?,
        line_control: input.text()?,
        received_date: input.option_date()?,
        interest: input.decimal()?,
        status: status_of(input.byte()?)?,
        filing_indicator: input.text()?,
        facility_code: input.text()?,
        rendering_provider: input.text()?,
        plan_id: input.text()?,
        unexplained: if input.flag()? {
            Some(Box::new(ClaimLineTotals {
                claim_charge: input.decimal()?,
                claim_paid: input.decimal()?,
                line_charges: input.decimal()?,
                line_paid: input.decimal()?,
                claim_adjustments: input.decimal()?,
            }))
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use jiff::civil::Date;
    use rust_decimal::Decimal;

    use super::*;
    use crate::text::Text;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// An event with every field set to something the fields next to it
    /// do not hold: a read out of order cannot come back equal.
    fn everything(context: &Arc<RemittanceContext>) -> LineEvent {
        let t = |s: &str| Text::new(s);
        let date = |s: &str| Date::from_str(s).unwrap();
        LineEvent {
            context: Arc::clone(context),
            kind: EventKind::ClaimAdjustment,
            sequence: u32::MAX,
            claim_seq: 300,
            claim_id: t("PCN-1"),
            payer_claim_id: t("ICN-2"),
            claim_status: t("22"),
            claim_frequency: t("7"),
            member_id: t("M100"),
            member_name: "DOE, \"JANE\" — ÉLODIE".repeat(3),
            service_date: Some(date("2024-01-05")),
            procedure: t("98941"),
            modifiers: vec![t("GP"), t("59"), t("")],
            paid_procedure: Some(t("98940")),
            revenue_code: t("0450"),
            units: d("1.5"),
            billed_units: d("2"),
            billed: d("79228162514264337593543950335"),
            allowed: d("-0.00"),
            allowed_reported: true,
            paid: d("-12.34"),
            patient_resp: d("0.0000000000000000000000000001"),
            adjustments: vec![
                Adjustment {
                    group: t("CO"),
                    reason: t("45"),
                    amount: d("25.00"),
                    quantity: Some(d("3")),
                },
                Adjustment {
                    group: t("PR"),
                    reason: t("1"),
                    amount: d("-4.10"),
                    quantity: None,
                },
            ],
            remarks: vec![t("N130"), t("M15")],
            line_control: t("L1"),
            received_date: Some(date("2023-12-31")),
            interest: d("0.07"),
            status: Status::Reversal,
            filing_indicator: t("CI"),
            facility_code: t("11"),
            rendering_provider: t("1111111112"),
            plan_id: t("PLAN9"),
            unexplained: Some(Box::new(ClaimLineTotals {
                claim_charge: d("100"),
                claim_paid: d("90"),
                line_charges: d("99.99"),
                line_paid: d("80"),
                claim_adjustments: d("-1"),
            })),
        }
    }

    #[test]
    fn every_field_reads_back_in_its_place() {
        let context = Arc::new(RemittanceContext::default());
        let full = everything(&context);
        let events = vec![full.clone(), LineEvent::sample(), full];
        let back = decode(&encode(&events), &context).expect("reads back");
        assert_eq!(back, events);
        // Amounts bit for bit: equality of decimals ignores a zero's sign
        // and trailing zeros.
        for (a, b) in back.iter().zip(&events) {
            for (x, y) in [
                (a.allowed, b.allowed),
                (a.paid, b.paid),
                (a.patient_resp, b.patient_resp),
            ] {
                assert_eq!(x.serialize(), y.serialize());
            }
        }
        assert!(back.iter().all(|e| Arc::ptr_eq(&e.context, &context)));
        assert_eq!(decode(&encode(&[]), &context), Ok(Vec::new()));
    }

    #[test]
    fn every_kind_and_status_reads_back() {
        let context = Arc::new(RemittanceContext::default());
        for kind in [
            EventKind::Line,
            EventKind::Claim,
            EventKind::ClaimAdjustment,
            EventKind::ProviderAdjustment,
        ] {
            assert_eq!(kind_of(kind_byte(kind)), Ok(kind));
        }
        for status in Status::ALL {
            assert_eq!(status_of(status_byte(status)), Ok(status));
            let event = LineEvent {
                status,
                ..everything(&context)
            };
            let back = decode(&encode(std::slice::from_ref(&event)), &context).unwrap();
            assert_eq!(back, vec![event]);
        }
    }

    #[test]
    fn bytes_cut_short_or_changed_are_an_error_not_a_panic() {
        let context = Arc::new(RemittanceContext::default());
        let bytes = encode(&[everything(&context), LineEvent::sample()]);
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end], &context).is_err(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, &context).is_err());
        for at in 0..bytes.len() {
            for value in [0x00, 0x7F, 0x80, 0xFF] {
                let mut changed = bytes.clone();
                changed[at] = value;
                let _ = decode(&changed, &context);
            }
        }
    }
}
