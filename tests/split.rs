//! `remit split`: every output re-read by remit's own validator, each
//! transaction's parts summing to its BPR02, every claim and PLB amount in
//! exactly one output under the right key; safe names, `--force`, rejected
//! inputs, delimiters; and a property test over random valid 835s.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use remit::{
    ClaimPayment, Consumer, Discard, GroupBy, Part, PartGroup, RemittanceHeader, Severity,
    SliceReader, SplitSink, Splitter, TransactionSplit, scan_slice,
};
use rust_decimal::Decimal;

use crate::support::{corpus, files_under, remit, samples, temp_dir};
use crate::synth835::{self, Claim, Delimiters, Line, Plb, STANDARD, Transaction, interchange};

const KEYS: [GroupBy; 4] = [
    GroupBy::Member,
    GroupBy::Claim,
    GroupBy::Payee,
    GroupBy::ServiceDate,
];

/// A part kept for checking.
struct Kept {
    ordinal: u64,
    key: Option<Vec<u8>>,
    payment: Decimal,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct Collect {
    parts: Vec<Kept>,
    transactions: Vec<TransactionSplit>,
}

impl SplitSink for Collect {
    fn part(&mut self, part: &Part<'_>) -> std::io::Result<()> {
        self.parts.push(Kept {
            ordinal: part.origin.ordinal,
            key: match part.group {
                PartGroup::Claims(key) => Some(key.to_vec()),
                PartGroup::ProviderLevel => None,
            },
            payment: part.payment,
            bytes: part.bytes.to_vec(),
        });
        Ok(())
    }

    fn transaction(&mut self, split: &TransactionSplit) -> std::io::Result<()> {
        self.transactions.push(split.clone());
        Ok(())
    }
}

/// What remit's parser reads from a file: BPR02 per transaction and each
/// claim's group key under `by`.
struct Read {
    by: GroupBy,
    payments: Vec<Decimal>,
    payee: String,
    keys: Vec<String>,
}

impl Read {
    fn of(bytes: &[u8], by: GroupBy) -> (Read, remit::FileSummary) {
        let mut read = Read {
            by,
            payments: Vec::new(),
            payee: String::new(),
            keys: Vec::new(),
        };
        let summary = scan_slice(bytes, &mut read);
        (read, summary)
    }
}

impl Consumer for Read {
    fn remittance_header(&mut self, h: &RemittanceHeader) {
        self.payments.push(h.payment.amount);
        let payee = if h.payee.id.is_empty() {
            &h.payee.name
        } else {
            &h.payee.id
        };
        self.payee = payee.to_string();
    }

    fn claim_payment(&mut self, c: &ClaimPayment) {
        let ymd = |d: jiff::civil::Date| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
        let key = match self.by {
            GroupBy::Member => c.member_id().unwrap_or("").to_string(),
            GroupBy::Claim => c.claim_id.to_string(),
            GroupBy::Payee => self.payee.clone(),
            GroupBy::ServiceDate => c
                .lines
                .iter()
                .filter_map(|l| l.date())
                .min()
                .or_else(|| c.date("232"))
                .map_or(String::new(), ymd),
        };
        self.keys.push(key);
    }
}

/// Invalid and fatal findings of a file, as `severity rule` words.
fn problems(summary: &remit::FileSummary) -> BTreeSet<String> {
    summary
        .issues
        .0
        .iter()
        .filter(|i| i.severity != Severity::Warning)
        .map(|i| format!("{} {:?}", i.severity, i.rule))
        .collect()
}

/// Segments of a file grouped by `start` (a segment id) up to one of `end`.
fn blocks(bytes: &[u8], start: &[u8], end: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut reader = SliceReader::new(bytes);
    let mut out = Vec::new();
    let mut open: Option<Vec<u8>> = None;
    while let Ok(Some(seg)) = reader.next_segment() {
        if seg.id() == start || end.contains(&seg.id()) {
            out.extend(open.take());
        }
        if seg.id() == start {
            open = Some(seg.raw().to_vec());
        } else if let Some(block) = &mut open {
            block.push(0x1d);
            block.extend_from_slice(seg.raw());
        }
    }
    out.extend(open);
    out
}

/// Each claim (CLP to the next CLP, LX, PLB or SE), sorted.
fn claims(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = blocks(bytes, b"CLP", &[b"LX", b"PLB", b"SE"]);
    out.sort();
    out
}

/// Each PLB amount as (PLB01, PLB02, reason:reference, amount), sorted.
fn plb_amounts(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut reader = SliceReader::new(bytes);
    let mut out = Vec::new();
    while let Ok(Some(seg)) = reader.next_segment() {
        if !seg.is(b"PLB") {
            continue;
        }
        for pair in 0..6 {
            let (reason, amount) = (seg.element(3 + 2 * pair), seg.element(4 + 2 * pair));
            if !reason.is_empty() || !amount.is_empty() {
                out.push([seg.element(1), seg.element(2), reason, amount].join(&0x1d));
            }
        }
    }
    out.sort();
    out
}

/// True when a PLB amount (as [`plb_amounts`] gives it) is zero.
fn is_zero_amount(amount: &[u8]) -> bool {
    let text = amount.rsplit(|&b| b == 0x1d).next().unwrap_or(b"");
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.trim().parse::<Decimal>().ok())
        .is_some_and(|d| d.is_zero())
}

/// Splits `input` by `by` and checks every promise of the split.
fn check(input: &[u8], by: GroupBy) -> Result<Collect, String> {
    let mut collect = Collect::default();
    let outcome = Splitter::new(by)
        .split_slice(input, &mut collect)
        .map_err(|e| e.to_string())?;
    if !outcome.summary.usable() {
        return Err("input rejected".into());
    }
    let (original, summary) = Read::of(input, by);
    let allowed = problems(&summary);
    let mut sums = vec![Decimal::ZERO; original.payments.len()];
    let mut seen = BTreeSet::new();
    let (mut part_claims, mut part_plbs) = (Vec::new(), Vec::new());
    for part in &collect.parts {
        let (read, s) = Read::of(&part.bytes, by);
        let found = problems(&s);
        if s.remittances != 1 || !found.is_subset(&allowed) {
            return Err(format!(
                "part {:?}: {} transaction(s), findings {found:?} (input had {allowed:?})",
                part.key.as_deref().map(String::from_utf8_lossy),
                s.remittances
            ));
        }
        if s.paid != part.payment {
            return Err(format!(
                "part BPR02 {} but reported {}",
                s.paid, part.payment
            ));
        }
        let key = part
            .key
            .as_deref()
            .map(|k| String::from_utf8_lossy(k).into_owned());
        if read.keys.iter().any(|k| Some(k) != key.as_ref()) {
            return Err(format!("part {key:?} holds claims keyed {:?}", read.keys));
        }
        if !seen.insert((part.ordinal, key)) {
            return Err("one group written to two parts".into());
        }
        sums[part.ordinal as usize - 1] += s.paid;
        part_claims.extend(claims(&part.bytes));
        part_plbs.extend(plb_amounts(&part.bytes));
    }
    for (i, tx) in collect.transactions.iter().enumerate() {
        let want = if tx.original_balances() || tx.parts == 1 {
            Some(original.payments[i])
        } else {
            tx.computed
        };
        if tx.stated != original.payments[i] || Some(sums[i]) != want {
            return Err(format!(
                "transaction {}: BPR02 {}, parts sum to {} (want {want:?})",
                i + 1,
                original.payments[i],
                sums[i]
            ));
        }
    }
    part_claims.sort();
    part_plbs.sort();
    if part_claims != claims(input) {
        return Err("claims are not each in exactly one part".into());
    }
    // Every PLB amount is in exactly one part, except a zero amount that
    // would have gone to the provider-level part: it moves no money and is
    // left out rather than make a part that moves 0.00.
    let mut missing = plb_amounts(input);
    for amount in &part_plbs {
        match missing.iter().position(|m| m == amount) {
            Some(i) => {
                missing.remove(i);
            }
            None => return Err("a part holds a PLB amount the input lacks".into()),
        }
    }
    if let Some(kept) = missing.iter().find(|m| !is_zero_amount(m)) {
        return Err(format!(
            "PLB amount {:?} is in no part",
            String::from_utf8_lossy(kept)
        ));
    }
    Ok(collect)
}

fn split(input: &[u8], by: GroupBy) -> Collect {
    check(input, by).unwrap_or_else(|e| panic!("by {by:?}: {e}"))
}

fn text(part: &Kept) -> &str {
    std::str::from_utf8(&part.bytes).unwrap()
}

#[test]
fn samples_split_by_every_key_into_valid_parts_that_sum_to_the_original() {
    let files = files_under(&samples().join("remits"));
    assert!(files.len() > 20);
    for path in files {
        let input = std::fs::read(&path).unwrap();
        for by in KEYS {
            if let Err(e) = check(&input, by) {
                panic!("{} by {by:?}: {e}", path.display());
            }
        }
    }
}

#[test]
fn corpus_835s_split_by_every_key_into_parts_no_worse_than_their_input() {
    let mut split_files = 0;
    for path in files_under(&corpus()) {
        let input = std::fs::read(&path).unwrap();
        let summary = scan_slice(&input, &mut Discard);
        if summary.remittances == 0 || !summary.usable() {
            continue;
        }
        split_files += 1;
        for by in KEYS {
            if let Err(e) = check(&input, by) {
                panic!("{} by {by:?}: {e}", path.display());
            }
        }
    }
    assert!(split_files >= 15, "only {split_files} corpus 835s");
}

#[test]
fn plb_amounts_referencing_a_claim_travel_with_it_and_the_rest_are_provider_level() {
    let input = std::fs::read(samples().join("remits/acme-2024-08-14.835")).unwrap();
    let c = split(&input, GroupBy::Member);
    let keys: Vec<Option<&[u8]>> = c.parts.iter().map(|p| p.key.as_deref()).collect();
    assert_eq!(
        keys,
        [Some(&b"ACM100361"[..]), Some(b"ACM100234"), None],
        "claim groups in order of appearance, then provider-level"
    );
    let payments: Vec<String> = c.parts.iter().map(|p| p.payment.to_string()).collect();
    assert_eq!(payments, ["170", "66.95", "-30"]);
    assert!(text(&c.parts[1]).contains("\nPLB*1234567893*20241231*L6:24225001054*-0.45~\n"));
    assert!(!text(&c.parts[0]).contains("PLB"));
    let provider = text(&c.parts[2]);
    assert!(!provider.contains("CLP") && !provider.contains("LX*"));
    assert!(provider.contains(
        "\nPLB*1234567893*20241231*WO:24036000935*55*WO:24134001026*35*72:RFND10442*-35*CS:PROVSETTLE0824*-25~\n"
    ));
    assert!(provider.contains("\nBPR*I*-30*C*ACH*CCP*01*011000028*"));
    let tx = &c.transactions[0];
    assert_eq!((tx.parts, tx.claims), (3, 2));
    assert_eq!(tx.provider_level, Some(Decimal::new(-30, 0)));
    assert!(tx.balanced() && tx.original_balances());
}

#[test]
fn a_zero_plb_amount_makes_no_provider_level_part() {
    let zero = |reason, reference: Option<&str>| Plb {
        reason,
        reference: reference.map(String::from),
        amount: 0,
    };
    let tx = transaction(
        vec![claim("A", "M1", vec![line("20240105", 10000, false)])],
        vec![zero("L6", None), zero("CS", Some("ADJ1"))],
    );
    let input = interchange(5, &[tx], &STANDARD);
    for by in [GroupBy::Member, GroupBy::Claim, GroupBy::ServiceDate] {
        let c = split(input.as_bytes(), by);
        assert!(
            c.parts.iter().all(|p| p.key.is_some()),
            "by {by:?}: a provider-level part moving 0.00 was written"
        );
        assert_eq!(c.transactions[0].provider_level, None, "by {by:?}");
        assert!(c.transactions[0].balanced(), "by {by:?}");
    }
    // A non-zero amount beside the zero one still makes its part.
    let tx = transaction(
        vec![claim("A", "M1", vec![line("20240105", 10000, false)])],
        vec![
            zero("L6", None),
            Plb {
                reason: "CS",
                reference: Some("ADJ1".into()),
                amount: 500,
            },
        ],
    );
    let c = split(interchange(5, &[tx], &STANDARD).as_bytes(), GroupBy::Member);
    assert_eq!(c.parts.iter().filter(|p| p.key.is_none()).count(), 1);
    let provider = c.parts.iter().find(|p| p.key.is_none()).unwrap();
    assert!(!text(provider).contains("L6"), "{}", text(provider));
}

fn claim(id: &str, member: &str, lines: Vec<Line>) -> Claim {
    Claim {
        lines,
        ..synth835::office_visit(id, &format!("ICN-{id}"), member, "20240105")
    }
}

fn line(date: &str, charge: i64, denied: bool) -> Line {
    let adjustments = if denied {
        vec![("CO", "197", charge)]
    } else {
        vec![("CO", "45", charge / 4)]
    };
    Line {
        procedure: "99213".into(),
        date: date.into(),
        charge,
        adjustments,
    }
}

fn transaction(claims: Vec<Claim>, plbs: Vec<Plb>) -> Transaction {
    Transaction {
        control: "0001".into(),
        payee: "1234567893".into(),
        trace: "TRACE1".into(),
        claims,
        plbs,
    }
}

#[test]
fn a_part_that_pays_nothing_is_a_non_payment_with_the_date_kept() {
    let tx = transaction(
        vec![
            claim("A", "M1", vec![line("20240105", 10000, true)]),
            claim("B", "M2", vec![line("20240105", 10000, false)]),
        ],
        vec![],
    );
    let input = interchange(5, &[tx], &STANDARD);
    let c = split(input.as_bytes(), GroupBy::Member);
    assert!(text(&c.parts[0]).contains("\nBPR*H*0*C*NON************20240501~\n"));
    assert!(text(&c.parts[1]).contains("\nBPR*I*75*C*ACH*CCP*01*011000028*DA*88776655*"));
}

#[test]
fn service_date_is_the_earliest_line_date_else_the_statement_date() {
    let mut no_lines = claim("C", "M1", vec![]);
    no_lines.charge = 5000;
    no_lines.statement_date = Some("20231230".into());
    let mut undated = no_lines.clone();
    undated.id = "D".into();
    undated.statement_date = None;
    let spanning = claim(
        "A",
        "M1",
        vec![line("20240107", 1000, false), line("20240103", 1000, false)],
    );
    let same_day = claim("B", "M2", vec![line("20240103", 2000, false)]);
    let tx = transaction(vec![spanning, no_lines, same_day, undated], vec![]);
    let input = interchange(5, &[tx], &STANDARD);
    let c = split(input.as_bytes(), GroupBy::ServiceDate);
    let keys: Vec<&[u8]> = c.parts.iter().map(|p| p.key.as_deref().unwrap()).collect();
    assert_eq!(keys, [&b"20240103"[..], b"20231230", b""]);
    assert_eq!(
        claims(&c.parts[0].bytes).len(),
        2,
        "A and B share 2024-01-03"
    );
}

#[test]
fn member_is_the_patient_id_else_the_insured_id() {
    let mut insured_only = claim("A", "M1", vec![line("20240105", 1000, false)]);
    insured_only.patient = None;
    insured_only.insured = Some("SUB7".into());
    let nobody = Claim {
        patient: None,
        ..claim("B", "", vec![line("20240105", 1000, false)])
    };
    let tx = transaction(vec![insured_only, nobody], vec![]);
    let input = interchange(5, &[tx], &STANDARD);
    let c = split(input.as_bytes(), GroupBy::Member);
    let keys: Vec<&[u8]> = c.parts.iter().map(|p| p.key.as_deref().unwrap()).collect();
    assert_eq!(keys, [&b"SUB7"[..], b""]);
}

#[test]
fn plb_references_match_clp07_before_clp01() {
    let a = claim("SHARED", "M1", vec![line("20240105", 1000, false)]);
    let mut b = claim("B", "M2", vec![line("20240105", 1000, false)]);
    b.icn = "SHARED".into();
    let plbs = vec![
        Plb {
            reason: "WO",
            reference: Some("SHARED".into()),
            amount: 100,
        },
        Plb {
            reason: "L6",
            reference: Some("A-NOT-HERE".into()),
            amount: -5,
        },
    ];
    let input = interchange(5, &[transaction(vec![a, b], plbs)], &STANDARD);
    let c = split(input.as_bytes(), GroupBy::Member);
    assert!(
        text(&c.parts[1]).contains("WO:SHARED*1.00"),
        "CLP07 of B wins"
    );
    assert!(!text(&c.parts[0]).contains("PLB"));
    assert!(c.parts[2].key.is_none() && text(&c.parts[2]).contains("L6:A-NOT-HERE*-0.05"));
}

#[test]
fn payee_split_copies_each_transaction_unchanged() {
    let first = transaction(
        vec![claim("A", "M1", vec![line("20240105", 1000, false)])],
        vec![],
    );
    let mut second = transaction(vec![claim("B", "M2", vec![])], vec![]);
    second.control = "0002".into();
    second.payee = "1999999984".into();
    let input = interchange(5, &[first, second], &STANDARD);
    let c = split(input.as_bytes(), GroupBy::Payee);
    assert_eq!(c.parts.len(), 2);
    for (i, part) in c.parts.iter().enumerate() {
        let st = input.match_indices("ST*835*").nth(i).unwrap().0;
        let se = input[st..].find("\nSE*").unwrap() + st;
        let end = input[se + 1..].find('\n').unwrap() + se + 2;
        assert!(
            text(part).contains(&input[st..end]),
            "transaction {i} copied"
        );
    }
    assert_eq!(c.parts[1].key.as_deref(), Some(&b"1999999984"[..]));
}

#[test]
fn delimiters_and_line_breaks_of_the_input_are_kept() {
    let d = Delimiters {
        element: '|',
        component: '>',
        repetition: '{',
        terminator: "\r\n",
    };
    let tx = transaction(
        vec![
            claim("A", "M1", vec![line("20240105", 1000, true)]),
            claim("B", "M2", vec![line("20240105", 1000, false)]),
        ],
        vec![],
    );
    let input = interchange(5, &[tx], &d);
    let c = split(input.as_bytes(), GroupBy::Claim);
    for part in &c.parts {
        let t = text(part);
        assert!(t.starts_with(&input[..input.find('\n').unwrap() + 1]));
        assert!(!t.contains('*') && !t.contains('~') && t.ends_with("IEA|1|000000005\r\n"));
        assert!(t.contains("\r\nSVC|HC>99213|"));
    }
    assert!(text(&c.parts[0]).contains("\r\nBPR|H|0|C|NON||||||||||||20240501\r\n"));
}

#[test]
fn renumbered_interchanges_count_up_across_inputs() {
    let tx = transaction(
        vec![
            claim("A", "M1", vec![line("20240105", 1000, false)]),
            claim("B", "M2", vec![line("20240105", 1000, false)]),
        ],
        vec![],
    );
    let input = interchange(5, &[tx], &STANDARD);
    let mut splitter = Splitter::new(GroupBy::Member).renumber_from(41);
    let mut c = Collect::default();
    splitter.split_slice(input.as_bytes(), &mut c).unwrap();
    splitter.split_slice(input.as_bytes(), &mut c).unwrap();
    for (part, n) in c.parts.iter().zip(41..) {
        let t = text(part);
        assert!(t.contains(&format!("*00501*{n:09}*0*P*:~")), "{t}");
        assert!(t.contains(&format!("\nGS*HP*PAYERID*PROVIDERID*20240429*0615*{n}*X*")));
        assert!(t.ends_with(&format!("\nGE*1*{n}~\nIEA*1*{n:09}~\n")));
        assert!(t.contains("\nST*835*0001~\n"), "ST02 is kept");
        assert!(scan_slice(&part.bytes, &mut Discard).issues.is_valid());
    }
}

// ---- the binary ----

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_split(args: &[&str]) -> (i32, String) {
    let out = remit(&[&["split"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.stdout.is_empty(), "nothing on stdout");
    (out.status.code().unwrap(), stderr)
}

#[test]
fn cli_writes_one_file_per_group_and_proves_the_sum() {
    let dir = temp_dir("split-cli");
    let out = dir.join("out");
    let input = samples().join("remits/acme-2024-08-14.835");
    let (code, stderr) = run_split(&[
        "--by",
        "member",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        files_in(&out),
        [
            "acme-2024-08-14-1-ACM100234.835",
            "acme-2024-08-14-1-ACM100361.835",
            "acme-2024-08-14-1-provider-level.835",
        ]
    );
    assert!(stderr.contains(
        "acme-2024-08-14.835: ST02 0001 (ISA13 100000107, trace 2024081400219): 2 claim(s) into 3 file(s) (provider-level -30.00); BPR02 206.95 = Σ outputs 206.95: balanced"
    ), "{stderr}");
    assert!(
        stderr.contains("split 1 file(s) by member: 1 transaction(s), 2 claim(s) into 3 file(s)")
    );
    assert!(stderr.contains(
        "Σ BPR02 of the outputs 206.95 = Σ BPR02 of the originals 206.95: every transaction balances"
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("acme-2024-08-14-1-ACM100234.835"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (code, stdout) = {
        let o = remit(&["validate", out.to_str().unwrap()]);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn cli_names_from_payer_ids_stay_in_the_out_dir() {
    let d = Delimiters {
        element: '|',
        component: '>',
        repetition: '^',
        terminator: "~\n",
    };
    let claims = ["../../etc/passwd", "A/B:C*", "A:B/C*", "..", "CON"]
        .iter()
        .enumerate()
        .map(|(i, m)| claim(&format!("C{i}"), m, vec![line("20240105", 1000, false)]))
        .collect();
    let dir = temp_dir("split-names");
    let input = dir.join("evil.835");
    std::fs::write(&input, interchange(5, &[transaction(claims, vec![])], &d)).unwrap();
    let out = dir.join("out");
    let (code, stderr) = run_split(&[
        "--by",
        "member",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--name-template",
        "{group}.835",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        files_in(&out),
        [
            "A_B_C_-2.835",
            "A_B_C_.835",
            "_..835",
            "_._.._etc_passwd.835",
            "_CON.835"
        ]
    );
    assert_eq!(
        files_in(&dir),
        ["evil.835", "out"],
        "nothing outside --out-dir"
    );
}

#[test]
fn cli_never_overwrites_without_force() {
    let dir = temp_dir("split-force");
    let out = dir.join("out");
    let input = samples().join("remits/acme-2024-05-01.835");
    let args = [
        "--by",
        "claim",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ];
    assert_eq!(run_split(&args).0, 0);
    let victim = out.join("acme-2024-05-01-1-RC24-021.835");
    std::fs::write(&victim, "keep me").unwrap();
    let (code, stderr) = run_split(&args);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("already exists; use --force to overwrite"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let (code, stderr) = run_split(&[&args[..], &["--force"]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::read_to_string(&victim)
            .unwrap()
            .starts_with("ISA*")
    );
    assert_eq!(files_in(&out).len(), 3);
}

#[test]
fn cli_rejected_input_leaves_nothing_behind() {
    let dir = temp_dir("split-rejected");
    let good = transaction(
        vec![claim("A", "M1", vec![line("20240105", 1000, false)])],
        vec![],
    );
    let mut cut = good.clone();
    cut.control = "0002".into();
    let text = interchange(5, &[good, cut], &STANDARD);
    let at = text.rfind("CLP*").unwrap();
    let input = dir.join("cut.835");
    std::fs::write(&input, &text[..at]).unwrap();
    let out = dir.join("out");
    let (code, stderr) = run_split(&[
        "--by",
        "member",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cut.835: rejected; nothing from it is kept (1 output file(s) removed)"),
        "{stderr}"
    );
    assert!(files_in(&out).is_empty());
}

#[test]
fn cli_unbalanced_original_is_reported_and_exits_with_findings() {
    let input = corpus().join(
        "irobayna_stupidedi/spec/fixtures/005010/X221 HP835 Health Care Claim Payment Advice/case/3a.edi",
    );
    let out = temp_dir("split-unbalanced").join("out");
    let (code, stderr) = run_split(&[
        "--by",
        "claim",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("BPR02 1222.00 ≠ Σ outputs 1224.54: NOT BALANCED"),
        "{stderr}"
    );
    assert!(stderr.contains("the original does not balance: Σ CLP04 − Σ PLB = 1224.54"));
}

#[test]
fn cli_refuses_a_template_that_leaves_the_out_dir() {
    let out = temp_dir("split-template").join("out");
    let input = samples().join("remits/acme-2024-05-01.835");
    let (code, stderr) = run_split(&[
        "--by",
        "claim",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--name-template",
        "../{group}",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("may not contain '/'"), "{stderr}");
}

// ---- property: random valid 835s ----

fn delimiters() -> impl Strategy<Value = Delimiters> {
    let d = |element, component, repetition, terminator| Delimiters {
        element,
        component,
        repetition,
        terminator,
    };
    prop::sample::select(vec![
        STANDARD,
        d('*', ':', '^', "~"),
        d('|', '>', '^', "\n"),
        d('^', '\\', '{', "~\r\n"),
        d('!', '@', '#', "'"),
    ])
}

fn adjustment() -> impl Strategy<Value = synth835::Adjustment> {
    (
        prop::sample::select(vec!["CO", "PR", "OA"]),
        prop::sample::select(vec!["45", "2", "3", "253"]),
        1..5_000i64,
    )
}

fn random_line() -> impl Strategy<Value = Line> {
    (
        prop::sample::select(vec!["99213", "97110", "98940"]),
        1..=5u32,
        100..50_000i64,
        prop::collection::vec(adjustment(), 0..3),
    )
        .prop_map(|(procedure, day, charge, adjustments)| Line {
            procedure: procedure.into(),
            date: format!("202401{day:02}"),
            charge,
            adjustments,
        })
}

fn random_claim() -> impl Strategy<Value = Claim> {
    let member = || prop::option::of(prop::sample::select(vec!["M1", "M2", "M3"]));
    (
        (0..6u32, prop::sample::select(vec!["1", "2", "4", "22"])),
        (member(), member(), prop::option::of(1..=9u32)),
        (0..90_000i64, prop::collection::vec(adjustment(), 0..2)),
        prop::collection::vec(random_line(), 0..4),
        any::<bool>(),
    )
        .prop_map(
            |((id, status), (patient, insured, statement), (charge, adjustments), lines, lx)| {
                Claim {
                    id: format!("C{id}"),
                    icn: String::new(),
                    status,
                    patient: patient.map(String::from),
                    insured: insured.map(String::from),
                    statement_date: statement.map(|d| format!("2023120{d}")),
                    charge,
                    adjustments,
                    lines,
                    new_header_number: lx,
                }
            },
        )
}

fn random_transaction() -> impl Strategy<Value = Transaction> {
    let plb = (
        0..4u8,
        any::<prop::sample::Index>(),
        prop::sample::select(vec!["WO", "L6", "FB", "72", "CS"]),
        (-5_000..5_000i64).prop_filter("PLB amounts are never zero", |a| *a != 0),
    );
    (
        prop::collection::vec(random_claim(), 0..8),
        prop::collection::vec(plb, 0..9),
        prop::sample::select(vec!["1234567893", "1999999984"]),
    )
        .prop_map(|(mut claims, plbs, payee)| {
            for (i, c) in claims.iter_mut().enumerate() {
                c.icn = format!("ICN{i}");
            }
            let plbs = plbs
                .into_iter()
                .map(|(kind, index, reason, amount)| {
                    let pick = |f: fn(&Claim) -> &String| {
                        if claims.is_empty() {
                            "NONE".to_string()
                        } else {
                            f(&claims[index.index(claims.len())]).clone()
                        }
                    };
                    let reference = match kind {
                        0 => None,
                        1 => Some(pick(|c| &c.id)),
                        2 => Some(pick(|c| &c.icn)),
                        _ => Some("UNMATCHED9".to_string()),
                    };
                    Plb {
                        reason,
                        reference,
                        amount,
                    }
                })
                .collect();
            Transaction {
                control: String::new(),
                payee: payee.into(),
                trace: String::new(),
                claims,
                plbs,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_remittances_split_into_parts_that_sum_to_the_whole(
        mut txs in prop::collection::vec(random_transaction(), 1..4),
        d in delimiters(),
    ) {
        for (i, tx) in txs.iter_mut().enumerate() {
            tx.control = format!("{:04}", i + 1);
            tx.trace = format!("T{i}");
        }
        let input = interchange(9, &txs, &d);
        let summary = scan_slice(input.as_bytes(), &mut Discard);
        prop_assert!(summary.issues.is_valid(), "generated input invalid: {:?}", summary.issues);
        let isa = &input[..input.find("GS").unwrap()];
        for by in KEYS {
            let c = check(input.as_bytes(), by).map_err(TestCaseError::fail)?;
            for part in &c.parts {
                prop_assert!(text(part).starts_with(isa), "delimiters and ISA kept");
            }
            let parts: Vec<usize> = c.transactions.iter().map(|t| t.parts).collect();
            let expected: Vec<usize> = txs.iter().map(|t| expected_parts(t, by)).collect();
            prop_assert_eq!(parts, expected, "parts per transaction by {:?}", by);
        }
    }
}

/// How many parts a generated transaction must give, worked out from its
/// description: one per distinct key, plus one if some PLB amount
/// references no claim (by payee: one, unless the transaction is empty).
fn expected_parts(tx: &Transaction, by: GroupBy) -> usize {
    if by == GroupBy::Payee {
        return usize::from(!tx.claims.is_empty() || !tx.plbs.is_empty());
    }
    let keys: BTreeSet<String> = tx
        .claims
        .iter()
        .map(|c| match by {
            GroupBy::Member => c.patient.clone().or(c.insured.clone()).unwrap_or_default(),
            GroupBy::Claim => c.id.clone(),
            _ => c
                .lines
                .iter()
                .map(|l| l.date.clone())
                .min()
                .or(c.statement_date.clone())
                .unwrap_or_default(),
        })
        .collect();
    let unreferenced = tx.plbs.iter().any(|p| match &p.reference {
        None => true,
        Some(r) => !tx.claims.iter().any(|c| &c.id == r || &c.icn == r),
    });
    keys.len() + usize::from(unreferenced)
}
