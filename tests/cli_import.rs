//! `holdings import`, broker exports behind `--holdings`, `journal import|add|show` and
//! `income`, end to end through the binary (demo market, `--as-of` fixed, a temporary store).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ccplan(args: &[&str], store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(args)
        .arg("--store")
        .arg(store)
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("CCPLAN_SOURCE")
        .env_remove("CCPLAN_HISTORY")
        .env_remove("CCPLAN_RATE")
        .output()
        .expect("run ccplan")
}

fn ok(o: &Output) -> (String, String) {
    assert!(
        o.status.success(),
        "exit {:?}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn fx(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/brokers")
        .join(name)
        .display()
        .to_string()
}

fn store(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("store.sqlite3")
}

#[test]
fn holdings_import_writes_toml_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("my.toml");
    let o = ccplan(
        &[
            "holdings",
            "import",
            &fx("fidelity_positions.csv"),
            "--out",
            out.to_str().unwrap(),
        ],
        &store(&dir),
    );
    let (stdout, stderr) = ok(&o);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("2 accounts summed"), "{stderr}");
    assert!(stderr.contains("ignored: line 5: FXAIX"), "{stderr}");
    assert!(stderr.contains("wrote 2 holdings to"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let p = ccplan::model::parse_holdings(&text, "my.toml").unwrap();
    assert_eq!(p.holdings[0].symbol, "NVDA");
    assert_eq!(p.holdings[0].shares, 400);
    assert_eq!(p.holdings[0].written[0].contracts, 2);
    // The TOML then serves as --holdings like any other.
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            out.to_str().unwrap(),
            "--source",
            "demo",
            "--as-of",
            "2025-12-05",
        ],
        &store(&dir),
    );
    assert!(ok(&o).0.contains("NVDA"));

    // One account, to standard output.
    let o = ccplan(
        &[
            "holdings",
            "import",
            &fx("fidelity_positions.csv"),
            "--account",
            "roth",
        ],
        &store(&dir),
    );
    let (stdout, _) = ok(&o);
    assert!(
        stdout.contains("shares = 100\ncost_basis = 90.0"),
        "{stdout}"
    );
    assert!(stdout.contains("# account: roth"), "{stdout}");
}

#[test]
fn broker_exports_feed_plan_and_suggest() {
    let dir = tempfile::tempdir().unwrap();
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            &fx("ibkr_activity.csv"),
            "--source",
            "demo",
            "--as-of",
            "2025-12-05",
            "--format",
            "csv",
        ],
        &store(&dir),
    );
    let (stdout, stderr) = ok(&o);
    assert!(stdout.lines().any(|l| l.starts_with("NVDA,")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("AMD,")), "{stdout}");
    assert!(stderr.contains("currency EUR"), "{stderr}");
    let o = ccplan(
        &[
            "suggest",
            "NVDA",
            "--holdings",
            &fx("schwab_all_accounts.csv"),
            "--account",
            "123",
            "--source",
            "demo",
            "--as-of",
            "2025-12-05",
        ],
        &store(&dir),
    );
    let (stdout, _) = ok(&o);
    assert!(stdout.contains("NVDA"), "{stdout}");
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            &fx("schwab_all_accounts.csv"),
            "--account",
            "joint",
            "--source",
            "demo",
        ],
        &store(&dir),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("accounts: Individual ...123; Roth IRA ...456"),
        "{err}"
    );
}

#[test]
fn unknown_holdings_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("prices.csv");
    std::fs::write(&f, "Date,Close\n2025-12-01,1\n").unwrap();
    let o = ccplan(&["holdings", "import", f.to_str().unwrap()], &store(&dir));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not a holdings file ccplan recognizes"),
        "{err}"
    );
    assert!(
        err.contains("schwab positions, fidelity positions"),
        "{err}"
    );
}

#[test]
fn journal_and_income() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let o = ccplan(&["journal", "import", &fx("schwab_transactions.csv")], &s);
    let (stdout, stderr) = ok(&o);
    assert!(stdout.contains("6 added, 0 already"), "{stdout}");
    assert!(stderr.contains("long option trade"), "{stderr}");
    let o = ccplan(&["journal", "import", &fx("schwab_transactions.csv")], &s);
    assert!(ok(&o).0.contains("0 added, 6 already"));

    let o = ccplan(
        &[
            "income",
            "--by",
            "symbol",
            "--format",
            "csv",
            "--as-of",
            "2025-12-05",
        ],
        &s,
    );
    let (csv, stderr) = ok(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "group,contracts_sold,premium_collected,paid_back,fees,net,realized_gain_on_assignments,assignments,expired,bought_back,open,capital_covered,annualized_yield"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("AMD,1,500,0,0.66,499.34,0,1,0,0,0,26000,"),
        "{csv}"
    );
    assert!(lines[3].starts_with("total,5,2020,120,"), "{csv}");
    assert!(stderr.contains("no cost basis"), "{stderr}");

    // A sale by hand, and JSON with the total.
    let o = ccplan(
        &[
            "journal",
            "add",
            "--action",
            "sell-to-open",
            "--contract",
            "NVDA 01/16/2026 200.00 C",
            "--contracts",
            "1",
            "--price",
            "2.50",
            "--fees",
            "0.66",
            "--date",
            "2025-12-04",
        ],
        &s,
    );
    assert!(ok(&o)
        .0
        .contains("added sell-to-open 1 × NVDA260116C00200000 at 2.50 on 2025-12-04"));
    let out = dir.path().join("income.json");
    let o = ccplan(
        &[
            "income",
            "--by",
            "month",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2025-12-05",
        ],
        &s,
    );
    let (stdout, _) = ok(&o);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["by"], "month");
    assert_eq!(v["rows"][1]["group"], "2025-12");
    assert_eq!(v["total"]["contracts_sold"], 6);
    let net = v["total"]["net"].as_f64().unwrap();
    assert!((net - (1896.04 + 250.0 - 0.66)).abs() < 1e-9, "{net}");
    let from_file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(from_file, v);

    let o = ccplan(&["journal", "show", "--format", "csv"], &s);
    let (csv, _) = ok(&o);
    assert_eq!(csv.lines().count(), 8, "{csv}");
    assert!(csv.starts_with("date,account,contract,action,contracts,price,fees,cash_flow,source\n"));

    // Mistakes in how journal add is called are usage errors.
    let o = ccplan(
        &[
            "journal",
            "add",
            "--action",
            "sell-to-open",
            "--contract",
            "NVDA260116C00200000",
        ],
        &s,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs its price"));
    let o = ccplan(
        &[
            "journal",
            "add",
            "--action",
            "sold",
            "--contract",
            "NVDA",
            "--price",
            "1",
        ],
        &s,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = ccplan(
        &[
            "journal",
            "add",
            "--action",
            "rolled",
            "--contract",
            "NVDA260116C00200000",
        ],
        &s,
    );
    assert_eq!(o.status.code(), Some(2));
}
