//! Tradier: parsers on the fixtures (object-for-one, null chains, epoch ms, greeks units) and
//! the source end to end on loopback, including token redaction.

mod common;

use ccplan::providers::tradier::{self, Tradier};
use ccplan::providers::{ChainSource, ExpiryFilter, HistorySource};
use ccplan::Error;
use common::{d, fast_config, fixture, request, Reply, TestServer};

const TOKEN: &str = "Tr4d13rS3cr3tT0k3n";

#[test]
fn expirations_in_all_shapes() {
    let e = tradier::parse_expirations(&fixture("tradier/expirations_KO.json"), "KO").unwrap();
    assert_eq!(e.len(), 4);
    assert_eq!(e[3], d(2026, 6, 18)); // a Thursday before Juneteenth
    let e = tradier::parse_expirations(&fixture("tradier/expirations_one.json"), "KO").unwrap();
    assert_eq!(e, vec![d(2026, 4, 17)]);
    let e = tradier::parse_expirations(&fixture("tradier/expirations_objects.json"), "KO").unwrap();
    assert_eq!(e, vec![d(2026, 4, 17), d(2026, 6, 18)]);
    let e = tradier::parse_expirations(&fixture("tradier/expirations_null.json"), "KO").unwrap();
    assert!(e.is_empty());
    let e =
        tradier::parse_expirations(r#"{"expirations":{"date":["04/17/2026"]}}"#, "KO").unwrap_err();
    assert!(e.to_string().contains("expirations.date"), "{e}");
}

#[test]
fn quote_object_list_and_unmatched() {
    let q = tradier::parse_quote(&fixture("tradier/quote_KO.json"), "KO").unwrap();
    assert_eq!(q.underlying.symbol, "KO");
    assert_eq!(q.underlying.last, 62.4);
    assert_eq!(q.underlying.bid, Some(62.39));
    // trade_date is epoch ms: 2026-03-13 19:59:41 UTC.
    assert_eq!(q.as_of.unwrap().to_rfc3339(), "2026-03-13T15:59:41-04:00");
    let q = tradier::parse_quote(&fixture("tradier/quotes_two.json"), "KO").unwrap();
    assert_eq!(
        q.underlying.symbol, "KO",
        "picks the asked symbol from a list"
    );
    let e = tradier::parse_quote(&fixture("tradier/quote_unmatched.json"), "ZZZZ").unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnknownSymbol {
                provider: "tradier",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn chain_units_nulls_and_dropped_rows() {
    let part =
        tradier::parse_chain_quotes(&fixture("tradier/chain_KO_2026-04-17.json"), "KO").unwrap();
    assert_eq!(part.quotes.len(), 10);
    let dropped = part.dropped.join("\n");
    assert_eq!(part.dropped.len(), 2, "{dropped}");
    assert!(
        dropped.contains("KO260417C00062000: strike 63 disagrees"),
        "{dropped}"
    );
    assert!(
        dropped.contains("KO1260417C00060000: adjusted contract"),
        "{dropped}"
    );

    // Row 0: greeks null.
    let q0 = &part.quotes[0];
    assert_eq!(q0.contract.occ(), "KO260417P00057500");
    assert_eq!(q0.provider_greeks, None);
    assert_eq!(q0.provider_iv, None);
    // Row 1: never traded (trade_date 0, last null).
    let q1 = &part.quotes[1];
    assert_eq!(q1.last, None);
    assert_eq!(q1.last_trade, None);
    assert_eq!(q1.volume, Some(0));

    // Greeks: theta per day × 365, vega per point × 100, rho per 1 % × 100.
    let raw: serde_json::Value =
        serde_json::from_str(&fixture("tradier/chain_KO_2026-04-17.json")).unwrap();
    let row = &raw["options"]["option"][4];
    let q = &part.quotes[4];
    assert_eq!(q.contract.occ(), row["symbol"].as_str().unwrap());
    let g = q.provider_greeks.unwrap();
    let f = |k: &str| row["greeks"][k].as_f64().unwrap();
    assert!((g.delta.unwrap() - f("delta")).abs() < 1e-15);
    assert!((g.theta.unwrap() - 365.0 * f("theta")).abs() < 1e-12);
    assert!((g.vega.unwrap() - 100.0 * f("vega")).abs() < 1e-12);
    assert!((g.rho.unwrap() - 100.0 * f("rho")).abs() < 1e-12);
    assert_eq!(q.provider_iv, Some(f("mid_iv")));
    assert_eq!(q.multiplier, 100);
    assert_eq!(q.bid_size, Some(40));
    // Epoch-ms bid/ask dates give the latest time.
    assert_eq!(
        part.latest.unwrap().to_rfc3339(),
        "2026-03-13T15:59:39-04:00"
    );
}

#[test]
fn chain_single_object_and_null() {
    let part = tradier::parse_chain_quotes(&fixture("tradier/chain_one.json"), "KO").unwrap();
    assert_eq!(part.quotes.len(), 1);
    let part = tradier::parse_chain_quotes(&fixture("tradier/chain_null.json"), "KO").unwrap();
    assert!(part.quotes.is_empty());
    assert!(part.dropped.is_empty());
}

#[test]
fn chain_with_quote_makes_a_snapshot() {
    let quote = tradier::parse_quote(&fixture("tradier/quote_KO.json"), "KO").unwrap();
    let snap =
        tradier::parse_chain(&fixture("tradier/chain_KO_2026-06-18.json"), &quote, None).unwrap();
    assert_eq!(snap.source, "tradier");
    assert_eq!(snap.underlying.last, 62.4);
    assert_eq!(snap.as_of.to_rfc3339(), "2026-03-13T15:59:41-04:00");
    assert_eq!(snap.expiries(), vec![d(2026, 6, 18)]);
    assert!(snap.notes.iter().any(|n| n.contains("ORATS")));
    let combined = tradier::parse_combined(&fixture("tradier/combined_KO.json"), "KO").unwrap();
    assert_eq!(combined.quotes, snap.quotes);
    let e = tradier::parse_combined(&fixture("tradier/chain_one.json"), "KO").unwrap_err();
    assert!(matches!(e, Error::NoData { .. }), "{e:?}");
}

#[test]
fn history_shapes() {
    let h = tradier::parse_history(&fixture("tradier/history_KO.json"), "KO").unwrap();
    assert_eq!(h.bars.len(), 10);
    assert_eq!(h.bars[0].date, d(2026, 3, 2));
    assert_eq!(h.bars[9].date, d(2026, 3, 13));
    let h = tradier::parse_history(&fixture("tradier/history_one.json"), "KO").unwrap();
    assert_eq!(h.bars.len(), 1);
    let h = tradier::parse_history(&fixture("tradier/history_null.json"), "KO").unwrap();
    assert!(h.bars.is_empty());
}

#[test]
fn junk_never_panics() {
    for junk in [
        "",
        "{}",
        "null",
        "[1,2]",
        r#"{"options": {"option": [1, "x", null, {"symbol": 5}]}}"#,
        r#"{"options": {"option": {"symbol": "KO260417C00060000", "bid": "NaN"}}}"#,
        r#"{"quotes": {"quote": {"symbol": "KO"}}}"#,
        r#"{"history": {"day": [{"date": "x", "close": 1}]}}"#,
    ] {
        let _ = tradier::parse_chain_quotes(junk, "KO");
        let _ = tradier::parse_quote(junk, "KO");
        let _ = tradier::parse_history(junk, "KO");
        let _ = tradier::parse_expirations(junk, "KO");
        let _ = tradier::parse_combined(junk, "KO");
    }
    let p = tradier::parse_chain_quotes(
        r#"{"options": {"option": {"symbol": "KO260417C00060000", "bid": "NaN"}}}"#,
        "KO",
    )
    .unwrap();
    assert_eq!(p.dropped, vec!["KO260417C00060000: bid is NaN".to_string()]);
}

// ---------------------------------------------------------------------------------------------
// End to end.

fn server() -> TestServer {
    let s = TestServer::start();
    s.route(
        "/v1/markets/quotes",
        Reply::fixture("tradier/quote_KO.json"),
    );
    s.route(
        "/v1/markets/options/expirations",
        Reply::fixture("tradier/expirations_KO.json"),
    );
    s.route(
        "/v1/markets/options/chains?symbol=KO&expiration=2026-04-17&greeks=true",
        Reply::fixture("tradier/chain_KO_2026-04-17.json"),
    );
    s.route(
        "/v1/markets/options/chains?symbol=KO&expiration=2026-06-18&greeks=true",
        Reply::fixture("tradier/chain_KO_2026-06-18.json"),
    );
    // Other expiries have no chain.
    s.route(
        "/v1/markets/options/chains",
        Reply::fixture("tradier/chain_null.json"),
    );
    s.route(
        "/v1/markets/history",
        Reply::fixture("tradier/history_KO.json"),
    );
    s
}

#[test]
fn end_to_end_chain_sends_token_and_accept() {
    let s = server();
    let t = Tradier::new(TOKEN, false, Some(&s.url()), fast_config()).unwrap();
    let snap = t.chain(&request("KO")).unwrap();
    assert_eq!(
        snap.expiries(),
        vec![d(2026, 4, 17), d(2026, 6, 18)],
        "empty expiries contribute nothing"
    );
    assert_eq!(snap.quotes.len(), 20);
    assert_eq!(snap.dropped.len(), 2);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 6); // quote, expirations, 4 chains
    for r in &reqs {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(r.header("accept"), Some("application/json"));
        assert!(!r.target.contains(TOKEN));
    }
    assert!(reqs[1].target.contains("includeAllRoots=true"));
}

#[test]
fn end_to_end_filter_and_history() {
    let s = server();
    let t = Tradier::new(TOKEN, true, Some(&s.url()), fast_config()).unwrap();
    let mut r = request("KO");
    r.expiries = ExpiryFilter::Between(d(2026, 4, 1), d(2026, 5, 1));
    let snap = t.chain(&r).unwrap();
    assert_eq!(snap.expiries(), vec![d(2026, 4, 17)]);
    let h = t.history("KO", d(2026, 3, 3), d(2026, 3, 12)).unwrap();
    assert_eq!(h.bars.first().unwrap().date, d(2026, 3, 3));
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 12));
    let hist_req = s
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/markets/history")
        .unwrap();
    assert!(
        hist_req.query.contains("start=2026-03-03&end=2026-03-12"),
        "{}",
        hist_req.query
    );
    r.expiries = ExpiryFilter::On(d(2030, 1, 1));
    assert!(matches!(t.chain(&r), Err(Error::NoData { .. })));
}

#[test]
fn missing_token_is_a_missing_credential() {
    let e = Tradier::new("  ", false, None, fast_config()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingCredential {
                provider: "tradier",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn token_never_leaks_in_errors_or_debug() {
    let s = TestServer::start();
    s.route("/v1/markets/quotes", Reply::status(401));
    let t = Tradier::new(TOKEN, true, Some(&s.url()), fast_config()).unwrap();
    assert!(!format!("{t:?}").contains(TOKEN));
    let e = t.chain(&request("KO")).unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized { status: 401, hint, .. } if hint.contains("sandbox")),
        "{e:?}"
    );
    assert!(!format!("{e} {e:?}").contains(TOKEN));
    // Failures of every kind, and a symbol that carries the token into the URL.
    s.route("/v1/markets/quotes", Reply::status(503));
    let e = t.chain(&request("KO")).unwrap_err();
    assert!(!format!("{e} {e:?}").contains(TOKEN), "{e}");
    s.route("/v1/markets/quotes", Reply::html("<html>login</html>"));
    let e = t.quote(TOKEN).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
}
