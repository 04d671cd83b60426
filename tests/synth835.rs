//! Builds valid 835 text from a small description: any delimiters and line
//! breaks, claims whose lines and adjustments balance, PLB amounts with or
//! without a claim reference, BPR02 = ΣCLP04 − ΣPLB. Shared by the split
//! tests (examples and property test) and the split benchmark.

#![allow(dead_code)]

/// The delimiters of an interchange; `terminator` may carry a line break.
#[derive(Clone, Debug)]
pub struct Delimiters {
    pub element: char,
    pub component: char,
    pub repetition: char,
    pub terminator: &'static str,
}

/// `*`, `:`, `^`, `~` and a newline after each segment.
pub const STANDARD: Delimiters = Delimiters {
    element: '*',
    component: ':',
    repetition: '^',
    terminator: "~\n",
};

/// An adjustment: group code, reason code, amount in cents.
pub type Adjustment = (&'static str, &'static str, i64);

/// A service line; paid = charge − Σ adjustments.
#[derive(Clone, Debug)]
pub struct Line {
    pub procedure: String,
    pub date: String,
    pub charge: i64,
    pub adjustments: Vec<Adjustment>,
}

/// A claim payment; charge = Σ line charges (or `charge` without lines).
#[derive(Clone, Debug)]
pub struct Claim {
    pub id: String,
    pub icn: String,
    pub status: &'static str,
    pub patient: Option<String>,
    pub insured: Option<String>,
    pub statement_date: Option<String>,
    pub charge: i64,
    pub adjustments: Vec<Adjustment>,
    pub lines: Vec<Line>,
    /// Starts a new LX loop before this claim.
    pub new_header_number: bool,
}

/// One PLB reason/amount pair (cents; positive reduces the payment).
#[derive(Clone, Debug)]
pub struct Plb {
    pub reason: &'static str,
    pub reference: Option<String>,
    pub amount: i64,
}

/// One 835 transaction.
#[derive(Clone, Debug)]
pub struct Transaction {
    pub control: String,
    pub payee: String,
    pub trace: String,
    pub claims: Vec<Claim>,
    pub plbs: Vec<Plb>,
}

/// Cents as an X12 amount (`12.34`, `-0.05`).
pub fn cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

impl Line {
    pub fn paid(&self) -> i64 {
        self.charge - self.adjustments.iter().map(|a| a.2).sum::<i64>()
    }
}

impl Claim {
    pub fn charge(&self) -> i64 {
        if self.lines.is_empty() {
            self.charge
        } else {
            self.lines.iter().map(|l| l.charge).sum()
        }
    }

    pub fn paid(&self) -> i64 {
        let line_paid: i64 = self.lines.iter().map(Line::paid).sum();
        let line_charge: i64 = self.lines.iter().map(|l| l.charge).sum();
        let claim_adjustments: i64 = self.adjustments.iter().map(|a| a.2).sum();
        self.charge() - claim_adjustments - (line_charge - line_paid)
    }

    fn patient_responsibility(&self) -> i64 {
        let lines = self.lines.iter().flat_map(|l| &l.adjustments);
        self.adjustments
            .iter()
            .chain(lines)
            .filter(|a| a.0 == "PR")
            .map(|a| a.2)
            .sum()
    }
}

impl Transaction {
    /// BPR02 in cents.
    pub fn payment(&self) -> i64 {
        let paid: i64 = self.claims.iter().map(Claim::paid).sum();
        paid - self.plbs.iter().map(|p| p.amount).sum::<i64>()
    }
}

/// Writes segments with one set of delimiters, counting them.
struct Writer<'d> {
    out: String,
    d: &'d Delimiters,
    count: usize,
}

impl Writer<'_> {
    fn segment(&mut self, elements: &[&str]) {
        let separator = self.d.element.to_string();
        self.out.push_str(&elements.join(&separator));
        self.out.push_str(self.d.terminator);
        self.count += 1;
    }

    fn composite(&self, parts: &[&str]) -> String {
        parts.join(&self.d.component.to_string())
    }
}

/// One interchange (ISA13 = `control`) with one functional group holding
/// the transactions.
pub fn interchange(control: u32, transactions: &[Transaction], d: &Delimiters) -> String {
    let mut w = Writer {
        out: String::new(),
        d,
        count: 0,
    };
    let isa13 = format!("{control:09}");
    let (rep, comp) = (d.repetition.to_string(), d.component.to_string());
    w.segment(&[
        "ISA",
        "00",
        "          ",
        "00",
        "          ",
        "ZZ",
        "PAYERID        ",
        "ZZ",
        "PROVIDERID     ",
        "240429",
        "0615",
        &rep,
        "00501",
        &isa13,
        "0",
        "P",
        &comp,
    ]);
    let gs06 = control.to_string();
    w.segment(&[
        "GS",
        "HP",
        "PAYERID",
        "PROVIDERID",
        "20240429",
        "0615",
        &gs06,
        "X",
        "005010X221A1",
    ]);
    for tx in transactions {
        transaction(&mut w, tx);
    }
    let count = transactions.len().to_string();
    w.segment(&["GE", &count, &gs06]);
    w.segment(&["IEA", "1", &isa13]);
    w.out
}

fn transaction(w: &mut Writer<'_>, tx: &Transaction) {
    let start = w.count;
    w.segment(&["ST", "835", &tx.control]);
    let payment = tx.payment();
    let amount = cents(payment);
    if payment == 0 {
        let mut bpr = vec!["BPR", "H", &amount, "C", "NON"];
        bpr.extend([""; 11]);
        bpr.push("20240501");
        w.segment(&bpr);
    } else {
        w.segment(&[
            "BPR",
            "I",
            &amount,
            "C",
            "ACH",
            "CCP",
            "01",
            "011000028",
            "DA",
            "88776655",
            "1310060054",
            "",
            "01",
            "031207607",
            "DA",
            "4410098765",
            "20240501",
        ]);
    }
    w.segment(&["TRN", "1", &tx.trace, "1310060054"]);
    w.segment(&["DTM", "405", "20240429"]);
    w.segment(&["N1", "PR", "ACME HEALTH PLAN"]);
    w.segment(&["N3", "PO BOX 6005"]);
    w.segment(&["N4", "HARTFORD", "CT", "06150"]);
    w.segment(&["N1", "PE", "RIVERSIDE FAMILY MEDICINE", "XX", &tx.payee]);
    let mut header_number = 0;
    for claim in &tx.claims {
        if claim.new_header_number {
            header_number += 1;
            w.segment(&["LX", &header_number.to_string()]);
        }
        write_claim(w, claim);
    }
    for chunk in tx.plbs.chunks(6) {
        let mut elements = vec!["PLB".to_string(), tx.payee.clone(), "20241231".into()];
        for plb in chunk {
            let reason = match &plb.reference {
                Some(r) => w.composite(&[plb.reason, r]),
                None => plb.reason.to_string(),
            };
            elements.push(reason);
            elements.push(cents(plb.amount));
        }
        let refs: Vec<&str> = elements.iter().map(String::as_str).collect();
        w.segment(&refs);
    }
    let count = (w.count - start + 1).to_string();
    w.segment(&["SE", &count, &tx.control]);
}

fn write_claim(w: &mut Writer<'_>, c: &Claim) {
    let (charge, paid, pr) = (
        cents(c.charge()),
        cents(c.paid()),
        cents(c.patient_responsibility()),
    );
    w.segment(&[
        "CLP", &c.id, c.status, &charge, &paid, &pr, "12", &c.icn, "11", "1",
    ]);
    for (group, reason, amount) in &c.adjustments {
        w.segment(&["CAS", group, reason, &cents(*amount)]);
    }
    for (entity, id) in [("QC", &c.patient), ("IL", &c.insured)] {
        if let Some(id) = id {
            w.segment(&["NM1", entity, "1", "DOE", "JANE", "", "", "", "MI", id]);
        }
    }
    if let Some(date) = &c.statement_date {
        w.segment(&["DTM", "232", date]);
    }
    for line in &c.lines {
        let procedure = w.composite(&["HC", &line.procedure]);
        let (charge, paid) = (cents(line.charge), cents(line.paid()));
        w.segment(&["SVC", &procedure, &charge, &paid, "", "1"]);
        w.segment(&["DTM", "472", &line.date]);
        for (group, reason, amount) in &line.adjustments {
            w.segment(&["CAS", group, reason, &cents(*amount)]);
        }
    }
}

/// A realistic claim with two lines, for examples and the benchmark.
pub fn office_visit(id: &str, icn: &str, member: &str, date: &str) -> Claim {
    Claim {
        id: id.into(),
        icn: icn.into(),
        status: "1",
        patient: Some(member.into()),
        insured: None,
        statement_date: None,
        charge: 0,
        adjustments: vec![],
        lines: vec![
            Line {
                procedure: "99213".into(),
                date: date.into(),
                charge: 15000,
                adjustments: vec![("CO", "45", 7200), ("PR", "3", 2000)],
            },
            Line {
                procedure: "97110".into(),
                date: date.into(),
                charge: 6500,
                adjustments: vec![("CO", "45", 2250)],
            },
        ],
        new_header_number: false,
    }
}
