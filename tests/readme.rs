//! The README is a contract: every `remit …` example in it runs as written
//! (issue 18 item 1), each command's option list in `remit CMD --help` is
//! the one its usage block in the README gives, and the exit-status table
//! is the one `--help` prints (issue 18 items 6 and 8).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{remit, temp_dir};

/// The marker, on the line before a fenced block, of an example that must
/// not run in tests (the test command itself, a cluster submission…).
const NOT_RUN: &str = "<!-- readme-examples: not run";

/// A fenced code block of the README.
struct Block {
    info: String,
    text: String,
    line: usize,
    not_run: bool,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```") {
            let start = i;
            let not_run = start > 0 && lines[start - 1].starts_with(NOT_RUN);
            i += 1;
            let mut text = String::new();
            while i < lines.len() && !lines[i].starts_with("```") {
                text.push_str(lines[i]);
                text.push('\n');
                i += 1;
            }
            blocks.push(Block {
                info: info.trim().to_string(),
                text,
                line: start + 1,
                not_run,
            });
        }
        i += 1;
    }
    blocks
}

/// Copies `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The files an example names as outputs (`--out`, `--html`, `--out-dir`,
/// `--db`), except standard output and devices.
fn outputs(script: &str) -> Vec<String> {
    let words: Vec<&str> = script.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "--out" | "--html" | "--out-dir" | "--db"))
        .map(|w| w[1].to_string())
        .filter(|o| o != "-" && !o.starts_with("/dev/"))
        .collect()
}

/// A folder holding `cargo`, standing in for the set-up's one cargo
/// command: the binary under test is already built and on `PATH`.
fn cargo_stub(dir: &Path) -> PathBuf {
    let bin = dir.join("stub-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let cargo = bin.join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\n[ \"$*\" = 'install --path . --locked' ] && exit 0\necho \"README test: unexpected cargo $*\" >&2\nexit 97\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// True when `git` says `name` (relative to the repository root) is ignored.
/// `None` outside a git work tree.
fn git_ignored(name: &str) -> Option<bool> {
    let root = env!("CARGO_MANIFEST_DIR");
    let inside = Command::new("git")
        .args(["-C", root, "rev-parse", "--is-inside-work-tree"])
        .output()
        .ok()?;
    if !inside.status.success() {
        return None;
    }
    let status = Command::new("git")
        .args(["-C", root, "check-ignore", "-q", "--no-index", name])
        .status()
        .ok()?;
    Some(status.success())
}

#[test]
fn every_readme_example_runs_as_written() {
    let dir = temp_dir("readme-examples");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("samples"),
        &dir.join("samples"),
    );
    let remit_dir = Path::new(env!("CARGO_BIN_EXE_remit")).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        cargo_stub(&dir).display(),
        remit_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for block in blocks(&readme()) {
        let examples = block
            .text
            .lines()
            .any(|l| l.trim_start().starts_with("remit ") || l.contains("&& remit "));
        if block.info != "sh" {
            assert!(
                !examples,
                "README line {}: a `remit` example outside an ```sh block is never tested",
                block.line
            );
            continue;
        }
        if block.not_run {
            continue;
        }
        let out = Command::new("sh")
            .args(["-e", "-c", &block.text])
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README line {}: example failed ({:?}):\n{}\n{}",
            block.line,
            out.status.code(),
            block.text,
            String::from_utf8_lossy(&out.stderr)
        );
        for output in outputs(&block.text) {
            assert!(
                dir.join(&output).exists(),
                "README line {}: {output} was not written",
                block.line
            );
            if let Some(ignored) = git_ignored(&output) {
                assert!(
                    ignored,
                    "README line {}: {output} is not git-ignored",
                    block.line
                );
            }
        }
        ran += 1;
    }
    assert!(ran >= 6, "only {ran} README examples ran");
}

/// Option names (`--x`) of a command's `--help`, without --help/--version.
fn help_options(command: &str) -> BTreeSet<String> {
    let out = remit(&[command, "--help"]);
    assert!(out.status.success(), "remit {command} --help");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            // `-q, --quiet` → `--quiet`
            let line = match line.as_bytes() {
                [b'-', c, b',', ..] if c.is_ascii_alphanumeric() => line[3..].trim_start(),
                _ => line,
            };
            let name = line.strip_prefix("--")?.split([' ', '<']).next()?;
            Some(format!("--{name}"))
        })
        .filter(|o| o != "--help" && o != "--version")
        .collect()
}

/// The subcommands `remit --help` lists (hidden ones are not listed).
fn commands() -> Vec<String> {
    let out = remit(&["--help"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let listing = text
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap();
    listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The options of `remit NAME`'s usage block in the README.
fn readme_options(readme: &str, command: &str) -> Option<BTreeSet<String>> {
    let head = format!("usage: remit {command} ");
    let mut found = None;
    for block in blocks(readme).into_iter().filter(|b| b.info == "text") {
        let mut inside = false;
        for line in block.text.lines() {
            if line.starts_with("usage: ") {
                inside = line.starts_with(&head);
                if inside {
                    assert!(found.is_none(), "two usage blocks for remit {command}");
                    found = Some(BTreeSet::new());
                }
            } else if !line.starts_with(' ') {
                inside = false;
            }
            if inside {
                let options = found.as_mut().unwrap();
                let mut rest = line;
                while let Some(at) = rest.find("--") {
                    let name: String = rest[at + 2..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    options.insert(format!("--{name}"));
                    rest = &rest[at + 2 + name.len()..];
                }
            }
        }
    }
    found
}

#[test]
fn the_readme_lists_each_commands_options_as_help_does() {
    let readme = readme();
    let commands = commands();
    assert!(commands.len() >= 12, "{commands:?}");
    let mut problems = Vec::new();
    for command in &commands {
        let help = help_options(command);
        match readme_options(&readme, command) {
            None => problems.push(format!("remit {command}: no usage block in the README")),
            Some(documented) if documented != help => problems.push(format!(
                "remit {command}: only in --help {:?}, only in the README {:?}",
                help.difference(&documented).collect::<Vec<_>>(),
                documented.difference(&help).collect::<Vec<_>>()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readme_and_help_give_the_same_exit_statuses() {
    let help = String::from_utf8(remit(&["--help"]).stdout).unwrap();
    let from_help: Vec<(String, String)> = help
        .split("Exit status:")
        .nth(1)
        .expect("--help lists the exit statuses")
        .lines()
        .filter_map(|l| {
            let (code, meaning) = l.trim().split_once("  ")?;
            Some((code.to_string(), meaning.trim().to_string()))
        })
        .collect();
    assert_eq!(from_help.len(), 4, "{help}");
    let readme = readme();
    let table = readme
        .split("**Exit status**")
        .nth(1)
        .expect("the README has the exit-status table");
    let from_readme: Vec<(String, String)> = table
        .lines()
        .skip_while(|l| !l.starts_with("| status"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect();
    assert_eq!(from_readme, from_help);
    for command in commands() {
        let sub = String::from_utf8(remit(&[&command, "--help"]).stdout).unwrap();
        assert!(sub.contains("Exit status:"), "remit {command} --help");
    }
}
