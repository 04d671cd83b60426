//! Output safety of every command that writes a file (issue 18 item 2,
//! issue 23 items 2 and 5): a bad option or an input with nothing usable
//! leaves the previous output byte for byte (and no temporary file
//! behind); a successful run replaces it with an owner-only file, whatever
//! mode the old one had; a symbolic link at the output is replaced, and
//! the file it pointed to is left alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{remit, samples, temp_dir};

const PREVIOUS: &[u8] = b"previous output, must survive\n";

fn s(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn sample(rel: &str) -> String {
    s(&samples().join(rel))
}

/// Files an option can point at, each wrong in its own way.
struct Fixtures {
    dir: PathBuf,
    missing: String,
    malformed: String,
    empty: String,
    not_a_store: String,
    empty_folder: String,
    store: String,
    records: Vec<u8>,
}

fn fixtures(name: &str) -> Fixtures {
    let dir = temp_dir(name);
    let malformed = dir.join("malformed.csv");
    std::fs::write(&malformed, "nothing,useful\n1,2\n").unwrap();
    let empty = dir.join("empty.bai2");
    std::fs::write(&empty, "").unwrap();
    let not_a_store = dir.join("not-a-store.db");
    std::fs::write(
        &not_a_store,
        "this is not SQLite, it is a ledger someone kept\n",
    )
    .unwrap();
    let empty_folder = dir.join("empty-folder");
    std::fs::create_dir_all(&empty_folder).unwrap();
    std::fs::write(empty_folder.join("notes.txt"), "not X12").unwrap();
    let store = dir.join("store.db");
    let made = remit(&[
        "reconcile",
        &sample("remits"),
        "--db",
        &s(&store),
        "--as-of",
        "2025-07-31",
        "--out",
        "/dev/null",
    ]);
    assert_eq!(made.status.code(), Some(0), "{made:?}");
    let events = remit(&["events", &s(&samples())]);
    assert_eq!(events.status.code(), Some(0));
    Fixtures {
        missing: s(&dir.join("no-such-file.csv")),
        malformed: s(&malformed),
        empty: s(&empty),
        not_a_store: s(&not_a_store),
        empty_folder: s(&empty_folder),
        store: s(&store),
        records: events.stdout,
        dir,
    }
}

/// One writing command: its arguments around the output path, and the
/// variants that must fail without touching the output.
struct Case {
    name: &'static str,
    /// Arguments; `OUT` stands for the output path.
    args: Vec<String>,
    /// Standard input, for `decide`.
    stdin: Option<Vec<u8>>,
    /// (what is wrong, replaced arguments or extra arguments, exit status).
    bad: Vec<(&'static str, Vec<String>, i32)>,
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

fn cases(f: &Fixtures) -> Vec<Case> {
    let all = sample("");
    let remits = sample("remits");
    let as_of = ["--as-of", "2025-07-31"];
    // Bad options shared by the commands that take them.
    let fee = |v: &mut Vec<(&'static str, Vec<String>, i32)>| {
        v.push((
            "missing fee schedule",
            strings(&["--fee-schedule", &f.missing]),
            2,
        ));
        v.push((
            "malformed fee schedule",
            strings(&["--fee-schedule", &f.malformed]),
            2,
        ));
        v.push((
            "fee schedule is a device",
            strings(&["--fee-schedule", "/dev/zero"]),
            2,
        ));
    };
    let codes = |v: &mut Vec<(&'static str, Vec<String>, i32)>| {
        v.push((
            "missing code list",
            strings(&["--code-list", &f.missing]),
            2,
        ));
        v.push((
            "malformed code list",
            strings(&["--code-list", &f.malformed]),
            2,
        ));
    };
    let interest = |v: &mut Vec<(&'static str, Vec<String>, i32)>| {
        v.push((
            "unknown prompt-pay rule",
            strings(&["--prompt-pay", "ny"]),
            2,
        ));
        v.push((
            "medicare without --rate",
            strings(&["--prompt-pay", "medicare"]),
            2,
        ));
        v.push((
            "a rate that is a percentage",
            strings(&["--prompt-pay", "medicare", "--rate", "4.625"]),
            2,
        ));
    };
    let db = |v: &mut Vec<(&'static str, Vec<String>, i32)>| {
        v.push((
            "--db is not a remit store",
            strings(&["--db", &f.not_a_store]),
            2,
        ));
    };
    let input = |v: &mut Vec<(&'static str, Vec<String>, i32)>| {
        v.push((
            "a date that does not exist",
            strings(&["--as-of", "2025-02-30"]),
            2,
        ));
        v.push((
            "a folder without X12",
            strings(&["--paths-instead", &f.empty_folder]),
            1,
        ));
    };

    let mut out = Vec::new();

    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    interest(&mut bad);
    db(&mut bad);
    input(&mut bad);
    out.push(Case {
        name: "reconcile",
        args: strings(&[&["reconcile", &all][..], &as_of, &["--out", "OUT"]].concat()),
        stdin: None,
        bad,
    });

    let bad = vec![
        (
            "a folder without X12",
            strings(&["--paths-instead", &f.empty_folder]),
            1,
        ),
        ("an unknown format", strings(&["--format", "xlsxx"]), 2),
    ];
    out.push(Case {
        name: "lines",
        args: strings(&["lines", &remits, "--out", "OUT"]),
        stdin: None,
        bad,
    });

    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    interest(&mut bad);
    db(&mut bad);
    input(&mut bad);
    out.push(Case {
        name: "appeals",
        args: strings(&[&["appeals", &all][..], &as_of, &["--out", "OUT"]].concat()),
        stdin: None,
        bad,
    });

    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    db(&mut bad);
    input(&mut bad);
    bad.push((
        "unknown prompt-pay rule",
        strings(&["--prompt-pay", "ny"]),
        2,
    ));
    bad.push(("prompt-pay none", strings(&["--prompt-pay", "none"]), 2));
    out.push(Case {
        name: "resolution",
        args: strings(
            &[
                &["resolution", &all, "--prompt-pay", "nj"][..],
                &as_of,
                &["--out", "OUT"],
            ]
            .concat(),
        ),
        stdin: None,
        bad,
    });

    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    db(&mut bad);
    input(&mut bad);
    out.push(Case {
        name: "report",
        args: strings(&[&["report", &all][..], &as_of, &["--html", "OUT"]].concat()),
        stdin: None,
        bad,
    });

    let bai2 = sample("bank/deposits.bai2");
    let mut bad = Vec::new();
    db(&mut bad);
    input(&mut bad);
    bad.push((
        "a mistyped --bank file",
        strings(&["--bank", &f.missing]),
        2,
    ));
    bad.push(("an empty --bank file", strings(&["--bank", &f.empty]), 2));
    bad.push((
        "a --bank file that is no bank statement",
        strings(&["--bank", &f.malformed]),
        1,
    ));
    out.push(Case {
        name: "deposits",
        args: strings(
            &[
                &["deposits", &remits, "--bank", &bai2][..],
                &as_of,
                &["--out", "OUT"],
            ]
            .concat(),
        ),
        stdin: None,
        bad,
    });

    let posted = sample("posting/posted.csv");
    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    db(&mut bad);
    input(&mut bad);
    bad.push((
        "a mistyped --posted file",
        strings(&["--posted", &f.missing]),
        2,
    ));
    bad.push((
        "a mistyped --bank file",
        strings(&["--bank", &f.missing]),
        2,
    ));
    bad.push((
        "a --posted file without its columns",
        strings(&["--posted", &f.malformed]),
        1,
    ));
    out.push(Case {
        name: "posting",
        args: strings(
            &[
                &["posting", &all, "--posted", &posted][..],
                &as_of,
                &["--out", "OUT"],
            ]
            .concat(),
        ),
        stdin: None,
        bad,
    });

    let bad = vec![
        (
            "--db is not a remit store",
            strings(&["--db", &f.not_a_store]),
            2,
        ),
        ("--db does not exist", strings(&["--db", &f.missing]), 2),
        (
            "a date that does not exist",
            strings(&["--from", "13/01/2025"]),
            2,
        ),
    ];
    out.push(Case {
        name: "history",
        args: strings(&["history", "--db", &f.store, "--out", "OUT"]),
        stdin: None,
        bad,
    });

    let bad = vec![(
        "a folder without X12",
        strings(&["--paths-instead", &f.empty_folder]),
        1,
    )];
    out.push(Case {
        name: "events",
        args: strings(&["events", &all, "--out", "OUT"]),
        stdin: None,
        bad,
    });

    let mut bad = Vec::new();
    fee(&mut bad);
    codes(&mut bad);
    interest(&mut bad);
    out.push(Case {
        name: "decide",
        args: strings(&["decide", "--as-of", "2025-07-31", "--out", "OUT"]),
        stdin: Some(f.records.clone()),
        bad,
    });

    let bad = vec![
        (
            "--matching-835 with --kind 835",
            strings(&["--matching-835", &f.missing]),
            2,
        ),
        ("a seed that is no number", strings(&["--seed", "x"]), 2),
    ];
    out.push(Case {
        name: "generate",
        args: strings(&[
            "generate", "--kind", "835", "--bytes", "20000", "--out", "OUT",
        ]),
        stdin: None,
        bad,
    });
    out
}

/// The arguments of `case` with output `out` and the bad variant `bad`,
/// given as option/value pairs: `--paths-instead P` replaces the input
/// path, an option the case already has gets the bad value, any other is
/// added.
fn with(case: &Case, out: &Path, bad: &[String]) -> Vec<String> {
    let mut args: Vec<String> = case
        .args
        .iter()
        .map(|a| if a == "OUT" { s(out) } else { a.clone() })
        .collect();
    for pair in bad.chunks(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if option == "--paths-instead" {
            args[1] = value.clone();
        } else if let Some(at) = args.iter().position(|a| a == option) {
            args[at + 1] = value.clone();
        } else {
            args.push(option.clone());
            args.push(value.clone());
        }
    }
    args
}

fn run(args: &[String], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_remit"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    child.wait_with_output().unwrap()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn every_writing_command_keeps_its_output_on_error_and_replaces_it_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixtures("outputs");
    for case in cases(&f) {
        let dir = f.dir.join(format!("out-{}", case.name));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("output");
        std::fs::write(&target, PREVIOUS).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        for (what, bad, code) in &case.bad {
            let out = run(&with(&case, &target, bad), case.stdin.as_deref());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(*code),
                "{} with {what}: {stderr}",
                case.name
            );
            assert_eq!(
                std::fs::read(&target).unwrap(),
                PREVIOUS,
                "{} with {what} changed its output: {stderr}",
                case.name
            );
            assert_eq!(
                names_in(&dir),
                ["output"],
                "{} with {what} left a file behind",
                case.name
            );
            assert_eq!(mode(&target), 0o644);
            assert!(
                !stderr.trim().is_empty(),
                "{} with {what} says nothing",
                case.name
            );
        }

        let out = run(&with(&case, &target, &[]), case.stdin.as_deref());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", case.name);
        let written = std::fs::read(&target).unwrap();
        assert!(
            written != PREVIOUS && !written.is_empty(),
            "{} did not write",
            case.name
        );
        assert_eq!(
            mode(&target),
            0o600,
            "{}: a replaced output is owner-only",
            case.name
        );
        assert_eq!(names_in(&dir), ["output"], "{}", case.name);

        // A link at the output is replaced by the output; what it pointed
        // to is not written through.
        let elsewhere = dir.join("elsewhere");
        std::fs::write(&elsewhere, PREVIOUS).unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let out = run(&with(&case, &link, &[]), case.stdin.as_deref());
        assert_eq!(out.status.code(), Some(0), "{}", case.name);
        assert!(
            std::fs::symlink_metadata(&link).unwrap().is_file(),
            "{}: the link was followed",
            case.name
        );
        assert_eq!(
            std::fs::read(&elsewhere).unwrap(),
            PREVIOUS,
            "{}",
            case.name
        );
        assert_eq!(mode(&link), 0o600);
    }
}

#[cfg(unix)]
#[test]
fn split_keeps_the_out_dir_owner_only_and_replaces_files_with_force() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixtures("outputs-split");
    let out_dir = f.dir.join("parts/deeper");
    let input = sample("remits/acme-2024-05-01.835");
    let out_dir_arg = s(&out_dir);
    let split = |extra: &[&str]| {
        let args = [
            &["split", "--by", "claim", &input, "--out-dir", &out_dir_arg][..],
            extra,
        ]
        .concat();
        remit(&args)
    };
    // A bad option creates nothing.
    let out = split(&["--name-template", "../{group}"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_dir.exists());
    let out = remit(&[
        "split",
        "--by",
        "claim",
        &f.empty_folder,
        "--out-dir",
        &s(&out_dir),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!out_dir.exists(), "no X12: no folder");

    let out = split(&[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(mode(&out_dir), 0o700);
    let parts = names_in(&out_dir);
    assert_eq!(parts.len(), 3, "{parts:?}");
    for part in &parts {
        assert_eq!(mode(&out_dir.join(part)), 0o600);
    }

    // --force replaces a 0644 file and a link, and never writes through it.
    let victim = out_dir.join(&parts[0]);
    std::fs::write(&victim, PREVIOUS).unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let elsewhere = f.dir.join("elsewhere.835");
    std::fs::write(&elsewhere, PREVIOUS).unwrap();
    let linked = out_dir.join(&parts[1]);
    std::fs::remove_file(&linked).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &linked).unwrap();
    let out = split(&["--force"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read(&victim).unwrap().starts_with(b"ISA*"));
    assert_eq!(mode(&victim), 0o600);
    assert!(std::fs::symlink_metadata(&linked).unwrap().is_file());
    assert_eq!(std::fs::read(&elsewhere).unwrap(), PREVIOUS);
    assert_eq!(names_in(&out_dir), parts, "no temporary file left");
}
