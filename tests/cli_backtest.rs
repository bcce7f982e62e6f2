//! `ccplan backtest` end to end, offline: the demo market, history files as traded (with a
//! split), the store's IV series and archived chains, the output files, usage errors.

use std::path::Path;
use std::process::{Command, Output};

fn ccplan(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("TRADIER_TOKEN")
        .env_remove("POLYGON_API_KEY")
        .env_remove("CCPLAN_SOURCE")
        .env_remove("CCPLAN_HISTORY")
        .output()
        .expect("run ccplan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const DEMO: &[&str] = &[
    "backtest",
    "NVDA",
    "--from",
    "2024-01-02",
    "--to",
    "2025-06-30",
    "--history",
    "demo",
    "--shares",
    "300",
    "--fee",
    "0.65",
];

#[test]
fn demo_run_writes_the_summary_ledger_curve_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let (trades, equity, chart) = (
        dir.path().join("t.csv"),
        dir.path().join("e.csv"),
        dir.path().join("c.svg"),
    );
    let mut args: Vec<&str> = DEMO.to_vec();
    let (t, e, c) = (
        trades.to_str().unwrap(),
        equity.to_str().unwrap(),
        chart.to_str().unwrap(),
    );
    args.extend(["--trades", t, "--equity", e, "--chart", c]);
    let o = ccplan(&store, &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("NVDA bxm 2024-01-02 → 2025-06-30"), "{out}");
    for row in [
        "total return %",
        "annualized volatility %",
        "max drawdown %",
        "sharpe",
        "sortino",
        "premium collected $",
        "upside given away $",
        "assignments",
        "months ahead",
        "synthetic days",
        "reconciliation difference $",
    ] {
        assert!(out.contains(row), "{row}: {out}");
    }
    let ledger = std::fs::read_to_string(&trades).unwrap();
    assert_eq!(
        ledger.lines().next().unwrap(),
        "date,symbol,event,contract,expiry,strike,contracts,deliverable,price,spot,iv,source,\
         shares,cash_flow,fee,note"
    );
    let first = ledger.lines().nth(1).unwrap();
    assert!(
        first.starts_with("2024-01-02,NVDA,sell,NVDA240119C"),
        "{first}"
    );
    assert!(first.contains(",synthetic,"), "{first}");
    let curve = std::fs::read_to_string(&equity).unwrap();
    assert_eq!(
        curve.lines().next().unwrap(),
        "date,strategy,buy_and_hold,cash,stock,calls,option_prices"
    );
    // One row per session: 2024-01-02 … 2025-06-30.
    let sessions = ccplan::providers::calendar::trading_sessions_between(
        chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
    );
    assert_eq!(curve.lines().count(), sessions + 1);
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("buy and hold"));

    // JSON: the whole report, self-describing; the same bytes twice.
    let mut json_args = DEMO.to_vec();
    json_args.extend(["--format", "json", "--rule", "ccplan"]);
    let a = ccplan(&store, &json_args);
    let b = ccplan(&store, &json_args);
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["report"], "backtest");
    assert_eq!(v["params"]["rule"], "ccplan");
    assert!(v["summary"]["strategy"]["sharpe"].is_number());
    assert!(v["equity"].as_array().unwrap().len() == sessions);
    assert!(v["reconciliation"]["difference"].as_f64().unwrap().abs() < 0.005);
    assert!(!v["ledger"].as_array().unwrap().is_empty());

    // CSV: machine names, decimal fractions.
    let mut csv_args = DEMO.to_vec();
    csv_args.extend(["--format", "csv", "--rule", "bxy", "--settle", "cash"]);
    let o = ccplan(&store, &csv_args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("metric,strategy,buy_and_hold\ninitial_value,"),
        "{out}"
    );
    assert!(out.contains("\nreconciliation_difference,0,"), "{out}");
}

/// NVDA's shape around its 4-for-1 split, as traded (no adjustment), with gaps.
fn split_file(dir: &Path) -> std::path::PathBuf {
    let mut s = String::from("# adjustment: none\nDate,Open,High,Low,Close,Volume\n");
    let days = ccplan::providers::calendar::trading_days_between(
        chrono::NaiveDate::from_ymd_opt(2021, 4, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2021, 10, 29).unwrap(),
    );
    let split = chrono::NaiveDate::from_ymd_opt(2021, 7, 20).unwrap();
    for (i, d) in days.iter().enumerate() {
        if i % 37 == 5 {
            continue; // a missing session now and then
        }
        let wiggle = 1.0 + 0.02 * ((i as f64) * 0.7).sin();
        let px = if *d < split { 600.0 } else { 150.0 } * wiggle;
        s.push_str(&format!("{d},{px:.2},{px:.2},{px:.2},{px:.2},1000\n"));
    }
    let p = dir.join("nvda_traded.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn a_history_file_as_traded_with_a_split_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let file = split_file(dir.path());
    let hist = format!("file:{}", file.display());
    let trades = dir.path().join("t.csv");
    let o = ccplan(
        &store,
        &[
            "backtest",
            "NVDA",
            "--from",
            "2021-05-03",
            "--to",
            "2021-10-29",
            "--history",
            &hist,
            "--split",
            "2021-07-20:4",
            "--rule",
            "bxy",
            "--trades",
            trades.to_str().unwrap(),
        ],
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("session(s) missing from the history"), "{err}");
    let ledger = std::fs::read_to_string(&trades).unwrap();
    let split = ledger
        .lines()
        .find(|l| l.contains(",split,"))
        .expect("a split row");
    assert!(split.starts_with("2021-07-20,NVDA,split,"), "{split}");
    // The 600-level call written before the split is not assigned by the 150 close.
    assert!(
        !ledger
            .lines()
            .any(|l| l.starts_with("2021-07-20,NVDA,assign")),
        "{ledger}"
    );
    let out = text(&o.stdout);
    assert!(out.contains("reconciliation difference $"), "{out}");
}

#[test]
fn the_stores_iv_series_and_archived_chains_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    // An IV30 series for the whole range.
    let mut iv = String::from("date,iv30\n");
    for d in ccplan::providers::calendar::trading_days_between(
        chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2024, 6, 28).unwrap(),
    ) {
        iv.push_str(&format!("{d},0.45\n"));
    }
    let iv_file = dir.path().join("iv.csv");
    std::fs::write(&iv_file, iv).unwrap();
    let o = ccplan(
        &store,
        &[
            "history",
            "import",
            iv_file.to_str().unwrap(),
            "--symbol",
            "NVDA",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Demo chains archived (as `--archive` keeps a live one) on 2024-03-18, the session after
    // the March assignment, when the shares are bought back and the April call sold, and on
    // 2024-04-03, when that call is only marked.
    for (month, day) in [(3, 18), (4, 3)] {
        use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter};
        let date = chrono::NaiveDate::from_ymd_opt(2024, month, day).unwrap();
        let as_of = ccplan::pricing::time::close_of(date).fixed_offset();
        let snap = ccplan::providers::demo::Demo::new()
            .chain(&ChainRequest {
                symbol: "NVDA".into(),
                expiries: ExpiryFilter::All,
                as_of,
            })
            .unwrap();
        let mut st = ccplan::store::Store::open(&store).unwrap();
        st.archive_snapshot(&snap).unwrap();
    }
    let o = ccplan(
        &store,
        &[
            "backtest",
            "NVDA",
            "--from",
            "2024-01-02",
            "--to",
            "2024-06-28",
            "--history",
            "demo",
            "--archive",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["holdings"][0]["iv_source"], "IV30 series");
    let real: Vec<&str> = v["days"]["real"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(real, vec!["2024-03-18", "2024-04-03"]);
    // The sale on the archived day is priced from the real chain, with its IV.
    let sale = v["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["date"] == "2024-03-18" && e["event"] == "sell")
        .expect("a sale after the March assignment");
    assert_eq!(sale["source"], "real");
    assert_eq!(sale["expiry"], "2024-04-19");
    let point = v["equity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["date"] == "2024-04-03")
        .unwrap();
    assert_eq!(point["option_prices"], "real");
    // Elsewhere the synthetic market at the series' 45 %.
    let other = v["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["date"] == "2024-01-02" && e["event"] == "sell")
        .unwrap();
    assert_eq!(other["source"], "synthetic");
    let iv = other["iv"].as_f64().unwrap();
    assert!((iv - 0.45).abs() < 0.05, "{iv}");
}

#[test]
fn holdings_file_runs_every_holding() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let holdings = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/holdings.toml");
    let o = ccplan(
        &store,
        &[
            "backtest",
            "--holdings",
            holdings.to_str().unwrap(),
            "--from",
            "2024-01-02",
            "--to",
            "2024-12-31",
            "--history",
            "demo",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = v["holdings"].as_array().unwrap().len();
    assert!(n >= 2, "{n}");
    let sum: f64 = v["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["reconciliation"]["final_equity"].as_f64().unwrap())
        .sum();
    let total = v["reconciliation"]["final_equity"].as_f64().unwrap();
    assert!((sum - total).abs() < 0.01, "{sum} vs {total}");
}

#[test]
fn usage_and_runtime_errors_have_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let base = ["backtest", "NVDA", "--history", "demo"];
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(extra);
        ccplan(&store, &a)
    };
    let o = run(&["--from", "2025-01-02", "--to", "2024-01-02"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let o = run(&[
        "--from",
        "2024-01-02",
        "--to",
        "2024-06-28",
        "--trades",
        "t.txt",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "--from",
        "2024-01-02",
        "--to",
        "2024-06-28",
        "--rule",
        "bxz",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "--from",
        "2024-01-02",
        "--to",
        "2024-06-28",
        "--iv-premium",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // A history file with one usable bar is a runtime error that says why; so is a zero
    // close in a file (the file source names the line).
    let f = dir.path().join("one.csv");
    let hist = format!("file:{}", f.display());
    let args = [
        "backtest",
        "XYZ",
        "--history",
        &hist,
        "--from",
        "2024-01-02",
        "--to",
        "2024-01-31",
    ];
    std::fs::write(&f, "Date,Close\n2024-01-02,10\n").unwrap();
    let o = ccplan(&store, &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("at least two"),
        "{}",
        text(&o.stderr)
    );
    std::fs::write(&f, "Date,Close\n2024-01-02,10\n2024-01-03,0\n").unwrap();
    let o = ccplan(&store, &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("line 3"), "{}", text(&o.stderr));
}

/// A Yahoo `v8/finance/chart` payload as recorded (split-adjusted `close`, total-return
/// `adjclose`, `events` with NVDA's 4:1 split and one dividend), hand-made: not market data.
fn yahoo_chart(dir: &Path) -> std::path::PathBuf {
    let days = ccplan::providers::calendar::trading_days_between(
        chrono::NaiveDate::from_ymd_opt(2021, 4, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2021, 10, 29).unwrap(),
    );
    let mut ts = Vec::new();
    let mut close = Vec::new();
    let mut adj = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let t = d.and_hms_opt(13, 30, 0).unwrap().and_utc().timestamp();
        ts.push(t.to_string());
        let c = 150.0 * (1.0 + 0.002 * i as f64) * (1.0 + 0.02 * (i as f64 * 0.9).sin());
        close.push(format!("{c:.4}"));
        adj.push(format!("{:.4}", c * 0.999));
    }
    let q = close.join(",");
    let body = format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"NVDA","exchangeTimezoneName":"America/New_York","gmtoffset":-14400}},"timestamp":[{}],"events":{{"splits":{{"1626787800":{{"date":1626787800,"numerator":4,"denominator":1,"splitRatio":"4:1"}}}},"dividends":{{"1623245400":{{"amount":0.04,"date":1623245400}}}}}},"indicators":{{"quote":[{{"open":[{q}],"high":[{q}],"low":[{q}],"close":[{q}],"volume":[{}]}}],"adjclose":[{{"adjclose":[{}]}}]}}}}],"error":null}}}}"#,
        ts.join(","),
        vec!["1000"; days.len()].join(","),
        adj.join(",")
    );
    let p = dir.join("chart_NVDA.json");
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn a_recorded_yahoo_chart_brings_its_split_and_dividend_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let chart = yahoo_chart(dir.path());
    let body = std::fs::read_to_string(&chart).unwrap();
    let ev = ccplan::providers::yahoo::parse_chart_events(&body, "NVDA").unwrap();
    assert_eq!(ev.splits.len(), 1);
    assert_eq!(ev.splits[0].date.to_string(), "2021-07-20");
    assert_eq!(ev.splits[0].ratio, 4.0);
    assert_eq!(ev.dividends[0].ex_date.to_string(), "2021-06-09");
    assert_eq!(ev.dividends[0].amount, 0.04);

    let hist = format!("file:{}", chart.display());
    let o = ccplan(
        &store,
        &[
            "backtest",
            "NVDA",
            "--from",
            "2021-05-03",
            "--to",
            "2021-10-29",
            "--history",
            &hist,
            "--shares",
            "400",
            "--rule",
            "bxm",
            "--format",
            "json",
        ],
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("1 split(s) and 1 dividend(s) in the chart's events"),
        "{err}"
    );
    // The chart's prices are adjusted (adjclose): nothing is applied twice.
    assert!(err.contains("already split-adjusted"), "{err}");
    assert!(err.contains("dividend-adjusted"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ledger = v["ledger"].as_array().unwrap();
    assert!(ledger
        .iter()
        .all(|e| e["event"] != "split" && e["event"] != "dividend"));
    assert!(!ledger
        .iter()
        .any(|e| e["date"] == "2021-07-20" && e["event"] == "assign"));
    assert!(v["reconciliation"]["difference"].as_f64().unwrap().abs() < 0.005);
}

/// `--out FILE.html`: one self-contained page with the summary, the equity chart, the real and
/// synthetic day counts and every ledger row of the same run's JSON; nothing fetched.
#[test]
fn the_html_page_carries_the_runs_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let page = dir.path().join("b.html");
    let mut args: Vec<&str> = DEMO.to_vec();
    args.extend(["--format", "json", "--out", page.to_str().unwrap()]);
    let o = ccplan(&store, &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    for banned in ["<script", "<link", "<img", "url(", "http://", "https://"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    assert!(html.contains("Backtest: NVDA covered calls, rule bxm"));
    assert!(
        html.contains("<caption>The strategy against buy-and-hold of the same shares</caption>")
    );
    assert!(
        html.contains("<title>Portfolio value: covered calls against buy-and-hold (USD)</title>")
    );
    let sessions = json["summary"]["sessions"].as_u64().unwrap();
    assert!(html.contains(&sessions.to_string()));
    let synthetic = json["days"]["synthetic"].as_array().unwrap().len();
    assert!(
        html.contains(&format!("synthetic on {synthetic}")),
        "synthetic days {synthetic}"
    );
    let ledger = json["ledger"].as_array().unwrap();
    assert!(!ledger.is_empty());
    // Every sale's contract is in the ledger table.
    let mut sales = 0;
    for e in ledger.iter().filter(|e| e["event"] == "sell") {
        let c = e["contract"].as_str().unwrap();
        assert!(html.contains(c), "{c} missing from the page");
        sales += 1;
    }
    assert!(sales > 10, "{sales} sales");
}
