//! Generated files re-checked by the independent checker in `check`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::check::{self, ClaimFile, Remittance, check_835, check_837, check_matching};
use super::*;
use crate::config::Delimiters;

fn remittances(cfg: &SynthConfig) -> (Vec<u8>, SynthSummary) {
    let mut out = Vec::new();
    let summary = write_remittances(cfg, &mut out).expect("835");
    (out, summary)
}

fn claims(cfg: &SynthConfig) -> (Vec<u8>, SynthSummary) {
    let mut out = Vec::new();
    let summary = write_claims(cfg, &mut out).expect("837");
    (out, summary)
}

fn assert_835_summary(r: &Remittance, s: &SynthSummary, bytes: &[u8]) {
    assert_eq!(s.bytes, bytes.len() as u64);
    assert_eq!(
        (r.interchanges, r.groups, r.transactions),
        (s.interchanges, s.groups, s.transactions)
    );
    assert_eq!((r.claims.len() as u64, r.lines), (s.claims, s.lines));
    assert_eq!((r.billed, r.paid), (s.billed, s.paid));
}

fn assert_837_summary(f: &ClaimFile, s: &SynthSummary, bytes: &[u8]) {
    assert_eq!(s.bytes, bytes.len() as u64);
    assert_eq!(f.transactions, s.transactions);
    assert_eq!(
        (f.claims.len() as u64, f.lines, f.billed),
        (s.claims, s.lines, s.billed)
    );
    assert_eq!(s.paid, Decimal::ZERO);
}

/// Writes both files, re-checks them and their correspondence.
fn check_pair(cfg: &SynthConfig) -> (Remittance, ClaimFile) {
    let (era, paid) = remittances(cfg);
    let (billing, billed) = claims(cfg);
    let r = check_835(&era);
    let f = check_837(&billing);
    assert_835_summary(&r, &paid, &era);
    assert_837_summary(&f, &billed, &billing);
    assert_eq!(check_matching(&r, &f), (paid.unmatched, billed.unmatched));
    assert_eq!(paid.slots, cfg.claims as u64);
    (r, f)
}

/// A mix where every scenario is frequent.
fn busy() -> ScenarioMix {
    ScenarioMix {
        denied: 30,
        recoded: 30,
        reversal: 25,
        unmatched: 5,
        unanswered: 5,
        claim_adjustment: 30,
        late: 30,
        remark: 30,
        dependent: 40,
        line_control_echoed: 70,
        deferred_recovery: 35,
        provider_refund: 35,
        overpayment_recovery: 40,
        forwarded_balance: 30,
        institutional: 30,
        ..ScenarioMix::default()
    }
}

#[test]
fn same_seed_gives_identical_bytes() {
    let cfg = SynthConfig::new(7);
    assert_eq!(remittances(&cfg).0, remittances(&cfg).0);
    assert_eq!(claims(&cfg).0, claims(&cfg).0);
    assert_ne!(
        remittances(&cfg).0,
        remittances(&cfg.clone().with_seed(8)).0
    );
}

#[test]
fn every_file_passes_the_checker() {
    let layouts = [(10, 5, 2), (1, 1, 1), (7, 3, 4), (40, 2, 1)];
    for seed in 1..=4u64 {
        for mix in [ScenarioMix::default(), ScenarioMix::clean(), busy()] {
            let (per_tx, per_group, per_isa) = layouts[seed as usize % layouts.len()];
            let cfg = SynthConfig::new(seed)
                .with_claims(150 + seed as usize * 37)
                .with_parties(1 + seed as usize, 2, 60)
                .with_layout(per_tx, per_group, per_isa)
                .with_mix(mix);
            check_pair(&cfg);
        }
    }
}

#[test]
fn every_scenario_occurs() {
    let cfg = SynthConfig::new(11)
        .with_claims(3000)
        .with_parties(2, 3, 500)
        .with_mix(busy());
    let (r, claims) = check_pair(&cfg);
    assert!(
        claims.institutional_transactions > 0
            && claims.institutional_transactions < claims.transactions
    );
    let f = &r.features;
    assert!(
        f.reversals > 20 && f.reversals_checked == f.reversals,
        "{f:?}"
    );
    for plb in ["WO+", "WO-", "72-", "L6-", "FB+", "FB-"] {
        assert!(
            f.plb.get(plb).is_some_and(|n| *n > 0),
            "no PLB {plb}: {f:?}"
        );
    }
    let codes = [
        "CO-45", "PR-1", "PR-2", "PR-3", "CO-197", "CO-50", "CO-16", "CO-29", "PR-204", "CO-253",
    ];
    let segments = [
        "LQ*HE*M51",
        "SVC06",
        "claim CAS",
        "MOA",
        "MIA",
        "DTM*232/233",
        "DTM*050",
        "AMT*I",
        "BPR-H",
    ];
    for what in codes.iter().chain(&segments) {
        assert!(
            f.seen.get(*what).is_some_and(|n| *n > 0),
            "never saw {what}: {f:?}"
        );
    }
}

#[test]
fn unmatched_and_unanswered_claims_are_counted() {
    let mix = ScenarioMix {
        unmatched: 10,
        unanswered: 10,
        ..ScenarioMix::default()
    };
    let cfg = SynthConfig::new(3).with_claims(400).with_mix(mix);
    check_pair(&cfg);
    let (_, paid) = remittances(&cfg);
    let (_, billed) = claims(&cfg);
    assert!(
        paid.unmatched > 10 && billed.unmatched > 10,
        "{paid:?} {billed:?}"
    );
}

/// Segments with every delimiter replaced by the usual ones.
fn normalised(bytes: &[u8]) -> Vec<Vec<String>> {
    let p = check::parse(bytes);
    let mut segs = p.segs;
    for s in &mut segs {
        for e in s.iter_mut() {
            *e = e.replace(p.component, ":").replace(p.repetition, "^");
        }
    }
    segs
}

#[test]
fn delimiters_and_line_breaks_do_not_change_content() {
    let base = SynthConfig::new(5).with_mix(busy());
    let variants = [
        (Delimiters::default(), LineBreak::CrLf),
        (delimiters(b'|', b'>', b'!', b'\n'), LineBreak::None),
        (delimiters(0x1D, 0x1F, 0x1E, 0x1C), LineBreak::Lf),
    ];
    let (era, billing) = (remittances(&base).0, claims(&base).0);
    for (d, line_break) in variants {
        let cfg = base.clone().with_delimiters(d).with_line_break(line_break);
        let (era2, summary) = remittances(&cfg);
        assert_eq!(normalised(&era2), normalised(&era));
        assert_eq!(normalised(&claims(&cfg).0), normalised(&billing));
        assert_eq!(check_835(&era2).paid, summary.paid);
        assert!(era2.starts_with(b"ISA") && era2[105] == d.segment);
    }
}

fn delimiters(element: u8, component: u8, repetition: u8, segment: u8) -> Delimiters {
    Delimiters {
        element,
        component,
        repetition: Some(repetition),
        segment,
    }
}

#[test]
fn write_until_stops_within_one_claim_of_the_target() {
    let target = 5 * 1024 * 1024;
    let cfg = SynthConfig::new(9)
        .with_claims(20_000)
        .with_parties(4, 25, 5000);
    let mut era = Vec::new();
    let paid = write_until(&cfg, &mut era, target).unwrap();
    assert_eq!(paid.bytes, era.len() as u64);
    assert!(paid.bytes <= target, "{paid:?}");
    // One claim (≤ 6 lines) plus a transaction header stays under 4 KiB.
    assert!(target - paid.bytes < 4096, "{paid:?}");
    let r = check_835(&era);
    assert_835_summary(&r, &paid, &era);
    let mut billing = Vec::new();
    let billed = write_claims_matching(&cfg, &paid, &mut billing).unwrap();
    assert_eq!(check_matching(&r, &check_837(&billing)), (0, 0));
    assert_eq!(billed.slots, paid.slots);

    let mut billing = Vec::new();
    let sized = write_claims_until(&cfg, &mut billing, target / 5).unwrap();
    assert!(
        sized.bytes <= target / 5 && target / 5 - sized.bytes < 4096,
        "{sized:?}"
    );
    assert_837_summary(&check_837(&billing), &sized, &billing);
}

#[test]
fn files_cut_from_one_universe_fit_together() {
    // Recoveries may point at claims of the earlier file, which a checker of
    // the later file alone cannot see; leave them out here.
    let mix = ScenarioMix {
        overpayment_recovery: 0,
        ..busy()
    };
    let cfg = SynthConfig::new(13)
        .with_claims(240)
        .with_parties(2, 2, 80)
        .with_mix(mix);
    let (mut era, first) = remittances(&cfg);
    let next = cfg.clone().with_first_claim(240);
    let (era2, second) = remittances(&next);
    era.extend_from_slice(&era2);
    // One file now: reversals in the second part negate payments in the first.
    let r = check_835(&era);
    assert_eq!(r.paid, first.paid + second.paid);
    assert_eq!(r.features.reversals_checked, r.features.reversals);
    let separate = check_835(&era2).features;
    assert!(
        separate.reversals_checked < separate.reversals,
        "no reversal crosses files"
    );
}

/// The values of element `at` of every `tag` segment (with `qualifier` as
/// its first element, when given).
fn elements(bytes: &[u8], tag: &str, qualifier: Option<&str>, at: usize) -> BTreeSet<String> {
    normalised(bytes)
        .into_iter()
        .filter(|s| {
            s[0] == tag && qualifier.is_none_or(|q| s.get(1).map(String::as_str) == Some(q))
        })
        .filter_map(|s| s.get(at).cloned())
        .collect()
}

#[test]
fn practices_share_payers_but_no_payee_claim_or_payment() {
    let cfg = SynthConfig::new(3).with_mix(busy());
    let other = cfg.clone().with_practice(7);
    let (era, paid) = remittances(&cfg);
    let (era7, paid7) = remittances(&other);
    let (billing7, _) = claims(&other);
    // Practice 7's pair is as consistent as practice 0's, with as many
    // payments and claims (other payees charge and bill otherwise: their
    // lines and money differ).
    let (r7, _) = check_pair(&other);
    assert_eq!((paid7.claims, paid7.slots), (paid.claims, paid.slots));
    assert_eq!(r7.transactions, paid.transactions);
    let disjoint = |tag, qualifier, at| {
        let (a, b) = (
            elements(&era, tag, qualifier, at),
            elements(&era7, tag, qualifier, at),
        );
        assert!(!a.is_empty() && !b.is_empty(), "{tag}");
        assert!(a.is_disjoint(&b), "{tag}{qualifier:?}: {a:?} {b:?}");
    };
    disjoint("CLP", None, 1); // CLP01 = CLM01
    disjoint("CLP", None, 7); // CLP07, the payer's claim number
    disjoint("TRN", None, 2); // the payment's trace
    disjoint("N1", Some("PE"), 4); // the payee's NPI
    disjoint("N1", Some("PE"), 2); // and name
    assert_eq!(
        elements(&era, "N1", Some("PR"), 2),
        elements(&era7, "N1", Some("PR"), 2),
        "the payers are the same"
    );
    let billing = claims(&cfg).0;
    let billed = |b: &[u8]| elements(b, "CLM", None, 1);
    assert!(billed(&billing).is_disjoint(&billed(&billing7)));
}

#[test]
fn bad_configurations_are_refused() {
    let bad = [
        SynthConfig::default().with_delimiters(delimiters(b'*', b'*', b'^', b'~')),
        SynthConfig::default().with_delimiters(delimiters(b'*', b'.', b'^', b'~')),
        SynthConfig::default().with_parties(5, 1, 3),
        SynthConfig::default().with_max_lines_per_claim(51),
        SynthConfig::default().with_first_claim(3),
        SynthConfig::default().with_practice(100),
        SynthConfig::default()
            .with_delimiters(delimiters(b'|', b'>', b'!', b'\n'))
            .with_line_break(LineBreak::Lf),
        SynthConfig::default().with_mix(ScenarioMix {
            reversal: 60,
            unmatched: 50,
            ..ScenarioMix::default()
        }),
    ];
    for cfg in bad {
        assert!(cfg.validate().is_err(), "{cfg:?}");
        let err = write_remittances(&cfg, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

/// `cargo test --release --lib synth::tests::speed -- --ignored --nocapture`
#[test]
#[ignore = "timing; run by hand in release mode"]
fn speed() {
    let cfg = SynthConfig::new(1)
        .with_claims(1_000_000)
        .with_parties(20, 200, 100_000);
    for (name, until) in [
        ("835", write_until as fn(_, _, _) -> _),
        ("837", write_claims_until),
    ] {
        let start = std::time::Instant::now();
        let s = until(&cfg, std::io::sink(), 400 << 20).unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name}: {} MB in {secs:.2} s = {:.0} MB/s",
            s.bytes >> 20,
            s.bytes as f64 / 1e6 / secs
        );
    }
}
