//! `suggest`, `plan`, `regime` and `history` end to end on the deterministic demo market
//! (`--as-of` fixed), with insta snapshots of the table, CSV, Markdown and error output.

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

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// CSV with every number rounded to 10 decimal places, so the snapshots hold the values to
/// far better than any display while a last-bit change in the solver does not churn them
/// (the full-precision output itself is checked in `suggest_json_is_reproducible_and_consistent`).
fn rounded_csv(csv: &str) -> String {
    csv.lines()
        .map(|line| {
            line.split(',')
                .map(|f| match f.parse::<f64>() {
                    Ok(v) if f.contains('.') || f.contains('e') => {
                        format!("{}", (v * 1e10).round() / 1e10)
                    }
                    _ => f.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn holdings() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/holdings.toml")
        .display()
        .to_string()
}

const NVDA: &[&str] = &[
    "suggest",
    "NVDA",
    "--source",
    "demo",
    "--as-of",
    "2026-11-20",
    "--shares",
    "300",
    "--cost-basis",
    "118.50",
];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

#[test]
fn suggest_table_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    insta::assert_snapshot!("suggest_nvda_table", ok(&ccplan(NVDA, &store)));
    insta::assert_snapshot!(
        "suggest_nvda_md_explain",
        ok(&ccplan(
            &with(NVDA, &["--format", "md", "--explain", "--dte", "20..30"]),
            &store
        ))
    );
}

#[test]
fn suggest_csv_carries_every_metric() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let csv = ok(&ccplan(&with(NVDA, &["--format", "csv"]), &store));
    insta::assert_snapshot!("suggest_nvda_csv", rounded_csv(&csv));
    let header = csv.lines().next().unwrap();
    for col in [
        "occ",
        "osi",
        "limit_price",
        "premium_yield",
        "premium_yield_annualized",
        "cushion",
        "if_called_return",
        "if_called_annualized",
        "assignment_probability",
        "touch_probability",
        "theta_per_day",
        "gain_if_called",
        "total_premium",
        "edge",
        "score_yield",
        "score_delta",
    ] {
        assert!(
            header.split(',').any(|h| h == col),
            "missing {col}: {header}"
        );
    }
}

#[test]
fn suggest_json_is_reproducible_and_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let a = ok(&ccplan(&with(NVDA, &["--format", "json"]), &store));
    let b = ok(&ccplan(&with(NVDA, &["--format", "json"]), &store));
    assert_eq!(a, b, "same inputs, same output");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["params"]["coverage"], 1.0);
    let s = &v["suggestion"];
    assert_eq!(s["symbol"], "NVDA");
    assert_eq!(s["as_of"], "2026-11-20T16:00:00-05:00");
    let c = &s["candidates"][0];
    // The design's formulas hold on the exported numbers.
    let (spot, strike, p) = (
        c["spot"].as_f64().unwrap(),
        c["strike"].as_f64().unwrap(),
        c["limit_price"].as_f64().unwrap(),
    );
    let m = &c["metrics"];
    let extrinsic = p - (spot - strike).max(0.0);
    assert!((m["premium_yield"].as_f64().unwrap() - extrinsic / spot).abs() < 1e-12);
    assert!((m["cushion"].as_f64().unwrap() - p / spot).abs() < 1e-12);
    assert!((m["if_called_return"].as_f64().unwrap() - (p + strike - spot) / spot).abs() < 1e-12);
    assert!((m["gain_if_called"].as_f64().unwrap() - (strike + p - 118.5)).abs() < 1e-9);
    assert_eq!(c["contracts"], 3);
    assert!(strike >= 118.5, "no strike below the cost basis by default");
    assert!(c["osi"].as_str().unwrap().starts_with("NVDA  "));
    assert!(v["regime"]["verdict"].is_object());
}

#[test]
fn plan_portfolio_views_and_atomic_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let h = holdings();
    let base = [
        "plan",
        "--holdings",
        h.as_str(),
        "--source",
        "demo",
        "--as-of",
        "2026-11-20",
    ];
    insta::assert_snapshot!("plan_table", ok(&ccplan(&base, &store)));
    let out = dir.path().join("plan.csv");
    let out_s = out.to_str().unwrap();
    let csv = ok(&ccplan(
        &with(&base, &["--format", "csv", "--out", out_s]),
        &store,
    ));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), csv);
    insta::assert_snapshot!("plan_csv", rounded_csv(&csv));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&ccplan(&with(&base, &["--format", "json"]), &store))).unwrap();
    let totals = &json["plan"]["totals"];
    let premium: f64 = json["plan"]["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["best"]["total_premium"].as_f64())
        .sum();
    assert!((totals["premium_income"].as_f64().unwrap() - premium).abs() < 1e-6);
    assert_eq!(json["plan"]["stress_total"].as_array().unwrap().len(), 5);
    assert!(json["regimes"]["NVDA"]["verdict"].is_object());
    // PLTR already has one call written: 400 shares cover 4 contracts, 3 are left.
    let pltr = json["plan"]["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["symbol"] == "PLTR")
        .unwrap();
    assert_eq!(pltr["best"]["contracts"], 3);
}

#[test]
fn chart_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let svg = dir.path().join("nvda.svg");
    ok(&ccplan(
        &with(NVDA, &["--chart", svg.to_str().unwrap()]),
        &store,
    ));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"));
    assert!(text.contains("break-even"));
}

#[test]
fn regime_reading() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let args = [
        "regime",
        "NVDA",
        "--source",
        "demo",
        "--as-of",
        "2026-11-20",
    ];
    insta::assert_snapshot!("regime_nvda_table", ok(&ccplan(&args, &store)));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&ccplan(&with(&args, &["--format", "json"]), &store))).unwrap();
    let iv30 = v["iv30"]["iv"].as_f64().unwrap();
    assert!(iv30 > 0.2 && iv30 < 1.0, "{iv30}");
    assert!(v["realized"]["hv20"].as_f64().unwrap() > 0.0);
}

#[test]
fn history_import_show_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let csv = dir.path().join("iv.csv");
    std::fs::write(
        &csv,
        "date,iv30_pct,hv20_pct\n2026-11-16,44.5,40.1\n2026-11-17,46.25,41\n2026-11-18,43,39.5\n",
    )
    .unwrap();
    let out = ok(&ccplan(
        &[
            "history",
            "import",
            csv.to_str().unwrap(),
            "--symbol",
            "nvda",
        ],
        &store,
    ));
    assert!(out.starts_with("imported 3 sessions of NVDA"), "{out}");
    let shown = ok(&ccplan(
        &["history", "show", "NVDA", "--format", "csv"],
        &store,
    ));
    assert!(shown.contains("2026-11-17,0.4625,0.41"), "{shown}");
    let exported = ok(&ccplan(&["history", "export", "NVDA"], &store));
    assert!(exported.starts_with("date,iv30"), "{exported}");
    assert!(exported.contains("2026-11-18,0.43"), "{exported}");
}

#[test]
fn errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "symbol,shares\nNVDA,300\nAMD,lots\n").unwrap();
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            bad.to_str().unwrap(),
            "--source",
            "demo",
        ],
        &store,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).replace(bad.to_str().unwrap(), "BAD.csv");
    insta::assert_snapshot!("plan_bad_holdings_error", err);
    let o = ccplan(&with(NVDA, &["--dte", "60..7"]), &store);
    assert_eq!(o.status.code(), Some(2));
    let o = ccplan(&with(NVDA, &["--coverage", "150%"]), &store);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("coverage"));
}

/// A known dividend: rows whose expiry spans the ex-date carry the ex-date, the dividend, the
/// probability of early exercise and the critical spot, and say their IV is American; rows
/// before it leave those empty; the table grows the same columns.
#[test]
fn suggest_rows_spanning_an_ex_date_carry_the_early_exercise_reading() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let div = [
        "--ex-dividend",
        "2026-12-10",
        "--dividend",
        "0.50",
        "--top",
        "20",
    ];
    let csv = ok(&ccplan(
        &with(NVDA, &with(&div, &["--format", "csv"])),
        &store,
    ));
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (expiry, ex, dv, p, s, model, strike) = (
        col("expiry"),
        col("ex_dividend"),
        col("dividend"),
        col("p_early_exercise"),
        col("critical_spot"),
        col("pricing_model"),
        col("strike"),
    );
    let (mut spanning, mut before) = (0, 0);
    for row in rows {
        let f: Vec<&str> = row.split(',').collect();
        if f[expiry] >= "2026-12-10" {
            spanning += 1;
            assert_eq!(f[ex], "2026-12-10", "{row}");
            assert_eq!(f[dv], "0.5", "{row}");
            assert_eq!(f[model], "american", "{row}");
            let prob: f64 = f[p].parse().unwrap();
            assert!((0.0..0.2).contains(&prob), "{row}");
            // Exercise pays only well above the strike.
            if !f[s].is_empty() {
                let s_star: f64 = f[s].parse().unwrap();
                assert!(s_star > f[strike].parse::<f64>().unwrap(), "{row}");
            }
        } else {
            before += 1;
            assert!(f[ex].is_empty() && f[p].is_empty(), "{row}");
            assert_eq!(f[model], "black76", "{row}");
        }
    }
    assert!(
        spanning > 0 && before > 0,
        "{spanning} spanning, {before} before"
    );
    let table = ok(&ccplan(&with(NVDA, &div), &store));
    assert!(
        table.contains("P(early ex) %") && table.contains("S* $"),
        "{table}"
    );
    assert!(table.contains("P(assign@exp) %"), "{table}");
    let plain = ok(&ccplan(NVDA, &store));
    assert!(!plain.contains("P(early ex)"), "{plain}");
}
