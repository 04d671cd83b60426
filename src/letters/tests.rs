//! Letters and printable remittances rendered from inputs that mirror the
//! bundled samples (`samples/README.md`), checked in the HTML and in the
//! text `pdftotext` (poppler-utils, an independent reader) extracts from
//! the PDF. `pdftotext` missing is a failure, not a skip:
//! `scripts/test.sh` installs it.

use std::process::Command;

use jiff::civil::{Date, date};
use rust_decimal::Decimal;

use super::*;
use crate::codes::CodeList;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn acme() -> LetterPayer {
    LetterPayer {
        name: "ACME HEALTH PLAN".into(),
        id: "60054".into(),
        address: Some(PostalAddress {
            lines: vec!["PO BOX 6005".into()],
            city: "HARTFORD".into(),
            state: "CT".into(),
            postal_code: "06150".into(),
        }),
        plan: "12".into(),
        plan_state: String::new(),
    }
}

fn letterhead() -> Letterhead {
    Letterhead::from_csv(
        b"setting,value\npractice_name,Riverside Chiropractic & Family Medicine\n\
          address_line1,100 River Road\ncity,Riverside\nstate,NJ\npostal_code,08075\n\
          phone,(856) 555-0100\nnpi,1234567893\ntax_id,123456789\n\
          signer_name,Dana Whitfield\nsigner_title,Billing Manager\n",
        "letterhead.csv",
    )
    .unwrap()
}

fn line(
    procedure: &str,
    modifiers: &[&str],
    dos: Date,
    billed: &str,
    paid: &str,
    at_stake: &str,
) -> LineFacts {
    LineFacts {
        procedure: procedure.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        service_date: Some(dos),
        units: Some(Decimal::ONE),
        billed: d(billed),
        paid: d(paid),
        at_stake: d(at_stake),
        ..LineFacts::default()
    }
}

fn adj(group: &str, reason: &str, amount: &str) -> AdjustmentFact {
    AdjustmentFact {
        group: group.into(),
        reason: reason.into(),
        amount: d(amount),
    }
}

fn pay(on: Date, trace: &str, amount: &str) -> PaymentRef {
    PaymentRef {
        date: Some(on),
        trace: trace.into(),
        amount: d(amount),
    }
}

/// RC24-002 (samples): 97110 paid 58.00 on 2024-02-07, re-listed denied
/// CO-50 on 2025-06-18 with no reversal.
fn previously_paid() -> LetterClaim {
    let mut l = line("97110", &[], date(2024, 1, 10), "100.00", "0.00", "58.00");
    l.units = Some(d("2"));
    LetterClaim {
        payer: acme(),
        claim_id: "RC24-002".into(),
        payer_claim_id: "25167001103".into(),
        member_id: "ACM100251".into(),
        member_name: "OKAFOR, DANIEL".into(),
        billing_npi: "1234567893".into(),
        items: vec![LetterItem {
            line: l,
            kind: ItemKind::PreviouslyPaidDenied {
                original: pay(date(2024, 2, 7), "2024020700117", "58.00"),
                relisted: pay(date(2025, 6, 18), "2025061800270", "0.00"),
                adjustments: vec![adj("CO", "50", "100.00")],
                remarks: vec!["N130".into()],
            },
        }],
        ..LetterClaim::default()
    }
}

/// RC24-016 (samples): 99214 denied CO-50 (medical necessity) on
/// 2024-04-10, appeal by 2024-10-07.
fn medical_denial() -> LetterClaim {
    let mut l = line("99214", &[], date(2024, 3, 6), "185.00", "0.00", "185.00");
    l.appeal_by = Some(date(2024, 10, 7));
    LetterClaim {
        payer: acme(),
        claim_id: "RC24-016".into(),
        payer_claim_id: "24099000984".into(),
        member_id: "ACM100277".into(),
        member_name: "LINDQVIST, ELSA".into(),
        items: vec![LetterItem {
            line: l,
            kind: ItemKind::Denial {
                remittance: pay(date(2024, 4, 10), "2024041000151", "0.00"),
                adjustments: vec![adj("CO", "50", "185.00")],
                remarks: vec!["N130".into()],
                ask: None,
            },
        }],
        ..LetterClaim::default()
    }
}

/// RC24-021 (samples): 97110 × 3 allowed 78.00 against 90.00 contracted.
fn underpayment() -> LetterClaim {
    let mut l = line("97110", &[], date(2024, 4, 9), "150.00", "78.00", "12.00");
    l.units = Some(d("3"));
    l.allowed = Some(d("78.00"));
    l.appeal_by = Some(date(2024, 7, 30));
    LetterClaim {
        payer: acme(),
        claim_id: "RC24-021".into(),
        payer_claim_id: "24120000998".into(),
        member_id: "ACM100302".into(),
        member_name: "DELGADO, ROSA".into(),
        items: vec![LetterItem {
            line: l,
            kind: ItemKind::Underpayment {
                remittance: pay(date(2024, 5, 1), "2024050100168", "78.00"),
                basis: "ACME HEALTH PLAN (fee-schedule.csv:12), 97110 at 30.00, 3 units".into(),
                expected: d("90.00"),
                allowed: d("78.00"),
                adjustments: vec![adj("CO", "45", "72.00")],
            },
        }],
        ..LetterClaim::default()
    }
}

/// RC24-008 (samples): PLB WO 55.00 on 2024-08-14 takes back the 98941
/// payment of 2024-02-07.
fn recoupment() -> LetterClaim {
    let mut l = line("98941", &[], date(2024, 1, 17), "85.00", "0.00", "55.00");
    l.appeal_by = Some(date(2024, 11, 12));
    LetterClaim {
        payer: acme(),
        claim_id: "RC24-008".into(),
        payer_claim_id: "24036000935".into(),
        member_id: "ACM100302".into(),
        member_name: "DELGADO, ROSA".into(),
        items: vec![LetterItem {
            line: l,
            kind: ItemKind::Recoupment {
                remittance: pay(date(2024, 8, 14), "2024081400219", "55.00"),
                recovery: Recovery::ProviderLevel {
                    reason: "WO".into(),
                    reference: "24036000935".into(),
                },
                original: Some(pay(date(2024, 2, 7), "2024020700117", "55.00")),
            },
        }],
        ..LetterClaim::default()
    }
}

/// RC24-030 (samples): received 2024-06-05 (DTM*050), due 2024-07-05,
/// paid 2024-08-14, 40 days late; per line 35.00 and 31.50 principal.
/// Owed: 35.00 × 12% × 40 / 365 = 0.4603 → 0.46 and 31.50 → 0.4142 → 0.41
/// (0.87 for the claim); paid 0.45 allocated 0.24 + 0.21.
fn late_payment() -> LetterClaim {
    let item = |procedure: &str, principal: &str, owed: &str, paid: &str| LetterItem {
        line: line(
            procedure,
            &[],
            date(2024, 5, 29),
            "85.00",
            principal,
            &(d(owed) - d(paid)).to_string(),
        ),
        kind: ItemKind::LatePayment {
            remittance: pay(date(2024, 8, 14), "2024081400219", principal),
            received: date(2024, 6, 5),
            received_source: "DTM*050".into(),
            due: date(2024, 7, 5),
            days_late: 40,
            rule: "nj (30 days, 0.12 a year)".into(),
            rate: d("0.12"),
            principal: d(principal),
            owed: d(owed),
            paid: d(paid),
        },
    };
    LetterClaim {
        payer: acme(),
        claim_id: "RC24-030".into(),
        payer_claim_id: "24225001054".into(),
        member_id: "ACM100234".into(),
        member_name: "HARPER, NORA".into(),
        items: vec![
            item("98941", "35.00", "0.46", "0.24"),
            item("97140", "31.50", "0.41", "0.21"),
        ],
        ..LetterClaim::default()
    }
}

fn render(claim: &LetterClaim) -> Rendered {
    let head = letterhead();
    let notices = ReviewNotices::neutral();
    let settings = LetterSettings::new(date(2025, 7, 31), &head, &notices, CodeList::builtin());
    render_letter(claim, &settings, &Templates::builtin()).unwrap()
}

/// The text of a PDF as `pdftotext -layout` reads it, whitespace collapsed.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "pdftotext is needed to check the PDFs ({e}): install poppler-utils \
                 (scripts/test.sh does)"
            )
        });
    assert!(out.status.success(), "pdftotext failed on our PDF: {out:?}");
    collapse(&String::from_utf8(out.stdout).unwrap())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text a browser shows of `html`: tags dropped, references decoded,
/// whitespace collapsed.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = quick_xml::escape::unescape(&out).unwrap().into_owned();
    // A tag boundary inside a sentence is not a space on paper.
    collapse(&decoded).replace(" .", ".").replace(" ,", ",")
}

/// Asserts that every fact appears in the HTML and in the PDF's text.
fn assert_facts(doc: &Rendered, facts: &[&str]) -> String {
    let text = pdf_text(&doc.pdf);
    let html = html_text(&doc.html);
    for fact in facts {
        assert!(html.contains(fact), "HTML lacks {fact:?}:\n{html}");
        assert!(text.contains(fact), "PDF text lacks {fact:?}:\n{text}");
    }
    text
}

#[test]
fn previously_paid_letter_cites_the_payment_and_the_relisting() {
    let doc = render(&previously_paid());
    let text = assert_facts(
        &doc,
        &[
            "ACME HEALTH PLAN",
            "PO BOX 6005",
            "HARTFORD, CT 06150",
            "Riverside Chiropractic & Family Medicine",
            "RC24-002",
            "25167001103",
            "OKAFOR, DANIEL",
            "ACM100251",
            "01/10/2024",
            "97110",
            "Previously paid, now reported as denied",
            // The original payment: date, trace, amount.
            "02/07/2024",
            "2024020700117",
            "$58.00",
            // The re-listing.
            "06/18/2025",
            "2025061800270",
            "CO-50; N130",
            "No reversal of that payment and no recovery of it",
            "Please correct your records",
            "$100.00",
        ],
    );
    // Not a denial letter: nothing asks for reconsideration or review.
    assert!(!text.contains("reconsider"), "{text}");
    assert!(!text.contains("External review"));
    assert_eq!(doc.file_stem, "ACME_HEALTH_PLAN_RC24-002");
}

#[test]
fn medical_necessity_denial_asks_with_records_and_states_review_rights() {
    let doc = render(&medical_denial());
    let text = assert_facts(
        &doc,
        &[
            "RC24-016",
            "LINDQVIST, ELSA",
            "ACM100277",
            "03/06/2024",
            "99214",
            "$185.00",
            "04/10/2024",
            "2024041000151",
            "CO-50",
            "N130",
            "10/07/2024",
            "medical records for the date of service are enclosed",
            "Medical records for the date of service 03/06/2024",
            "External review",
            "independent external review",
        ],
    );
    // The code's words, from the code list.
    let words = crate::codes::describe_adjustment(CodeList::builtin(), "CO", "50");
    assert!(
        text.contains(&collapse(&words)),
        "{words} missing from {text}"
    );
    // The deadline passed before the letter's date (2025-07-31): noted for
    // the user, without the member.
    assert_eq!(doc.notes.len(), 1);
    assert!(doc.notes[0].contains("10/07/2024"));
    assert!(!doc.notes[0].contains("LINDQVIST"));
}

#[test]
fn the_ask_follows_the_denial_codes() {
    let head = letterhead();
    let notices = ReviewNotices::neutral();
    let s = LetterSettings::new(date(2024, 5, 1), &head, &notices, CodeList::builtin());
    let ask = |reason: &str, remarks: &[&str]| {
        let remarks: Vec<String> = remarks.iter().map(|r| r.to_string()).collect();
        default_ask(
            &s,
            &[adj("CO", "45", "10.00"), adj("CO", reason, "50.00")],
            &remarks,
        )
    };
    assert_eq!(ask("50", &[]), Ask::MedicalRecords);
    assert_eq!(ask("167", &[]), Ask::MedicalRecords);
    assert_eq!(ask("29", &[]), Ask::TimelyFilingProof);
    assert_eq!(ask("16", &["N290"]), Ask::CorrectedClaim);
    assert_eq!(ask("197", &["MA130"]), Ask::CorrectedClaim);
    assert_eq!(ask("197", &["M62"]), Ask::Reconsideration);
    // A contractual CO-45 alone refuses nothing: plain reconsideration.
    assert_eq!(
        default_ask(&s, &[adj("CO", "45", "10.00")], &[]),
        Ask::Reconsideration
    );

    // RC24-006 (samples): CO-16 + N290 asks for a corrected claim, and
    // says so in the letter and its enclosures.
    let mut claim = medical_denial();
    claim.claim_id = "RC24-006".into();
    claim.items[0].kind = ItemKind::Denial {
        remittance: pay(date(2024, 2, 14), "MC2402140047", "0.00"),
        adjustments: vec![adj("CO", "16", "125.00")],
        remarks: vec!["N290".into()],
        ask: None,
    };
    let doc = render(&claim);
    let text = assert_facts(
        &doc,
        &[
            "A corrected claim is enclosed",
            "Corrected claim",
            "CO-16; N290",
        ],
    );
    assert!(
        !text.contains("External review"),
        "not a medical-necessity denial"
    );
}

#[test]
fn external_review_text_comes_from_the_notices_file_by_state_and_plan() {
    let head = letterhead();
    let notices = ReviewNotices::from_csv(
        b"state,plan,text\nNJ,,New Jersey IURO review text.\nNJ,60054,ACME NJ review text.\n",
        "notices.csv",
    )
    .unwrap();
    let settings = LetterSettings::new(date(2024, 5, 1), &head, &notices, CodeList::builtin());
    let doc = render_letter(&medical_denial(), &settings, &Templates::builtin()).unwrap();
    assert_facts(&doc, &["ACME NJ review text."]);
    assert!(!doc.html.contains(NEUTRAL_REVIEW_NOTICE));
    // The claim's own plan state beats the practice's.
    let mut claim = medical_denial();
    claim.payer.plan_state = "NY".into();
    let doc = render_letter(&claim, &settings, &Templates::builtin()).unwrap();
    assert!(
        doc.html
            .contains("independent external review by a reviewer not affiliated")
    );
}

#[test]
fn underpayment_letter_cites_the_contract_basis_and_the_shortfall() {
    let doc = render(&underpayment());
    assert_facts(
        &doc,
        &[
            "RC24-021",
            "Paid below the contracted rate",
            "ACME HEALTH PLAN (fee-schedule.csv:12), 97110 at 30.00, 3 units",
            "$90.00",
            "$78.00",
            // 90.00 − 78.00.
            "underpaid by $12.00",
            "05/01/2024",
            "2024050100168",
            "Contract rate page",
        ],
    );
}

#[test]
fn recoupment_letter_names_what_was_taken_and_asks_for_the_basis() {
    let doc = render(&recoupment());
    assert_facts(
        &doc,
        &[
            "RC24-008",
            "Payment taken back",
            "took back $55.00",
            "overpayment recovery (PLB WO)",
            "reference 24036000935",
            "08/14/2024",
            "2024081400219",
            // The payment it took back.
            "02/07/2024",
            "2024020700117",
            "specific reason and basis for this recovery",
            "11/12/2024",
        ],
    );
}

#[test]
fn a_provider_level_recovery_without_line_facts_reads_as_a_claim_item() {
    // A PLB WO names the claim (CLP07), not a line: no procedure, no date.
    let mut claim = recoupment();
    claim.items[0].line = LineFacts {
        at_stake: d("55.00"),
        appeal_by: Some(date(2024, 11, 12)),
        ..LineFacts::default()
    };
    let doc = render(&claim);
    let text = assert_facts(
        &doc,
        &["1. Payment taken back", "took back $55.00", "11/12/2024"],
    );
    assert!(!text.contains("Payment taken back: on"), "{text}");
    assert!(!text.contains("Payment taken back on"), "{text}");
}

#[test]
fn late_payment_letter_shows_dates_rule_and_interest() {
    let doc = render(&late_payment());
    let text = assert_facts(
        &doc,
        &[
            "RC24-030",
            "received this claim on 06/05/2024 (DTM*050)",
            "due by 07/05/2024",
            "40 days late",
            "12%",
            "nj (30 days, 0.12 a year)",
            "$0.46",
            "$0.24",
            "$0.22",
            "$0.41",
            "$0.21",
            "$0.20",
            // Σ at stake: 0.22 + 0.20.
            "$0.42",
        ],
    );
    assert!(text.contains("Page 1 of"), "{text}");
}

#[test]
fn one_letter_holds_every_open_item_of_a_claim_and_breaks_pages() {
    let mut claim = previously_paid();
    for other in [
        medical_denial(),
        underpayment(),
        recoupment(),
        late_payment(),
    ] {
        claim.items.extend(other.items);
    }
    let doc = render(&claim);
    let text = pdf_text(&doc.pdf);
    for heading in [
        "Previously paid, now reported as denied",
        "Denied",
        "Paid below the contracted rate",
        "Payment taken back",
        "Paid late without the interest owed",
    ] {
        assert!(text.contains(heading), "{heading} missing");
    }
    // 58.00 + 185.00 + 12.00 + 55.00 + 0.22 + 0.20 = 310.42.
    assert!(text.contains("$310.42"), "{text}");
    let pages = text.matches("Page ").count();
    assert!(
        doc.pdf
            .windows(12)
            .filter(|w| w == b"/Type /Page\n")
            .count()
            >= 2
            || pages >= 2
    );
    assert!(
        text.contains("Page 2 of"),
        "six items do not fit one page: {text}"
    );
    // Signature and enclosures close the letter.
    assert!(text.contains("Dana Whitfield Billing Manager"), "{text}");
}

#[test]
fn phi_appears_only_where_the_letter_needs_it() {
    let doc = render(&medical_denial());
    // The member's name and id are in the letter…
    assert!(doc.html.contains("LINDQVIST, ELSA") && doc.html.contains("ACM100277"));
    // …but not in its file name, title or notes.
    for outside in [doc.file_stem.as_str(), &doc.notes.join(" ")] {
        assert!(
            !outside.contains("LINDQVIST") && !outside.contains("ACM100277"),
            "{outside}"
        );
    }
    let title_start = doc.html.find("<title>").unwrap();
    let title_end = doc.html.find("</title>").unwrap();
    let title = &doc.html[title_start..title_end];
    assert!(
        !title.contains("LINDQVIST") && !title.contains("ACM100277"),
        "{title}"
    );
}

#[test]
fn a_replaced_template_is_used_for_html_and_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.html");
    std::fs::write(
        &path,
        "<html><head><title>{{ title }}</title></head><body>\
         <h1>OUR OWN APPEAL FORM</h1>\
         {% for item in items %}<p>Item {{ item.number }}: {{ item.procedure }} owes {{ item.at_stake }}</p>{% endfor %}\
         </body></html>",
    )
    .unwrap();
    let templates = Templates::builtin().with_letter_file(&path).unwrap();
    let head = letterhead();
    let notices = ReviewNotices::neutral();
    let settings = LetterSettings::new(date(2024, 5, 1), &head, &notices, CodeList::builtin());
    let doc = render_letter(&medical_denial(), &settings, &templates).unwrap();
    assert_facts(&doc, &["OUR OWN APPEAL FORM", "Item 1: 99214 owes $185.00"]);
    assert!(!doc.html.contains("To whom it may concern"));
}

#[test]
fn template_errors_name_the_file_and_line_and_no_value() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, "<p>\n{% for item in items %}\n{{ item.number }\n").unwrap();
    let err = Templates::builtin()
        .with_letter_file(&bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("template {}, line 3: syntax error", bad.display())),
        "{err}"
    );

    // A misspelt name is an error, not an empty space on every letter.
    let typo = dir.path().join("typo.html");
    std::fs::write(
        &typo,
        "<p>{{ claim.member_name }}</p>\n<p>{{ claim.claimid }}</p>",
    )
    .unwrap();
    let templates = Templates::builtin().with_letter_file(&typo).unwrap();
    let head = letterhead();
    let notices = ReviewNotices::neutral();
    let settings = LetterSettings::new(date(2024, 5, 1), &head, &notices, CodeList::builtin());
    let err = render_letter(&medical_denial(), &settings, &templates)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2") && err.contains("undefined"), "{err}");
    assert!(!err.contains("LINDQVIST"), "{err}");

    // HTML that cannot be laid out: the position, not the text.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<p>{{ claim.member_name }}</p><p class=\"x>oops</p>",
    )
    .unwrap();
    let templates = Templates::builtin().with_letter_file(&broken).unwrap();
    let err = render_letter(&medical_denial(), &settings, &templates)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not well-formed at byte"), "{err}");
    assert!(!err.contains("LINDQVIST"), "{err}");
}

#[test]
fn a4_and_long_dates_from_the_letterhead() {
    let mut head = letterhead();
    head.paper = Paper::A4;
    head.date_style = DateStyle::Long;
    let notices = ReviewNotices::neutral();
    let settings = LetterSettings::new(date(2024, 5, 1), &head, &notices, CodeList::builtin());
    let doc = render_letter(&recoupment(), &settings, &Templates::builtin()).unwrap();
    assert!(String::from_utf8_lossy(&doc.pdf).contains("/MediaBox [0 0 595.28 841.89]"));
    assert_facts(&doc, &["May 1, 2024", "August 14, 2024"]);
}

#[test]
fn the_same_letter_gives_the_same_bytes() {
    assert_eq!(render(&underpayment()).pdf, render(&underpayment()).pdf);
}

/// The claims of a sample remittance, as the EOB collector gathers them.
fn sample_eobs(file: &str, claim: &str) -> Vec<EobClaim> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/remits")
        .join(file);
    let bytes = std::fs::read(path).unwrap();
    let mut collector =
        EobCollector::new(|c: &crate::remittance::ClaimPayment| c.claim_id == claim);
    let summary = crate::scan::scan_slice(&bytes, &mut collector);
    assert!(summary.issues.is_valid(), "{:?}", summary.issues);
    collector.claims
}

#[test]
fn printable_remittance_of_a_sample_claim() {
    // samples/remits/acme-2024-08-14.835, RC24-030: CLP*RC24-030*1*140*66.5*20*12*24225001054,
    // AMT*I 0.45, two lines, and PLB L6:24225001054 -0.45 naming its ICN.
    let claims = sample_eobs("acme-2024-08-14.835", "RC24-030");
    assert_eq!(claims.len(), 1);
    let claim = &claims[0];
    assert_eq!(
        claim.provider_adjustments.len(),
        1,
        "only the PLB naming this claim"
    );
    assert_eq!(claim.lines[0].patient_responsibility(), d("20"));
    let doc = render_eob(
        claim,
        &letterhead(),
        CodeList::builtin(),
        &Templates::builtin(),
    )
    .unwrap();
    assert_facts(
        &doc,
        &[
            "Remittance advice: claim RC24-030",
            "ACME HEALTH PLAN",
            "PO BOX 6005",
            "RIVERSIDE CHIROPRACTIC & FAMILY MEDICINE",
            "XX 1234567893",
            "Trace 2024081400219",
            "Date 08/14/2024",
            "ACH $206.95",
            "HARPER, NORA",
            "ACM100234",
            "24225001054",
            "1: Processed as primary",
            "Received 06/05/2024",
            // CLP03, CLP04, CLP05, AMT*I.
            "$140.00",
            "$66.50",
            "$20.00",
            "$0.45",
            "05/29/2024",
            "98941",
            "97140-59",
            "$85.00",
            "$55.00",
            "$35.00",
            "$31.50",
            // Allowed (AMT*B6) 55 + 31.50.
            "$86.50",
            "CARC 45",
            "Patient responsibility: co-payment (CARC 3)",
            "interest owed (PLB L6)",
            "-$0.45",
        ],
    );
    // Another claim's PLB (the WO for RC24-008) is not on this page.
    assert!(!doc.html.contains("24036000935"));
    assert_eq!(doc.file_stem, "ACME_HEALTH_PLAN_RC24-030_2024-08-14");
}

#[test]
fn printable_remittance_shows_remarks_and_denials_in_words() {
    // samples/remits/acme-2024-04-10.835, RC24-016: 99214 denied CO-50 with N130.
    let claims = sample_eobs("acme-2024-04-10.835", "RC24-016");
    let doc = render_eob(
        &claims[0],
        &letterhead(),
        CodeList::builtin(),
        &Templates::builtin(),
    )
    .unwrap();
    let words = collapse(&crate::codes::describe_adjustment(
        CodeList::builtin(),
        "CO",
        "50",
    ));
    let remark = collapse(&crate::codes::describe_remark(CodeList::builtin(), "N130"));
    assert_facts(
        &doc,
        &[
            "RC24-016", "99214", "$185.00", "$0.00", &words, &remark, "N130",
        ],
    );
}

/// Writes the letter of every kind and a printable remittance to
/// `$REMIT_DEMO_DIR` (the pictures in `docs/letters.md` come from it):
/// `REMIT_DEMO_DIR=/tmp/demo cargo test --lib write_demo_documents -- --ignored`.
#[test]
#[ignore = "writes demo files for the documentation"]
fn write_demo_documents() {
    let dir = std::path::PathBuf::from(std::env::var("REMIT_DEMO_DIR").expect("REMIT_DEMO_DIR"));
    let mut claim = previously_paid();
    for other in [
        medical_denial(),
        underpayment(),
        recoupment(),
        late_payment(),
    ] {
        claim.items.extend(other.items);
    }
    let doc = render(&claim);
    std::fs::write(dir.join("letter.html"), &doc.html).unwrap();
    std::fs::write(dir.join("letter.pdf"), &doc.pdf).unwrap();
    let eob = &sample_eobs("acme-2024-08-14.835", "RC24-030")[0];
    let doc = render_eob(
        eob,
        &letterhead(),
        CodeList::builtin(),
        &Templates::builtin(),
    )
    .unwrap();
    std::fs::write(dir.join("eob.html"), &doc.html).unwrap();
    std::fs::write(dir.join("eob.pdf"), &doc.pdf).unwrap();
}

#[test]
fn the_documented_example_files_load() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/letters");
    let head = Letterhead::load(&root.join("letterhead.csv")).unwrap();
    assert_eq!(
        head.practice_name,
        "Riverside Chiropractic & Family Medicine"
    );
    let notices = ReviewNotices::load(&root.join("review-notices.csv")).unwrap();
    assert!(notices.lookup("NJ", &["12"]).contains("New Jersey"));
    assert!(notices.lookup("PA", &["MC"]).contains("Medicaid"));
    let outcomes = crate::outcomes::load::load(&root.join("outcomes.csv")).unwrap();
    assert_eq!(outcomes.len(), 4);
}
