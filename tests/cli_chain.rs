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
