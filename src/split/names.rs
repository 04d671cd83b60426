//! Output file names for split parts: a template with placeholders, filled
//! with values made safe for any file system.
//!
//! Group keys and control numbers come from the payer's file, so every
//! value put into a name is reduced to `A-Z a-z 0-9 . _ -`, may not start
//! with a dot, and is cut to a fixed length: no payer-supplied id can climb
//! out of the output folder (`../../etc/passwd` becomes
//! `_._.._etc_passwd`), name a device (`CON`, `NUL`), or hide a file. This
//! module only builds names; it never touches the file system.

use std::fmt;

/// The default output name: input file stem, transaction ordinal, group.
pub const DEFAULT_TEMPLATE: &str = "{input}-{tx}-{group}.835";

/// Longest value (in bytes) a placeholder contributes to a name.
pub const MAX_VALUE_LEN: usize = 64;

/// A parsed `--name-template`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTemplate {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

/// The placeholders a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Input,
    Tx,
    Isa13,
    Gs06,
    St02,
    Group,
    By,
    N,
}

/// Placeholder names; `{n}` is another name for `{seq}` (clap's help shows
/// `{n}` as a line break, so the help names `{seq}`).
const FIELDS: [(&str, Field); 9] = [
    ("input", Field::Input),
    ("tx", Field::Tx),
    ("isa13", Field::Isa13),
    ("gs06", Field::Gs06),
    ("st02", Field::St02),
    ("group", Field::Group),
    ("by", Field::By),
    ("seq", Field::N),
    ("n", Field::N),
];

/// The values one output's name is built from (raw; made safe when used).
#[derive(Clone, Copy, Debug)]
pub struct NameFields<'a> {
    /// The input file's name without its extension.
    pub input: &'a str,
    /// Ordinal (1-based) of the 835 transaction in its input.
    pub tx: u64,
    /// ISA13 as written in the output.
    pub isa13: &'a [u8],
    /// GS06 as written in the output.
    pub gs06: &'a [u8],
    /// ST02 of the transaction.
    pub st02: &'a [u8],
    /// The group key (member id, claim id, payee id, date) or a word for
    /// a part without one (`provider-level`, `unknown-member`…).
    pub group: &'a [u8],
    /// The grouping (`member`, `claim`, `payee`, `service-date`).
    pub by: &'a str,
    /// Ordinal (1-based) of the output in the whole run.
    pub n: u64,
}

/// Why a name template was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template is empty.
    #[error("the name template is empty")]
    Empty,
    /// A path separator or control character: names stay in the out-dir.
    #[error("the name template may not contain {0:?}: output files stay in --out-dir")]
    Forbidden(char),
    /// A `{` without `}` or a `}` without `{`.
    #[error("unbalanced brace in the name template")]
    Brace,
    /// A placeholder that does not exist.
    #[error(
        "unknown placeholder {{{0}}} in the name template; use {{input}}, {{tx}}, {{isa13}}, {{gs06}}, {{st02}}, {{group}}, {{by}} or {{seq}}"
    )]
    Unknown(String),
}

impl NameTemplate {
    /// Parses a template such as `{input}-{tx}-{group}.835`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.is_empty() {
            return Err(TemplateError::Empty);
        }
        if let Some(c) = text
            .chars()
            .find(|&c| c == '/' || c == '\\' || c.is_control())
        {
            return Err(TemplateError::Forbidden(c));
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let open = rest.find('{').unwrap_or(rest.len());
            let literal = &rest[..open];
            if literal.contains('}') {
                return Err(TemplateError::Brace);
            }
            if !literal.is_empty() {
                pieces.push(Piece::Text(literal.to_string()));
            }
            rest = &rest[open..];
            if rest.is_empty() {
                break;
            }
            let close = rest.find('}').ok_or(TemplateError::Brace)?;
            let name = &rest[1..close];
            let field = FIELDS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .ok_or_else(|| TemplateError::Unknown(name.to_string()))?;
            pieces.push(Piece::Field(field));
            rest = &rest[close + 1..];
        }
        Ok(NameTemplate { pieces })
    }

    /// The file name for one output: a single safe path component.
    pub fn render(&self, fields: &NameFields<'_>) -> String {
        let mut name = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => name.push_str(text),
                Piece::Field(field) => name.push_str(&value(*field, fields)),
            }
        }
        guard(name)
    }
}

impl fmt::Display for NameTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => f.write_str(text)?,
                Piece::Field(field) => {
                    let name = FIELDS.iter().find(|(_, x)| x == field).map_or("", |p| p.0);
                    write!(f, "{{{name}}}")?;
                }
            }
        }
        Ok(())
    }
}

fn value(field: Field, fields: &NameFields<'_>) -> String {
    match field {
        Field::Input => safe_value(fields.input.as_bytes()),
        Field::Tx => fields.tx.to_string(),
        Field::Isa13 => safe_value(fields.isa13),
        Field::Gs06 => safe_value(fields.gs06),
        Field::St02 => safe_value(fields.st02),
        Field::Group => safe_value(fields.group),
        Field::By => safe_value(fields.by.as_bytes()),
        Field::N => fields.n.to_string(),
    }
}

/// A value made safe for a file name: `A-Z a-z 0-9 . _ -` kept, every
/// other byte (separators, `:`, `*`, spaces, non-ASCII) becomes `_`,
/// surrounding blanks are dropped, at most [`MAX_VALUE_LEN`] bytes, never
/// empty and never starting with a dot.
pub fn safe_value(raw: &[u8]) -> String {
    let raw = raw.trim_ascii();
    let mut out: String = raw
        .iter()
        .take(MAX_VALUE_LEN)
        .map(|&b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
                b as char
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    out
}

/// Device names Windows reserves whatever the extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Final checks on a rendered name: not hidden, not `.`/`..`, not a
/// reserved device name, no trailing dot or space.
fn guard(mut name: String) -> String {
    if name.starts_with('.') {
        name.insert(0, '_');
    }
    while name.ends_with(['.', ' ']) {
        name.pop();
    }
    let stem = name.split('.').next().unwrap_or("");
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        name.insert(0, '_');
    }
    if name.is_empty() {
        name.push('_');
    }
    name
}

/// `name` with `-k` before its extension (`a.835` → `a-2.835`), used to keep
/// two outputs whose names would collide.
pub fn numbered(name: &str, k: u64) -> String {
    match name.rfind('.') {
        Some(at) if at > 0 => format!("{}-{k}{}", &name[..at], &name[at..]),
        _ => format!("{name}-{k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(group: &[u8]) -> NameFields<'_> {
        NameFields {
            input: "acme-2024-05-01",
            tx: 1,
            isa13: b"100000104",
            gs06: b"104",
            st02: b"0001",
            group,
            by: "member",
            n: 7,
        }
    }

    #[test]
    fn default_template_names_input_transaction_and_group() {
        let t = NameTemplate::parse(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(
            t.render(&fields(b"ACM100302")),
            "acme-2024-05-01-1-ACM100302.835"
        );
        assert_eq!(t.to_string(), DEFAULT_TEMPLATE);
    }

    #[test]
    fn every_placeholder_is_filled() {
        let t = NameTemplate::parse("{by}_{isa13}_{gs06}_{st02}_{seq}_{group}").unwrap();
        assert_eq!(t.render(&fields(b"X")), "member_100000104_104_0001_7_X");
        let t = NameTemplate::parse("{n}").unwrap();
        assert_eq!(
            (t.render(&fields(b"X")), t.to_string()),
            ("7".into(), "{seq}".into())
        );
    }

    #[test]
    fn payer_supplied_ids_cannot_leave_the_folder() {
        let t = NameTemplate::parse("{group}").unwrap();
        for (raw, want) in [
            (&b"../../etc/passwd"[..], "_._.._etc_passwd"),
            (b"A/B:C*", "A_B_C_"),
            (b"..", "_"),
            (b".", "_"),
            (b"", "_"),
            (b"  ", "_"),
            (b"C:\\x\0y", "C__x_y"),
            (b"nul", "_nul"),
            ("JOSÉ".as_bytes(), "JOS__"),
        ] {
            let name = t.render(&fields(raw));
            assert_eq!(name, want, "{:?}", String::from_utf8_lossy(raw));
            assert!(!name.contains('/') && !name.contains('\\') && name != "..");
        }
    }

    #[test]
    fn long_values_are_cut() {
        let t = NameTemplate::parse("{group}.835").unwrap();
        let name = t.render(&fields(&[b'9'; 300]));
        assert_eq!(name.len(), MAX_VALUE_LEN + 4);
    }

    #[test]
    fn templates_with_separators_or_unknown_fields_are_refused() {
        assert_eq!(
            NameTemplate::parse("../{group}"),
            Err(TemplateError::Forbidden('/'))
        );
        assert_eq!(
            NameTemplate::parse("a\\b"),
            Err(TemplateError::Forbidden('\\'))
        );
        assert_eq!(NameTemplate::parse(""), Err(TemplateError::Empty));
        assert_eq!(NameTemplate::parse("{group"), Err(TemplateError::Brace));
        assert_eq!(NameTemplate::parse("group}"), Err(TemplateError::Brace));
        assert!(matches!(
            NameTemplate::parse("{member}"),
            Err(TemplateError::Unknown(f)) if f == "member"
        ));
    }

    #[test]
    fn hidden_and_reserved_rendered_names_are_guarded() {
        let t = NameTemplate::parse(".{group}").unwrap();
        assert_eq!(t.render(&fields(b"x")), "_.x");
        let t = NameTemplate::parse("{group}.835").unwrap();
        assert_eq!(t.render(&fields(b"COM1")), "_COM1.835");
        let t = NameTemplate::parse("{group}.").unwrap();
        assert_eq!(t.render(&fields(b"a")), "a");
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("a-1-X.835", 2), "a-1-X-2.835");
        assert_eq!(numbered("plain", 3), "plain-3");
        assert_eq!(numbered("_.x", 2), "_-2.x");
    }
}
