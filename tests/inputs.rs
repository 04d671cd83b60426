//! Inputs that used to hang or mislead (issue 23 items 4 and 8, issue 18
//! items 5, 6 and 8): symbolic link loops, FIFOs and devices; empty or
//! wrong folders; unbalanced remittances; rows of rejected files; dates in
//! every form; progress only on a terminal; errors that say things once.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{corpus, remit, samples, temp_dir};

const UNBALANCED: &str = "irobayna_stupidedi/spec/fixtures/005010/X221 HP835 Health Care Claim Payment Advice/case/3a.edi";

fn s(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Runs remit, killing it (and failing) if it has not finished in 30 s.
fn run_promptly(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_remit"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "remit {args:?} hangs; stderr so far: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A folder with one remittance, a link back to the folder (a loop) and a
/// FIFO nobody writes to.
fn hostile_folder(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let folder = dir.join("in");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::copy(
        samples().join("remits/acme-2024-02-07.835"),
        folder.join("sub/a.835"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&folder, folder.join("sub/loop")).unwrap();
    mkfifo(&folder.join("pipe.835"));
    folder
}

#[test]
fn a_link_loop_and_a_fifo_in_a_folder_finish_with_notes() {
    let folder = hostile_folder("hostile-folder");
    for command in ["validate", "lines", "reconcile", "events"] {
        let out = run_promptly(&[command, &s(&folder)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command}: {stderr}");
        assert!(
            stderr.contains("pipe.835: not a regular file (a FIFO); skipped"),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("loop: a folder already read"),
            "{command}: {stderr}"
        );
    }
    // The file is read once, not once per trip around the loop.
    let out = run_promptly(&["validate", &s(&folder)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("a.835: valid").count(), 1, "{stdout}");
    let out = run_promptly(&["lines", &s(&folder)]);
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    let direct = remit(&["lines", &s(&samples().join("remits/acme-2024-02-07.835"))]);
    assert_eq!(
        lines,
        String::from_utf8_lossy(&direct.stdout).lines().count()
    );
}

#[test]
fn a_fifo_or_a_device_named_on_the_command_line_is_refused_by_name() {
    let dir = temp_dir("hostile-named");
    let fifo = dir.join("named.fifo");
    mkfifo(&fifo);
    let good = s(&samples().join("remits/acme-2024-02-07.835"));
    for bad in [s(&fifo), "/dev/zero".to_string()] {
        for command in ["validate", "lines", "reconcile", "split"] {
            let mut args = vec![command, good.as_str(), bad.as_str()];
            let out_dir = s(&dir.join("parts"));
            if command == "split" {
                args.extend(["--by", "claim", "--out-dir", &out_dir, "--force"]);
            }
            let out = run_promptly(&args);
            // validate reports on standard output, the others on standard error.
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(1), "{command} {bad}: {said}");
            assert!(
                said.contains(&format!("{bad}: not a regular file")),
                "{command} {bad}: {said}"
            );
        }
        // An option's file too.
        let out = run_promptly(&["reconcile", &good, "--fee-schedule", &bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "--fee-schedule {bad}: cannot read: not a regular file"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn an_empty_or_wrong_folder_says_no_x12_was_found_and_exits_one() {
    let dir = temp_dir("no-x12");
    std::fs::write(dir.join("notes.txt"), "minutes of the meeting").unwrap();
    for command in ["validate", "lines", "reconcile", "appeals", "events"] {
        let out = remit(&[command, &s(&dir)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(&format!("no X12 file found in {}", dir.display())),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("reconciled 0 file(s)"), "{stderr}");
        assert!(out.stdout.is_empty(), "{command} wrote something");
    }
}

#[test]
fn an_unbalanced_remittance_is_processed_and_exits_three() {
    let unbalanced = s(&corpus().join(UNBALANCED));
    let dir = temp_dir("findings");
    let ledger = dir.join("ledger.csv");
    let out = remit(&["reconcile", &unbalanced, "--out", &s(&ledger)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("does not balance"), "{stderr}");
    assert!(stderr.contains("exit status 3"), "{stderr}");
    let rows = std::fs::read_to_string(&ledger).unwrap().lines().count();
    assert!(rows > 1, "the ledger is written");
    for command in ["lines", "validate"] {
        let out = remit(&[command, &unbalanced]);
        assert_eq!(out.status.code(), Some(3), "{command}");
    }
    // A rejected file is more serious than findings.
    let bad = dir.join("bad.835");
    std::fs::write(&bad, "not X12").unwrap();
    let out = remit(&["reconcile", &unbalanced, &s(&bad)]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lines_writes_nothing_from_a_file_it_rejects() {
    let dir = temp_dir("lines-rejected");
    let good = samples().join("remits/acme-2024-02-07.835");
    let text = std::fs::read_to_string(&good).unwrap();
    // A complete interchange, then one cut inside its transaction.
    let second = std::fs::read_to_string(samples().join("remits/mcd-2024-02-14.835")).unwrap();
    let cut = &second[..second.find("CLP*").unwrap() + 10];
    let bad = dir.join("half.835");
    std::fs::write(&bad, format!("{text}\n{cut}")).unwrap();
    let out = remit(&["lines", &s(&good), &s(&bad)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("half.835: rejected"), "{stderr}");
    let rows = String::from_utf8(out.stdout).unwrap();
    let alone = String::from_utf8(remit(&["lines", &s(&good)]).stdout).unwrap();
    assert_eq!(rows, alone, "only the good file's rows");
    assert!(!rows.contains("half.835"));
}

#[test]
fn dates_are_read_in_the_same_forms_everywhere() {
    let all = s(&samples());
    let iso = remit(&["reconcile", &all, "--as-of", "2025-07-31"]);
    for form in ["07/31/2025", "7/31/2025", "20250731"] {
        let other = remit(&["reconcile", &all, "--as-of", form]);
        assert_eq!(other.status.code(), Some(0), "{form}");
        assert!(iso.stdout == other.stdout, "--as-of {form}");
    }
    let out = remit(&["reconcile", &all, "--as-of", "31/07/2025"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("expected a date such as 2025-07-31, 20250731 or 07/31/2025"),
        "{stderr}"
    );
}

#[test]
fn progress_is_never_drawn_when_standard_error_is_not_a_terminal() {
    let all = s(&samples());
    let plain = remit(&["reconcile", &all, "--as-of", "2025-07-31"]);
    let quiet = remit(&["reconcile", &all, "--as-of", "2025-07-31", "--quiet"]);
    for out in [&plain, &quiet] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("reading "), "{stderr}");
        assert!(!stderr.contains("deciding"), "{stderr}");
        assert!(
            !stderr.contains('\r') && !stderr.contains('\u{1b}'),
            "{stderr}"
        );
    }
    assert_eq!(plain.stderr, quiet.stderr);
    assert_eq!(plain.stdout, quiet.stdout);
}

/// On a terminal (a pseudo-terminal made by `script`), progress is drawn
/// on standard error, and `--quiet` silences it.
#[test]
fn progress_is_drawn_on_a_terminal_unless_quiet() {
    let all = s(&samples());
    let bin = env!("CARGO_BIN_EXE_remit");
    let on_terminal = |extra: &str| {
        let command =
            format!("'{bin}' reconcile '{all}' --as-of 2025-07-31 --out /dev/null {extra}");
        let out = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("`script` (util-linux) gives the test a terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    assert!(
        shown.contains("reading ") && shown.contains("file(s)"),
        "{shown}"
    );
    assert!(
        shown.contains("reconciled ") && shown.contains(" file(s)"),
        "{shown}"
    );
    let quiet = on_terminal("--quiet");
    assert!(!quiet.contains("reading "), "{quiet}");
    assert!(quiet.contains("reconciled "), "{quiet}");
}

#[test]
fn errors_name_the_file_and_say_each_thing_once() {
    let all = s(&samples());
    let dir = temp_dir("errors-once");
    let missing = s(&dir.join("fees.csv"));
    let out = remit(&["reconcile", &all, "--code-list", &missing]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.matches(missing.as_str()).count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("--code-list {missing}")),
        "{stderr}"
    );

    let not_a_store = dir.join("ledger.db");
    std::fs::write(&not_a_store, "date,amount\n").unwrap();
    let out = remit(&["reconcile", &all, "--db", &s(&not_a_store)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr.trim(),
        format!(
            "remit: {}: not a remit history store (not a SQLite database); it was left untouched",
            not_a_store.display()
        )
    );
    assert_eq!(std::fs::read(&not_a_store).unwrap(), b"date,amount\n");

    let out = remit(&[
        "deposits",
        &s(&samples().join("remits")),
        "--bank",
        &s(&dir.join("statment.bai2")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--bank "), "{stderr}");
    assert!(stderr.contains("statment.bai2: cannot read"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing received is not a result");

    // A full disk names the output, once.
    for (command, option) in [
        ("reconcile", "--out"),
        ("lines", "--out"),
        ("report", "--html"),
    ] {
        let out = remit(&[command, &all, option, "/dev/full"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert_eq!(
            stderr.lines().last(),
            Some("remit: cannot write /dev/full: No space left on device (os error 28)"),
            "{command}: {stderr}"
        );
    }
}
