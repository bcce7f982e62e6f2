//! Yahoo: parsers on the fixtures (UTC expiry epochs, off-hours junk, nulls in charts) and
//! the cookie + crumb flow end to end on loopback.

mod common;

use ccplan::model::Adjustment;
use ccplan::providers::yahoo::{self, is_placeholder_iv, yahoo_symbol, Yahoo};
use ccplan::providers::{ChainSource, ExpiryFilter, HistorySource};
use ccplan::Error;
use common::{d, fast_config, fixture, request, Reply, TestServer};

#[test]
fn symbols() {
    assert_eq!(yahoo_symbol("SPX"), "^SPX");
    assert_eq!(yahoo_symbol("_VIX"), "^VIX");
    assert_eq!(yahoo_symbol("^RUT"), "^RUT");
    assert_eq!(yahoo_symbol("brk.b"), "BRK-B");
    assert_eq!(yahoo_symbol("KO"), "KO");
}

#[test]
fn placeholder_ivs() {
    for iv in [
        1.0000000000000003e-05,
        0.500005,
        0.2500075,
        0.12500875,
        0.062509375,
        0.0312596875,
        0.015634843750000002,
        0.007822421875,
        0.5,
        0.25,
        0.125,
        0.0625,
        0.03125,
        0.0,
        -0.1,
        0.02,
        f64::NAN,
    ] {
        assert!(is_placeholder_iv(iv), "{iv}");
    }
    for iv in [0.2001234, 0.35, 0.4619194433593, 3.58593853515625, 0.021] {
        assert!(!is_placeholder_iv(iv), "{iv}");
    }
}

#[test]
fn regular_chain() {
    let c = yahoo::parse_chain(&fixture("yahoo/options_KO.json"), "KO").unwrap();
    assert_eq!(c.source, "yahoo");
    assert_eq!(c.underlying.symbol, "KO");
    assert_eq!(c.underlying.last, 62.4);
    assert_eq!(c.underlying.bid, Some(62.38));
    // regularMarketTime 2026-03-13 20:00:01 UTC in New York.
    assert_eq!(c.as_of.to_rfc3339(), "2026-03-13T16:00:01-04:00");
    // Expiry epoch 1773964800 is 2026-03-20 00:00 UTC: the date in UTC, not local time.
    assert_eq!(c.expiries(), vec![d(2026, 3, 20)]);
    assert_eq!(c.quotes.len(), 10);
    assert!(c.notes.is_empty(), "{:?}", c.notes);
    assert!(c.dropped.is_empty());
    let q = &c.quotes[0];
    assert!(q.provider_iv.unwrap() > 0.2);
    assert!(q.open_interest.unwrap() > 0);
    // Missing volume is None.
    assert!(c.quotes.iter().any(|q| q.volume.is_none()));
    assert!(c.quotes.iter().all(|q| q.bid.is_some() || q.ask.is_some()));
}

#[test]
fn off_hours_junk_is_flagged_not_used() {
    let c = yahoo::parse_chain(&fixture("yahoo/options_KO_offhours.json"), "KO").unwrap();
    assert_eq!(c.quotes.len(), 10);
    assert!(c.quotes.iter().all(|q| q.bid.is_none() && q.ask.is_none()));
    assert!(c.quotes.iter().all(|q| q.provider_iv.is_none()));
    assert!(c.quotes.iter().all(|q| q.open_interest.is_none()));
    let notes = c.notes.join("\n");
    assert!(notes.contains("off-hours"), "{notes}");
    assert!(notes.contains("market state PRE"), "{notes}");
    assert!(notes.contains("placeholder IVs"), "{notes}");
    assert!(
        notes.contains("open interest 0 on every contract"),
        "{notes}"
    );
    assert!(notes.contains("wider than 2 %"), "{notes}");
    assert_eq!(c.underlying.bid, None);
    assert_eq!(c.underlying.last, 62.4);
}

#[test]
fn bad_rows_are_dropped() {
    let c = yahoo::parse_chain(&fixture("yahoo/options_KO_badrows.json"), "KO").unwrap();
    let dropped = c.dropped.join("\n");
    assert_eq!(c.dropped.len(), 3, "{dropped}");
    assert!(
        dropped.contains("disagrees with the symbol's 2026-03-20"),
        "{dropped}"
    );
    assert!(dropped.contains("crossed quote"), "{dropped}");
    assert!(dropped.contains("bad option symbol"), "{dropped}");
}

#[test]
fn unknown_date_and_unknown_symbol() {
    let p =
        yahoo::parse_options_page(&fixture("yahoo/options_KO_unknown-date.json"), "KO").unwrap();
    assert!(p.quotes.is_empty());
    assert_eq!(p.expirations.len(), 3);
    assert_eq!(p.expirations[2], (d(2026, 4, 17), 1776384000));
    let e = yahoo::parse_chain(&fixture("yahoo/options_not_found.json"), "ZZZZ").unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnknownSymbol {
                provider: "yahoo",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn chart_uses_adjclose_and_skips_nulls() {
    let h = yahoo::parse_history(&fixture("yahoo/chart_KO.json"), "KO").unwrap();
    assert_eq!(h.adjustment, Adjustment::SplitsAndDividends);
    assert_eq!(h.symbol, "KO");
    assert_eq!(h.bars.len(), 9, "the null row is skipped");
    assert_eq!(h.bars[0].date, d(2026, 3, 2));
    assert!(!h.bars.iter().any(|b| b.date == d(2026, 3, 5)));
    let raw: serde_json::Value = serde_json::from_str(&fixture("yahoo/chart_KO.json")).unwrap();
    let r = &raw["chart"]["result"][0]["indicators"];
    let adj0 = r["adjclose"][0]["adjclose"][0].as_f64().unwrap();
    let close0 = r["quote"][0]["close"][0].as_f64().unwrap();
    let high0 = r["quote"][0]["high"][0].as_f64().unwrap();
    assert_eq!(h.bars[0].close, adj0);
    assert!((h.bars[0].high.unwrap() - high0 * adj0 / close0).abs() < 1e-9);
    // A null high alone leaves the bar with high None.
    assert!(h.bars.iter().any(|b| b.high.is_none()));
    let e = yahoo::parse_history(&fixture("yahoo/chart_not_found.json"), "ZZZZ").unwrap_err();
    assert!(e.to_string().contains("No data found"), "{e}");
}

#[test]
fn junk_never_panics() {
    for junk in [
        "",
        "{}",
        r#"{"optionChain": null}"#,
        r#"{"optionChain": {"result": [{}]}}"#,
        r#"{"optionChain": {"result": [{"quote": {"regularMarketPrice": 5}, "options": [{"calls": [1, {"contractSymbol": "X"}]}]}]}}"#,
        r#"{"chart": {"result": [{"timestamp": [1, "x", null], "indicators": {"quote": [{"close": [null, 1, "2"]}]}}]}}"#,
        r#"{"chart": {"result": [{"timestamp": [99999999999999999], "indicators": {}}]}}"#,
    ] {
        let _ = yahoo::parse_chain(junk, "KO");
        let _ = yahoo::parse_history(junk, "KO");
    }
}

// ---------------------------------------------------------------------------------------------
// End to end: cookie, crumb, pages, chart.

fn server() -> TestServer {
    let s = TestServer::start();
    s.route(
        "/",
        Reply::html("<html>404</html>")
            .with_status(404)
            .header("Set-Cookie", "A3=d=AQABBcookie; Path=/; HttpOnly"),
    );
    s.route("/v1/test/getcrumb", Reply::text("aBc.dEf/123"));
    s.route(
        "/v7/finance/options/KO",
        Reply::fixture("yahoo/options_KO.json"),
    );
    s.route(
        "/v7/finance/options/KO?crumb=aBc.dEf%2F123&date=1776384000",
        Reply::fixture("yahoo/options_KO_date-1776384000.json"),
    );
    s.route(
        "/v7/finance/options/KO?crumb=aBc.dEf%2F123&date=1774569600",
        Reply::fixture("yahoo/options_KO_unknown-date.json"),
    );
    s.route(
        "/v8/finance/chart/KO",
        Reply::fixture("yahoo/chart_KO.json"),
    );
    s
}

#[test]
fn end_to_end_cookie_crumb_and_pages() {
    let s = server();
    let y = Yahoo::new(Some(&s.url()), fast_config()).unwrap();
    let snap = y.chain(&request("KO")).unwrap();
    assert_eq!(snap.expiries(), vec![d(2026, 3, 20), d(2026, 4, 17)]);
    assert_eq!(snap.quotes.len(), 20);
    let reqs = s.requests();
    assert_eq!(reqs[0].path, "/");
    assert_eq!(reqs[1].path, "/v1/test/getcrumb");
    assert_eq!(
        reqs[1].header("cookie"),
        Some("A3=d=AQABBcookie"),
        "the cookie jar carries the session cookie"
    );
    let pages: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/v7/finance/options/KO")
        .collect();
    assert_eq!(pages.len(), 3, "first page and the two other expiries");
    assert!(pages
        .iter()
        .all(|r| r.query.starts_with("crumb=aBc.dEf%2F123")));
    // The crumb is cached: a second chain does not fetch it again.
    let mut r = request("KO");
    r.expiries = ExpiryFilter::On(d(2026, 3, 20));
    y.chain(&r).unwrap();
    assert_eq!(s.hits("/v1/test/getcrumb"), 1);
}

#[test]
fn end_to_end_invalid_crumb_refreshes_once() {
    let s = server();
    s.route_seq(
        "/v7/finance/options/KO",
        vec![
            Reply::json(r#"{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}"#)
                .with_status(401),
            Reply::fixture("yahoo/options_KO.json"),
        ],
    );
    let y = Yahoo::new(Some(&s.url()), fast_config()).unwrap();
    let mut r = request("KO");
    r.expiries = ExpiryFilter::On(d(2026, 3, 20));
    let snap = y.chain(&r).unwrap();
    assert_eq!(snap.quotes.len(), 10);
    assert_eq!(s.hits("/v1/test/getcrumb"), 2);
    // Always 401: refused after one refresh.
    s.route("/v7/finance/options/KO", Reply::status(401));
    let e = y.chain(&r).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                provider: "yahoo",
                status: 401,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.to_string().contains("aBc.dEf"), "{e}");
}

#[test]
fn end_to_end_crumb_as_html_is_an_error() {
    let s = server();
    s.route("/v1/test/getcrumb", Reply::html("<html>consent</html>"));
    let y = Yahoo::new(Some(&s.url()), fast_config()).unwrap();
    let e = y.chain(&request("KO")).unwrap_err();
    assert!(e.to_string().contains("HTML page"), "{e}");
}

#[test]
fn end_to_end_history_and_index_symbol() {
    let s = server();
    let y = Yahoo::new(Some(&s.url()), fast_config()).unwrap();
    let h = y.history("KO", d(2026, 3, 3), d(2026, 3, 13)).unwrap();
    assert_eq!(h.bars.first().unwrap().date, d(2026, 3, 3));
    let q = &s.requests()[0];
    assert_eq!(q.path, "/v8/finance/chart/KO");
    assert!(q.query.contains("period1=1772496000"), "{}", q.query);
    assert!(q.query.contains("interval=1d"));
    s.route(
        "/v8/finance/chart/%5ESPX",
        Reply::fixture("yahoo/chart_KO.json"),
    );
    y.history("SPX", d(2026, 3, 3), d(2026, 3, 13)).unwrap();
    assert_eq!(s.hits("/v8/finance/chart/%5ESPX"), 1);
}

#[test]
fn end_to_end_rate_limited() {
    let s = server();
    s.route("/v8/finance/chart/KO", Reply::status(429));
    let y = Yahoo::new(Some(&s.url()), fast_config()).unwrap();
    let e = y.history("KO", d(2026, 3, 3), d(2026, 3, 13)).unwrap_err();
    assert!(e.to_string().contains("rate limited"), "{e}");
    assert_eq!(s.hits("/v8/finance/chart/KO"), 3);
}
