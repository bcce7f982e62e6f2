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

// ---- input caps -----------------------------------------------------------------------------

/// A sparse file of `len` NUL bytes: large to read, nothing on disk.
fn sparse(t: &Tmp, name: &str, len: u64) -> String {
    let p = t.path(name);
    std::fs::File::create(&p).unwrap().set_len(len).unwrap();
    p
}

fn assert_capped(o: &Output, args: &[&str], want_code: i32) {
    let err = text(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(want_code),
        "{args:?}: {}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("limit"),
        "{args:?}: {}",
        &err[..err.len().min(2000)]
    );
    assert!(err.len() < 4000, "{args:?}: {} bytes on stderr", err.len());
    assert!(!err.contains('\0'), "{args:?}: raw NUL bytes on stderr");
    assert!(!err.contains("panicked"));
}

#[test]
fn every_input_read_is_capped() {
    let t = Tmp::new();
    let big = sparse(&t, "big.bin", 200 * 1024 * 1024);
    let nine = sparse(&t, "nine.csv", 9 * 1024 * 1024);
    let sixty_five = sparse(&t, "chain.json", 65 * 1024 * 1024);
    let st = t.store().display().to_string();
    let cases: Vec<(Vec<String>, i32)> = ["/dev/zero", &big]
        .iter()
        .flat_map(|f| {
            let f = f.to_string();
            vec![
                (vec!["plan", "--holdings", &f, "--source", "demo"], 1),
                (
                    vec!["suggest", "NVDA", "--holdings", &f, "--source", "demo"],
                    1,
                ),
                (vec!["price", "--batch", &f], 1),
                (vec!["iv", "--batch", &f, "--keep-going"], 1),
                (
                    vec!["history", "import", &f, "--symbol", "NVDA", "--store", &st],
                    1,
                ),
                (vec!["chain", "NVDA", "--source", &format!("file:{f}")], 1),
                (
                    vec![
                        "regime",
                        "NVDA",
                        "--source",
                        "demo",
                        "--history",
                        &format!("file:{f}"),
                    ],
                    0,
                ),
            ]
            .into_iter()
            .map(|(a, c)| (a.into_iter().map(String::from).collect(), c))
            .collect::<Vec<_>>()
        })
        .chain([
            (
                vec![
                    "plan".into(),
                    "--holdings".into(),
                    nine.clone(),
                    "--source".into(),
                    "demo".into(),
                ],
                1,
            ),
            (vec!["price".into(), "--batch".into(), nine.clone()], 1),
            (
                vec![
                    "chain".into(),
                    "NVDA".into(),
                    "--source".into(),
                    format!("file:{sixty_five}"),
                ],
                1,
            ),
        ])
        .collect();
    for (args, want) in &cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let refs: Vec<&str> = if refs[0] == "price" || refs[0] == "iv" || refs[0] == "history" {
            refs
        } else {
            [&refs[..], &["--as-of", AS_OF]].concat()
        };
        let o = run(&refs, &t.store());
        assert_capped(&o, &refs, *want);
    }
    // Standard input is capped too.
    let mut child = cmd(&["price", "--batch", "-"], &t.store())
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take();
    let o = child.wait_with_output().unwrap();
    assert_capped(&o, &["price", "--batch", "-"], 1);
    // Under the limits, files are read as before.
    let small = t.file("ok.csv", "symbol,shares\nNVDA,300\n");
    ok(&run(
        &[
            "plan",
            "--holdings",
            &small,
            "--source",
            "demo",
            "--as-of",
            AS_OF,
        ],
        &t.store(),
    ));
}

#[test]
fn a_missing_file_states_its_cause_once() {
    let t = Tmp::new();
    let o = run(
        &[
            "plan",
            "--holdings",
            "/nonexistent/h.toml",
            "--source",
            "demo",
        ],
        &t.store(),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("/nonexistent/h.toml"), "{err}");
}

#[test]
fn a_raw_payload_error_does_not_say_payload_twice() {
    let t = Tmp::new();
    let f = t.file("raw.json", "{\"foo\": 1}");
    let o = run(
        &[
            "chain",
            "NVDA",
            "--source",
            &format!("file:{f}"),
            "--as-of",
            AS_OF,
        ],
        &t.store(),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("payload payload"), "{err}");
}

// ---- price/iv batches: the single command's rules, and no silent NaN -------------------------

fn batch(args: &[&str], input: &str, store: &Path) -> Output {
    use std::io::Write;
    let mut child = cmd(args, store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn batch_vol_45_is_refused_like_the_single_command() {
    let t = Tmp::new();
    let single = run(
        &[
            "price", "call", "--spot", "100", "--strike", "100", "--years", "0.5", "--vol", "45",
        ],
        &t.store(),
    );
    assert_eq!(single.status.code(), Some(2));
    let input = "kind,spot,strike,t_years,rate,div_yield,vol\ncall,100,100,0.5,0.04,0,45\ncall,100,100,0.5,0.04,0,0.45\n";
    let o = batch(&["price", "--batch", "-"], input, &t.store());
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("line 2: vol"), "{err}");
    assert!(err.contains("45%"), "{err}");
    let o = batch(
        &["price", "--batch", "-", "--keep-going"],
        input,
        &t.store(),
    );
    let out = ok(&o);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][7], "", "no price at 4 500 % vol");
    assert!(rows[0][17].contains("45%"), "{:?}", rows[0]);
    let price: f64 = rows[1][7].parse().unwrap();
    assert!((price - 13.530332829117134).abs() < 1e-9, "{price}");
    assert_eq!(&rows[1][17], "");
}

#[test]
fn batch_rows_are_finite_or_say_why() {
    let t = Tmp::new();
    let input = "kind,spot,strike,t_years,rate,div_yield,vol\ncall,100,1e-308,0.5,0.04,0,1e-300\n";
    let o = batch(
        &["price", "--batch", "-", "--keep-going"],
        input,
        &t.store(),
    );
    let out = ok(&o);
    for rec in csv::Reader::from_reader(out.as_bytes()).records() {
        let rec = rec.unwrap();
        let outputs: Vec<&str> = (7..13).map(|i| &rec[i]).collect();
        let finite = outputs
            .iter()
            .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite));
        assert!(finite || !rec[17].is_empty(), "{rec:?}");
        assert!(!outputs.iter().any(|v| v.contains("NaN")), "{rec:?}");
    }
    let o = batch(&["price", "--batch", "-"], input, &t.store());
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("line 2"), "{}", text(&o.stderr));
}

// ---- plans with missing data ----------------------------------------------------------------

/// A saved NVDA chain: a `file:` source that has no chain for any other symbol.
fn nvda_snapshot(t: &Tmp) -> String {
    let path = t.path("nvda.json");
    ok(&run(
        &[
            "chain", "NVDA", "--source", "demo", "--as-of", AS_OF, "--save", &path, "--format",
            "csv",
        ],
        &t.store(),
    ));
    format!("file:{path}")
}

#[test]
fn a_plan_with_no_chain_at_all_is_an_error_naming_each_symbol() {
    let t = Tmp::new();
    let src = nvda_snapshot(&t);
    let h = t.file("h.csv", "symbol,shares\nMSFT,100\nAMD,200\n");
    let o = run(&["plan", "--holdings", &h, "--source", &src], &t.store());
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    assert!(err.contains("no holding could be planned"), "{err}");
    for sym in ["MSFT", "AMD"] {
        assert!(
            err.contains(&format!("warning: {sym}: option chain for {sym}")),
            "{err}"
        );
    }
}

#[test]
fn a_partial_plan_says_what_it_lacks_at_the_top_and_exits_4() {
    let t = Tmp::new();
    let src = nvda_snapshot(&t);
    let h = t.file("h.csv", "symbol,shares\nNVDA,300\nMSFT,100\n");
    let o = run(&["plan", "--holdings", &h, "--source", &src], &t.store());
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .starts_with("PARTIAL PLAN: no option chain for MSFT"),
        "{out}"
    );
    assert!(out.contains("NVDA261127C"), "{out}");
    assert!(!out.contains("no option chain given"), "{out}");
    assert!(
        text(&o.stderr).contains("partial plan"),
        "{}",
        text(&o.stderr)
    );
    let o = run(
        &[
            "plan",
            "--holdings",
            &h,
            "--source",
            &src,
            "--format",
            "json",
        ],
        &t.store(),
    );
    assert_eq!(o.status.code(), Some(4));
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["missing"][0]["symbol"], "MSFT");
    assert!(v["missing"][0]["error"].as_str().unwrap().contains("NVDA"));
}

#[test]
fn plan_labels_and_plurals() {
    let t = Tmp::new();
    let h = t.file("one.csv", "symbol,shares\nNVDA,300\n");
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
    let out = ok(&o);
    assert!(out.starts_with("Plan for 1 holding as of"), "{out}");
    assert!(out.contains("IV regime"), "{out}");
    assert!(!out.contains("| premiums"), "{out}");
    let h = example("holdings.toml");
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
    ok(&o);
    let err = text(&o.stderr);
    assert_eq!(
        err.matches("demo market: simulated quotes").count(),
        1,
        "{err}"
    );
}

// ---- --as-of against a snapshot's own instant -----------------------------------------------

#[test]
fn as_of_with_a_saved_snapshot_says_which_instant_is_used() {
    let t = Tmp::new();
    let src = nvda_snapshot(&t);
    let o = run(
        &["suggest", "NVDA", "--source", &src, "--as-of", "2026-12-02"],
        &t.store(),
    );
    let (out, err) = (ok(&o), text(&o.stderr));
    assert!(
        err.contains("warning: NVDA: the saved chain's own instant 2026-11-20T16:00:00-05:00 (demo) is used, not --as-of 2026-12-02T16:00:00-05:00 (8 sessions apart)"),
        "{err}"
    );
    assert!(out.contains("as of 2026-11-20T16:00:00-05:00"), "{out}");
    // Within a session: a note, no warning.
    let o = run(
        &[
            "chain",
            "NVDA",
            "--source",
            &src,
            "--as-of",
            "2026-11-20T10:00:00-05:00",
        ],
        &t.store(),
    );
    ok(&o);
    let err = text(&o.stderr);
    assert!(
        err.contains("note: NVDA: the saved chain's own instant"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    // Without --as-of nothing is said.
    let o = run(&["chain", "NVDA", "--source", &src], &t.store());
    ok(&o);
    assert!(!text(&o.stderr).contains("own instant"));
}

// ---- --this-month late in the month ---------------------------------------------------------

#[test]
fn this_month_late_in_the_month_keeps_the_minimum_dte() {
    let t = Tmp::new();
    let base = [
        "suggest",
        "NVDA",
        "--this-month",
        "--source",
        "demo",
        "--as-of",
        "2026-12-30",
        "--format",
        "json",
        "--top",
        "50",
    ];
    let v: Value = serde_json::from_str(&ok(&run(&base, &t.store()))).unwrap();
    let cands = v["suggestion"]["candidates"].as_array().unwrap();
    assert!(!cands.is_empty());
    for c in cands {
        assert!(c["dte"].as_i64().unwrap() >= 7, "{}", c["occ"]);
    }
    assert!(v["suggestion"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["note"] == "rolled_to_next_month"));
    // The user may lower it.
    let v: Value = serde_json::from_str(&ok(&run(
        &[&base[..], &["--min-dte", "1"]].concat(),
        &t.store(),
    )))
    .unwrap();
    let cands = v["suggestion"]["candidates"].as_array().unwrap();
    assert!(
        cands.iter().all(|c| c["expiry"] == "2026-12-31"),
        "{cands:?}"
    );
}

// ---- extremes in human output ---------------------------------------------------------------

#[test]
fn extremes_are_printed_in_scientific_notation_for_people() {
    let t = Tmp::new();
    let out = ok(&run(
        &[
            "price", "call", "--spot", "1e308", "--strike", "40", "--years", "0.5", "--vol", "20%",
        ],
        &t.store(),
    ));
    let longest_digits = out
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits < 20, "{out}");
    assert!(out.contains("1e308"), "{out}");
    assert!(out.contains("1.000e308"), "{out}");
}

// ---- charts ---------------------------------------------------------------------------------

#[test]
fn charts_say_the_covered_part_draw_the_basis_and_refuse_png() {
    let t = Tmp::new();
    let svg = t.path("pltr.svg");
    let h = example("holdings.toml");
    ok(&run(
        &[
            "suggest",
            "PLTR",
            "--holdings",
            &h,
            "--source",
            "demo",
            "--as-of",
            AS_OF,
            "--chart",
            &svg,
        ],
        &t.store(),
    ));
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.contains("PLTR 300 of 400 sh"), "title");
    assert!(s.contains("cost basis 64.20"), "basis line");
    assert!(s.contains("break-even"));
    // The y axis is money: "$70,000"-style labels.
    assert!(s.contains("$") && s.contains(",000\n"), "money axis");
    // The break-even label is anchored to the left of its line (text-anchor end), the spot's
    // to the right, so the two never overlap.
    let be = s.find("break-even 1").unwrap();
    let tag_start = s[..be].rfind("<text").unwrap();
    assert!(
        s[tag_start..be].contains("text-anchor=\"end\""),
        "{}",
        &s[tag_start..be]
    );
    // PNG is refused before any work, with a clear message; nothing is written.
    let png = t.path("c.png");
    let o = run(
        &[
            "suggest", "NVDA", "--source", "demo", "--as-of", AS_OF, "--chart", &png,
        ],
        &t.store(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("SVG"), "{}", text(&o.stderr));
    assert!(!Path::new(&png).exists());
    let o = run(
        &[
            "plan",
            "--holdings",
            &h,
            "--source",
            "demo",
            "--as-of",
            AS_OF,
            "--chart",
            &png,
        ],
        &t.store(),
    );
    assert_eq!(o.status.code(), Some(2));
}

// ---- help -----------------------------------------------------------------------------------

#[test]
fn every_subcommand_help_has_examples_and_format_lists_its_choices() {
    let t = Tmp::new();
    for sub in [
        vec!["price"],
        vec!["iv"],
        vec!["suggest"],
        vec!["plan"],
        vec!["regime"],
        vec!["chain"],
        vec!["history"],
    ] {
        let out = ok(&run(&[&sub[..], &["--help"]].concat(), &t.store()));
        assert!(out.contains("Examples:\n  ccplan "), "{sub:?}: {out}");
        // `--store` is for the market and history commands: price and iv do not list it.
        let pricing = ["price", "iv"].contains(&sub[0]);
        assert_eq!(out.contains("--store"), !pricing, "{sub:?}: {out}");
        if pricing {
            for form in [vec!["help", sub[0]], vec![sub[0], "-h"]] {
                let other = ok(&run(&form, &t.store()));
                assert!(!other.contains("--store"), "{form:?}: {other}");
            }
        }
        if ["suggest", "plan", "regime", "chain"].contains(&sub[0]) {
            assert!(
                out.contains("table")
                    && out.contains("csv")
                    && out.contains("json")
                    && out.contains("md"),
                "{out}"
            );
            assert!(
                out.contains("Possible values") || out.contains("possible values"),
                "{sub:?}: {out}"
            );
        }
    }
    let o = run(
        &[
            "price", "--store", "x", "call", "--spot", "1", "--strike", "1", "--years", "1",
            "--vol", "0.2",
        ],
        &t.store(),
    );
    assert_eq!(o.status.code(), Some(2));
    // Aliases still work.
    ok(&run(
        &[
            "chain", "NVDA", "--source", "demo", "--as-of", AS_OF, "--format", "markdown",
        ],
        &t.store(),
    ));
}
