//! BAI2 cash-management files, the banks' standard balance and transaction
//! report: `01` file header, `02` group header (one as-of date), `03`
//! account identifier with summaries, `16` transaction details, `88`
//! continuations, and the `49` account, `98` group and `99` file trailers
//! with their control totals and record counts.
//!
//! Records are comma-separated and end with `/`, except the text at the end
//! of a `16`, which runs to the end of the line and may go on in `88`
//! continuations. Amounts are whole minor units of the currency (cents for
//! USD), without a decimal point. Every control total and record count is
//! checked: a file that does not add up yields its problems, each with the
//! record (line) number, and must not be used. One physical line is one
//! record; fixed-length blocked files without line breaks are not read.
//!
//! Knows BAI2 records, not remittances or matching.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Deposit, Position, Problem};

/// Reads every `16` detail of a BAI2 file as an entry (credits positive,
/// debits negative, other type codes zero) and checks the file. When any
/// problem is found the entries must not be used.
pub fn read(source: &str, text: &str) -> (Vec<Deposit>, Vec<Problem>) {
    let records = match logical_records(text) {
        Ok(records) => records,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let mut checker = Checker::new(source);
    for record in &records {
        if let Err(problem) = checker.record(record) {
            checker.problems.push(problem);
            return (Vec::new(), checker.problems);
        }
    }
    checker.end();
    (checker.entries, checker.problems)
}

/// One logical record: the physical record that starts it and its `88`
/// continuations (the text after the record type of each).
#[derive(Debug)]
struct Logical<'a> {
    /// Line number of the first physical record.
    line: usize,
    /// Line number of its last continuation.
    last_line: usize,
    /// The record type, e.g. `16`.
    kind: &'a str,
    /// The contents of each physical record after `NN,`.
    parts: Vec<&'a str>,
}

const KINDS: &[&str] = &["01", "02", "03", "16", "49", "98", "99"];

fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        position: Position::Record(line),
        message: message.into(),
    }
}

/// Groups physical lines into logical records, folding `88`s into the
/// record they continue. Blank lines are ignored.
fn logical_records(text: &str) -> Result<Vec<Logical<'_>>, Problem> {
    let mut records: Vec<Logical> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let physical = raw.trim_start_matches('\u{feff}').trim_end();
        if physical.is_empty() {
            continue;
        }
        let (kind, rest) = physical
            .split_once(',')
            .unwrap_or((physical.trim_end_matches('/'), ""));
        if kind == "88" {
            let Some(previous) = records.last_mut() else {
                return Err(problem(line, "88 continuation with no record to continue"));
            };
            previous.parts.push(rest);
            previous.last_line = line;
            continue;
        }
        if !KINDS.contains(&kind) {
            let shown = if kind.len() <= 3 { kind } else { "…" };
            return Err(problem(
                line,
                format!(
                    "record type {shown:?} is not a BAI2 record type (01, 02, 03, 16, 49, 88, 98, 99)"
                ),
            ));
        }
        records.push(Logical {
            line,
            last_line: line,
            kind,
            parts: vec![rest],
        });
    }
    Ok(records)
}

/// The fields of a record without text: every physical part cut at its
/// `/` terminator, joined with commas.
fn fields(record: &Logical<'_>) -> Vec<String> {
    let joined = record
        .parts
        .iter()
        .map(|p| p.split('/').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(",");
    joined.split(',').map(|f| f.trim().to_string()).collect()
}

/// Reads comma-separated fields up to a `/` terminator; after the
/// terminator every field is empty (defaulted).
struct Cursor<'a> {
    rest: &'a str,
    ended: bool,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            rest: text,
            ended: false,
        }
    }

    fn field(&mut self) -> &'a str {
        if self.ended {
            return "";
        }
        match self.rest.find([',', '/']) {
            Some(at) => {
                let field = &self.rest[..at];
                self.ended = self.rest.as_bytes()[at] == b'/';
                self.rest = &self.rest[at + 1..];
                field.trim()
            }
            None => {
                let field = self.rest;
                self.rest = "";
                self.ended = true;
                field.trim()
            }
        }
    }

    /// The rest of the record as text, or `None` when the record ended
    /// before its text field.
    fn text(self) -> Option<&'a str> {
        if self.ended {
            return None;
        }
        let text = self.rest.trim();
        Some(text.strip_suffix('/').unwrap_or(text).trim_end())
    }
}

/// Most digits an amount may have (a quadrillion dollars in cents): sums of
/// any file's amounts then stay exact.
const MAX_DIGITS: usize = 18;

/// Most funds distributions a `D` funds type may announce.
const MAX_DISTRIBUTIONS: u64 = 100;

/// Amounts and control totals as written, in minor units; empty is zero.
fn amount(field: &str, line: usize, what: &str) -> Result<i128, Problem> {
    let digits = field.strip_prefix(['+', '-']).unwrap_or(field);
    if field.is_empty() {
        return Ok(0);
    }
    if digits.len() > MAX_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(problem(
            line,
            format!("{what} has more than {MAX_DIGITS} digits"),
        ));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(problem(
            line,
            format!(
                "{what} {field:?} is not a whole number of minor units (BAI2 amounts have no decimal point)"
            ),
        ));
    }
    let value: i128 = digits
        .parse()
        .map_err(|_| problem(line, format!("{what} is too large")))?;
    Ok(if field.starts_with('-') {
        -value
    } else {
        value
    })
}

fn count(field: &str, line: usize, what: &str) -> Result<u64, Problem> {
    field
        .parse()
        .map_err(|_| problem(line, format!("{what} {field:?} is not a number")))
}

/// A `YYMMDD` date (years 70–99 are 19xx).
fn yymmdd(field: &str) -> Option<Date> {
    if field.len() != 6 || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| field[r].parse::<i16>().ok();
    let yy = n(0..2)?;
    let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
    Date::new(year, n(2..4)? as i8, n(4..6)? as i8).ok()
}

/// Decimal places of a currency's minor unit (ISO 4217), 2 unless known
/// otherwise.
pub fn currency_scale(code: &str) -> u32 {
    match code {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" | "PYG" | "UGX" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Record count and control total of one open level (file, group or
/// account).
#[derive(Debug, Default)]
struct Level {
    /// Where the level starts.
    line: usize,
    /// Physical records so far, the header included.
    records: u64,
    /// Accounts (in a group) or groups (in the file) closed so far.
    children: u64,
    /// Account: the sum of its 03 and 16 amounts. Group and file: the sum
    /// of the control totals their trailers declared.
    total: i128,
}

impl Level {
    fn at(line: usize) -> Self {
        Level {
            line,
            ..Level::default()
        }
    }
}

#[derive(Debug)]
struct Group {
    level: Level,
    date: Date,
    currency: String,
}

#[derive(Debug)]
struct Account {
    level: Level,
    scale: u32,
    entries: Vec<Deposit>,
}

/// Walks the records in order, keeping one open level per nesting depth.
struct Checker<'s> {
    source: &'s str,
    problems: Vec<Problem>,
    entries: Vec<Deposit>,
    file: Option<Level>,
    group: Option<Group>,
    account: Option<Account>,
    closed: bool,
    last_line: usize,
}

impl<'s> Checker<'s> {
    fn new(source: &'s str) -> Self {
        Checker {
            source,
            problems: Vec::new(),
            entries: Vec::new(),
            file: None,
            group: None,
            account: None,
            closed: false,
            last_line: 0,
        }
    }

    /// One logical record; `Err` for a problem that stops reading.
    fn record(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if self.closed {
            return Err(problem(r.line, "record after the 99 file trailer"));
        }
        self.last_line = r.last_line;
        match r.kind {
            "01" => self.file_header(r)?,
            "02" => self.group_header(r)?,
            "03" => self.account_header(r)?,
            "16" => self.detail(r)?,
            "49" => self.account_trailer(r)?,
            "98" => self.group_trailer(r)?,
            _ => self.file_trailer(r)?,
        }
        Ok(())
    }

    /// Adds a record's physical lines to every open level.
    fn count(&mut self, r: &Logical<'_>) {
        let n = r.parts.len() as u64;
        for level in [
            self.file.as_mut(),
            self.group.as_mut().map(|g| &mut g.level),
            self.account.as_mut().map(|a| &mut a.level),
        ]
        .into_iter()
        .flatten()
        {
            level.records += n;
        }
    }

    fn file_header(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if let Some(file) = &self.file {
            return Err(problem(
                r.line,
                format!(
                    "a second 01 file header (the first is record {})",
                    file.line
                ),
            ));
        }
        let f = fields(r);
        let version = f.get(7).map_or("", String::as_str);
        if version != "2" {
            return Err(problem(
                r.line,
                format!("01 file header: version {version:?} is not BAI2 (2)"),
            ));
        }
        self.file = Some(Level::at(r.line));
        self.count(r);
        Ok(())
    }

    fn group_header(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if self.file.is_none() {
            return Err(problem(r.line, "02 group header before the 01 file header"));
        }
        if let Some(group) = &self.group {
            return Err(problem(
                r.line,
                format!(
                    "02 group header, but the group of record {} has no 98 trailer",
                    group.level.line
                ),
            ));
        }
        let f = fields(r);
        let date_field = f.get(3).map_or("", String::as_str);
        let date = yymmdd(date_field).ok_or_else(|| {
            problem(
                r.line,
                format!("02 group header: as-of date {date_field:?} is not YYMMDD"),
            )
        })?;
        let currency = f
            .get(5)
            .filter(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| "USD".into());
        self.group = Some(Group {
            level: Level::at(r.line),
            date,
            currency,
        });
        self.count(r);
        Ok(())
    }

    fn account_header(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        let Some(group) = &self.group else {
            return Err(problem(r.line, "03 account record outside a 02 group"));
        };
        if let Some(account) = &self.account {
            return Err(problem(
                r.line,
                format!(
                    "03 account record, but the account of record {} has no 49 trailer",
                    account.level.line
                ),
            ));
        }
        let f = fields(r);
        let currency = f
            .get(1)
            .filter(|c| !c.is_empty())
            .unwrap_or(&group.currency);
        let mut level = Level::at(r.line);
        level.total = summaries(&f, r.line)?;
        self.account = Some(Account {
            level,
            scale: currency_scale(currency),
            entries: Vec::new(),
        });
        self.count(r);
        Ok(())
    }

    fn detail(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        let (Some(group), Some(account)) = (&self.group, &mut self.account) else {
            return Err(problem(r.line, "16 detail outside a 03 account"));
        };
        let detail = Detail::parse(r)?;
        account.level.total += detail.amount;
        let minor = match detail.type_code {
            100..=399 => detail.amount,
            400..=699 => -detail.amount,
            _ => 0,
        };
        account.entries.push(Deposit {
            source: self.source.to_string(),
            position: Position::Record(r.line),
            date: group.date,
            amount: Decimal::try_from_i128_with_scale(minor, account.scale)
                .map_err(|_| problem(r.line, "16 detail: amount is too large"))?,
            type_code: Some(detail.type_code),
            bank_ref: detail.bank_ref,
            customer_ref: detail.customer_ref,
            text: detail.text,
        });
        self.count(r);
        Ok(())
    }

    fn account_trailer(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if self.account.is_none() {
            return Err(problem(
                r.line,
                "49 account trailer with no 03 account open",
            ));
        }
        self.count(r);
        let account = self.account.take().expect("checked above");
        let f = fields(r);
        let declared = amount(
            f.first().map_or("", String::as_str),
            r.line,
            "49 control total",
        )?;
        let records = count(
            f.get(1).map_or("", String::as_str),
            r.line,
            "49 record count",
        )?;
        if declared != account.level.total {
            self.problems.push(problem(
                r.line,
                format!(
                    "49 account trailer: control total {declared}, but the account's 03 and 16 amounts (from record {}) sum to {}",
                    account.level.line, account.level.total
                ),
            ));
        }
        self.check_records("49 account trailer", r.line, records, &account.level);
        let group = self.group.as_mut().expect("an account is inside a group");
        group.level.total += declared;
        group.level.children += 1;
        self.entries.extend(account.entries);
        Ok(())
    }

    fn group_trailer(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if let Some(account) = &self.account {
            return Err(problem(
                r.line,
                format!(
                    "98 group trailer, but the account of record {} has no 49 trailer",
                    account.level.line
                ),
            ));
        }
        if self.group.is_none() {
            return Err(problem(r.line, "98 group trailer with no 02 group open"));
        }
        self.count(r);
        let group = self.group.take().expect("checked above");
        let f = fields(r);
        let field = |i: usize| f.get(i).map_or("", String::as_str);
        let declared = amount(field(0), r.line, "98 control total")?;
        let accounts = count(field(1), r.line, "98 number of accounts")?;
        let records = count(field(2), r.line, "98 record count")?;
        let level = &group.level;
        if declared != level.total {
            self.problems.push(problem(
                r.line,
                format!(
                    "98 group trailer: control total {declared}, but the group's 49 account totals (from record {}) sum to {}",
                    level.line, level.total
                ),
            ));
        }
        if accounts != level.children {
            self.problems.push(problem(
                r.line,
                format!(
                    "98 group trailer: {accounts} account(s) declared, but the group has {}",
                    level.children
                ),
            ));
        }
        self.check_records("98 group trailer", r.line, records, level);
        let file = self.file.as_mut().expect("a group is inside the file");
        file.total += declared;
        file.children += 1;
        Ok(())
    }

    fn file_trailer(&mut self, r: &Logical<'_>) -> Result<(), Problem> {
        if let Some(group) = &self.group {
            return Err(problem(
                r.line,
                format!(
                    "99 file trailer, but the group of record {} has no 98 trailer",
                    group.level.line
                ),
            ));
        }
        if self.file.is_none() {
            return Err(problem(r.line, "99 file trailer with no 01 file header"));
        }
        self.count(r);
        let file = self.file.take().expect("checked above");
        let f = fields(r);
        let field = |i: usize| f.get(i).map_or("", String::as_str);
        let declared = amount(field(0), r.line, "99 control total")?;
        let groups = count(field(1), r.line, "99 number of groups")?;
        let records = count(field(2), r.line, "99 record count")?;
        if declared != file.total {
            self.problems.push(problem(
                r.line,
                format!(
                    "99 file trailer: control total {declared}, but the 98 group totals sum to {}",
                    file.total
                ),
            ));
        }
        if groups != file.children {
            self.problems.push(problem(
                r.line,
                format!(
                    "99 file trailer: {groups} group(s) declared, but the file has {}",
                    file.children
                ),
            ));
        }
        self.check_records("99 file trailer", r.line, records, &file);
        self.closed = true;
        Ok(())
    }

    fn check_records(&mut self, what: &str, line: usize, declared: u64, level: &Level) {
        if declared != level.records {
            self.problems.push(problem(
                line,
                format!(
                    "{what}: {declared} record(s) declared, but records {} to {line} are {} (continuations included)",
                    level.line, level.records
                ),
            ));
        }
    }

    /// At the end of the input: everything opened must have been closed.
    fn end(&mut self) {
        if self.closed {
            return;
        }
        if self.file.is_none() {
            self.problems
                .push(problem(1, "no 01 file header: the file is empty"));
            return;
        }
        let mut missing = Vec::new();
        if self.account.is_some() {
            missing.push("49 account trailer");
        }
        if self.group.is_some() {
            missing.push("98 group trailer");
        }
        missing.push("99 file trailer");
        self.problems.push(problem(
            self.last_line,
            format!(
                "the file ends here without the {}: truncated",
                missing.join(", ")
            ),
        ));
    }
}

/// The sum of the amounts of an `03` record's summaries (type code,
/// amount, item count, funds type and its extra fields), from field 2 on.
fn summaries(f: &[String], line: usize) -> Result<i128, Problem> {
    let mut total = 0;
    let mut i = 2;
    while i < f.len() {
        if f[i].is_empty() && f[i + 1..].iter().all(String::is_empty) {
            break;
        }
        let field = |k: usize| f.get(k).map_or("", String::as_str);
        total += amount(field(i + 1), line, "03 summary amount")?;
        i += 4 + funds_fields(field(i + 3), field(i + 4), line)?;
    }
    Ok(total)
}

/// How many fields follow a funds type: S has three availability amounts,
/// V a value date and time, D a count and that many day/amount pairs.
fn funds_fields(funds_type: &str, next: &str, line: usize) -> Result<usize, Problem> {
    Ok(match funds_type {
        "S" => 3,
        "V" => 2,
        "D" => 1 + 2 * distributions(next, line)?,
        _ => 0,
    })
}

/// The number of funds distributions of a `D` funds type.
fn distributions(field: &str, line: usize) -> Result<usize, Problem> {
    let n = count(field, line, "number of funds distributions")?;
    if n > MAX_DISTRIBUTIONS {
        return Err(problem(
            line,
            format!("{n} funds distributions (at most {MAX_DISTRIBUTIONS} are read)"),
        ));
    }
    Ok(n as usize)
}

/// The fields of a `16` record that matter here.
#[derive(Debug)]
struct Detail {
    type_code: u16,
    amount: i128,
    bank_ref: String,
    customer_ref: String,
    text: String,
}

impl Detail {
    fn parse(r: &Logical<'_>) -> Result<Detail, Problem> {
        let first = Detail::parse_part(r.parts[0], r.line)?;
        if r.parts.len() == 1 {
            return Ok(first.0);
        }
        if first.1 {
            let mut detail = first.0;
            for more in &r.parts[1..] {
                let more = more.trim();
                let more = more.strip_suffix('/').unwrap_or(more);
                if !detail.text.is_empty() {
                    detail.text.push(' ');
                }
                detail.text.push_str(more);
            }
            return Ok(detail);
        }
        let joined = r.parts.join(",");
        Ok(Detail::parse_part(&joined, r.line)?.0)
    }

    /// Parses the fields; the flag says whether the text field was reached.
    fn parse_part(text: &str, line: usize) -> Result<(Detail, bool), Problem> {
        let mut c = Cursor::new(text);
        let code = c.field();
        let type_code = code
            .parse::<u16>()
            .ok()
            .filter(|_| code.len() == 3)
            .ok_or_else(|| {
                problem(
                    line,
                    format!("16 detail: type code {code:?} is not a BAI2 type code"),
                )
            })?;
        let amount = amount(c.field(), line, "16 amount")?;
        let funds = c.field();
        let extra = funds_fields(funds, "", line).unwrap_or(0);
        if funds == "D" {
            for _ in 0..2 * distributions(c.field(), line)? {
                c.field();
            }
        } else {
            for _ in 0..extra {
                c.field();
            }
        }
        let bank_ref = c.field().to_string();
        let customer_ref = c.field().to_string();
        let text = c.text();
        let reached = text.is_some();
        Ok((
            Detail {
                type_code,
                amount,
                bank_ref,
                customer_ref,
                text: text.unwrap_or("").to_string(),
            },
            reached,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "01,BANK,PRACTICE,250731,0600,1,,,2/
02,PRACTICE,BANK,1,240207,2400,USD,2/
03,4410098765,USD,100,46690,1,/
16,165,46690,0,RB1,,ACME HEALTH PLAN HCCLAIMPMT CCD
88,TRN*1*2024020700117*1310060054\\
49,93380,4/
98,93380,1,6/
99,93380,1,8/
";

    fn messages(text: &str) -> Vec<String> {
        read("b.bai2", text)
            .1
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_file_yields_its_credits_with_continued_text() {
        let (entries, problems) = read("b.bai2", GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(entries.len(), 1);
        let d = &entries[0];
        assert_eq!(d.amount, Decimal::new(46690, 2));
        assert_eq!(d.date, Date::constant(2024, 2, 7));
        assert_eq!(d.position, Position::Record(4));
        assert_eq!(d.bank_ref, "RB1");
        assert_eq!(
            d.text,
            "ACME HEALTH PLAN HCCLAIMPMT CCD TRN*1*2024020700117*1310060054\\"
        );
        assert_eq!(d.ccd_traces(), vec!["2024020700117"]);
    }

    #[test]
    fn a_wrong_account_total_names_the_49_record() {
        let bad = GOOD.replace("49,93380,4/", "49,93381,4/");
        let found = messages(&bad);
        assert!(found[0].starts_with("record 6: 49 account trailer: control total 93381"));
        assert!(found[1].starts_with("record 7: 98 group trailer: control total 93380"));
    }

    #[test]
    fn a_tampered_detail_amount_breaks_only_the_account_total() {
        let bad = GOOD.replace("16,165,46690", "16,165,46600");
        assert_eq!(
            messages(&bad),
            vec![
                "record 6: 49 account trailer: control total 93380, but the account's 03 and 16 amounts (from record 3) sum to 93290"
            ]
        );
    }

    #[test]
    fn wrong_record_counts_are_reported_at_each_trailer() {
        let bad = GOOD.replace("49,93380,4/", "49,93380,3/");
        assert_eq!(
            messages(&bad),
            vec![
                "record 6: 49 account trailer: 3 record(s) declared, but records 3 to 6 are 4 (continuations included)"
            ]
        );
        let bad = GOOD.replace("99,93380,1,8/", "99,93380,2,9/");
        let found = messages(&bad);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].contains("record 8: 99 file trailer: 2 group(s) declared, but the file has 1")
        );
        assert!(found[1].contains("9 record(s) declared, but records 1 to 8 are 8"));
    }

    #[test]
    fn a_truncated_file_is_an_error_at_its_last_record() {
        let cut: String = GOOD.lines().take(5).map(|l| format!("{l}\n")).collect();
        assert_eq!(
            messages(&cut),
            vec![
                "record 5: the file ends here without the 49 account trailer, 98 group trailer, 99 file trailer: truncated"
            ]
        );
        assert_eq!(
            messages(""),
            vec!["record 1: no 01 file header: the file is empty"]
        );
    }

    #[test]
    fn misplaced_records_stop_reading() {
        let bad = GOOD.replace("49,93380,4/\n", "");
        assert_eq!(
            messages(&bad),
            vec!["record 6: 98 group trailer, but the account of record 3 has no 49 trailer"]
        );
        let extra = format!("{GOOD}16,165,1,0,X,,Y\n");
        assert_eq!(
            messages(&extra),
            vec!["record 9: record after the 99 file trailer"]
        );
        assert_eq!(
            messages("01,A,B,250731,0600,1,,,2/\n77,1/\n"),
            vec![
                "record 2: record type \"77\" is not a BAI2 record type (01, 02, 03, 16, 49, 88, 98, 99)"
            ]
        );
    }

    #[test]
    fn amounts_with_a_decimal_point_are_rejected() {
        let bad = GOOD.replace("16,165,46690", "16,165,466.90");
        assert_eq!(
            messages(&bad),
            vec![
                "record 4: 16 amount \"466.90\" is not a whole number of minor units (BAI2 amounts have no decimal point)"
            ]
        );
    }

    #[test]
    fn funds_types_move_the_references() {
        let r = Logical {
            line: 1,
            last_line: 1,
            kind: "16",
            parts: vec!["175,5960,S,5960,0,0,RB9,0048213,CHECK DEPOSIT"],
        };
        let d = Detail::parse(&r).unwrap();
        assert_eq!(
            (d.bank_ref.as_str(), d.customer_ref.as_str()),
            ("RB9", "0048213")
        );
        assert_eq!(d.text, "CHECK DEPOSIT");
        let r = Logical {
            parts: vec!["165,100,D,2,0,50,1,50,RB8,,TEXT, WITH COMMA"],
            ..r
        };
        let d = Detail::parse(&r).unwrap();
        assert_eq!(
            (d.bank_ref.as_str(), d.text.as_str()),
            ("RB8", "TEXT, WITH COMMA")
        );
        let r = Logical {
            parts: vec!["165,100,V,240207,,RB7/"],
            ..r
        };
        let d = Detail::parse(&r).unwrap();
        assert_eq!((d.bank_ref.as_str(), d.text.as_str()), ("RB7", ""));
    }

    #[test]
    fn summaries_with_funds_types_add_up() {
        let f: Vec<String> = "4410,USD,010,500,,,100,46690,1,S,1,2,3,400,10,,D,1,0,10"
            .split(',')
            .map(String::from)
            .collect();
        assert_eq!(summaries(&f, 3).unwrap(), 500 + 46690 + 10);
    }

    #[test]
    fn debits_are_negative_and_other_types_zero() {
        let text = "01,BANK,PRACTICE,250731,0600,1,,,2/
02,PRACTICE,BANK,1,240207,2400,JPY,2/
03,1,,100,700,1,/
16,165,700,0,A,,X/
16,475,200,0,B,,Y/
16,890,50,0,C,,Z/
49,1650,5/
98,1650,1,7/
99,1650,1,9/
";
        let (entries, problems) = read("b.bai2", text);
        assert!(problems.is_empty(), "{problems:?}");
        let amounts: Vec<Decimal> = entries.iter().map(|e| e.amount).collect();
        assert_eq!(
            amounts,
            vec![Decimal::new(700, 0), Decimal::new(-200, 0), Decimal::ZERO]
        );
    }

    #[test]
    fn absurd_amounts_and_distribution_counts_are_errors_not_panics() {
        let bad = GOOD.replace("16,165,46690", "16,165,1234567890123456789");
        assert_eq!(
            messages(&bad),
            vec!["record 4: 16 amount has more than 18 digits"]
        );
        let bad = GOOD.replace("16,165,46690,0,", "16,165,46690,D,18446744073709551615,");
        assert_eq!(
            messages(&bad),
            vec!["record 4: 18446744073709551615 funds distributions (at most 100 are read)"]
        );
    }

    #[test]
    fn two_digit_years_pivot_at_seventy() {
        assert_eq!(yymmdd("991231"), Some(Date::constant(1999, 12, 31)));
        assert_eq!(yymmdd("240229"), Some(Date::constant(2024, 2, 29)));
        assert_eq!(yymmdd("240230"), None);
    }
}
