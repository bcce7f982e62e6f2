//! `--out FILE.html` end to end on the demo market (`--as-of` fixed), without a browser: the
//! page carries the same numbers as the JSON output of the same run, is self-contained (no
//! script, stylesheet, font, image or URL of any kind), and is accessible (captions, header
//! scopes, chart titles). `browser_report.rs` renders it in Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Datelike, NaiveDate, Weekday};

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

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Nothing on the page can make a browser fetch anything.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    for banned in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "http:",
        "https:", "src=", "href=",
    ] {
        assert!(!html.contains(banned), "the page contains {banned:?}");
    }
    assert!(html.contains("@media print"));
    assert!(html.contains("prefers-color-scheme: dark"));
    assert!(html.contains("name=\"viewport\""));
}

/// Every table has a caption and column headers with a scope; every chart has a title.
fn assert_accessible(html: &str) {
    let tables = html.matches("<table>").count();
    assert!(tables > 0);
    assert_eq!(
        html.matches("<caption>").count(),
        tables,
        "a caption per table"
    );
    assert!(!html.contains("<th>"), "every header cell has a scope");
    let svgs = html.matches("<svg ").count();
    assert_eq!(
        html.matches("role=\"img\" aria-label=\"").count(),
        svgs,
        "an aria-label per chart"
    );
    assert_eq!(
        html.matches("<title>").count(),
        svgs + 1,
        "a title per chart and the page"
    );
}

fn money(v: f64) -> String {
    ccplan::export::money(v)
}

fn pct1(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

#[test]
fn plan_page_carries_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let page = dir.path().join("plan.html");
    let holdings = example("holdings.toml");
    let json = ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "plan",
            "--holdings",
            &holdings,
            "--source",
            "demo",
            "--format",
            "json",
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    ));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let html = read(&page);
    assert_self_contained(&html);
    assert_accessible(&html);
    assert!(html.contains("<title>Covered-call plan</title>"));
    assert!(
        html.contains("2026-11-20T16:00:00-05:00"),
        "the as-of instant"
    );
    assert!(
        html.contains("<dt>option chains</dt><dd>demo</dd>"),
        "the source"
    );
    let plan = &doc["plan"];
    let holdings = plan["holdings"].as_array().unwrap();
    assert_eq!(holdings.len(), 8);
    for h in holdings {
        let sym = h["symbol"].as_str().unwrap();
        let best = &h["best"];
        let occ = best["occ"].as_str().unwrap();
        // In the plan table, in its section heading, and in the payoff chart's title.
        assert!(html.matches(occ).count() >= 3, "{occ}");
        assert!(html.contains(&format!("id=\"holding-{sym}\"")));
        // The limit price with its unit column, and the per-holding charts.
        let limit = format!("{:.2}", best["limit_price"].as_f64().unwrap());
        assert!(
            html.contains(&format!("<td class=\"num\">{limit}</td>")),
            "{sym} {limit}"
        );
        for title in [
            format!("Payoff at expiry: {sym} covered vs the stock alone"),
            format!("{sym} smile, {} (", best["expiry"].as_str().unwrap()),
            format!("{sym} term structure: ATM IV by expiry, IV30 marked"),
        ] {
            assert!(
                html.contains(&format!("<title>{title}")),
                "missing chart {title}"
            );
        }
        let strike = best["strike"].as_f64().unwrap();
        assert!(
            html.contains(&format!("chosen strike {strike:.2}")),
            "{sym}"
        );
        // No store: the page says the IV history is missing rather than drawing nothing.
        assert!(html.contains(&format!("No stored IV history for {sym}")));
        // The regime verdict.
        let class = doc["regimes"][sym]["verdict"]["premiums"].as_str().unwrap();
        assert!(html.contains(&format!("<span class=\"verdict {class}\">{class}</span>")));
    }
    let totals = &plan["totals"];
    assert!(html.contains(&format!(
        "{} USD",
        money(totals["premium_income"].as_f64().unwrap())
    )));
    assert!(html.contains(&format!(
        "{} USD",
        money(totals["capital_covered"].as_f64().unwrap())
    )));
    // The stress table, row by row, and its chart.
    for row in plan["stress_total"].as_array().unwrap() {
        let with = row["value_with_calls"].as_f64().unwrap();
        let without = row["value_without_calls"].as_f64().unwrap();
        assert!(html.contains(&format!(
            "<td class=\"num\">{without:.0}</td><td class=\"num\">{with:.0}</td>"
        )));
    }
    assert!(html.contains("<title>Value at expiry by move, with and without the calls"));
    // Parameters: every one the run used.
    assert!(html.contains("<th scope=\"row\">min open interest</th>"));
}

/// Weekday sessions before `end`, newest last.
fn sessions(end: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = end;
    while out.len() < n {
        d = d.pred_opt().unwrap();
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
    }
    out.reverse();
    out
}

#[test]
fn iv_history_with_rank_and_percentile_when_the_store_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    // 80 sessions cycling through ten levels from 30 % to 55 %.
    let days = sessions(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), 80);
    let levels: Vec<f64> = (0..days.len())
        .map(|i| 0.30 + 0.25 * (i % 10) as f64 / 9.0)
        .collect();
    let mut csv = String::from("date,iv30\n");
    for (d, v) in days.iter().zip(&levels) {
        csv.push_str(&format!("{d},{v}\n"));
    }
    let file: PathBuf = dir.path().join("iv.csv");
    std::fs::write(&file, csv).unwrap();
    ok(&ccplan(
        &[
            "history",
            "import",
            file.to_str().unwrap(),
            "--symbol",
            "NVDA",
        ],
        &store,
    ));
    let page = dir.path().join("nvda.html");
    let json = ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "suggest",
            "NVDA",
            "--source",
            "demo",
            "--shares",
            "300",
            "--explain",
            "--no-record",
            "--format",
            "json",
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    ));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let html = read(&page);
    assert_self_contained(&html);
    assert_accessible(&html);
    // The rank and percentile computed here from the sessions written, against the page.
    let iv = doc["regime"]["iv30"]["iv"].as_f64().unwrap();
    let (lo, hi) = (0.30, 0.55);
    let rank = (iv - lo) / (hi - lo);
    let below = levels.iter().filter(|v| **v < iv).count() as f64 / levels.len() as f64;
    assert!(
        html.contains(&format!(
            "<title>NVDA IV30 history: rank {}, percentile {}</title>",
            pct1(rank),
            pct1(below)
        )),
        "rank {rank} percentile {below}"
    );
    assert!(html.contains("80 stored sessions; range 30.0 %–55.0 % (local history)"));
    assert!(!html.contains("No stored IV history"));
    // The suggestion's own content: every candidate, and the rejected strikes (--explain).
    for c in doc["suggestion"]["candidates"].as_array().unwrap() {
        let (occ, why) = (c["occ"].as_str().unwrap(), c["why"].as_str().unwrap());
        assert!(
            html.contains(&format!("<li><span class=\"occ\">{occ}</span> — {why}")),
            "{occ}: {why}"
        );
    }
    assert_eq!(
        html.matches("<caption>Calls that pass the filters, best first</caption>")
            .count(),
        1,
        "the ranked table once"
    );
    assert!(!html.contains("the ranked calls</caption>"));
    assert!(html.contains("<caption>Strikes rejected, with every reason</caption>"));
}

#[test]
fn regime_and_manage_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let page = dir.path().join("regime.html");
    let json = ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "regime",
            "NVDA",
            "--source",
            "demo",
            "--format",
            "json",
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    ));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let html = read(&page);
    assert_self_contained(&html);
    assert_accessible(&html);
    assert!(html.contains("<title>IV regime: NVDA</title>"));
    let iv30 = doc["iv30"]["iv"].as_f64().unwrap();
    assert!(html.contains(&format!("IV30 {:.1} %", iv30 * 100.0)));
    for reason in doc["verdict"]["reasons"].as_array().unwrap() {
        assert!(html.contains(reason.as_str().unwrap()), "{reason}");
    }
    assert!(html.contains("<title>NVDA term structure"));
    assert!(html.contains("<caption>NVDA: term structure</caption>"));

    let page = dir.path().join("manage.html");
    let written = example("written.toml");
    let json = ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "manage",
            "--holdings",
            &written,
            "--source",
            "demo",
            "--format",
            "json",
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    ));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let html = read(&page);
    assert_self_contained(&html);
    assert!(html.contains("<title>Written calls</title>"));
    let positions = doc["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 3);
    for p in positions {
        let contract = p["contract"].as_str().unwrap();
        let action = p["action"].as_str().unwrap();
        assert!(
            html.contains(&format!("<span class=\"occ\">{contract}</span> — {action}")),
            "{contract} {action}"
        );
        for r in p["reasons"].as_array().unwrap() {
            assert!(html.contains(r.as_str().unwrap()), "{r}");
        }
    }
}

#[test]
fn an_html_out_into_a_missing_directory_fails_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let page = dir.path().join("no/such/dir/plan.html");
    let o = ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "regime",
            "NVDA",
            "--source",
            "demo",
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("writing the report"), "{err}");
    assert!(err.contains("plan.html"), "{err}");
}

#[test]
fn a_partial_plan_page_names_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    // A saved NVDA chain is a `file:` source with no chain for MSFT.
    let snap = dir.path().join("nvda.json");
    ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--save",
            snap.to_str().unwrap(),
            "--format",
            "csv",
        ],
        &store,
    ));
    let holdings = dir.path().join("h.csv");
    std::fs::write(&holdings, "symbol,shares\nNVDA,300\nMSFT,100\n").unwrap();
    let page = dir.path().join("partial.html");
    let o = ccplan(
        &[
            "plan",
            "--holdings",
            holdings.to_str().unwrap(),
            "--source",
            &format!("file:{}", snap.display()),
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    );
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = read(&page);
    assert_self_contained(&html);
    assert!(html.contains(
        "<h2>Partial plan</h2><p>No option chain for MSFT; the totals leave them out.</p>"
    ));
    assert!(html.contains("id=\"holding-MSFT\""));
    assert!(
        html.contains("No option chain: "),
        "the cause, in MSFT's section"
    );
    assert!(html.contains("NVDA261127C"), "NVDA is planned");
}

#[test]
fn a_manage_page_carries_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let snap = dir.path().join("nvda.json");
    ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--save",
            snap.to_str().unwrap(),
            "--format",
            "csv",
        ],
        &store,
    ));
    let page = dir.path().join("manage.html");
    let written = example("written.toml");
    ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "manage",
            "--holdings",
            &written,
            "--source",
            &format!("file:{}", snap.display()),
            "--out",
            page.to_str().unwrap(),
        ],
        &store,
    ));
    let html = read(&page);
    assert_self_contained(&html);
    // MSFT's call cannot be priced from an NVDA chain: the page says so at the top.
    let warnings = html
        .split("<section class=\"warnings\"><h2>Warnings</h2>")
        .nth(1)
        .expect("a warnings section");
    assert!(
        warnings.starts_with("<ul><li>MSFT: option chain for MSFT from file"),
        "{}",
        &warnings[..200.min(warnings.len())]
    );
    assert!(html.contains("NVDA261127C00180000"));
}

#[test]
fn regime_out_writes_the_text_formats_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let md = dir.path().join("nvda.md");
    let csv = ok(&ccplan(
        &[
            "--as-of",
            "2026-11-20",
            "regime",
            "NVDA",
            "--source",
            "demo",
            "--format",
            "csv",
            "--out",
            md.to_str().unwrap(),
        ],
        &store,
    ));
    assert!(csv.starts_with("reading,value,unit,note\n"), "{csv}");
    let text = read(&md);
    assert!(
        text.starts_with("# IV regime: NVDA\n\nNVDA 2026-11-20: premiums "),
        "{text}"
    );
    assert!(text.contains("\n## term structure\n"));
}
