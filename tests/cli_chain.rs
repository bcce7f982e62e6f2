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

/// `--ex-dividend`/`--dividend`: expiries after the ex-date get American IVs and greeks and say
/// so in the `model` column; earlier ones stay Black-76; a bad amount is a usage error.
#[test]
fn a_known_dividend_makes_later_expiries_american() {
    let run = |expiry: &str, extra: &[&str]| {
        let mut args = vec![
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            "2026-11-26",
            "--format",
            "csv",
            "--expiry",
            expiry,
        ];
        args.extend_from_slice(extra);
        ccplan(&args, &[])
    };
    let div = ["--ex-dividend", "2026-12-21", "--dividend", "0.50"];
    for (expiry, after) in [("2026-12-18", false), ("2027-01-15", true)] {
        let o = run(expiry, &div);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (model, iv, right) = (col("model"), col("iv"), col("right"));
        let plain = text(&run(expiry, &[]).stdout);
        let (mut american, mut rows, mut changed) = (0, 0, 0);
        for (row, plain_row) in out.lines().skip(1).zip(plain.lines().skip(1)) {
            let f: Vec<&str> = row.split(',').collect();
            let g: Vec<&str> = plain_row.split(',').collect();
            assert_eq!(f[0], g[0], "same contracts in the same order");
            assert_eq!(g[model], "black76", "{plain_row}");
            if f[iv].is_empty() {
                continue;
            }
            rows += 1;
            if !after {
                assert_eq!(f[model], "black76", "{row}");
                assert_eq!(f[iv], g[iv], "before the ex-date nothing changes: {row}");
                continue;
            }
            // A price the American model cannot reach falls back to Black-76 and says so:
            // the demo market prices European, so its deep in-the-money puts sit below
            // their exercise value. Its calls are all within reach.
            if f[right] == "C" {
                assert_eq!(f[model], "american", "{row}");
                american += 1;
                if f[iv] != g[iv] {
                    changed += 1;
                }
            } else {
                assert!(["american", "black76"].contains(&f[model]), "{row}");
            }
        }
        assert!(rows > 20, "{expiry}: {rows} rows with an IV");
        if after {
            assert!(american > 40, "{american} of {rows} rows American");
            assert!(changed > 10, "the dividend moves the call IVs: {changed}");
        }
    }
    let o = run(
        "2027-01-15",
        &["--ex-dividend", "2026-12-21", "--dividend=-1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("--dividend"),
        "{}",
        text(&o.stderr)
    );
    // One without the other is refused by clap.
    assert_eq!(
        run("2027-01-15", &["--dividend", "0.5"]).status.code(),
        Some(2)
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
