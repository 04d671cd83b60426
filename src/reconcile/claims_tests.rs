//! Matching remitted claims to billed claims that share CLM01, through the
//! engine on small hand-written 837s and 835s: REF*6R decides first, then
//! member, dates, procedures and charges; a true tie is reported, never
//! resolved by taking the first; versions of one claim (original,
//! replacement, void) are no tie; and which claim a replacement replaces.

use jiff::civil::Date;

use super::*;
use crate::history::{HistoryStore, MemoryStore, StoreResult};
use crate::line::{DecidedLine, Flag};
use crate::pipeline::ingest::ingest;
use crate::pipeline::{Reconciler, read_input};
use crate::reconcile::Rules;

/// One billed claim: CLM01, member id, first name, CLM05-1, CLM05-3,
/// REF*F8, and lines `(procedure, charge, date, REF*6R)`.
struct Billed<'a> {
    clm01: &'a str,
    member: &'a str,
    first: &'a str,
    place: &'a str,
    frequency: &'a str,
    f8: &'a str,
    lines: &'a [(&'a str, &'a str, &'a str, &'a str)],
}

const CLAIM: Billed<'static> = Billed {
    clm01: "PCN1",
    member: "M100",
    first: "JOHN",
    place: "11",
    frequency: "1",
    f8: "",
    lines: &[("98941", "100", "20240105", "")],
};

fn x12_837(isa13: &str, created: &str, claims: &[Billed]) -> String {
    let mut body = format!(
        "BHT*0019*00*REF1*{created}*1200*CH~NM1*41*2*CLINIC*****46*S1~NM1*40*2*ACME*****46*R1~\
         HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~REF*EI*123456789~"
    );
    for (i, c) in claims.iter().enumerate() {
        let charge: rust_decimal::Decimal = c
            .lines
            .iter()
            .map(|l| l.1.parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        body += &format!(
            "HL*{}*1*22*0~SBR*P*18*GRP******CI~NM1*IL*1*DOE*{}****MI*{}~NM1*PR*2*ACME*****PI*60054~\
             CLM*{}*{charge}***{}:B:{}*Y*A*Y*Y~",
            i + 2,
            c.first,
            c.member,
            c.clm01,
            c.place,
            c.frequency
        );
        if !c.f8.is_empty() {
            body += &format!("REF*F8*{}~", c.f8);
        }
        for (n, (procedure, charge, date, control)) in c.lines.iter().enumerate() {
            body += &format!(
                "LX*{}~SV1*HC:{procedure}*{charge}*UN*1***1~DTP*472*D8*{date}~",
                n + 1
            );
            if !control.is_empty() {
                body += &format!("REF*6R*{control}~");
            }
        }
    }
    let segments = body.matches('~').count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*CLINIC         *ZZ*ACME           *240301*1200*^*00501*{isa13}*0*P*:~\
         GS*HC*C*A*20240301*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~{body}SE*{segments}*0001~GE*1*1~IEA*1*{isa13}~"
    )
}

/// One claim payment: CLP01, CLP02, CLP07 (ICN), CLP09, member id, name,
/// and lines `(procedure, charge, paid, date, REF*6R)`.
struct Remitted<'a> {
    clp01: &'a str,
    status: &'a str,
    icn: &'a str,
    frequency: &'a str,
    member: &'a str,
    first: &'a str,
    lines: &'a [(&'a str, &'a str, &'a str, &'a str, &'a str)],
}

const PAYMENT: Remitted<'static> = Remitted {
    clp01: "PCN1",
    status: "1",
    icn: "ICN1",
    frequency: "1",
    member: "M100",
    first: "JOHN",
    lines: &[("98941", "100", "60", "20240105", "")],
};

fn x12_835(isa13: &str, paid_on: &str, claims: &[Remitted]) -> String {
    let mut total = rust_decimal::Decimal::ZERO;
    let mut body = String::new();
    for c in claims {
        let charge: rust_decimal::Decimal = c
            .lines
            .iter()
            .map(|l| l.1.parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        let paid: rust_decimal::Decimal = c
            .lines
            .iter()
            .map(|l| l.2.parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        total += paid;
        body += &format!(
            "CLP*{}*{}*{charge}*{paid}**12*{}*11*{}~NM1*QC*1*DOE*{}****MI*{}~",
            c.clp01, c.status, c.icn, c.frequency, c.first, c.member
        );
        for (procedure, charge, paid, date, control) in c.lines {
            let charge: rust_decimal::Decimal = charge.parse().unwrap();
            let paid: rust_decimal::Decimal = paid.parse().unwrap();
            body += &format!(
                "SVC*HC:{procedure}*{charge}*{paid}~DTM*472*{date}~CAS*CO*45*{}~",
                charge - paid
            );
            if !control.is_empty() {
                body += &format!("REF*6R*{control}~");
            }
        }
    }
    let body = format!(
        "BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{paid_on}~\
         TRN*1*T{isa13}*1512345678~DTM*405*{paid_on}~N1*PR*ACME~N1*PE*CLINIC*XX*1234567893~LX*1~{body}"
    );
    let segments = body.matches('~').count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*CLINIC         *240301*1200*^*00501*{isa13}*0*P*:~\
         GS*HP*A*C*20240301*1200*1*X*005010X221A1~ST*835*0001~{body}SE*{segments}*0001~GE*1*1~IEA*1*{isa13}~"
    )
}

/// Reconciles the files (name, content) in memory: every row, decided
/// then NO_REMITTANCE.
fn reconcile(files: &[(&str, String)]) -> Vec<DecidedLine> {
    reconcile_with(files, Rules::new(Date::constant(2024, 12, 31)))
}

fn reconcile_with(files: &[(&str, String)], rules: Rules) -> Vec<DecidedLine> {
    let mut store = MemoryStore::new();
    let as_of = rules.as_of;
    for (name, text) in files {
        let content = read_input(name, text.as_bytes());
        assert!(
            content.summary.usable() && content.summary.issues.is_valid(),
            "{name}: {:?}",
            content.summary.issues
        );
        ingest(&mut store, name, &content, as_of).unwrap();
    }
    let mut reconciler = Reconciler::new(&mut store, None, rules).unwrap();
    let mut rows = Vec::new();
    reconciler
        .apply_pending(|decided| -> StoreResult<()> {
            rows.extend(decided);
            Ok(())
        })
        .unwrap();
    rows.extend(reconciler.unanswered().unwrap());
    rows
}

fn paid(rows: &[DecidedLine]) -> Vec<&DecidedLine> {
    rows.iter()
        .filter(|r| r.status == crate::line::Status::Paid)
        .collect()
}

fn open(rows: &[DecidedLine]) -> Vec<&str> {
    rows.iter()
        .filter(|r| r.status == crate::line::Status::NoRemittance)
        .map(|r| r.matched_claim_line.as_str())
        .collect()
}

#[test]
fn line_controls_decide_between_claims_sharing_clm01() {
    // Same patient, procedure, date and charge: only REF*6R differs.
    let billed = x12_837(
        "000000001",
        "20240110",
        &[
            Billed {
                lines: &[("98941", "100", "20240105", "A-1")],
                ..CLAIM
            },
            Billed {
                lines: &[("98941", "100", "20240105", "B-1")],
                ..CLAIM
            },
        ],
    );
    let era = x12_835(
        "000000101",
        "20240201",
        &[Remitted {
            lines: &[("98941", "100", "60", "20240105", "B-1")],
            ..PAYMENT
        }],
    );
    let rows = reconcile(&[("c.837", billed), ("r.835", era)]);
    let p = paid(&rows);
    assert_eq!(p.len(), 1);
    assert!(p[0].decision.flags.is_empty(), "{:?}", p[0].decision.flags);
    // The CLM segments are number 14 and 23 of the file.
    assert_eq!(p[0].matched_claim_line, "c.837#PCN1@23/1");
    assert_eq!(open(&rows), ["c.837#PCN1@14/1"]);
}

#[test]
fn member_then_dates_procedures_and_charges_decide() {
    let two = |a: Billed<'static>, b: Billed<'static>| x12_837("000000001", "20240110", &[a, b]);
    let pay = |r: Remitted<'static>| x12_835("000000101", "20240201", &[r]);
    // Another member (a sibling billed under one account number).
    let rows = reconcile(&[
        (
            "c.837",
            two(
                CLAIM,
                Billed {
                    member: "M200",
                    first: "JANE",
                    ..CLAIM
                },
            ),
        ),
        (
            "r.835",
            pay(Remitted {
                member: "M200",
                first: "JANE",
                ..PAYMENT
            }),
        ),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "c.837#PCN1@22/1");
    assert_eq!(open(&rows), ["c.837#PCN1@14/1"]);
    // Two visits of one patient: the date decides.
    let second_visit = Billed {
        lines: &[("98941", "100", "20240112", "")],
        ..CLAIM
    };
    let rows = reconcile(&[
        ("c.837", two(CLAIM, second_visit)),
        (
            "r.835",
            pay(Remitted {
                lines: &[("98941", "100", "60", "20240112", "")],
                ..PAYMENT
            }),
        ),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "c.837#PCN1@22/1");
    assert_eq!(open(&rows), ["c.837#PCN1@14/1"]);
    // Same day, another procedure.
    let other_procedure = Billed {
        lines: &[("97140", "100", "20240105", "")],
        ..CLAIM
    };
    let rows = reconcile(&[
        ("c.837", two(other_procedure, CLAIM)),
        ("r.835", pay(PAYMENT)),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "c.837#PCN1@22/1");
    // Same day and procedure, another charge.
    let other_charge = Billed {
        lines: &[("98941", "120", "20240105", "")],
        ..CLAIM
    };
    let rows = reconcile(&[
        ("c.837", two(CLAIM, other_charge)),
        (
            "r.835",
            pay(Remitted {
                lines: &[("98941", "120", "70", "20240105", "")],
                ..PAYMENT
            }),
        ),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "c.837#PCN1@22/1");
    assert_eq!(open(&rows), ["c.837#PCN1@14/1"]);
    assert!(rows.iter().all(|r| r.decision.flags.is_empty()));
}

#[test]
fn a_true_tie_is_reported_on_every_row_concerned() {
    // Distinct bills (another place of service) the payment cannot tell apart.
    let billed = x12_837(
        "000000001",
        "20240110",
        &[
            CLAIM,
            Billed {
                place: "22",
                ..CLAIM
            },
        ],
    );
    let rows = reconcile(&[
        ("c.837", billed),
        ("r.835", x12_835("000000101", "20240201", &[PAYMENT])),
    ]);
    let p = paid(&rows);
    assert_eq!(p.len(), 1);
    assert!(p[0].decision.flags.contains(Flag::AmbiguousClaimMatch));
    assert!(!p[0].decision.flags.contains(Flag::NoMatchingClaim));
    assert_eq!(p[0].matched_claim_line, "");
    assert!(
        p[0].reason.contains("c.837#PCN1@14 and c.837#PCN1@22"),
        "{}",
        p[0].reason
    );
    let unanswered: Vec<&DecidedLine> = rows
        .iter()
        .filter(|r| r.status == crate::line::Status::NoRemittance)
        .collect();
    assert_eq!(unanswered.len(), 2);
    assert!(
        unanswered
            .iter()
            .all(|r| r.decision.flags.contains(Flag::AmbiguousClaimMatch))
    );
    assert!(unanswered[0].reason.contains("c.837#PCN1@22"));
    assert!(unanswered[1].reason.contains("c.837#PCN1@14"));
}

#[test]
fn an_ambiguous_match_is_still_an_electronic_claim_for_prompt_pay() {
    // Both candidates were sent on 2024-01-10 (BHT04), the payment came on
    // 2024-03-01: 51 days, late under NJ's 30 days for electronic claims;
    // an unmatched claim would be taken for paper (40 days).
    let billed = x12_837(
        "000000001",
        "20240110",
        &[
            CLAIM,
            Billed {
                place: "22",
                ..CLAIM
            },
        ],
    );
    let rules = Rules {
        prompt_pay: crate::reconcile::interest::PromptPay::parse("nj", None).unwrap(),
        ..Rules::new(Date::constant(2024, 12, 31))
    };
    let rows = reconcile_with(
        &[
            ("c.837", billed),
            ("r.835", x12_835("000000101", "20240301", &[PAYMENT])),
        ],
        rules,
    );
    let p = paid(&rows);
    assert!(p[0].decision.flags.contains(Flag::AmbiguousClaimMatch));
    let interest = p[0].interest.as_ref().expect("assessed");
    assert_eq!(interest.source.as_str(), "BHT04");
    assert_eq!(interest.received, Date::constant(2024, 1, 10));
    assert_eq!(interest.due, Date::constant(2024, 2, 9));
}

#[test]
fn versions_of_one_claim_are_no_tie() {
    // An original and its replacement with the same line: the replacement
    // is the claim in force; the original is withdrawn.
    let original = x12_837("000000001", "20240110", &[CLAIM]);
    let replacement = x12_837(
        "000000002",
        "20240115",
        &[Billed {
            frequency: "7",
            ..CLAIM
        }],
    );
    let no_frequency = Remitted {
        frequency: "",
        ..PAYMENT
    };
    let rows = reconcile(&[
        ("a.837", original.clone()),
        ("b.837", replacement),
        ("r.835", x12_835("000000101", "20240201", &[no_frequency])),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "b.837#PCN1/1");
    assert!(paid(&rows)[0].decision.flags.is_empty());
    assert!(open(&rows).is_empty(), "{:?}", open(&rows));
    // An original and its void: a payment is the original's.
    let void = x12_837(
        "000000003",
        "20240115",
        &[Billed {
            frequency: "8",
            ..CLAIM
        }],
    );
    let no_frequency = Remitted {
        frequency: "",
        ..PAYMENT
    };
    let rows = reconcile(&[
        ("a.837", original),
        ("v.837", void),
        ("r.835", x12_835("000000101", "20240201", &[no_frequency])),
    ]);
    assert_eq!(paid(&rows)[0].matched_claim_line, "a.837#PCN1/1");
    assert!(open(&rows).is_empty());
}

#[test]
fn a_replacement_replaces_the_claim_its_icn_or_its_resemblance_names() {
    // Two visits under one CLM01, both paid; the replacement of the second
    // changes its date of service and procedure, so only its REF*F8 (the
    // ICN the second was paid under) can tell which it replaces.
    let claims = x12_837(
        "000000001",
        "20240110",
        &[
            CLAIM,
            Billed {
                lines: &[("98941", "100", "20240112", "")],
                ..CLAIM
            },
        ],
    );
    let era = x12_835(
        "000000101",
        "20240201",
        &[
            PAYMENT,
            Remitted {
                icn: "ICN2",
                lines: &[("98941", "100", "60", "20240112", "")],
                ..PAYMENT
            },
        ],
    );
    let replacement = |f8: &'static str| {
        x12_837(
            "000000002",
            "20240215",
            &[Billed {
                frequency: "7",
                f8,
                lines: &[("97140", "80", "20240113", "")],
                ..CLAIM
            }],
        )
    };
    let rows = reconcile(&[
        ("c.837", claims.clone()),
        ("r.835", era.clone()),
        ("x.837", replacement("ICN2")),
    ]);
    assert_eq!(open(&rows), ["x.837#PCN1/1"], "awaits its own answer");
    let store_view = {
        let mut store = MemoryStore::new();
        let as_of = Date::constant(2024, 12, 31);
        for (name, text) in [
            ("c.837", &claims),
            ("r.835", &era),
            ("x.837", &replacement("ICN2")),
        ] {
            ingest(&mut store, name, &read_input(name, text.as_bytes()), as_of).unwrap();
        }
        let mut reconciler = Reconciler::new(&mut store, None, Rules::new(as_of)).unwrap();
        reconciler
            .apply_pending(|_| -> StoreResult<()> { Ok(()) })
            .unwrap();
        drop(reconciler);
        let store: &dyn HistoryStore = &store;
        let book = ClaimBook::for_claim(store, &|_| None, "PCN1", None).unwrap();
        let family = family(&book, "PCN1");
        let r = family.iter().find(|c| c.claim.frequency == "7").unwrap();
        replaced_by(&book, r)
    };
    assert!(store_view.certain);
    assert_eq!(store_view.claims.len(), 1);
    assert_eq!(
        store_view.claims[0].claim.lines[0]
            .service_date
            .unwrap()
            .to_string(),
        "2024-01-12"
    );
    // Without REF*F8 nothing tells the two visits apart: both stay listed
    // (flagged), neither is withdrawn silently.
    let rows = reconcile(&[("c.837", claims), ("x.837", replacement(""))]);
    let listed: Vec<&DecidedLine> = rows
        .iter()
        .filter(|r| r.decision.flags.contains(Flag::AmbiguousClaimMatch))
        .collect();
    assert_eq!(listed.len(), 2, "{:?}", open(&rows));
    for row in &listed {
        assert!(
            row.reason.contains("replacement or void x.837#PCN1@14"),
            "{}",
            row.reason
        );
    }
    assert!(listed[0].reason.contains("or c.837#PCN1@22"));
    assert!(listed[1].reason.contains("or c.837#PCN1@14"));
    assert_eq!(open(&rows).len(), 3);
}

/// The claims of one run and the ICNs its payments noted, answering claim
/// questions as a store would.
struct Claims {
    claims: Vec<StoredClaim>,
    /// (CLP01, ICN) noted, in order.
    icns: std::cell::RefCell<Vec<(Text, Text)>>,
    /// (ICN, claim matched to a payment carrying it).
    paid: std::cell::RefCell<Vec<(Text, ClaimRef)>>,
}

impl Claims {
    fn new(claims: Vec<StoredClaim>) -> Claims {
        Claims {
            claims,
            icns: Default::default(),
            paid: Default::default(),
        }
    }

    fn note_icn(&self, clp01: &str, icn: &str) {
        let mut icns = self.icns.borrow_mut();
        if !icn.is_empty() && !icns.iter().any(|(c, i)| c == clp01 && i == icn) {
            icns.push((clp01.into(), icn.into()));
        }
    }

    fn note_claim_icn(&self, claim: ClaimRef, icn: &str) {
        let mut paid = self.paid.borrow_mut();
        if !icn.is_empty() && !paid.iter().any(|(i, c)| i == icn && *c == claim) {
            paid.push((icn.into(), claim));
        }
    }

    fn where_(&self, keep: impl Fn(&StoredClaim) -> bool) -> Vec<StoredClaim> {
        self.claims.iter().filter(|c| keep(c)).cloned().collect()
    }
}

impl ClaimSource for Claims {
    type Error = std::convert::Infallible;
    fn claims_with_id(&self, clm01: &str) -> Result<Vec<StoredClaim>, Self::Error> {
        Ok(self.where_(|c| c.claim.claim_id == clm01))
    }
    fn claims_replacing(&self, icn: &str) -> Result<Vec<StoredClaim>, Self::Error> {
        Ok(self.where_(|c| c.claim.payer_claim_number.as_deref().map(str::trim) == Some(icn)))
    }
    fn claims_paid_under(&self, icn: &str) -> Result<Vec<StoredClaim>, Self::Error> {
        let paid = self.paid.borrow();
        Ok(self.where_(|c| paid.iter().any(|(i, id)| i == icn && *id == c.id)))
    }
    fn icns_of(&self, clp01: &str) -> Result<Vec<Text>, Self::Error> {
        let icns = self.icns.borrow();
        Ok(icns
            .iter()
            .filter(|(c, _)| c == clp01)
            .map(|(_, i)| i.clone())
            .collect())
    }
    fn clp01s_of_icn(&self, icn: &str) -> Result<Vec<Text>, Self::Error> {
        let icns = self.icns.borrow();
        Ok(icns
            .iter()
            .filter(|(_, i)| i == icn)
            .map(|(c, _)| c.clone())
            .collect())
    }
}

/// Issue 23 item 3: when many claims share CLM01, a payment is matched
/// among the claims of its member and its line controls only, through an
/// index of the family kept up as payments note ICNs — and gets the very
/// verdict (claim, lines, ties, marks, reference) of scoring the whole
/// family, on random families with shared members, copied controls, blank
/// members, exact ties, replacements and voids (of CLM01 `0` and of other
/// CLM01s, naming ICNs that payments of either were paid under); and what
/// each replacement supersedes, read through the index, is what reading
/// every claim gives.
#[test]
fn narrowing_a_shared_clm01_gives_the_verdict_of_the_whole_family() {
    let found = shared_matching(0x2545_f491_4f6c_dd1d, 8, false);
    let Found {
        total,
        narrowed,
        settled,
        by_charge,
        matched,
        tied,
        versions,
        own_member,
    } = found;
    eprintln!(
        "{total} payments, {narrowed} narrowed, {settled} settled by the member, {by_charge} by the charge index, {matched} matched, {tied} tied, {versions} versions, {own_member} among the member's claims"
    );
    assert!(narrowed > 100, "the narrowed path ran {narrowed} times");
    assert!(settled > 80, "settled by the member {settled} times");
    assert!(matched > 25 && tied > 5, "{matched} matched, {tied} ties");
    assert!(versions > 20, "{versions} replacements checked");
    assert!(
        own_member > 10,
        "{own_member} answered among the member's claims"
    );
}

/// Members repeating on most claims of a CLM01 (two members for 40
/// claims: practices numbering claims and members alike): the index of
/// member and CLM02 settles most payments, lines paired only for the
/// claims in its bucket, and gives exactly the contenders and verdicts of
/// scoring every claim — with ties, replacements and voids, lines out of
/// order, lines without REF*6R, lines the payer unbundled (SVC06).
#[test]
fn the_charge_index_gives_the_contenders_of_scoring_every_claim() {
    for (seed, unbundle) in [
        (0x9e37_79b9_7f4a_7c15, false),
        (0x2545_f491_4f6c_dd1d, true),
    ] {
        let found = shared_matching(seed, 2, unbundle);
        eprintln!("{found:?}");
        assert!(found.by_charge > 30, "{found:?}");
        assert!(found.tied > 5 && found.matched > 25, "{found:?}");
        assert!(found.versions > 20, "{found:?}");
    }
}

/// The index is used only when its best claim's lines fit as well as any
/// claim's can: here the claim of the payment's member and charge fits no
/// line, and a claim of that member billed for another total fits its
/// line — it is the one matched, as scoring every claim says.
#[test]
fn the_charge_index_stands_aside_when_lines_fit_better_elsewhere() {
    let mut billed = Vec::new();
    // Filler, so that the family is indexed: other members.
    for member in ["M2", "M3", "M4", "M5"].repeat(5) {
        billed.push(Billed {
            clm01: "0",
            member,
            lines: &[("99213", "100", "20240105", "")],
            ..CLAIM
        });
    }
    // The member's claim of the payment's total (100), another code.
    billed.push(Billed {
        clm01: "0",
        member: "M1",
        lines: &[("99213", "100", "20240105", "")],
        ..CLAIM
    });
    // The member's claim whose line fits, billed for 150 in all.
    billed.push(Billed {
        clm01: "0",
        member: "M1",
        lines: &[
            ("98941", "100", "20240105", ""),
            ("97110", "50", "20240106", ""),
        ],
        ..CLAIM
    });
    let remitted = [Remitted {
        clp01: "0",
        member: "M1",
        lines: &[("98941", "100", "60", "20240105", "")],
        ..PAYMENT
    }];
    let claims = read_input(
        "c.837",
        x12_837("000000001", "20240201", &billed).as_bytes(),
    );
    let era = read_input(
        "r.835",
        x12_835("000000002", "20240301", &remitted).as_bytes(),
    );
    let stored = stored_claims(&claims.claims, |_| "c.837");
    assert!(stored.len() >= SHARED_FROM);
    let index = SharedClaims::new("0", stored.clone());
    let events: Vec<LineEvent> = era.transactions[0]
        .events
        .iter()
        .filter(|e| e.kind != EventKind::ProviderAdjustment)
        .cloned()
        .collect();
    let payee = events[0].context.payee_npi.as_str();
    let payment = Payment::of(&events).unwrap();
    // The bucket (M1, 100) holds the claim that fits no line: not taken.
    assert_eq!(index.charge_fits_best(&payment, payee), None);
    let contenders = index.contenders(&events, payee);
    let ids: Vec<ClaimRef> = contenders.iter().map(|c| c.id).collect();
    assert_eq!(ids, [20, 21]);
    let best = top_fits(&contenders, &events, payee);
    assert_eq!(
        best.iter().map(|&i| contenders[i].id).collect::<Vec<_>>(),
        [21]
    );
    // And when that claim is billed for the payment's total, the index
    // settles it alone.
    let mut fitting = stored[21].clone();
    Arc::make_mut(&mut fitting.claim).charge = rust_decimal::Decimal::from(100);
    let mut claims = stored[..21].to_vec();
    claims.push(fitting);
    let index = SharedClaims::new("0", claims);
    let best = index.charge_fits_best(&payment, payee).unwrap();
    assert_eq!(best.iter().map(|c| c.id).collect::<Vec<_>>(), [21]);
}

/// How often each way of matching a shared CLM01 ran in [`shared_matching`].
#[derive(Debug, Default)]
struct Found {
    total: usize,
    narrowed: usize,
    settled: usize,
    by_charge: usize,
    matched: usize,
    tied: usize,
    versions: usize,
    /// Replacements whose ICN was paid for claims of other members too,
    /// answered among their member's.
    own_member: usize,
}

/// The claims read as a store hands them out: numbered in reading order,
/// each from the input `source` names for its index.
fn stored_claims(
    claims: &[BilledClaim],
    source: impl Fn(usize) -> &'static str,
) -> Vec<StoredClaim> {
    claims
        .iter()
        .enumerate()
        .map(|(i, c)| StoredClaim {
            id: i as ClaimRef,
            source: source(i).into(),
            claim: c.clone().into(),
        })
        .collect()
}

/// Eight rounds of 40 claims with CLM01 `0` (members drawn from the first
/// `members` of eight) and 30 payments, matched through the index of the
/// family and by scoring every claim: the same verdicts, contenders and
/// supersessions (see the callers). With `unbundle`, every remitted 97110
/// line is a line the payer split out of a billed 97110 (SVC06; SVC01
/// 97999).
fn shared_matching(seed: u64, members: usize, unbundle: bool) -> Found {
    let mut seed = seed;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    const MEMBERS: [&str; 8] = ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"];
    const NAMES: [&str; 2] = ["JOHN", "JANE"];
    const CODES: [&str; 3] = ["98940", "98941", "97110"];
    const CHARGES: [&str; 2] = ["100", "50"];
    const DATES: [&str; 2] = ["20240105", "20240112"];
    const CONTROLS: [&str; 6] = ["", "", "", "C1", "C2", "C3"];
    const ICNS: [&str; 6] = ["I1", "I2", "I3", "I4", "I5", "I6"];
    const OTHER_IDS: [&str; 2] = ["R1", "R2"];
    let none = |_: &str| None;
    let mut found = Found::default();
    for round in 0..8 {
        let mut lines = Vec::new();
        for _ in 0..40 {
            let n = 1 + next(2);
            let claim_lines: Vec<(&str, &str, &str, &str)> = (0..n)
                .map(|_| {
                    (
                        CODES[next(3)],
                        CHARGES[next(2)],
                        DATES[next(2)],
                        CONTROLS[next(6)],
                    )
                })
                .collect();
            // From round 2 on, one claim in five is a replacement (one in
            // four of those a void) naming an ICN, one in three of them
            // under another CLM01.
            let (clm01, frequency, f8) = if round >= 2 && next(5) == 0 {
                let clm01 = if next(3) == 0 {
                    OTHER_IDS[next(2)]
                } else {
                    "0"
                };
                let frequency = if next(4) == 0 { "8" } else { "7" };
                (clm01, frequency, ICNS[next(6)])
            } else {
                ("0", "1", "")
            };
            lines.push((
                MEMBERS[next(members)],
                NAMES[next(2)],
                claim_lines,
                clm01,
                frequency,
                f8,
            ));
        }
        let billed: Vec<Billed> = lines
            .iter()
            .map(|(member, first, lines, clm01, frequency, f8)| Billed {
                clm01,
                member,
                first,
                lines,
                frequency,
                f8,
                ..CLAIM
            })
            .collect();
        let mut payments = Vec::new();
        for _ in 0..30 {
            let n = 1 + next(2);
            let remitted: Vec<(&str, &str, &str, &str, &str)> = (0..n)
                .map(|_| {
                    (
                        CODES[next(3)],
                        CHARGES[next(2)],
                        "10",
                        DATES[next(2)],
                        CONTROLS[next(6)],
                    )
                })
                .collect();
            // A blank member now and then: no member bucket to look in.
            let member = if next(8) == 0 {
                ""
            } else {
                MEMBERS[next(members)]
            };
            let clp01 = if round >= 2 && next(6) == 0 {
                OTHER_IDS[next(2)]
            } else {
                "0"
            };
            payments.push((member, NAMES[next(2)], remitted, clp01, ICNS[next(6)]));
        }
        let remitted: Vec<Remitted> = payments
            .iter()
            .map(|(member, first, lines, clp01, icn)| Remitted {
                clp01,
                member,
                first,
                lines,
                icn,
                ..PAYMENT
            })
            .collect();
        // Odd rounds: the 835 names its payer id, and two thirds of the claims
        // are billed to another payer, so the payer ranks claims too (and
        // a member's claims may all be another payer's).
        let mut x837 = x12_837("000000001", "20240201", &billed);
        let mut x835 = x12_835("000000002", "20240301", &remitted);
        if round % 2 == 1 {
            x835 = x835.replace("N1*PR*ACME~", "N1*PR*ACME*XV*60054~");
            let parts: Vec<&str> = x837.split("PI*60054~").collect();
            let mut joined = String::from(parts[0]);
            for (i, part) in parts[1..].iter().enumerate() {
                joined += if i % 3 == 0 { "PI*60054~" } else { "PI*70077~" };
                joined += part;
            }
            x837 = joined;
        }
        if unbundle {
            x835 = x835
                .split_inclusive('~')
                .map(|segment| match segment.strip_prefix("SVC*HC:97110*") {
                    Some(rest) => {
                        format!("SVC*HC:97999*{}**1*HC:97110~", rest.trim_end_matches('~'))
                    }
                    None => segment.to_string(),
                })
                .collect();
        }
        let claims = read_input("c.837", x837.as_bytes());
        let era = read_input("r.835", x835.as_bytes());
        let stored = stored_claims(
            &claims.claims,
            |i| if i % 3 == 0 { "b.837" } else { "c.837" },
        );
        assert_eq!(stored.len(), 40, "round {round}");
        let source = Claims::new(stored.clone());
        let mut shared: Option<Arc<SharedClaims>> = None;
        // The CLM01s whose ICNs lead into the family of `0`.
        let mut family_ids: HashSet<Text> = HashSet::from_iter([Text::from("0")]);
        for tx in &era.transactions {
            let mut groups: std::collections::BTreeMap<u32, Vec<LineEvent>> = Default::default();
            for e in &tx.events {
                if e.kind != EventKind::ProviderAdjustment {
                    groups.entry(e.claim_seq).or_default().push(e.clone());
                }
            }
            for events in groups.values() {
                let (clp01, icn) = (&events[0].claim_id, &events[0].payer_claim_id);
                source.note_icn(clp01, icn);
                if let Some(shared) = &mut shared
                    && family_ids.contains(clp01.as_str())
                {
                    let joined = Arc::get_mut(shared)
                        .unwrap()
                        .learn_icn(&source, icn)
                        .unwrap();
                    family_ids.extend(joined);
                }
                let payee = events[0].context.payee_npi.as_str();
                let with_id = source.claims_with_id(clp01).unwrap();
                let book =
                    ClaimBook::for_payment(&source, &none, clp01, with_id, events, payee).unwrap();
                let whole = match_claim(&book, events, payee);
                if let Some(best) = &whole.claim {
                    source.note_claim_icn(best.id, icn);
                }
                if clp01 != "0" {
                    continue;
                }
                let index = shared.get_or_insert_with(|| {
                    let mut index = SharedClaims::new("0", source.claims_with_id("0").unwrap());
                    family_ids.extend(index.learn_icns_of(&source).unwrap());
                    Arc::new(index)
                });
                let mut family_whole = family(&book, "0");
                let mut family_index = index.claims().to_vec();
                family_whole.sort_by_key(|c| c.id);
                family_index.sort_by_key(|c| c.id);
                assert_eq!(family_index, family_whole, "round {round}: the family");
                found.total += 1;
                let candidates = match index.narrow(events, payee) {
                    Some(candidates) => {
                        found.narrowed += 1;
                        candidates
                    }
                    None => index.claims().to_vec(),
                };
                found.matched += usize::from(whole.claim.is_some());
                found.tied += usize::from(!whole.ambiguous.is_empty());
                let lookup = |k: &str| (k == "0").then(|| Arc::clone(index));
                // Matching through the index among `candidates`, as the
                // engine does.
                let through_index = |candidates: Vec<StoredClaim>| {
                    let book = ClaimBook::for_shared_payment(
                        &source,
                        &lookup,
                        Arc::clone(index),
                        candidates,
                        events,
                        payee,
                    )
                    .unwrap();
                    let candidates = family(&book, "0");
                    match_narrowed(&book, index, candidates, events, payee)
                };
                assert_eq!(
                    through_index(candidates),
                    whole,
                    "round {round}: {events:?}"
                );
                // Only the contenders (the best start of a fit, billed to
                // this payee): the same verdict again.
                let contenders = index.contenders(events, payee);
                // Settled by the member's own claims: what scoring every
                // claim the controls find gives.
                let payment = Payment::of(events).unwrap();
                if let Some(best) = index.member_fits_best(&payment, payee) {
                    found.settled += 1;
                    assert_eq!(
                        best,
                        index.contenders_scored(&payment, events, payee),
                        "round {round}, settled by the member: {events:?}"
                    );
                }
                // Settled by the index of member and charge: exactly the
                // claims with the best fit of all, every claim of the
                // family scored (lines paired one by one).
                if let Some(best) = index.charge_fits_best(&payment, payee) {
                    found.by_charge += 1;
                    let all = index.claims().to_vec();
                    let mut by_scoring: Vec<StoredClaim> = top_fits(&all, events, payee)
                        .into_iter()
                        .map(|i| all[i].clone())
                        .collect();
                    canonical(&mut by_scoring);
                    assert_eq!(best, by_scoring, "round {round}, by the charge: {events:?}");
                }
                assert_eq!(
                    through_index(contenders),
                    whole,
                    "round {round}, contenders: {events:?}"
                );
            }
        }
        // What each replacement supersedes, through the index and not.
        let index = shared.expect("payments of 0");
        let lookup = |k: &str| (k == "0").then(|| Arc::clone(&index));
        for id in ["0", "R1", "R2"] {
            let whole = ClaimBook::for_claim(&source, &none, id, None).unwrap();
            let indexed = ClaimBook::for_claim(&source, &lookup, id, None).unwrap();
            let claims = family(&whole, id);
            assert_eq!(claims, family(&indexed, id));
            // Given the claims with the id, read by the caller: the same.
            let given = source.claims_with_id(id).unwrap();
            let seeded = ClaimBook::for_claim(&source, &none, id, Some(given)).unwrap();
            assert_eq!(claims, family(&seeded, id));
            let (by_whole, by_index) = (
                Supersessions::new(&whole, &claims),
                Supersessions::new(&indexed, &claims),
            );
            for claim in &claims {
                if claim.claim.replaces_another() {
                    found.versions += 1;
                    let (a, b) = (replaced_by(&whole, claim), replaced_by(&indexed, claim));
                    // Every claim paid under its ICN ranked, not only its
                    // member's: the same answer.
                    let every = replaced_among(&whole, claim, Pools::Every);
                    assert_eq!(
                        (&a.claims, a.certain),
                        (&every.claims, every.certain),
                        "round {round}: by the definition"
                    );
                    found.own_member += usize::from(
                        a.claims
                            .iter()
                            .all(|c| c.claim.member_id() == claim.claim.member_id())
                            && whole
                                .paid_under
                                .get(replaced_icn(claim))
                                .is_some_and(|all| {
                                    all.iter()
                                        .any(|c| c.claim.member_id() != claim.claim.member_id())
                                }),
                    );
                    assert_eq!(
                        (a.claims, a.certain),
                        (b.claims, b.certain),
                        "round {round}"
                    );
                }
                assert_eq!(
                    format!("{:?}", by_whole.of(claim)),
                    format!("{:?}", by_index.of(claim)),
                    "round {round}"
                );
            }
        }
    }
    found
}

/// `trimmed` is `str::trim` with a shortcut for printable ASCII at both
/// ends; anything else (Unicode spaces, a vertical tab, a lone byte of
/// either kind) goes through `trim` and gives its answer.
#[test]
fn trimmed_is_trim() {
    for s in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\u{0B}a\u{0B}",
        "\u{A0}M100\u{A0}",
        "\u{2003}x",
        "é",
        " é ",
        "M1 00",
        "\tM100\r\n",
        "~",
        "\u{7f}",
    ] {
        assert_eq!(trimmed(s), s.trim(), "{s:?}");
    }
}

/// The patient's name is compared in pieces, without building `LAST,
/// FIRST`: the same answers as comparing the whole (the remitted name comes
/// trimmed), letter case and the pieces' own spaces aside, and the
/// subscriber's name when the claim has no patient of its own.
#[test]
fn names_compare_in_pieces() {
    let claim = |last: &str, first: &str, patient: Option<(&str, &str)>| BilledClaim {
        subscriber: crate::claim::Subscriber {
            last: last.into(),
            first: first.into(),
            ..Default::default()
        },
        patient: patient.map(|(last, first)| crate::claim::Patient {
            last: last.into(),
            first: first.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let smith = claim(" Smith ", " Ann", None);
    assert!(same_name(&smith, "SMITH, ANN"));
    assert!(same_name(&smith, "smith, ann"));
    assert!(!same_name(&smith, "SMITH,ANN"));
    assert!(!same_name(&smith, "SMITH, AN"));
    assert!(!same_name(&smith, "SMITHE, ANN"));
    assert!(!same_name(&smith, ""));
    // No first name: the last name alone.
    let acme = claim("ACME", "", None);
    assert!(same_name(&acme, "acme"));
    assert!(!same_name(&acme, "ACME,"));
    // A first name of spaces makes `LEE, `, which no trimmed remitted
    // name equals.
    assert!(!same_name(&claim("LEE", "  ", None), "LEE,"));
    assert!(!same_name(&claim("LEE", "  ", None), "LEE"));
    // The patient's name when there is one, else the subscriber's.
    let child = claim("SMITH", "ANN", Some(("SMITH", "TOM")));
    assert!(same_name(&child, "SMITH, TOM"));
    assert!(!same_name(&child, "SMITH, ANN"));
    let unnamed_patient = claim("SMITH", "ANN", Some(("", "TOM")));
    assert!(same_name(&unnamed_patient, "SMITH, ANN"));
    // Not ASCII: only ASCII letters fold, as before.
    assert!(same_name(&claim("MÜLLER", "JÖRG", None), "mÜller, jÖrg"));
    assert!(!same_name(&claim("MÜLLER", "JÖRG", None), "müller, jörg"));
}

/// The recent claims keep one claim a slot: a claim put is found by its
/// handle until another of the same slot replaces it; a handle of the
/// same slot that was not put is not found.
#[test]
fn recent_claims_find_what_was_put_by_handle_only() {
    let stored = |id: ClaimRef, clm01: &str| StoredClaim {
        id,
        source: Arc::from("a.837"),
        claim: Arc::new(BilledClaim {
            claim_id: clm01.into(),
            ..BilledClaim::default()
        }),
    };
    let mut recent = RecentClaims::default();
    assert_eq!(recent.get(3), None);
    let a = stored(3, "A");
    recent.put(&a);
    assert_eq!(recent.get(3), Some(a.clone()));
    let other = 3 + RecentClaims::SLOTS as ClaimRef;
    assert_eq!(recent.get(other), None);
    let b = stored(other, "B");
    recent.put(&b);
    assert_eq!(recent.get(other), Some(b));
    assert_eq!(recent.get(3), None);
    recent.put(&a);
    recent.put(&stored(4, "C"));
    assert_eq!(recent.get(3), Some(a));
    assert_eq!(
        recent.get(4).map(|c| c.claim.claim_id.clone()),
        Some("C".into())
    );
}
