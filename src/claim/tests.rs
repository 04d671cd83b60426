//! Parser tests on hand-written 837s: the HL hierarchy, patients who are
//! not the subscriber, replacement claims, line dates and every line
//! segment (SV1, SV2, SV3), and the other-payer loops read without error.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::diagnostic::Severity;
use crate::document::{DocumentEvent, DocumentReader};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wrap(version: &str, body: &str) -> String {
    let segments = body.matches('~').count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*PRACTICE       *ZZ*PAYER          *240301*1200*^*00501*000000001*0*P*:~GS*HC*P*R*20240301*1200*1*X*{version}~ST*837*0001*{version}~{body}SE*{segments}*0001~GE*1*1~IEA*1*000000001~"
    )
}

fn read(text: &str) -> (Vec<BilledClaim>, Vec<crate::diagnostic::Issue>) {
    let mut reader = DocumentReader::from_slice(text.as_bytes());
    let mut claims = Vec::new();
    while let Ok(Some(event)) = reader.next_event() {
        if let DocumentEvent::Claim(ClaimEvent::Claim(c)) = event {
            claims.push(*c);
        }
    }
    (claims, reader.take_issues())
}

const TOP: &str = "BHT*0019*00*REF1*20240301*1200*CH~NM1*41*2*RIVERSIDE*****46*S1~NM1*40*2*ACME*****46*R1~HL*1**20*1~NM1*85*2*RIVERSIDE*****XX*1234567893~N3*1 MAIN ST~N4*RIVERSIDE*NJ*08075~REF*EI*123456789~";

#[test]
fn professional_claims_follow_the_hl_hierarchy() {
    let body = format!(
        "{TOP}HL*2*1*22*1~SBR*P*18*GRP1******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*ACME*****PI*60054~\
HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*JUNIOR~CLM*PCN1*150***11:B:1*Y*A*Y*Y~DTP*431*D8*20240101~HI*ABK:M545~REF*G1*AUTH9~NM1*82*1*SMITH*ANN****XX*1111111112~\
SBR*S*01*******CI~NM1*IL*1*DOE*JANE****MI*OTHER~NM1*PR*2*OTHERPAY*****PI*999~\
LX*1~SV1*HC:98941:GP*100*UN*1***1~DTP*472*D8*20240105~REF*6R*L1~\
LX*2~SV1*HC:97140:59:GP*50*UN*2***1~DTP*472*RD8*20240105-20240106~SVD*999*25*HC:97140**1~CAS*CO*45*25~DTP*573*D8*20240201~"
    );
    let (claims, issues) = read(&wrap("005010X222A1", &body));
    assert!(issues.is_empty(), "{issues:?}");
    let c = &claims[0];
    assert_eq!(c.kind, ClaimKind::Professional);
    assert_eq!(c.created.unwrap().to_string(), "2024-03-01");
    assert_eq!(
        (
            c.billing_provider.npi.as_str(),
            c.billing_provider.tax_id.as_str()
        ),
        ("1234567893", "123456789")
    );
    assert_eq!(
        (c.member_id(), c.subscriber.payer_id.as_str()),
        ("M100", "60054"),
        "the subscriber, not the other payer's"
    );
    assert_eq!(c.patient.as_ref().unwrap().first, "JUNIOR");
    assert_eq!(
        (
            c.claim_id.as_str(),
            c.charge,
            c.facility_code.as_str(),
            c.frequency.as_str()
        ),
        ("PCN1", d("150"), "11", "1")
    );
    assert_eq!(c.rendering_npi, "1111111112");
    assert_eq!(c.other_payers, 1);
    assert_eq!(c.diagnoses, ["ABK:M545"]);
    assert_eq!(c.lines.len(), 2);
    let (l1, l2) = (&c.lines[0], &c.lines[1]);
    assert_eq!(
        (
            l1.procedure.code.as_str(),
            l1.procedure.modifiers.as_slice()
        ),
        ("98941", &["GP".into()][..])
    );
    assert_eq!((l1.control_number.as_str(), l1.units), ("L1", Some(d("1"))));
    assert_eq!(l2.service_date.unwrap().to_string(), "2024-01-05");
    assert_eq!(l2.service_to.unwrap().to_string(), "2024-01-06");
}

#[test]
fn replacement_claims_carry_the_icn_they_replace() {
    let body = format!(
        "{TOP}HL*2*1*22*0~SBR*P*18*GRP1******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*ACME*****PI*60054~CLM*PCN1*100***11:B:7*Y*A*Y*Y~REF*F8*ICN123~DTP*472*D8*20240105~LX*1~SV1*HC:98941*100*UN*1***1~"
    );
    let (claims, _) = read(&wrap("005010X222A1", &body));
    let c = &claims[0];
    assert!(c.replaces_another());
    assert_eq!(c.payer_claim_number.as_deref(), Some("ICN123"));
    assert_eq!(
        c.lines[0].service_date.unwrap().to_string(),
        "2024-01-05",
        "the claim date is the line's fallback"
    );
}

#[test]
fn institutional_and_dental_lines() {
    let body = format!(
        "{TOP}HL*2*1*22*0~SBR*P*18*******MC~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*MEDICARE*****PI*00120~CLM*PCN2*300***13:A:1**A*Y*Y~DTP*434*RD8*20240101-20240103~LX*1~SV2*0450*HC:99283*200*UN*1**50~LX*2~SV2*0300**100*UN*2~"
    );
    let (claims, issues) = read(&wrap("005010X223A2", &body));
    assert!(issues.is_empty(), "{issues:?}");
    let c = &claims[0];
    assert_eq!(c.kind, ClaimKind::Institutional);
    assert_eq!(
        (
            c.lines[0].revenue_code.as_str(),
            c.lines[0].procedure.code.as_str(),
            c.lines[0].non_covered
        ),
        ("0450", "99283", Some(d("50")))
    );
    assert_eq!(c.lines[1].procedure.code, "");
    assert_eq!(
        c.lines[1].service_date.unwrap().to_string(),
        "2024-01-01",
        "statement period start"
    );
    let body = format!(
        "{TOP}HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*DENTAL*****PI*1~CLM*PCN3*120***11:B:1*Y*A*Y*Y~LX*1~SV3*AD:D0120*40****1~DTP*472*D8*20240105~LX*2~SV3*AD:D1110*80****1~TOO*JP*3~DTP*472*D8*20240105~"
    );
    let (claims, issues) = read(&wrap("005010X224A2", &body));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(claims[0].kind, ClaimKind::Dental);
    assert_eq!(claims[0].lines[1].procedure.code, "D1110");
}

#[test]
fn a_claim_whose_lines_do_not_add_up_is_invalid() {
    let body = format!(
        "{TOP}HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*ACME*****PI*1~CLM*PCN1*500***11:B:1~LX*1~SV1*HC:98941*100*UN*1~"
    );
    let (_, issues) = read(&wrap("005010X222A1", &body));
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].severity, Severity::Invalid);
    assert!(
        issues[0]
            .message
            .contains("CLM02 500 differs from the sum of its line charges 100")
    );
}

#[test]
fn a_line_without_lx_or_a_claim_without_a_subscriber_is_fatal() {
    let body = format!("{TOP}CLM*PCN1*100***11:B:1~");
    let (_, issues) = read(&wrap("005010X222A1", &body));
    assert!(issues.iter().any(|i| i.severity == Severity::Fatal && i.message.contains("expected HL*..*22 or 23")));
    let body = format!(
        "{TOP}HL*2*1*22*0~NM1*IL*1*DOE*JOHN****MI*M100~CLM*PCN1*100***11:B:1~SV1*HC:98941*100*UN*1~"
    );
    let (_, issues) = read(&wrap("005010X222A1", &body));
    assert!(
        issues
            .iter()
            .any(|i| i.severity == Severity::Fatal && i.message.contains("expected LX before it"))
    );
}

/// Two claims of one patient (same CLM01, as the TR3 recommends the patient
/// account number) and one of a dependant, for the fingerprint tests.
const FINGERPRINTED: &str = "HL*2*1*22*1~SBR*P*18*GRP1******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*ACME*****PI*60054~\
CLM*PCN1*150***11:B:1*Y*A*Y*Y~DTP*431*D8*20240101~HI*ABK:M545~\
LX*1~SV1*HC:98941:GP:59*100*UN*1***1~DTP*472*D8*20240105~REF*6R*L1~\
LX*2~SV1*HC:97140*50*UN*2***1~DTP*472*D8*20240105~\
CLM*PCN1*65***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:98940*65*UN*1***1~DTP*472*D8*20240112~\
HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*JUNIOR~CLM*PCN1*65***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:98940*65*UN*1***1~DTP*472*D8*20240112~";

fn fingerprints(text: &str) -> Vec<ClaimFingerprint> {
    let (claims, issues) = read(text);
    assert!(
        issues.iter().all(|i| i.severity != Severity::Fatal),
        "{issues:?}"
    );
    claims.iter().map(ClaimFingerprint::of).collect()
}

/// The same interchange with other delimiters (element `|`, component `>`,
/// segment `!` and a line break), new ISA13/GS06/ST02 and BHT.
fn resent(text: &str) -> String {
    text.replace("000000001", "000000777")
        .replace("*1*X*", "*42*X*")
        .replace("ST*837*0001", "ST*837*9901")
        .replace("*0001~GE*1*1~", "*9901~GE*1*42~")
        .replace("REF1*20240301*1200", "RESEND7*20240415*0800")
        .replace('*', "|")
        .replace(':', ">")
        .replace('~', "!\r\n")
}

#[test]
fn a_claim_sent_again_with_other_delimiters_and_envelope_has_the_same_fingerprint() {
    let original = wrap("005010X222A1", &format!("{TOP}{FINGERPRINTED}"));
    let again = resent(&original);
    assert_ne!(original, again);
    assert!(again.contains("ISA|") && again.contains("000000777") && again.contains("9901"));
    let (a, b) = (fingerprints(&original), fingerprints(&again));
    assert_eq!(a.len(), 3);
    assert_eq!(a, b);
    // Same CLM01, but another visit, and another patient: all distinct.
    assert_ne!(a[0], a[1]);
    assert_ne!(a[1], a[2], "a dependant is not the subscriber");
    // Line order, modifier order, amounts written with other digits,
    // letter case and diagnoses do not make another bill.
    let reordered = FINGERPRINTED
        .replace(
            "LX*1~SV1*HC:98941:GP:59*100*UN*1***1~DTP*472*D8*20240105~REF*6R*L1~LX*2~SV1*HC:97140*50*UN*2***1~DTP*472*D8*20240105~",
            "LX*1~SV1*HC:97140*50.00*UN*2***1~DTP*472*D8*20240105~LX*2~SV1*hc:98941:59:GP*100*UN*1***1~DTP*472*D8*20240105~REF*6R*L1~",
        )
        .replace("HI*ABK:M545~", "HI*ABK:M549~")
        .replace("CLM*PCN1*150*", "CLM*PCN1*150.00*");
    assert_ne!(reordered, FINGERPRINTED);
    let c = fingerprints(&wrap("005010X222A1", &format!("{TOP}{reordered}")));
    assert_eq!(c, a);
}

#[test]
fn any_changed_billed_value_gives_another_fingerprint() {
    let base = fingerprints(&wrap("005010X222A1", &format!("{TOP}{FINGERPRINTED}")))[0].clone();
    let first_claim =
        |body: &str| fingerprints(&wrap("005010X222A1", &format!("{TOP}{body}")))[0].clone();
    let edits: &[(&str, &str, &str)] = &[
        ("CLM01", "CLM*PCN1*150", "CLM*PCN9*150"),
        ("CLM01 letter case", "CLM*PCN1*150", "CLM*pcn1*150"),
        ("CLM02", "CLM*PCN1*150*", "CLM*PCN1*151*"),
        ("place of service", "*150***11:B:1*", "*150***22:B:1*"),
        ("frequency", "*150***11:B:1*", "*150***11:B:7*"),
        ("member id", "MI*M100~", "MI*M101~"),
        ("subscriber name", "NM1*IL*1*DOE*JOHN", "NM1*IL*1*DOE*JON"),
        ("payer", "PI*60054~", "PI*60055~"),
        ("payer order", "SBR*P*18*", "SBR*S*18*"),
        ("procedure", "HC:98941:GP:59", "HC:98940:GP:59"),
        ("modifier", "HC:98941:GP:59", "HC:98941:GP"),
        ("line charge", "*100*UN*1***1~", "*101*UN*1***1~"),
        ("units", "SV1*HC:97140*50*UN*2", "SV1*HC:97140*50*UN*3"),
        (
            "line date",
            "DTP*472*D8*20240105~REF*6R*L1",
            "DTP*472*D8*20240106~REF*6R*L1",
        ),
        ("line control (6R)", "REF*6R*L1~", "REF*6R*L2~"),
        ("claim date", "DTP*431*D8*20240101~", "DTP*431*D8*20240102~"),
        (
            "a line less",
            "LX*2~SV1*HC:97140*50*UN*2***1~DTP*472*D8*20240105~",
            "",
        ),
    ];
    for (what, from, to) in edits {
        assert!(FINGERPRINTED.contains(from), "{what}: {from}");
        let edited = FINGERPRINTED.replacen(from, to, 1);
        assert_ne!(first_claim(&edited), base, "{what} changed");
    }
    let other_provider = TOP.replace("XX*1234567893", "XX*1234567894");
    let moved = fingerprints(&wrap(
        "005010X222A1",
        &format!("{other_provider}{FINGERPRINTED}"),
    ));
    assert_ne!(moved[0], base, "billing provider changed");
}

#[test]
fn the_other_payers_latest_adjudication_date_is_kept() {
    // 2330B DTP*573 (the primary's remittance date) and a later 2430
    // DTP*573 (a line adjudicated again): the later one counts.
    let claim = |other: &str, line: &str| {
        format!(
            "{TOP}HL*2*1*22*0~SBR*S*18*GRP1******CI~NM1*IL*1*DOE*JOHN****MI*M100~NM1*PR*2*ACME*****PI*60054~\
CLM*PCN1*100***11:B:1*Y*A*Y*Y~HI*ABK:M545~SBR*P*18*******CI~NM1*IL*1*DOE*JOHN****MI*P100~NM1*PR*2*FIRST*****PI*111~{other}\
LX*1~SV1*HC:98941*100*UN*1***1~DTP*472*D8*20240105~SVD*111*60*HC:98941**1~{line}"
        )
    };
    let paid = |other: &str, line: &str| {
        let (claims, issues) = read(&wrap("005010X222A1", &claim(other, line)));
        assert!(issues.is_empty(), "{issues:?}");
        claims[0].other_payer_paid.map(|d| d.to_string())
    };
    assert_eq!(
        paid("DTP*573*D8*20240201~", "DTP*573*D8*20240215~").as_deref(),
        Some("2024-02-15")
    );
    assert_eq!(
        paid("DTP*573*D8*20240301~", "DTP*573*D8*20240215~").as_deref(),
        Some("2024-03-01")
    );
    assert_eq!(paid("", "").as_deref(), None);
    // Other DTP qualifiers in those loops are not payment dates.
    assert_eq!(paid("", "DTP*472*D8*20240215~").as_deref(), None);
}

#[test]
fn birth_dates_of_the_subscriber_and_a_dependent_are_kept() {
    // A 276 must send the patient's birth date for a dependent (2000E DMG):
    // the 837's DMG of 2010BA and 2010CA are what it has.
    let body = format!(
        "{TOP}HL*2*1*22*1~SBR*P*18*GRP1******CI~NM1*IL*1*DOE*JOHN****MI*M100~DMG*D8*19800115*M~NM1*PR*2*ACME*****PI*60054~\
HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*JUNIOR~DMG*D8*20150302*F~CLM*PCN1*100***11:B:1*Y*A*Y*Y~HI*ABK:M545~\
LX*1~SV1*HC:98941*100*UN*1***1~DTP*472*D8*20240105~"
    );
    let (claims, issues) = read(&wrap("005010X222A1", &body));
    assert!(issues.is_empty(), "{issues:?}");
    let c = &claims[0];
    assert_eq!(
        c.subscriber.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1980-01-15")
    );
    assert_eq!(c.subscriber.gender, "M");
    let patient = c.patient.as_ref().unwrap();
    assert_eq!(
        patient.birth_date.map(|d| d.to_string()).as_deref(),
        Some("2015-03-02")
    );
    assert_eq!(patient.gender, "F");
}

#[test]
fn a_packed_claim_unpacks_to_the_same_claim() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/claims/2024-01-837p.x12"
    ))
    .expect("sample");
    let (claims, _) = read(&text);
    assert!(!claims.is_empty());
    for claim in claims {
        let packed = PackedClaim::pack(&claim);
        assert!(packed.is_packed());
        assert_eq!(packed.claim_id, claim.claim_id);
        assert_eq!(packed.lines as usize, claim.lines.len());
        assert_eq!(packed.identity, PackedClaim::parsed(claim.clone()).identity);
        assert_eq!(packed.unpack().expect("unpacks"), claim);
    }
}
