//! What every command prints, whatever the command: no Rust Debug forms (`Some(…)`,
//! `Balanced`, `Bid`, struct dumps) reach a user, the CSV headers are the documented column
//! lists with every row as long as its header, and every Markdown table row has as many cells
//! as its header. Runs on the deterministic demo market with a fixed `--as-of`.

use std::path::Path;
use std::process::{Command, Output};

fn ccplan(args: &[&str], store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(args)
        .arg("--store")
        .arg(store)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("CCPLAN_SOURCE")
        .env_remove("CCPLAN_HISTORY")
        .env_remove("CCPLAN_RATE")
        .env_remove("CCPLAN_DIV_YIELD")
        .output()
        .expect("run ccplan")
}

/// stdout and stderr of a run that must succeed.
fn run(args: &[&str], store: &Path) -> (String, String) {
    let o = ccplan(args, store);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        o.status.success(),
        "ccplan {args:?}: exit {:?}\n{err}",
        o.status.code()
    );
    (String::from_utf8_lossy(&o.stdout).into_owned(), err)
}

const DEMO: &[&str] = &["--source", "demo", "--as-of", "2026-11-20"];

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
}

/// The market commands, each in the given format.
fn market_commands(format: &str) -> Vec<Vec<String>> {
    let f = ["--format", format];
    let mut v = vec![
        with(&["suggest", "NVDA", "--shares", "300", "--explain"], DEMO),
        with(
            &[
                "suggest",
                "NVDA",
                "--expiry",
                "2027-01-15",
                "--ex-dividend",
                "2026-12-21",
                "--dividend",
                "0.50",
            ],
            DEMO,
        ),
        with(&["plan", "--holdings", "examples/holdings.toml"], DEMO),
        with(&["regime", "NVDA"], DEMO),
        with(&["chain", "NVDA", "--expiry", "2026-12-18"], DEMO),
        with(&["manage", "--holdings", "examples/written.toml"], DEMO),
        with(
            &[
                "backtest",
                "NVDA",
                "--from",
                "2024-01-02",
                "--to",
                "2024-12-31",
                "--history",
                "demo",
            ],
            &[],
        ),
    ];
    for c in &mut v {
        c.extend(f.iter().map(|s| s.to_string()));
    }
    v
}

/// Words that are the Debug form of one of ccplan's enums (or of `Option`/`Result`); none of
/// them is a word ccplan writes in its own prose.
const DEBUG_WORDS: &[&str] = &[
    "Some",
    "None",
    "Ok",
    "Err",
    "Balanced",
    "Conservative",
    "Aggressive",
    "Bid",
    "Mid",
    "Rich",
    "Normal",
    "Thin",
    "Call",
    "Put",
    "Hold",
    "TakeProfit",
    "LetAssign",
    "Roll",
    "BuyToClose",
    "SellToOpen",
    "Expired",
    "Assigned",
    "Black76",
    "Exclude",
    "Exact",
    "Interpolated",
    "LocalHistory",
    "PublishedRange",
    "Backwardation",
    "EarningsAhead",
    "IvBelowRealized",
];

/// The Debug shapes found in `text`: enum variant names as words, `Some(`, and struct dumps
/// (`Name { field: …`).
fn debug_shapes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for w in words {
        if DEBUG_WORDS.contains(&w) && !found.iter().any(|f| f == w) {
            found.push(w.to_string());
        }
    }
    // `Ident { ident:` — a derived Debug of a struct.
    for (i, _) in text.match_indices(" { ") {
        let before = text[..i]
            .rsplit(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let after: String = text[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let colon = text[i + 3 + after.len()..].starts_with(':');
        if before.starts_with(|c: char| c.is_ascii_uppercase()) && !after.is_empty() && colon {
            found.push(format!("{before} {{ {after}:"));
        }
    }
    found
}

#[test]
fn the_shape_detector_finds_debug_forms() {
    assert_eq!(
        debug_shapes("profile Balanced; premium on the Bid"),
        ["Balanced", "Bid"]
    );
    assert_eq!(debug_shapes("spot Some(155.5)"), ["Some"]);
    assert_eq!(debug_shapes("got Quote { bid: 1.0 }"), ["Quote { bid:"]);
    assert!(debug_shapes("profile balanced; premium on the bid; — none —").is_empty());
}

#[test]
fn no_debug_form_reaches_a_user() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let mut runs = 0;
    for format in ["table", "md", "csv", "json"] {
        for cmd in market_commands(format) {
            let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            let (out, err) = run(&args, &store);
            assert!(!out.trim().is_empty(), "ccplan {args:?} printed nothing");
            for (stream, text) in [("stdout", &out), ("stderr", &err)] {
                let shapes = debug_shapes(text);
                assert!(
                    shapes.is_empty(),
                    "ccplan {args:?} {stream} shows Debug forms {shapes:?}:\n{text}"
                );
            }
            runs += 1;
        }
    }
    // Errors and usage messages too.
    for args in [
        &["suggest", "NVDA", "--source", "demo", "--dte", "60..7"][..],
        &[
            "price", "call", "--spot", "42", "--strike", "40", "--years", "0.5", "--vol", "x",
        ],
        &[
            "plan",
            "--holdings",
            "/nonexistent/h.toml",
            "--source",
            "demo",
        ],
    ] {
        let o = ccplan(args, &store);
        assert!(!o.status.success(), "ccplan {args:?} should fail");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("error"), "{err}");
        let shapes = debug_shapes(&err);
        assert!(shapes.is_empty(), "ccplan {args:?}: {shapes:?}\n{err}");
        runs += 1;
    }
    assert_eq!(runs, 4 * 7 + 3);
}

/// The header and records of a CSV output, every record as long as the header.
fn csv_table(args: &[&str], store: &Path) -> (Vec<String>, usize) {
    let (out, _) = run(args, store);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(
            rec.len(),
            header.len(),
            "ccplan {args:?}: a row of {} fields under a header of {}",
            rec.len(),
            header.len()
        );
        rows += 1;
    }
    (header, rows)
}

#[test]
fn csv_headers_are_the_column_lists_and_rows_fill_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let candidate = "symbol,rank,occ,osi,expiry,dte,strike,contracts,basis,limit_price,bid,ask,\
        open_interest,volume,spot,forward,iv,extrinsic,premium_yield,premium_yield_annualized,\
        cushion,break_even,if_called_return,if_called_annualized,assignment_probability,\
        ex_dividend,dividend,p_early_exercise,critical_spot,pricing_model,delta,\
        touch_probability,theta_per_day,gain_if_called,total_premium,realized_vol,edge,score,\
        score_yield,score_cushion,score_assignment,score_delta,flags,why";
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&["suggest", "NVDA", "--format", "csv"], DEMO),
            candidate,
        ),
        (
            with(
                &[
                    "plan",
                    "--holdings",
                    "examples/holdings.toml",
                    "--format",
                    "csv",
                ],
                DEMO,
            ),
            candidate,
        ),
        (
            with(
                &["chain", "NVDA", "--expiry", "2026-12-18", "--format", "csv"],
                DEMO,
            ),
            "contract,expiry,dte,strike,right,bid,ask,mid,spread,volume,open_interest,\
             provider_iv,iv,provider_delta,delta,model",
        ),
        (
            with(
                &[
                    "manage",
                    "--holdings",
                    "examples/written.toml",
                    "--format",
                    "csv",
                ],
                DEMO,
            ),
            "symbol,contract,osi,contracts,action,roll_to,net_credit,limit,captured,\
             p_early_exercise,early_exercise_likely,early_model,ex_date,dividend,critical_spot,\
             spot,strike,expiry,dte,bid,ask,mid,delta,moneyness,extrinsic,extrinsic_per_day,\
             assignment_probability,open_price,opened,pnl_if_closed,pnl_if_assigned,\
             days_to_earnings,reasons",
        ),
        (
            with(&["regime", "NVDA", "--format", "csv"], DEMO),
            "reading,value,unit,note",
        ),
        (
            with(
                &[
                    "backtest",
                    "NVDA",
                    "--from",
                    "2024-01-02",
                    "--to",
                    "2024-12-31",
                    "--history",
                    "demo",
                    "--format",
                    "csv",
                ],
                &[],
            ),
            "metric,strategy,buy_and_hold",
        ),
    ];
    for (cmd, want) in cases {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let (header, rows) = csv_table(&args, &store);
        assert_eq!(header.join(","), want, "ccplan {args:?}");
        assert!(rows > 0, "ccplan {args:?} wrote no rows");
    }
}

#[test]
fn markdown_rows_have_as_many_cells_as_their_header() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let cells = |line: &str| line.replace("\\|", "").matches('|').count() - 1;
    let mut tables = 0;
    for cmd in market_commands("md") {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let (out, _) = run(&args, &store);
        let mut header: Option<usize> = None;
        for line in out.lines() {
            if !line.starts_with('|') {
                header = None;
                continue;
            }
            match header {
                None => {
                    header = Some(cells(line));
                    tables += 1;
                }
                Some(n) => assert_eq!(cells(line), n, "ccplan {args:?}: {line}"),
            }
        }
    }
    // suggest (candidates, rejected) ×1, suggest across an ex-date, plan, regime (3),
    // chain, manage (positions, rolls…), backtest: at least ten tables were checked.
    assert!(tables >= 10, "{tables} tables");
}
