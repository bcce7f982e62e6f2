//! `ccplan manage` end to end on the demo market (`--as-of` fixed): JSON keys, exit code 3,
//! a watch that stops by itself at the close (replayed clock), --notify and --orders.

use std::path::Path;
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

// Demo NVDA closes at 155.53 on 2026-11-20: the 180 call is far out of the money (cheap),
// the 150 call expiring on the 27th is in the money within the roll window.
const BASE: &[&str] = &["manage", "NVDA", "--source", "demo", "--shares", "100"];

fn args<'a>(more: &[&'a str]) -> Vec<&'a str> {
    BASE.iter().chain(more).copied().collect()
}

#[test]
fn json_has_the_keys_the_issue_names() {
    let dir = tempfile::tempdir().unwrap();
    let o = ccplan(
        &args(&[
            "--written",
            "NVDA261127C00180000@4.10:2026-11-02",
            "--as-of",
            "2026-11-20",
            "--format",
            "json",
        ]),
        &dir.path().join("h.sqlite3"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["as_of"].is_string() && v["parameters"]["take_profit"] == 0.8);
    let p = &v["positions"][0];
    assert_eq!(p["contract"], "NVDA261127C00180000");
    assert_eq!(p["action"], "close");
    assert!(p["reasons"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(p["roll_to"].is_null() && p["net_credit"].is_null());
    let ask = p["ask"].as_f64().unwrap();
    assert_eq!(p["captured"].as_f64(), Some((4.10 - ask) / 4.10));
    assert!(p["p_early_exercise"].is_null());
}

#[test]
fn fail_on_exits_3_and_only_for_the_actions_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let w = [
        "--written",
        "NVDA261127C00180000@4.10",
        "--as-of",
        "2026-11-20",
    ];
    let o = ccplan(
        &args(&[&w[..], &["--fail-on", "close,roll,let_assign"]].concat()),
        &store,
    );
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = ccplan(&args(&[&w[..], &["--fail-on", "roll"]].concat()), &store);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_watch_stops_by_itself_notifies_and_writes_orders() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let note = dir.path().join("notified.txt");
    let orders = dir.path().join("orders.csv");
    let cmd = format!("cat >> '{}'", note.display());
    let o = ccplan(
        &args(&[
            "--written",
            "NVDA261127C00180000@4.10",
            "--as-of",
            "2026-11-20T15:15:00-05:00",
            "--watch",
            "15m",
            "--notify",
            &cmd,
            "--orders",
            orders.to_str().unwrap(),
        ]),
        &store,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    // Checks at 15:15, 15:30, 15:45 and 16:00, then the close.
    assert_eq!(err.matches("wrote ").count(), 4, "{err}");
    assert!(
        err.contains("watch: stopping at the close (2026-11-20 16:00"),
        "{err}"
    );
    // Notified once: the action appeared at the first check and did not change.
    let n = std::fs::read_to_string(&note).unwrap();
    assert_eq!(n.lines().count(), 1, "{n}");
    assert!(n.starts_with("NVDA261127C00180000: close"), "{n}");
    let csv = std::fs::read_to_string(&orders).unwrap();
    let legs = ccplan::export::orders::read_orders_csv(&csv, "orders.csv").unwrap();
    assert_eq!(legs.len(), 1);
    assert_eq!(legs[0].side, ccplan::export::orders::Side::BuyToClose);
}

#[test]
fn plan_writes_orders() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("plan-orders.csv");
    let holdings = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/holdings.toml");
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            holdings.to_str().unwrap(),
            "--source",
            "demo",
            "--as-of",
            "2026-11-20",
            "--orders",
            orders.to_str().unwrap(),
        ],
        &dir.path().join("h.sqlite3"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let legs = ccplan::export::orders::read_orders_csv(
        &std::fs::read_to_string(&orders).unwrap(),
        "plan-orders.csv",
    )
    .unwrap();
    assert!(!legs.is_empty());
    assert!(legs
        .iter()
        .all(|l| l.side == ccplan::export::orders::Side::SellToOpen && l.quantity >= 1));
}
