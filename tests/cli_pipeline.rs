//! The per-symbol pipeline seen from the CLI: one rate for the plan and the regime reading.

mod common;

use std::process::Command;

use common::{Reply, TestServer};

/// A chain of calls only (no put-call parity: forwards come from the fallback rate), priced
/// at a flat 40 % vol on a zero-rate forward so `--rate` visibly moves the implied vols.
fn calls_only_chain() -> String {
    let mut s = String::from(
        "# underlying: NVDA\n# spot: 100\n# as_of: 2026-11-16T10:30:00-05:00\n\
         symbol,expiry,strike,right,bid,ask\n",
    );
    for expiry in ["2026-12-11", "2026-12-18", "2027-01-15"] {
        for k in [90, 95, 100, 105, 110] {
            // Intrinsic plus time value: enough for an IV at any of the rates used.
            let mid = (100.0 - f64::from(k)).max(0.0) + 4.0;
            s.push_str(&format!(
                "NVDA,{expiry},{k},call,{:.2},{:.2}\n",
                mid - 0.05,
                mid + 0.05
            ));
        }
    }
    s
}

fn suggest_json(chain: &std::path::Path, store: &std::path::Path, rate: &str) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args([
            "suggest",
            "NVDA",
            "--source",
            &format!("file:{}", chain.display()),
            "--store",
            store.to_str().unwrap(),
            "--format",
            "json",
            "--rate",
            rate,
        ])
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env_remove("CCPLAN_SOURCE")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn rate_reaches_the_regime_reading_too() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("calls.csv");
    std::fs::write(&chain, calls_only_chain()).unwrap();
    let store = dir.path().join("store.db");
    let low = suggest_json(&chain, &store, "0%");
    let high = suggest_json(&chain, &store, "10%");
    let iv30 = |doc: &serde_json::Value| doc["regime"]["iv30"]["iv"].as_f64().unwrap();
    let atm =
        |doc: &serde_json::Value| doc["suggestion"]["forwards"][0]["atm_iv"].as_f64().unwrap();
    // A higher rate raises the fallback forward, so the same call prices are more in the
    // money and imply a lower vol: in the plan's forwards and in the regime's IV30 alike.
    assert!(atm(&high) < atm(&low), "{} vs {}", atm(&high), atm(&low));
    assert!(
        iv30(&high) < iv30(&low),
        "{} vs {}",
        iv30(&high),
        iv30(&low)
    );
}

/// CBOE's published IV30 range is asked of the configured CBOE source; when it cannot be
/// had, the run says so (it used to be dropped in silence) and still plans.
#[test]
fn a_missing_published_range_is_a_warning() {
    let s = TestServer::start();
    let base = "/api/global/delayed_quotes";
    s.route(
        &format!("{base}/options/KO.json"),
        Reply::fixture("cboe/options_KO.json"),
    );
    s.route(
        &format!("{base}/charts/historical/KO.json"),
        Reply::fixture("cboe/charts_historical_KO.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args([
            "suggest",
            "KO",
            "--as-of",
            "2026-03-13T16:30:00-04:00",
            "--store",
            dir.path().join("store.db").to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env("CCPLAN_CBOE_URL", s.url())
        .env_remove("CCPLAN_SOURCE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: no published IV30 range for KO from CBOE"),
        "{stderr}"
    );
    assert_eq!(s.hits(&format!("{base}/historical_data/KO.json")), 1);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("no published IV30 range")),
        "{warnings:?}"
    );
}
