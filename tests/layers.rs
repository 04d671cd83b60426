//! The layering rule, checked: no module of `src/` imports a module of a
//! higher rank. Every top-level module has a rank in [`RANKS`] (the same
//! table as the README's *Design* section, which a test here compares);
//! a module may use modules of lower ranks only, never one of its own rank
//! or above. Imports are read from the source — `use crate::…` (nested
//! groups included, `use crate::{a::b, c}`) and `crate::…` paths in code —
//! with comments, string literals and test code (`#[cfg(test)]` items,
//! `tests.rs` / `*_tests.rs` files, `tests/` folders) left out: a test may
//! build its input with a higher layer, as an integration test does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::files_under;

/// The ranks, bottom up: (rank, modules, what they own).
const RANKS: &[(u32, &[&str], &str)] = &[
    (
        0,
        &["text", "money", "hashing"],
        "shared helpers: inline text, money as printed, fast hash tables",
    ),
    (
        1,
        &["x12", "packing"],
        "bytes: delimiters, push lexer, segments, positions; values packed in memory",
    ),
    (
        2,
        &["diagnostic", "codes", "tabular"],
        "findings; CARC/RARC lists; CSV input cells",
    ),
    (
        3,
        &["envelope", "fields"],
        "ISA/GS/ST envelopes; typed element values",
    ),
    (
        4,
        &["remittance", "claim", "acks", "bank"],
        "readers: 835, 837, 999/TA1/277, deposits",
    ),
    (
        5,
        &["document", "contract", "lifecycle", "status_request"],
        "one X12 input; contracts; claim lifecycle; 276",
    ),
    (
        6,
        &["scan", "line"],
        "per-file reading; the decided line's vocabulary",
    ),
    (
        7,
        &["split", "events"],
        "835 splitting; 835 claims into line events",
    ),
    (
        8,
        &["reconcile"],
        "the pure rules: matching, decision, interest, versions",
    ),
    (9, &["history"], "line histories: memory and SQLite stores"),
    (
        10,
        &["pipeline"],
        "ingest and the engine that drives the store",
    ),
    (11, &["stages"], "the events/decide stages for a cluster"),
    (12, &["ledger"], "CSV, JSON Lines and XML writers"),
    (
        13,
        &["reports", "letters", "outcomes"],
        "worklist, resolution, report page, deposits, posting; letters; outcomes",
    ),
    (14, &["cli"], "flags, terminals, exit codes"),
];

fn rank_of(module: &str) -> Option<u32> {
    RANKS
        .iter()
        .find(|(_, modules, _)| modules.contains(&module))
        .map(|(rank, _, _)| *rank)
}

/// `source` with comments and the contents of string and character
/// literals blanked (lines kept), so that a path mentioned in a doc
/// comment or a message is not read as an import.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, part: &[char]| {
        out.extend(part.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let after_ident = i > 0 && ident(chars[i - 1]);
        if rest.starts_with(&['/', '/']) {
            let end = rest.iter().position(|&c| c == '\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with(&['/', '*']) {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(&['*', '/']) {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j.min(rest.len())]);
            i += j;
        } else if let Some(len) = (!after_ident).then(|| raw_string(rest)).flatten() {
            blank(&mut out, &rest[..len]);
            i += len;
        } else if rest[0] == '"' || (!after_ident && rest.starts_with(&['b', '"'])) {
            let open = if rest[0] == 'b' { 2 } else { 1 };
            let mut j = open;
            while j < rest.len() && rest[j] != '"' {
                j += if rest[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, &rest[..(j + 1).min(rest.len())]);
            i += j + 1;
        } else if rest[0] == '\'' && rest.get(1) == Some(&'\\') {
            let end = 2 + rest[2..].iter().position(|&c| c == '\'').unwrap_or(0);
            blank(&mut out, &rest[..=end]);
            i += end + 1;
        } else if rest[0] == '\'' && rest.get(2) == Some(&'\'') {
            blank(&mut out, &rest[..3]);
            i += 3;
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    out
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) at the
/// start of `rest`, if there is one.
fn raw_string(rest: &[char]) -> Option<usize> {
    let start = if rest.starts_with(&['b', 'r']) {
        2
    } else if rest.first() == Some(&'r') {
        1
    } else {
        return None;
    };
    let hashes = rest[start..].iter().take_while(|&&c| c == '#').count();
    if rest.get(start + hashes) != Some(&'"') {
        return None;
    }
    let body = start + hashes + 1;
    let mut j = body;
    while j < rest.len() {
        if rest[j] == '"'
            && rest[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(rest.len())
}

/// `code` (already stripped) without its `#[cfg(test)]` items: a
/// `mod tests;` declaration, or an item with a body in braces.
fn without_tests(code: &str) -> String {
    let mut code = code.to_string();
    while let Some(at) = code.find("#[cfg(test)]") {
        let after = at + "#[cfg(test)]".len();
        let semicolon = code[after..].find(';').map(|p| after + p);
        let brace = code[after..].find('{').map(|p| after + p);
        let end = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => matching_brace(&code, b) + 1,
            (None, None) => code.len(),
        };
        code.replace_range(at..end, "");
    }
    code
}

fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

/// The top-level modules `code` names through `crate::`: in `use`
/// declarations, nested groups included, and in paths (`$crate::` in
/// macros is the macro's own crate, not a module).
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find("crate::") {
        let at = from + p;
        from = at + "crate::".len();
        let before = at.checked_sub(1).map(|i| bytes[i] as char);
        if before.is_some_and(|c| c == '$' || c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = code[from..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            for entry in top_level_entries(group) {
                let name = first_ident(entry);
                if !name.is_empty() && name != "self" {
                    found.insert(name.to_string());
                }
            }
        } else {
            let name = first_ident(rest);
            if !name.is_empty() {
                found.insert(name.to_string());
            }
        }
    }
    found
}

/// The comma-separated entries of a `{…}` group whose opening brace is
/// already consumed, up to its closing brace (inner groups kept whole).
fn top_level_entries(group: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                entries.push(&group[start..i]);
                return entries;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                entries.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries
}

fn first_ident(text: &str) -> &str {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level module a file under `src/` belongs to (`None` for the
/// crate roots), and whether the whole file is test code.
fn module_of(relative: &Path) -> Option<(String, bool)> {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.last()?;
    if parts.len() == 1 && (name == "lib.rs" || name == "main.rs") {
        return None;
    }
    let module = parts[0].trim_end_matches(".rs").to_string();
    let test_file = name == "tests.rs"
        || name.ends_with("_tests.rs")
        || parts.iter().rev().skip(1).any(|p| p == "tests");
    Some((module, test_file))
}

/// Every import of `files` ((module, source)) that breaks the rule, as
/// `module (rank) -> imported (rank)`, and modules with no rank.
fn violations<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for (module, source) in files {
        let Some(rank) = rank_of(module) else {
            found.insert(format!("{module}: no rank in the table"));
            continue;
        };
        for imported in imported_modules(&without_tests(&strip(source))) {
            if imported == module {
                continue;
            }
            match rank_of(&imported) {
                Some(theirs) if theirs < rank => {}
                Some(theirs) => {
                    found.insert(format!(
                        "{module} (rank {rank}) imports {imported} (rank {theirs})"
                    ));
                }
                None => {
                    found.insert(format!("{module} imports {imported}, which has no rank"));
                }
            }
        }
    }
    found.into_iter().collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_imports_a_module_of_its_rank_or_above() {
    let mut sources = Vec::new();
    let mut modules = BTreeSet::new();
    for path in files_under(&src())
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let relative = path.strip_prefix(src()).unwrap();
        let Some((module, test_file)) = module_of(relative) else {
            continue;
        };
        modules.insert(module.clone());
        if !test_file {
            sources.push((module, std::fs::read_to_string(path).unwrap()));
        }
    }
    let broken = violations(sources.iter().map(|(m, s)| (m.as_str(), s.as_str())));
    assert!(
        broken.is_empty(),
        "imports that run upward:\n{}",
        broken.join("\n")
    );
    let ranked: BTreeSet<String> = RANKS
        .iter()
        .flat_map(|(_, m, _)| m.iter().map(|m| m.to_string()))
        .collect();
    assert_eq!(
        modules, ranked,
        "the table names exactly the modules of src/"
    );
}

/// The checker itself: each case is a deliberately wrong (or innocent)
/// import, and what the checker must say about it.
#[test]
fn the_checker_catches_an_upward_import_however_it_is_written() {
    let upward = |module: &str, source: &str| violations([(module, source)]);
    // A plain `use` of a higher module.
    assert_eq!(
        upward("line", "use crate::reconcile::decide::decide;\n"),
        ["line (rank 6) imports reconcile (rank 8)"]
    );
    // Inside a nested group, beside an allowed import.
    assert_eq!(
        upward(
            "reconcile",
            "use crate::{\n    text::Text,\n    history::{HistoryStore, StoreResult},\n};\n"
        ),
        ["reconcile (rank 8) imports history (rank 9)"]
    );
    // A path in code, no `use` at all; and a module of the same rank.
    assert_eq!(
        upward("history", "fn f() { crate::pipeline::ingest(s, x); }"),
        ["history (rank 9) imports pipeline (rank 10)"]
    );
    assert_eq!(
        upward("scan", "use crate::line::Status;"),
        ["scan (rank 6) imports line (rank 6)"]
    );
    // A module the table does not know.
    assert_eq!(
        upward("x12", "use crate::newthing::Thing;"),
        ["x12 imports newthing, which has no rank"]
    );
    // Not imports: comments, strings, `$crate`, test code, lower modules.
    let innocent = r##"
        //! See [`crate::cli`] for the command line.
        use crate::{text::Text, x12::Position};
        /* crate::reports::page */
        macro_rules! m { () => { $crate::cli::run() }; }
        const HELP: &str = "crate::cli::run";
        const RAW: &str = r#"use crate::cli;"#;
        const QUOTE: char = '"';
        fn f<'a>(x: &'a str) -> &'a str { x }
        #[cfg(test)]
        mod tests {
            use crate::cli::run;
            fn g() { let _ = crate::pipeline::ingest; }
        }
        #[cfg(test)]
        mod more;
        fn h() { crate::codes::CodeList::builtin(); }
    "##;
    assert_eq!(upward("line", innocent), Vec::<String>::new());
}

#[test]
fn a_file_of_tests_is_test_code() {
    assert_eq!(
        module_of(Path::new("reconcile/claims_tests.rs")),
        Some(("reconcile".to_string(), true))
    );
    assert_eq!(
        module_of(Path::new("contract/tests/rules.rs")),
        Some(("contract".to_string(), true))
    );
    assert_eq!(
        module_of(Path::new("money.rs")),
        Some(("money".to_string(), false))
    );
    assert_eq!(module_of(Path::new("lib.rs")), None);
}

/// The README's *Design* section carries the same table, between
/// `<!-- layers -->` markers: a rank per row, its modules in backticks.
#[test]
fn the_readme_rank_table_is_the_checked_one() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- layers -->")
        .expect("README has the layers table");
    let end = start
        + readme[start..]
            .find("<!-- /layers -->")
            .expect("and its end");
    let mut documented: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for row in readme[start..end].lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(rank) = cells[1].parse::<u32>() else {
            continue;
        };
        let modules = cells[2]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        documented.insert(rank, modules);
    }
    let checked: BTreeMap<u32, BTreeSet<String>> = RANKS
        .iter()
        .map(|(rank, modules, _)| (*rank, modules.iter().map(|m| m.to_string()).collect()))
        .collect();
    assert_eq!(documented, checked);
}

/// The commands of `src/cli/`, one module each; the other modules there
/// are what commands share (flags, settings, the store, the runner…).
const COMMANDS: &[&str] = &[
    "appeals",
    "contracts",
    "deposits",
    "eob",
    "generate",
    "history",
    "lifecycle",
    "lines",
    "outcomes",
    "posting",
    "reconcile",
    "report",
    "resolution",
    "split",
    "stages",
    "validate",
];

/// The commands `code` (a file of `src/cli/`) imports by `super::…` or
/// `crate::cli::…`, comments and strings left out.
fn commands_imported(code: &str) -> BTreeSet<&'static str> {
    let code = without_tests(&strip(code));
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .collect();
    let mut found = BTreeSet::new();
    for word in words {
        for prefix in ["super::", "crate::cli::"] {
            let Some(rest) = word.strip_prefix(prefix) else {
                continue;
            };
            let first = rest.split("::").next().unwrap_or("");
            if let Some(command) = COMMANDS.iter().find(|c| **c == first) {
                found.insert(*command);
            }
        }
    }
    found
}

#[test]
fn no_command_imports_another_command() {
    let cli = src().join("cli");
    let mut broken = Vec::new();
    for path in files_under(&cli)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let relative = path.strip_prefix(&cli).unwrap();
        let own = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|c| c.trim_end_matches(".rs"))
            .unwrap_or("");
        let code = std::fs::read_to_string(path).unwrap();
        for command in commands_imported(&code) {
            if command != own {
                broken.push(format!(
                    "cli/{}: imports command {command}",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "commands share through cli's shared modules, never through each other:\n{}",
        broken.join("\n")
    );
    // The checker sees an import in each of its forms, and not a mention.
    assert_eq!(
        commands_imported("use super::reconcile::Settings;"),
        BTreeSet::from(["reconcile"])
    );
    assert_eq!(
        commands_imported("let x = crate::cli::deposits::read(); // super::posting"),
        BTreeSet::from(["deposits"])
    );
    assert!(commands_imported("use super::runner::Prepared; \"super::appeals\"").is_empty());
}
