//! Parser tests on hand-written 835s: every segment lands where it
//! belongs, balancing findings carry positions, and misplaced money is
//! fatal while a stray harmless segment is a warning.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::diagnostic::{Rule, Severity};
use crate::document::{DocumentEvent, DocumentReader};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wrap(body: &str) -> String {
    let segments = body.matches('~').count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240301*1200*^*00501*000000001*0*P*:~GS*HP*P*R*20240301*1200*1*X*005010X221A1~ST*835*0001~{body}SE*{segments}*0001~GE*1*1~IEA*1*000000001~"
    )
}

const HEADER: &str = "BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*98765*20240301~TRN*1*12345*1512345678~CUR*PR*USD~REF*EV*RECEIVER~DTM*405*20240229~N1*PR*ACME HEALTH PLAN*XV*60054~N3*PO BOX 1*SUITE 2~N4*TRENTON*NJ*08601~REF*2U*60054~PER*BL*EDI*TE*8005551212~N1*PE*RIVERSIDE*XX*1234567893~N4*RIVERSIDE*NJ*08075~REF*TJ*123456789~";

/// The header with another BPR02.
fn header(amount: &str) -> String {
    HEADER.replacen("BPR*I*80*", &format!("BPR*I*{amount}*"), 1)
}

fn read(text: &str) -> (Vec<RemittanceEvent>, Vec<crate::diagnostic::Issue>) {
    let mut reader = DocumentReader::from_slice(text.as_bytes());
    let mut events = Vec::new();
    while let Ok(Some(event)) = reader.next_event() {
        if let DocumentEvent::Remittance(e) = event {
            events.push(e);
        }
    }
    (events, reader.take_issues())
}

fn claims(events: &[RemittanceEvent]) -> Vec<&ClaimPayment> {
    events
        .iter()
        .filter_map(|e| match e {
            RemittanceEvent::Claim(c) => Some(&**c),
            _ => None,
        })
        .collect()
}

#[test]
fn header_parties_and_payment_are_read() {
    let text = wrap(&format!(
        "{HEADER}LX*1~CLP*PCN1*1*100*80**12*ICN1~SVC*HC:99213*100*80~CAS*CO*45*20~"
    ));
    let (events, issues) = read(&text);
    assert!(issues.is_empty(), "{issues:?}");
    let RemittanceEvent::Header(h) = &events[0] else {
        panic!("header first")
    };
    assert_eq!(h.payment.amount, d("80"));
    assert_eq!(h.payment.method, "ACH");
    assert_eq!(h.payment.payer_account.account, "123456");
    assert_eq!(h.payment.payee_account.dfi_id, "888888888");
    assert_eq!(h.payment.date.unwrap().to_string(), "2024-03-01");
    assert_eq!(
        (h.trace.number.as_str(), h.trace.originator.as_str()),
        ("12345", "1512345678")
    );
    assert_eq!(h.currency, Some(("PR".into(), "USD".into())));
    assert_eq!(h.production_date.unwrap().to_string(), "2024-02-29");
    assert_eq!(h.payer.name, "ACME HEALTH PLAN");
    assert_eq!(
        h.payer.address.as_ref().unwrap().lines,
        ["PO BOX 1", "SUITE 2"]
    );
    assert_eq!(
        h.payer.contacts[0].numbers,
        [("TE".into(), "8005551212".into())]
    );
    assert_eq!(h.payee_npi(), Some("1234567893"));
    assert_eq!(h.payee.references[0].value, "123456789");
    assert!(matches!(events.last(), Some(RemittanceEvent::End(_))));
}

#[test]
fn claims_lines_adjustments_and_references_are_kept() {
    let body = format!(
        "{}LX*1~TS3*1234567893*11*20241231*1*100~CLP*PCN1*1*150*60*20*12*ICN1*11*1~CAS*PR*1*20*1~NM1*QC*1*DOE*JANE****MI*M1~NM1*82*1*SMITH*ANN****XX*1111111112~MOA***MA01*N130~REF*EA*ACCT9~DTM*232*20240105~DTM*050*20240110~AMT*AU*130~\
SVC*HC:99213:25:59*100*80*0450*1**2~DTM*472*20240105~CAS*CO*45*20~REF*6R*LINE1~AMT*B6*80~LQ*HE*N130~\
SVC*HC:97140*50*0**1*HC:97140:GP~DTM*150*20240105~DTM*151*20240106~CAS*CO*97*50~",
        header("60")
    );
    let (events, issues) = read(&wrap(&body));
    assert!(issues.is_empty(), "{issues:?}");
    let claim = claims(&events)[0];
    assert_eq!(
        (
            claim.header_number.as_str(),
            claim.claim_id.as_str(),
            claim.payer_claim_id.as_str()
        ),
        ("1", "PCN1", "ICN1")
    );
    assert_eq!(
        (claim.charge, claim.paid, claim.patient_responsibility),
        (d("150"), d("60"), Some(d("20")))
    );
    assert_eq!(claim.adjustments[0].quantity, Some(d("1")));
    assert_eq!(claim.member_id(), Some("M1"));
    assert_eq!(claim.outpatient.as_ref().unwrap().remarks, ["MA01", "N130"]);
    assert_eq!(claim.date("050").unwrap().to_string(), "2024-01-10");
    assert_eq!(claim.amount("AU"), Some(d("130")));
    let (first, second) = (&claim.lines[0], &claim.lines[1]);
    assert_eq!(first.procedure.modifiers, ["25", "59"]);
    assert_eq!(
        (
            first.revenue_code.as_str(),
            first.units,
            first.original_units
        ),
        ("0450", Some(d("1")), Some(d("2")))
    );
    assert_eq!(first.control_number(), Some("LINE1"));
    assert_eq!(first.allowed(), Some(d("80")));
    assert_eq!(first.remarks[0].code, "N130");
    assert_eq!(second.billed_procedure().modifiers, ["GP"]);
    assert_eq!(second.date().unwrap().to_string(), "2024-01-05");
    assert_eq!(second.service_to.unwrap().to_string(), "2024-01-06");
    let RemittanceEvent::End(trailer) = events.last().unwrap() else {
        panic!()
    };
    assert_eq!(trailer.header_numbers[0].provider_summary.len(), 5);
}

#[test]
fn each_balancing_equation_reports_its_segment() {
    // Line: 100 − 10 ≠ 80. Claim: 150 − (20 + 10) ≠ 80. Claim against its
    // lines: CLP04 80 ≠ ΣSVC03 80 − claim CAS 20, CLP03 150 ≠ ΣSVC02 100.
    // Transaction: BPR 80 − PLB 5 ≠ 80.
    let body = format!(
        "{HEADER}LX*1~CLP*PCN1*1*150*80*25*12*ICN1~CAS*PR*1*20~SVC*HC:99213*100*80~CAS*CO*45*10~PLB*1234567893*20241231*WO:ICN0*5~"
    );
    let (_, issues) = read(&wrap(&body));
    let found: Vec<(Severity, Rule, &str)> = issues
        .iter()
        .map(|i| (i.severity, i.rule, i.segment.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (Severity::Invalid, Rule::Balance, "SVC"),
            (Severity::Invalid, Rule::Balance, "CLP"),
            (Severity::Invalid, Rule::Balance, "CLP"),
            (Severity::Invalid, Rule::Balance, "CLP"),
            (Severity::Warning, Rule::Consistency, "CLP"),
            (Severity::Invalid, Rule::Balance, "SE"),
        ]
    );
    assert!(
        issues[0]
            .message
            .contains("SVC02 100 - CAS 10 = 90, but SVC03 is 80 (claim PCN1)")
    );
    assert!(issues[2].message.contains(
        "claim payment does not match its service lines: CLP04 80 is not the lines' sum of SVC03 80 - claim-level CAS 20 = 60 (unexplained 20)"
    ));
    assert!(issues[3].message.contains(
        "claim charge does not match its service lines: CLP03 150 is not the lines' sum of SVC02 100 (unexplained 50)"
    ));
    assert_eq!(issues[2].pos, issues[1].pos, "at the CLP");
    assert!(
        issues[5]
            .message
            .contains("sum of CLP04 80 - sum of PLB 5 = 75, but BPR02 is 80")
    );
}

#[test]
fn reversals_balance_with_negated_amounts() {
    // The reversal negates every amount of the original (charge 150, paid 80,
    // CO-45 50, PR-1 20); the correction pays 100.
    let body = format!(
        "{}LX*1~CLP*PCN1*22*-150*-80*-20*12*ICN1~SVC*HC:99213*-150*-80~CAS*CO*45*-50~CAS*PR*1*-20~CLP*PCN1*1*150*100*20*12*ICN2~SVC*HC:99213*150*100~CAS*CO*45*30*~CAS*PR*1*20~",
        header("20")
    );
    let (events, issues) = read(&wrap(&body));
    assert!(issues.is_empty(), "{issues:?}");
    assert!(claims(&events)[0].is_reversal());
}

#[test]
fn money_outside_a_claim_is_fatal_and_unknown_segments_are_warnings() {
    let (_, issues) = read(&wrap(&format!("{HEADER}SVC*HC:99213*100*80~")));
    assert!(
        issues
            .iter()
            .any(|i| i.severity == Severity::Fatal && i.message.contains("expected CLP before it"))
    );
    let (_, issues) = read(&wrap(&format!(
        "{HEADER}LX*1~CLP*PCN1*1*0*0**12*ICN1~ZZZ*1~N2*X~"
    )));
    // An unknown identifier may be the tail of a name cut by a stray
    // terminator: described, not quoted; a known one is named.
    assert!(issues.iter().any(|i| i.severity == Severity::Warning
        && i.message
            == "an unknown segment identifier (3 characters (letters)) is not expected here in an 835; ignored"
        && i.segment.is_none()));
    assert!(issues.iter().any(|i| i.severity == Severity::Warning
        && i.message.contains("segment N2 is not expected")
        && i.segment.as_deref() == Some("N2")));
    assert!(!issues.iter().any(|i| i.severity == Severity::Fatal));
}

#[test]
fn unreadable_money_is_fatal_and_names_the_element() {
    let (_, issues) = read(&wrap(&format!("{HEADER}LX*1~CLP*PCN1*1*1OO*80**12*ICN1~")));
    let fatal: Vec<_> = issues
        .iter()
        .filter(|i| i.severity == Severity::Fatal)
        .collect();
    assert_eq!(fatal.len(), 1);
    assert_eq!(
        fatal[0].message,
        // Described, not quoted: a malformed amount may be a misplaced id.
        "CLP03 (total claim charge amount) is not a decimal number: 3 characters (letters, digits)"
    );
    assert_eq!(fatal[0].pos.segment, 18);
}

#[test]
fn plb_pairs_are_all_read() {
    let body = format!(
        "{HEADER}LX*1~CLP*PCN1*1*100*100**12*ICN1~PLB*1234567893*20241231*WO:ICN0*5*L6:ICN1*-2.5*FB*-1*72:R1*3*CS*1*J1*0.5~"
    );
    let (events, _) = read(&wrap(&body));
    let RemittanceEvent::End(trailer) = events.last().unwrap() else {
        panic!()
    };
    let reasons: Vec<(&str, &str, Decimal)> = trailer
        .provider_adjustments
        .iter()
        .map(|p| (p.reason.as_str(), p.reference.as_str(), p.amount))
        .collect();
    assert_eq!(
        reasons,
        [
            ("WO", "ICN0", d("5")),
            ("L6", "ICN1", d("-2.5")),
            ("FB", "", d("-1")),
            ("72", "R1", d("3")),
            ("CS", "", d("1")),
            ("J1", "", d("0.5"))
        ]
    );
    assert_eq!(trailer.totals.provider_adjustments, d("6"));
}
