//! Every file of the sample corpus (`tests/corpus/`) either reads cleanly and balances, or is
//! rejected or found invalid for exactly the reasons this table expects.

use std::collections::BTreeSet;

use remit::{
    ClaimPayment, Consumer, EventCollector, RemittanceHeader, RemittanceTrailer, Rule, Severity,
    scan_slice,
};
use rust_decimal::Decimal;

use crate::support::{corpus, files_under};

/// What a corpus file is expected to give.
enum Expect {
    /// Read with no error (warnings allowed).
    Valid,
    /// Readable, but these (severity, rule) findings and no others.
    Invalid(&'static [Rule]),
    /// Rejected with a fatal finding whose message contains the text.
    Rejected(Rule, &'static str),
}

use Expect::*;

const NO_CODE: &str = "has no procedure code: expected qualifier:code";
const NO_ISA: &str = "no ISA segment found";
const IMSWEB_COUNTS: Expect = Invalid(&[Rule::Balance, Rule::Count]);

/// Files that are not `Valid`, by path under the corpus.
fn expectation(path: &str) -> Expect {
    match path {
        // SVC*HC*24599.00*1766.50*…: the composite HC:24599 was written
        // with the element separator, so every amount is shifted one place
        // (which also breaks the claim-versus-line equations: the claim's
        // own totals, 1766.50 billed and 187.50 paid, are consistent with
        // the line as intended).
        "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/tertiary-payment.835" => {
            Rejected(Rule::Missing, NO_CODE)
        }
        // TR3 examples without the required BPR16 payment date (their SVC01
        // composites are also written with '>', see WRONG_SEPARATOR).
        "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/cob-contractural-adjustment.835"
        | "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/secondary-payment.835" => {
            Invalid(&[Rule::Missing])
        }
        // BPR16 "20002316" is not a date.
        "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/managed-care.835" => {
            Invalid(&[Rule::BadValue])
        }
        // ST..SE fragments and printed reports without an interchange.
        p if p.starts_with("diasks2_era_835_parser/spec/") => Rejected(Rule::Syntax, NO_ISA),
        "keironstoddart_edi-835-parser/tests/test_edi_835_files/blue_cross_nc_sample.txt"
        | "imsweb_x12-parser/src/test/resources/837_5010/x12_no_isa_line.txt" => {
            Rejected(Rule::Syntax, NO_ISA)
        }
        "imsweb_x12-parser/src/test/resources/837_5010/x12_bad_segment_identifier.txt" => {
            Rejected(Rule::Syntax, "bad segment identifier")
        }
        "imsweb_x12-parser/src/test/resources/837_5010/x12_missing_required_loops_mult_repeats.txt" => {
            Rejected(Rule::Structure, "outside a line: expected LX")
        }
        "imsweb_x12-parser/src/test/resources/837_5010/x12_bad_first_line.txt" => {
            Invalid(&[Rule::Balance, Rule::Count, Rule::IsaWidth])
        }
        // imsweb files all state SE01 = 25 and CLM02 = 500 whatever the lines.
        p if p.starts_with("imsweb_x12-parser/") => IMSWEB_COUNTS,
        "irobayna_stupidedi/spec/fixtures/004010/X091A1 HP835 Health Care Claim Payment Advice/case/1.edi" => {
            Invalid(&[Rule::BadValue, Rule::IsaWidth])
        }
        "irobayna_stupidedi/spec/fixtures/005010/X221 HP835 Health Care Claim Payment Advice/case/3a.edi" => {
            Invalid(&[Rule::Balance, Rule::Count])
        }
        "xlate_staedi/src/test/resources/x12/sample837-HL-nested.edi" => {
            Rejected(Rule::BadValue, "HL03")
        }
        _ => Valid,
    }
}

/// Files whose procedure composites (SVC01, SV101, SV202) are written with
/// '>' although ISA16 declares ':': read with a `ComponentSeparator`
/// warning (they were rejected, or for SV202 read with an empty procedure,
/// before the wrong-separator rule); no other file gets that warning.
const WRONG_SEPARATOR: &[&str] = &[
    "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/cob-contractural-adjustment.835",
    "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/secondary-payment.835",
    "LinuxForHealth_x12/src/tests/resources/837_005010X222A2/demo.cob.2ndary.example4.837",
    "LinuxForHealth_x12/src/tests/resources/837_005010X222A2/demo.example11.837",
    "LinuxForHealth_x12/src/tests/resources/837_005010X222A2/demo.example12.837",
    "LinuxForHealth_x12/src/tests/resources/837_005010X222A2/demo.example9.837",
    "LinuxForHealth_x12/src/tests/resources/837_005010X223A3/out-of-network-repriced-claim.837i",
    "LinuxForHealth_x12/src/tests/resources/837_005010X223A3/ppo-repriced-claim.837i",
];

/// Files in the corpus that are not X12 samples at all.
fn is_not_sample(path: &str) -> bool {
    path.starts_with("pins/")
        || path.contains("LICENSE")
        || path.ends_with(".md")
        || path.ends_with(".json")
        || path.ends_with(".csv")
        || path.ends_with("-expected.txt")
}

/// Sums the `paid` of each 835 transaction's events and compares with BPR02.
#[derive(Default)]
struct PaidPerTransaction {
    collector: EventCollector,
    stated: Decimal,
    mismatches: Vec<(Decimal, Decimal)>,
    transactions: usize,
}

impl Consumer for PaidPerTransaction {
    fn remittance_header(&mut self, h: &RemittanceHeader) {
        self.stated = h.payment.amount;
        self.collector.header(h);
    }
    fn claim_payment(&mut self, c: &ClaimPayment) {
        self.collector.claim(c);
    }
    fn remittance_end(&mut self, t: &RemittanceTrailer) {
        let paid: Decimal = self.collector.end(t).iter().map(|e| e.paid).sum();
        self.transactions += 1;
        if paid != self.stated {
            self.mismatches.push((paid, self.stated));
        }
    }
}

#[test]
fn every_corpus_file_reads_or_fails_as_expected() {
    let root = corpus();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files_under(&root) {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap();
        let mut paid = PaidPerTransaction::default();
        let summary = scan_slice(&bytes, &mut paid);
        let problems: BTreeSet<(Severity, String)> = summary
            .issues
            .0
            .iter()
            .filter(|i| i.severity != Severity::Warning)
            .map(|i| (i.severity, format!("{:?}", i.rule)))
            .collect();
        if is_not_sample(&name) {
            if !summary.issues.has_fatal() {
                failures.push(format!("{name}: not X12 but was not rejected"));
            }
            continue;
        }
        checked += 1;
        let warned = summary
            .issues
            .0
            .iter()
            .any(|i| i.severity == Severity::Warning && i.rule == Rule::ComponentSeparator);
        if warned != WRONG_SEPARATOR.contains(&name.as_str()) {
            failures.push(format!(
                "{name}: component separator warning {warned}, expected {}",
                !warned
            ));
        }
        match expectation(&name) {
            Valid => {
                if !problems.is_empty() {
                    failures.push(format!("{name}: expected valid, got {problems:?}"));
                }
                if !paid.mismatches.is_empty() {
                    failures.push(format!(
                        "{name}: event paid != BPR02: {:?}",
                        paid.mismatches
                    ));
                }
            }
            Invalid(rules) => {
                let want: BTreeSet<(Severity, String)> = rules
                    .iter()
                    .map(|r| (Severity::Invalid, format!("{r:?}")))
                    .collect();
                if problems != want {
                    failures.push(format!("{name}: expected {want:?}, got {problems:?}"));
                }
            }
            Rejected(rule, text) => {
                let found = summary.issues.0.iter().any(|i| {
                    i.severity == Severity::Fatal && i.rule == rule && i.message.contains(text)
                });
                if !found {
                    failures.push(format!(
                        "{name}: expected fatal {rule:?} containing {text:?}, got {:?}",
                        summary.issues.0
                    ));
                }
            }
        }
    }
    assert!(
        checked > 120,
        "corpus not found or nearly empty: {checked} files"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_emedny_sample_has_the_known_totals() {
    let path =
        corpus().join("keironstoddart_edi-835-parser/tests/test_edi_835_files/emedny_sample.txt");
    let mut paid = PaidPerTransaction::default();
    let summary = scan_slice(&std::fs::read(path).unwrap(), &mut paid);
    assert_eq!((summary.claims, summary.lines), (3, 10));
    assert_eq!(summary.billed.to_string(), "102.50");
    assert_eq!(summary.paid.to_string(), "45.75");
    assert_eq!(paid.transactions, 1);
    assert!(paid.mismatches.is_empty());
}

#[test]
fn corpus_concatenated_interchanges_are_all_read() {
    let path = corpus().join("tastypackets_x12-parser/test/test-files/835/profee-multiple.edi");
    let mut paid = PaidPerTransaction::default();
    let summary = scan_slice(&std::fs::read(path).unwrap(), &mut paid);
    assert_eq!(summary.interchanges, 156);
    assert_eq!(paid.transactions, 156);
    assert_eq!((summary.claims, summary.lines), (468, 1560));
    assert!(summary.issues.is_valid(), "{:?}", summary.issues);
}
