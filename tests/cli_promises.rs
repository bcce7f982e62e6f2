//! Issue 18: the promises the README makes, kept by the binary. Each test reproduces one item
//! of the issue on the demo market (offline) or on files in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn cmd(args: &[&str], store: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ccplan"));
    c.args(args)
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env("CCPLAN_STORE", store)
        .env_remove("CCPLAN_SOURCE")
        .env_remove("CCPLAN_HISTORY")
        .env_remove("CCPLAN_RATE")
        .env_remove("TRADIER_TOKEN")
        .env_remove("POLYGON_API_KEY");
    c
}

fn run(args: &[&str], store: &Path) -> Output {
    cmd(args, store)
        .stdin(Stdio::null())
        .output()
        .expect("run ccplan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstderr: {}",
        o.status.code(),
        text(&o.stderr)
    );
    assert!(!text(&o.stderr).contains("panicked"));
    text(&o.stdout)
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

struct Tmp {
    dir: tempfile::TempDir,
}

impl Tmp {
    fn new() -> Tmp {
        Tmp {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn store(&self) -> PathBuf {
        self.dir.path().join("h.sqlite3")
    }
    fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

const AS_OF: &str = "2026-11-20";

fn on_tick(x: f64) -> bool {
    let tick = if x < 3.0 { 0.01 } else { 0.05 };
    let n = x / tick;
    (n - n.round()).abs() < 1e-6
}

// ---- limit prices on the tick ---------------------------------------------------------------

#[test]
fn mid_limits_are_on_the_tick_and_every_figure_uses_them() {
    let t = Tmp::new();
    for sym in ["NVDA", "MSFT", "SMCI", "META"] {
        let o = run(
            &[
                "suggest", sym, "--source", "demo", "--as-of", AS_OF, "--basis", "mid", "--top",
                "10", "--format", "json",
            ],
            &t.store(),
        );
        let v: Value = serde_json::from_str(&ok(&o)).unwrap();
        let cands = v["suggestion"]["candidates"].as_array().unwrap();
        assert!(!cands.is_empty());
        for c in cands {
            let limit = c["limit_price"].as_f64().unwrap();
            let (bid, ask) = (c["bid"].as_f64().unwrap(), c["ask"].as_f64().unwrap());
            let mid = (bid + ask) / 2.0;
            assert!(on_tick(limit), "{sym}: limit {limit} off the tick");
            assert!(
                limit <= mid + 1e-9,
                "{sym}: sale limit {limit} above mid {mid}"
            );
            assert!(
                limit >= bid - 1e-9,
                "{sym}: limit {limit} below the bid {bid}"
            );
            assert_eq!(c["metrics"]["premium"].as_f64().unwrap(), limit);
            let n = c["contracts"].as_f64().unwrap();
            let total = c["total_premium"].as_f64().unwrap();
            assert!(
                (total - limit * 100.0 * n).abs() < 1e-9,
                "{total} vs {limit}"
            );
        }
    }
}

// ---- chain --expiry with no such expiry -----------------------------------------------------

#[test]
fn chain_with_an_unlisted_expiry_is_an_error_naming_the_nearest() {
    let t = Tmp::new();
    let o = run(
        &[
            "chain",
            "NVDA",
            "--expiry",
            "2026-12-19",
            "--source",
            "demo",
            "--as-of",
            AS_OF,
        ],
        &t.store(),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    assert!(err.contains("2026-12-19"), "{err}");
    // The demo market lists Friday 2026-12-18 and the Thursday before Christmas.
    assert!(err.contains("2026-12-18"), "{err}");
    // A listed expiry still works.
    let o = run(
        &[
            "chain",
            "NVDA",
            "--expiry",
            "2026-12-18",
            "--source",
            "demo",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
        ],
        &t.store(),
    );
    let out = ok(&o);
    assert!(out.lines().count() > 10);
    assert!(
        out.lines().skip(1).all(|l| l.contains(",2026-12-18,")),
        "{out}"
    );
}

// ---- regime CSV in decimal fractions --------------------------------------------------------

#[test]
fn regime_csv_writes_decimal_fractions() {
    let t = Tmp::new();
    let base = ["regime", "NVDA", "--source", "demo", "--as-of", AS_OF];
    let csv = ok(&run(
        &[&base[..], &["--format", "csv"]].concat(),
        &t.store(),
    ));
    let json: Value = serde_json::from_str(&ok(&run(
        &[&base[..], &["--format", "json"]].concat(),
        &t.store(),
    )))
    .unwrap();
    let iv30 = json["iv30"]["iv"].as_f64().unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let mut seen = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert_ne!(&rec[2], "%", "a percent in CSV: {rec:?}");
        assert_ne!(&rec[2], "vol pts", "percent points in CSV: {rec:?}");
        if rec[0].starts_with("IV30 (constant") {
            assert_eq!(&rec[2], "fraction");
            assert_eq!(rec[1].parse::<f64>().unwrap(), iv30);
            seen += 1;
        }
        if rec[0].starts_with("HV20 close") {
            let hv: f64 = rec[1].parse().unwrap();
            assert!(hv > 0.05 && hv < 2.0, "{hv}");
            assert_eq!(hv, json["realized"]["hv20"].as_f64().unwrap());
            seen += 1;
        }
    }
    assert_eq!(seen, 2, "{csv}");
    // People still read percent.
    let table = ok(&run(&base, &t.store()));
    assert!(table.contains(&format!("{:.2}", iv30 * 100.0)), "{table}");
}

// ---- naked calls and coverage under one contract --------------------------------------------

#[test]
fn calls_written_beyond_the_shares_are_called_naked_loudly() {
    let t = Tmp::new();
    let h = t.file(
        "naked.toml",
        "[[holding]]\nsymbol = \"NVDA\"\nshares = 100\nwritten = [{ contract = \"NVDA261218C00200000\", contracts = 5 }]\n",
    );
    for cmd in [
        vec!["suggest", "NVDA", "--holdings", &h],
        vec!["plan", "--holdings", &h],
    ] {
        let o = run(
            &[&cmd[..], &["--source", "demo", "--as-of", AS_OF]].concat(),
            &t.store(),
        );
        let (out, err) = (ok(&o), text(&o.stderr));
        assert!(
            err.contains("warning: NVDA: SHORT 4 UNCOVERED CALLS (naked)"),
            "{cmd:?}: {err}"
        );
        assert!(out.contains("SHORT 4 UNCOVERED CALLS (naked)"), "{out}");
        assert!(!out.contains("no uncovered shares"), "{out}");
    }
}

#[test]
fn coverage_under_one_contract_says_so() {
    let t = Tmp::new();
    let o = run(
        &[
            "suggest",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            AS_OF,
            "--shares",
            "150",
            "--coverage",
            "50%",
        ],
        &t.store(),
    );
    let out = ok(&o);
    assert!(
        out.contains("150 shares × 50 % coverage is under one contract of 100"),
        "{out}"
    );
    assert!(!out.contains("no uncovered shares"), "{out}");
}

// ---- holdings files: share caps, lines, byte-order marks ------------------------------------

#[test]
fn absurd_share_counts_are_refused() {
    let t = Tmp::new();
    for n in ["9223372036854775807", "100000000000000"] {
        let h = t.file(
            "big.toml",
            &format!("[[holding]]\nsymbol = \"NVDA\"\nshares = {n}\n"),
        );
        let o = run(
            &[
                "plan",
                "--holdings",
                &h,
                "--source",
                "demo",
                "--as-of",
                AS_OF,
            ],
            &t.store(),
        );
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{n}: {err}");
        assert!(err.contains("line 3: shares"), "{err}");
        assert!(err.contains("float"), "{err}");
        let o = run(
            &[
                "suggest", "NVDA", "--shares", n, "--source", "demo", "--as-of", AS_OF,
            ],
            &t.store(),
        );
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("float"));
    }
}

#[test]
fn toml_errors_name_the_right_line_and_a_bom_is_toml() {
    let t = Tmp::new();
    let cases = [
        (
            "[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n\n[[holding]]\nsymbol = \"AMD\"\nshares = -5\n",
            "line 7: shares",
        ),
        (
            "[[holding]]\nsymbol = \"NVDA\"\nshares = 300\ncost_basis = nan\n",
            "line 4: cost_basis",
        ),
        (
            "[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n\n[[holding]]\nsymbol = \"NVDA\"\nshares = 5\n",
            "line 6: symbol",
        ),
    ];
    for (content, want) in cases {
        let h = t.file("h.toml", content);
        let o = run(
            &[
                "plan",
                "--holdings",
                &h,
                "--source",
                "demo",
                "--as-of",
                AS_OF,
            ],
            &t.store(),
        );
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(want), "want {want}: {err}");
    }
    let h = t.file(
        "bom.toml",
        "\u{feff}[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n",
    );
    let out = ok(&run(
        &[
            "plan",
            "--holdings",
            &h,
            "--source",
            "demo",
            "--as-of",
            AS_OF,
        ],
        &t.store(),
    ));
    assert!(out.contains("NVDA"), "{out}");
}
