//! `ccplan chain` end to end: a real-format CBOE payload served from loopback through
//! `CCPLAN_CBOE_URL`, the demo market, saved snapshots replayed with `--source file:`.

mod common;

use std::process::{Command, Output};

use common::{Reply, TestServer};

fn ccplan(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccplan"));
    cmd.args(args)
        // Keep the user's own config and keys out of the test.
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("TRADIER_TOKEN")
        .env_remove("POLYGON_API_KEY")
        .env_remove("CCPLAN_SOURCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run ccplan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn cboe_chain_from_loopback() {
    let server = TestServer::start();
    server.route(
        "/api/global/delayed_quotes/options/KO.json",
        Reply::fixture("cboe/options_KO.json"),
    );
    let url = server.url();
    let o = ccplan(
        &["chain", "KO", "--format", "csv"],
        &[("CCPLAN_CBOE_URL", url.as_str())],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let header = out.lines().next().unwrap();
    assert!(
        header.starts_with("contract,expiry,dte,strike,right,bid,ask,mid"),
        "{header}"
    );
    assert!(out.lines().count() > 10);
    assert!(out.contains("KO"), "{out}");
    assert_eq!(server.hits("/api/global/delayed_quotes/options/KO.json"), 1);
}

#[test]
fn unknown_symbol_is_a_runtime_error() {
    let server = TestServer::start();
    server.route(
        "/api/global/delayed_quotes/options/NOPE.json",
        Reply::status(404),
    );
    let url = server.url();
    let o = ccplan(&["chain", "NOPE"], &[("CCPLAN_CBOE_URL", url.as_str())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("NOPE"), "{}", text(&o.stderr));
}

#[test]
fn demo_chain_saves_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nvda.json");
    let path_s = path.to_str().unwrap();
    let o = ccplan(
        &[
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            "2026-11-26",
            "--format",
            "csv",
            "--save",
            path_s,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let live = text(&o.stdout);
    let file_source = format!("file:{path_s}");
    let o = ccplan(
        &["chain", "NVDA", "--source", &file_source, "--format", "csv"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        live,
        "a saved snapshot replays identically"
    );
}

#[test]
fn tradier_without_token_says_what_to_set() {
    let o = ccplan(&["chain", "PLTR", "--source", "tradier"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("TRADIER_TOKEN"),
        "{}",
        text(&o.stderr)
    );
}

/// `--format json` carries the CSV's rows (same columns, same values at full precision), and
/// `--save` still writes the snapshot form.
#[test]
fn json_rows_are_the_csv_rows_and_save_keeps_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("nvda.json");
    let base = ["chain", "NVDA", "--source", "demo", "--as-of", "2026-11-26"];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let o = ccplan(&args, &[]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let csv = run(&["--format", "csv"]);
    let json = run(&["--format", "json", "--save", saved.to_str().unwrap()]);
    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&json).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for key in [
        "contract",
        "mid",
        "spread",
        "provider_iv",
        "iv",
        "provider_delta",
        "delta",
    ] {
        assert!(header.contains(&key), "{header:?}");
    }
    let csv_rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), csv_rows.len());
    assert!(rows.len() > 100, "{}", rows.len());
    let mut with_iv = 0;
    for (row, cells) in rows.iter().zip(&csv_rows) {
        assert_eq!(row.keys().len(), header.len());
        for (name, cell) in header.iter().zip(cells) {
            let v = &row[*name];
            match v {
                serde_json::Value::Null => assert_eq!(*cell, "", "{name}"),
                serde_json::Value::String(s) => assert_eq!(s, cell, "{name}"),
                serde_json::Value::Number(n) => {
                    let x: f64 = cell.parse().unwrap();
                    assert_eq!(n.as_f64().unwrap(), x, "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        // ccplan's IV beside the provider's: decimals, in a plausible range.
        if let Some(iv) = row["iv"].as_f64() {
            assert!((0.01..3.0).contains(&iv), "{iv}");
            with_iv += 1;
        }
        let c = row["contract"].as_str().unwrap();
        assert!(c.starts_with("NVDA2") && c.len() == 19, "{c}");
    }
    assert!(with_iv * 2 > rows.len(), "{with_iv} of {} rows", rows.len());
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(snapshot["ccplan_snapshot"], 1);
    assert_eq!(
        snapshot["snapshot"]["quotes"].as_array().unwrap().len(),
        rows.len()
    );
}
