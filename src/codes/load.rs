//! Reading code lists from CSV: our own format (`list,code,description,
//! category,medical_necessity,start,stop`) and the shape the X12 site exports
//! (`Code,Description,Start Date,Last Modified,Stop Date`, in any order and
//! any case). Unknown columns are ignored; a later row for the same code
//! replaces an earlier one.

use std::io::Read;

use csv::ByteRecord;
use jiff::civil::Date;

use super::{
    CarcCategory, CodeEntry, CodeError, CodeList, CodeListError, ListKind, ListName, normalise,
};

/// Where each known column sits in the header.
struct Columns {
    list: Option<usize>,
    code: usize,
    description: usize,
    category: Option<usize>,
    medical_necessity: Option<usize>,
    start: Option<usize>,
    stop: Option<usize>,
}

/// Parses a whole list. `builtin` lends categories to reason codes that come
/// without one (None while parsing the built-in list itself).
pub(super) fn parse(
    reader: impl Read,
    kind: ListKind,
    builtin: Option<&CodeList>,
) -> Result<CodeList, CodeListError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = csv.byte_headers().map_err(|e| csv_error(e, 1))?.clone();
    let columns = find_columns(&header)?;
    let mut list = CodeList::default();
    for record in csv.byte_records() {
        let record = record.map_err(|e| csv_error(e, 0))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|field| field.trim_ascii().is_empty()) {
            continue;
        }
        let (name, entry) = parse_row(&record, &columns, kind, builtin)
            .map_err(|error| CodeListError::Row { line, error })?;
        list.insert(name, entry);
    }
    Ok(list)
}

fn csv_error(error: csv::Error, fallback_line: u64) -> CodeListError {
    let line = error.position().map_or(fallback_line, |p| p.line());
    CodeListError::Csv {
        line,
        source: error,
    }
}

/// A header name folded for matching: lower case, no BOM, `_`/`-` as blanks.
fn fold_header(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_start_matches('\u{feff}').to_lowercase();
    let spaced = text.replace(['_', '-'], " ");
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn find_columns(header: &ByteRecord) -> Result<Columns, CodeListError> {
    let names: Vec<String> = header.iter().map(fold_header).collect();
    let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
    let code = find(&["code", "reason code", "remark code", "carc", "rarc"])
        .ok_or(CodeListError::MissingColumn("code"))?;
    let description = find(&["description", "desc", "definition", "text"])
        .ok_or(CodeListError::MissingColumn("description"))?;
    Ok(Columns {
        list: find(&["list"]),
        code,
        description,
        category: find(&["category"]),
        medical_necessity: find(&["medical necessity"]),
        start: find(&["start", "start date", "effective date", "effective"]),
        stop: find(&[
            "stop",
            "stop date",
            "deactivation date",
            "termination date",
            "end date",
        ]),
    })
}

fn parse_row(
    record: &ByteRecord,
    columns: &Columns,
    kind: ListKind,
    builtin: Option<&CodeList>,
) -> Result<(ListName, CodeEntry), CodeError> {
    let field = |index: Option<usize>| -> Option<String> {
        let raw = record.get(index?)?;
        let text = String::from_utf8_lossy(raw).trim().to_string();
        (!text.is_empty()).then_some(text)
    };
    let code = normalise(&field(Some(columns.code)).ok_or(CodeError::Empty("code"))?);
    let name = list_name(field(columns.list).as_deref(), &code, kind)?;
    let description = field(Some(columns.description)).ok_or(CodeError::Empty("description"))?;
    let start = field(columns.start).map(|d| parse_date(&d)).transpose()?;
    let stop = field(columns.stop).map(|d| parse_date(&d)).transpose()?;
    if let (Some(start), Some(stop)) = (start, stop) {
        if stop < start {
            return Err(CodeError::StopBeforeStart { start, stop });
        }
    }
    let mut entry = CodeEntry {
        code,
        description,
        category: None,
        medical_necessity: false,
        start,
        stop,
    };
    if name == ListName::Carc {
        let known = builtin.and_then(|list| list.carc(&entry.code));
        entry.category = Some(category(
            field(columns.category),
            known,
            &entry.description,
        )?);
        entry.medical_necessity =
            medical_necessity(field(columns.medical_necessity), known, &entry.description)?;
    }
    Ok((name, entry))
}

/// The row's list: its `list` value if any, else what the file was given as,
/// else a guess from the code's shape.
fn list_name(value: Option<&str>, code: &str, kind: ListKind) -> Result<ListName, CodeError> {
    let Some(value) = value else {
        return Ok(match kind {
            ListKind::Carc => ListName::Carc,
            ListKind::Rarc => ListName::Rarc,
            ListKind::Auto => guess_list(code),
        });
    };
    let found = match value.to_ascii_lowercase().as_str() {
        "group" => ListName::Group,
        "carc" => ListName::Carc,
        "rarc" => ListName::Rarc,
        _ => return Err(CodeError::UnknownList(value.to_string())),
    };
    let expected = match kind {
        ListKind::Carc => ListName::Carc,
        ListKind::Rarc => ListName::Rarc,
        ListKind::Auto => return Ok(found),
    };
    if found == expected {
        Ok(found)
    } else {
        Err(CodeError::WrongList { expected, found })
    }
}

/// Remark codes are M…, MA… or N… followed by digits; reason codes never are.
fn guess_list(code: &str) -> ListName {
    let digits = ["MA", "M", "N"]
        .iter()
        .find_map(|prefix| code.strip_prefix(prefix));
    match digits {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
            ListName::Rarc
        }
        _ => ListName::Carc,
    }
}

/// Parses `YYYY-MM-DD` or `MM/DD/YYYY`.
fn parse_date(text: &str) -> Result<Date, CodeError> {
    let bad = || CodeError::BadDate(text.to_string());
    if text.contains('-') {
        return text.parse::<Date>().map_err(|_| bad());
    }
    let parts: Vec<&str> = text.split('/').collect();
    let [month, day, year] = parts.as_slice() else {
        return Err(bad());
    };
    if year.len() != 4 {
        return Err(bad());
    }
    let year: i16 = year.parse().map_err(|_| bad())?;
    let month: i8 = month.parse().map_err(|_| bad())?;
    let day: i8 = day.parse().map_err(|_| bad())?;
    Date::new(year, month, day).map_err(|_| bad())
}

fn category(
    value: Option<String>,
    known: Option<&CodeEntry>,
    description: &str,
) -> Result<CarcCategory, CodeError> {
    if let Some(value) = value {
        return CarcCategory::parse(&value).ok_or(CodeError::UnknownCategory(value));
    }
    Ok(known
        .and_then(|entry| entry.category)
        .unwrap_or_else(|| category_from_description(description)))
}

fn medical_necessity(
    value: Option<String>,
    known: Option<&CodeEntry>,
    description: &str,
) -> Result<bool, CodeError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("true" | "yes" | "y" | "1") => Ok(true),
        Some("false" | "no" | "n" | "0") => Ok(false),
        Some(_) => Err(CodeError::BadBool(value.unwrap_or_default())),
        None => Ok(known.map_or_else(
            || medical_necessity_from_description(description),
            |entry| entry.medical_necessity,
        )),
    }
}

/// Keywords that place a reason code, tried in this order.
const CATEGORY_KEYWORDS: &[(CarcCategory, &[&str])] = &[
    (CarcCategory::Duplicate, &["duplicate", "previously paid"]),
    (
        CarcCategory::PatientResponsibility,
        &[
            "deductible",
            "coinsurance",
            "co-payment",
            "copayment",
            "copay",
            "spend down",
        ],
    ),
    (
        CarcCategory::CoordinationOfBenefits,
        &[
            "coordination of benefits",
            "another payer",
            "other payer",
            "prior payer",
            "primary payer",
            "liability carrier",
            "no-fault carrier",
            "compensation carrier",
            "forwarded to",
            "submit these services to",
        ],
    ),
    (
        CarcCategory::Informational,
        &[
            "pending",
            "reporting only",
            "informational",
            "reversed and corrected",
            "interest",
        ],
    ),
    (
        CarcCategory::Denial,
        &[
            "denied",
            "not covered",
            "non-covered",
            "missing",
            "invalid",
            "inconsistent",
            "not eligible",
            "exceeded",
            "absent",
            "not met",
            "lacks",
            "expired",
            "not authorized",
            "not deemed",
            "experimental",
            "not documented",
            "not payable",
            "not paid",
            "not support",
            "maximum",
            "not received",
            "incomplete",
            "do not match",
            "not allowed",
            "penalty",
        ],
    ),
    (
        CarcCategory::Contractual,
        &[
            "fee schedule",
            "contract",
            "discount",
            "negotiated",
            "withhold",
            "sequestration",
            "multiple",
            "concurrent",
            "allowance",
            "adjustment",
            "reduction",
            "reduced",
            "fee",
        ],
    ),
];

/// Guesses a reason code's category from its description (for codes the
/// built-in list does not know); `informational` when nothing matches.
pub fn category_from_description(description: &str) -> CarcCategory {
    let text = description.to_lowercase();
    CATEGORY_KEYWORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map_or(CarcCategory::Informational, |(category, _)| *category)
}

/// Guesses whether a reason code's description is a medical-necessity denial.
pub fn medical_necessity_from_description(description: &str) -> bool {
    const WORDS: &[&str] = &[
        "medical necessity",
        "medically necessary",
        "experimental",
        "investigational",
        "proven to be effective",
        "does not support this",
    ];
    let text = description.to_lowercase();
    WORDS.iter().any(|w| text.contains(w))
}
