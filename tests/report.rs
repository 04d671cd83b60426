//! `remit report` in a real browser: the samples' page rendered by headless
//! Chromium, its headline figures read back from the DOM (after the page's
//! script ran) and compared with totals of `remit reconcile` and
//! `remit appeals` over the same inputs; a screenshot; sorting, filtering,
//! paging and printing of tables; member names and ids masked unless
//! `--show-phi`.
//!
//! Chromium is required: these tests fail, not skip, without it.
//! `./scripts/test.sh` installs it; `CHROMIUM=/path` picks another binary.
//! `REMIT_UPDATE_SCREENSHOT=1` also copies the screenshot to
//! `docs/report.png`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;

use crate::reconcile::{Ledger, reconcile};
use crate::support::{corpus, remit, samples, temp_dir};

const UNBALANCED: &str = "irobayna_stupidedi/spec/fixtures/005010/X221 HP835 Health Care Claim Payment Advice/case/3a.edi";

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on
/// the PATH. Panics (the test fails) when there is none.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            if dir.join(name).is_file() {
                return dir.join(name);
            }
        }
    }
    panic!(
        "the report tests need Chromium and found none on the PATH: run ./scripts/test.sh \
         (it installs the Debian package `chromium`) or set CHROMIUM=/path/to/chrome"
    );
}

/// Runs headless Chromium on `page` with `args`, in a fresh profile, with
/// no network and a time limit.
fn headless(page: &Path, args: &[&str]) -> Output {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let profile = temp_dir(&format!("chromium-profile-{run}"));
    let browser = chromium();
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; ./scripts/test.sh installs Chromium",
                browser.display()
            )
        });
    // Drained while it runs: a DOM dump larger than the pipe's buffer
    // (64 KiB) would otherwise block Chromium until the deadline.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).map(|_| bytes)
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Output {
        status,
        stdout: stdout.join().unwrap().unwrap(),
        stderr: stderr.join().unwrap().unwrap(),
    };
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The DOM after the page's script ran.
fn dump_dom(page: &Path) -> String {
    let out = headless(page, &["--dump-dom"]);
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(
        dom.contains(r#"data-ready="true""#),
        "the page's script did not run: {}",
        &dom[..dom.len().min(500)]
    );
    dom
}

/// The value of `attr` on the element with id `id`.
fn attribute(dom: &str, id: &str, attr: &str) -> Option<String> {
    let at = dom.find(&format!(r#"id="{id}""#))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let tag = &dom[start..end];
    let key = format!(r#" {attr}=""#);
    let from = tag.find(&key)? + key.len();
    let len = tag[from..].find('"')?;
    Some(tag[from..from + len].to_string())
}

/// The headline figure `id` as the browser shows it.
fn headline(dom: &str, id: &str) -> Decimal {
    let value = attribute(dom, &format!("headline-{id}"), "data-value")
        .unwrap_or_else(|| panic!("no headline-{id} in the DOM"));
    value.parse().unwrap()
}

/// The markup of the element with id `id` up to its closing `tag`.
fn element<'d>(dom: &'d str, id: &str, tag: &str) -> &'d str {
    let at = dom
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no {id}"));
    let end = at + dom[at..].find(&format!("</{tag}>")).unwrap();
    &dom[at..end]
}

fn d(s: &str) -> Decimal {
    if s.is_empty() {
        Decimal::ZERO
    } else {
        s.parse().unwrap()
    }
}

fn path(p: impl AsRef<Path>) -> String {
    p.as_ref().to_string_lossy().into_owned()
}

fn fee() -> String {
    path(samples().join("fee-schedule.csv"))
}

/// Σ `column` over the rows `keep` accepts.
fn sum(
    ledger: &Ledger,
    column: &str,
    keep: impl Fn(&std::collections::BTreeMap<String, String>) -> bool,
) -> Decimal {
    ledger
        .rows
        .iter()
        .filter(|r| keep(r))
        .map(|r| d(&r[column]))
        .sum()
}

/// The headline figures computed the README's way from a reconcile ledger.
fn ledger_figures(ledger: &Ledger) -> Vec<(&'static str, Decimal)> {
    let remitted = |r: &std::collections::BTreeMap<String, String>| r["status"] != "NO_REMITTANCE";
    let flag = |r: &std::collections::BTreeMap<String, String>, f: &str| {
        r["flags"].split(';').any(|x| x == f)
    };
    vec![
        ("remitted-charge", sum(ledger, "billed", remitted)),
        ("paid", sum(ledger, "paid", |_| true)),
        ("patient-resp", sum(ledger, "patient_resp", remitted)),
        (
            "denied",
            sum(ledger, "at_stake", |r| {
                r["status"] == "DENIED" && !flag(r, "PREVIOUSLY_PAID_REPORTED_DENIED")
                    || flag(r, "PARTIAL_DENIAL")
            }),
        ),
        (
            "recovered",
            -sum(ledger, "paid", |r| {
                flag(r, "RECOUPED")
                    && matches!(r["status"].as_str(), "REVERSAL" | "PROVIDER_ADJUSTMENT")
            }),
        ),
        (
            "underpaid",
            -sum(ledger, "variance", |r| {
                flag(r, "UNDERPAID") && !flag(r, "PARTIAL_DENIAL")
            }),
        ),
        ("unanswered", sum(ledger, "billed", |r| !remitted(r))),
    ]
}

/// Σ amount at stake of the `remit appeals` items due within 30 days, and
/// of those past their deadline.
fn appeal_figures(args: &[&str]) -> (Decimal, Decimal) {
    let out = remit(&[&["appeals"], args].concat());
    let items = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    let days =
        |r: &std::collections::BTreeMap<String, String>| r["days_left"].parse::<i64>().unwrap();
    let stake = |keep: &dyn Fn(i64) -> bool| -> Decimal {
        items
            .rows
            .iter()
            .filter(|r| keep(days(r)))
            .map(|r| d(&r["amount_at_stake"]))
            .sum()
    };
    (stake(&|n| (0..=30).contains(&n)), stake(&|n| n < 0))
}

fn report(args: &[&str], html: &Path, extra: &[&str]) -> (String, i32) {
    let out = remit(&[&["report"], args, &["--html", &path(html)], extra].concat());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (stderr, out.status.code().unwrap_or(-1))
}

#[test]
fn headline_figures_in_the_browser_equal_the_ledgers_totals() {
    let dir = temp_dir("report-browser");
    let bad = dir.join("not-x12.835");
    std::fs::write(&bad, "this is not an X12 interchange\n").unwrap();
    let samples = path(samples());
    let unbalanced = path(corpus().join(UNBALANCED));
    let args = [
        samples.as_str(),
        &unbalanced,
        &path(&bad),
        "--fee-schedule",
        &fee(),
        "--as-of",
        "2025-07-31",
    ];
    let html = dir.join("report.html");
    let (stderr, code) = report(&args, &html, &[]);
    assert_eq!(code, 1, "a rejected file makes exit status 1: {stderr}");
    assert!(
        stderr.contains("report: wrote") && stderr.contains("1 file(s) rejected"),
        "{stderr}"
    );
    let (ledger, _, _) = reconcile(&args);
    let dom = dump_dom(&html);
    for (id, expected) in ledger_figures(&ledger) {
        assert_eq!(headline(&dom, id), expected, "headline {id}");
    }
    let (at_risk, passed) = appeal_figures(&args);
    assert_eq!(headline(&dom, "at-risk"), at_risk);
    assert_eq!(headline(&dom, "past-deadline"), passed);
    assert!(headline(&dom, "past-deadline") > Decimal::ZERO);
    assert!(element(&dom, "t-rejected", "table").contains("not-x12.835"));
    let unbalanced_rows = element(&dom, "t-unbalanced", "table");
    assert!(
        unbalanced_rows.contains("3a.edi") && unbalanced_rows.contains("does not balance"),
        "{unbalanced_rows}"
    );
    assert!(element(&dom, "t-previously-paid", "table").contains("RC24-002"));
    assert!(dom.contains("Rows 1–"), "the pager ran");
    for chart in ["chart-payer", "chart-month", "chart-reasons", "chart-days"] {
        assert!(dom.contains(&format!(r#"<svg id="{chart}""#)), "{chart}");
    }
}

#[test]
fn money_at_risk_in_the_browser_is_what_the_worklist_says_is_due_soon() {
    let dir = temp_dir("report-at-risk");
    let samples = path(samples());
    let args = [
        samples.as_str(),
        "--fee-schedule",
        &fee(),
        "--as-of",
        "2024-11-05",
    ];
    let html = dir.join("report.html");
    let (stderr, code) = report(&args, &html, &[]);
    assert_eq!(code, 0, "{stderr}");
    let dom = dump_dom(&html);
    let (at_risk, passed) = appeal_figures(&args);
    assert_eq!(headline(&dom, "at-risk"), at_risk);
    // Not the PLB WO recoveries due 2024-11-12: one undid a duplicate
    // payment (nothing to appeal), the other is restated by the later
    // CO-50 denial of its line (one item, under the denial's deadline).
    assert_eq!(
        at_risk,
        "125.00".parse().unwrap(),
        "the two RC24-018 lines denied again with another reason, due 2024-12-02"
    );
    assert_eq!(headline(&dom, "past-deadline"), passed);
    let (wide, _) = report(&args, &html, &["--deadline-days", "66"]);
    assert!(
        wide.contains("255.00 at risk within 66 days"),
        "and RC24-007's denial after its reversal, due 2025-01-07, at most the 130.00 taken back: {wide}"
    );
}

/// PNG width and height from the IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn a_screenshot_of_the_samples_report() {
    let dir = temp_dir("report-screenshot");
    let samples = path(samples());
    let html = dir.join("report.html");
    let (stderr, code) = report(
        &[&samples, "--fee-schedule", &fee(), "--as-of", "2025-07-31"],
        &html,
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let png = dir.join("report.png");
    headless(
        &html,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2400",
            "--hide-scrollbars",
        ],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&bytes), (1280, 2400));
    assert!(
        bytes.len() > 50_000,
        "a page with figures and charts, not a blank one: {} bytes",
        bytes.len()
    );
    if std::env::var_os("REMIT_UPDATE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&png, docs.join("report.png")).unwrap();
    }
}

#[test]
fn a_table_longer_than_a_page_is_paged_and_a_capped_one_says_so() {
    use remit_synth::{SynthConfig, write_claims, write_remittances};
    let dir = temp_dir("report-paging");
    let cfg = SynthConfig::new(11).with_claims(600);
    write_remittances(&cfg, std::fs::File::create(dir.join("era.835")).unwrap()).unwrap();
    write_claims(&cfg, std::fs::File::create(dir.join("claims.837")).unwrap()).unwrap();
    let html = dir.join("report.html");
    let (stderr, code) = report(
        &[&path(&dir), "--as-of", "2024-12-31"],
        &html,
        &["--table-rows", "120"],
    );
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    let appeals = element(&page, "t-appeals", "table");
    assert_eq!(
        appeals.matches("<tr>").count(),
        121,
        "heading + the 120 rows the cap keeps"
    );
    let note = "This page carries the first 120 of ";
    assert!(page.contains(note), "the cap is named");
    assert!(
        page.contains("remit appeals PATH..."),
        "and how to get every row"
    );
    let dom = dump_dom(&html);
    let body = element(&dom, "t-appeals", "table");
    let body = &body[body.find("<tbody>").unwrap()..];
    assert_eq!(
        body.matches("<tr>").count(),
        50,
        "one page of 50 rows in the DOM"
    );
    assert!(
        dom.contains("Rows 1–50 of 120, page 1 of 3"),
        "the pager says where we are"
    );
}

#[test]
fn member_names_and_ids_are_masked_unless_shown() {
    let dir = temp_dir("report-phi");
    let samples = path(samples());
    let args = [
        samples.as_str(),
        "--fee-schedule",
        &fee(),
        "--as-of",
        "2025-07-31",
    ];
    let (ledger, _, _) = reconcile(&args);
    let masked = dir.join("masked.html");
    report(&args, &masked, &[]);
    let page = std::fs::read_to_string(&masked).unwrap();
    let mut names = 0;
    for r in &ledger.rows {
        let (id, name) = (&r["member_id"], &r["member_name"]);
        if !id.is_empty() {
            assert!(
                !page.contains(id.as_str()),
                "member id {id} on the masked page"
            );
        }
        if let Some((last, _)) = name.split_once(", ") {
            names += 1;
            assert!(
                !page.contains(name.as_str()) && !page.contains(last),
                "{name} on the masked page"
            );
        }
    }
    assert!(names > 50);
    assert!(
        page.contains("R*** L.") || page.contains("*** "),
        "masked names are shown instead"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&masked).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the report is created owner-only");
    }
    let shown = dir.join("shown.html");
    let (stderr, _) = report(&args, &shown, &["--show-phi"]);
    assert!(stderr.contains("member names and ids shown"), "{stderr}");
    let page = std::fs::read_to_string(&shown).unwrap();
    let out = remit(&[&["appeals"], &args[..]].concat());
    let items = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    for r in items.rows.iter().filter(|r| !r["member_id"].is_empty()) {
        assert!(page.contains(r["member_id"].as_str()), "{}", r["member_id"]);
        assert!(
            page.contains(r["member_name"].as_str()),
            "{}",
            r["member_name"]
        );
    }
}

/// Clicks "At stake" twice, filters, changes the page size and fires the
/// print events on the appeal worklist, then writes what it saw on <body>.
const PROBE: &str = r#"<script>
(function () {
  var sec = document.getElementById("s-appeals");
  var stake = sec.querySelectorAll("th button")[9];
  var first = function () { return sec.querySelector("tbody tr").cells[9].textContent; };
  stake.click();
  var up = first();
  stake.click();
  var down = first();
  var sort = sec.querySelectorAll("th")[9].getAttribute("aria-sort");
  var filter = sec.querySelector("input");
  filter.value = "Underpaid";
  filter.dispatchEvent(new Event("input"));
  var filtered = sec.querySelectorAll("tbody tr").length;
  var status = sec.querySelector(".status").textContent;
  filter.value = "";
  filter.dispatchEvent(new Event("input"));
  var size = sec.querySelector("select");
  size.value = "25";
  size.dispatchEvent(new Event("change"));
  window.dispatchEvent(new Event("beforeprint"));
  var printed = sec.querySelectorAll("tbody tr").length;
  document.body.setAttribute("data-probe", [up, down, sort, filtered, status, printed].join("|"));
})();
</script></body>"#;

#[test]
fn tables_sort_filter_and_print_in_the_browser() {
    let dir = temp_dir("report-interaction");
    let samples = path(samples());
    let html = dir.join("report.html");
    let args = [
        samples.as_str(),
        "--fee-schedule",
        &fee(),
        "--as-of",
        "2025-07-31",
    ];
    let (stderr, code) = report(&args, &html, &[]);
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    let probed = dir.join("probed.html");
    std::fs::write(&probed, page.replace("</body>", PROBE)).unwrap();
    let dom = dump_dom(&probed);
    let at = dom.find(r#"data-probe=""#).expect("the probe ran") + 12;
    let seen: Vec<&str> = dom[at..at + dom[at..].find('"').unwrap()]
        .split('|')
        .collect();
    assert_eq!(seen[..4], ["1.56", "185.00", "descending", "2"], "{seen:?}");
    assert_eq!(seen[4], "Rows 1–2 of 2 (filtered from 13), page 1 of 1");
    assert_eq!(
        seen[5], "13",
        "printing shows every row, whatever the page size"
    );
}
