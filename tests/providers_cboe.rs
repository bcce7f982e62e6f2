//! CBOE: parsers on the fixtures (every quirk) and the source end to end on loopback.

mod common;

use ccplan::model::Right;
use ccplan::providers::cboe::{self, cboe_symbol, Cboe};
use ccplan::providers::{ChainSource, ExpiryFilter, HistorySource};
use ccplan::Error;
use common::{d, fast_config, fixture, request, Reply, TestServer};

fn chain() -> ccplan::model::ChainSnapshot {
    cboe::parse_chain(&fixture("cboe/options_KO.json"), "KO").unwrap()
}

#[test]
fn index_symbols_take_an_underscore() {
    assert_eq!(cboe_symbol("SPX"), "_SPX");
    assert_eq!(cboe_symbol("^vix"), "_VIX");
    assert_eq!(cboe_symbol("$NDX"), "_NDX");
    assert_eq!(cboe_symbol("_DJX"), "_DJX");
    assert_eq!(cboe_symbol("ko"), "KO");
    assert_eq!(cboe_symbol("SPY"), "SPY");
}

#[test]
fn chain_underlying_as_of_and_units() {
    let c = chain();
    assert_eq!(c.source, "cboe");
    assert_eq!(c.underlying.symbol, "KO");
    assert_eq!(c.underlying.last, 62.4);
    assert_eq!(c.underlying.bid, Some(62.39));
    assert_eq!(c.underlying.ask, Some(62.41));
    // iv30 is percent on the wire.
    assert!((c.underlying.iv30.unwrap() - 0.21372).abs() < 1e-12);
    // timestamp "2026-03-13 20:15:02" is UTC, shown in New York time.
    assert_eq!(c.as_of.to_rfc3339(), "2026-03-13T16:15:02-04:00");
    assert_eq!(c.expiries(), vec![d(2026, 4, 17), d(2026, 5, 15)]);
    assert_eq!(c.quotes.len(), 28);
}

#[test]
fn expiry_strike_and_right_come_from_the_symbol() {
    let c = chain();
    let calls = c.side(d(2026, 5, 15), Right::Call);
    let strikes: Vec<f64> = calls.iter().map(|q| q.contract.strike).collect();
    assert_eq!(strikes, vec![55.0, 57.5, 60.0, 62.5, 65.0, 67.5, 70.0]);
}

#[test]
fn counts_are_integers_greeks_in_library_units() {
    let c = chain();
    let q = c
        .quotes
        .iter()
        .find(|q| q.contract.occ() == "KO260515C00062500")
        .unwrap();
    assert_eq!(q.multiplier, 100);
    assert!(q.open_interest.unwrap() > 3000);
    assert!(q.volume.unwrap() > 100);
    let iv = q.provider_iv.unwrap();
    assert!((iv - 0.2004).abs() < 1e-9, "{iv}");
    let g = q.provider_greeks.unwrap();
    // Wire: vega per vol point, theta per day, rho per 1 %.
    let raw: serde_json::Value = serde_json::from_str(&fixture("cboe/options_KO.json")).unwrap();
    let row = raw["data"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["option"] == "KO260515C00062500")
        .unwrap();
    let f = |k: &str| row[k].as_f64().unwrap();
    assert!((g.delta.unwrap() - f("delta")).abs() < 1e-12);
    assert!((g.gamma.unwrap() - f("gamma")).abs() < 1e-12);
    assert!((g.vega.unwrap() - 100.0 * f("vega")).abs() < 1e-9);
    assert!((g.theta.unwrap() - 365.0 * f("theta")).abs() < 1e-9);
    assert!((g.rho.unwrap() - 100.0 * f("rho")).abs() < 1e-9);
    // A count sent as a string.
    assert!(c.quotes.iter().any(|q| q.open_interest == Some(1234)));
    // Naive Eastern last-trade time.
    assert_eq!(q.last_trade.unwrap().offset().local_minus_utc(), -4 * 3600);
}

#[test]
fn unsolved_iv_is_none_with_its_greeks() {
    let c = chain();
    let q = c
        .quotes
        .iter()
        .find(|q| q.contract.occ() == "KO260417C00055000")
        .unwrap();
    assert_eq!(q.provider_iv, None);
    assert_eq!(q.provider_greeks, None);
    assert!(
        c.notes.iter().any(|n| n.contains("IV unsolved")),
        "{:?}",
        c.notes
    );
}

#[test]
fn zero_sides_and_never_traded() {
    let c = chain();
    // Far OTM put: bid 0.0 on the wire.
    let q = c
        .quotes
        .iter()
        .find(|q| q.contract.occ() == "KO260417P00055000")
        .unwrap();
    assert_eq!(q.bid, None);
    assert_eq!(q.bid_size, None);
    assert!(q.ask.is_some());
    let q = c
        .quotes
        .iter()
        .find(|q| q.contract.occ() == "KO260515C00070000")
        .unwrap();
    assert_eq!(q.last, None);
    assert_eq!(q.last_trade, None);
    assert_eq!(q.volume, Some(0));
}

#[test]
fn bad_rows_are_dropped_with_reasons() {
    let c = chain();
    let dropped = c.dropped.join("\n");
    assert_eq!(c.dropped.len(), 6, "{dropped}");
    assert!(dropped.contains("KO26O417C00060000"), "{dropped}");
    assert!(
        dropped.contains("KO260618C00062500: bid is NaN"),
        "{dropped}"
    );
    assert!(
        dropped.contains("KO260618C00065000: crossed quote"),
        "{dropped}"
    );
    assert!(
        dropped.contains("KO260618P00060000: ask is negative"),
        "{dropped}"
    );
    assert!(
        dropped.contains("KO1260618C00060000: adjusted contract"),
        "{dropped}"
    );
    assert!(
        dropped.contains("row 33: not an option record"),
        "{dropped}"
    );
}

#[test]
fn index_chain_with_two_roots_and_string_counts() {
    let c = cboe::parse_chain(&fixture("cboe/options__SPX.json"), "SPX").unwrap();
    assert_eq!(c.underlying.symbol, "SPX");
    assert_eq!(c.underlying.bid, None);
    assert!((c.underlying.iv30.unwrap() - 0.16104).abs() < 1e-12);
    let roots: std::collections::BTreeSet<&str> =
        c.quotes.iter().map(|q| q.contract.root.as_str()).collect();
    assert_eq!(roots.into_iter().collect::<Vec<_>>(), vec!["SPX", "SPXW"]);
    assert!(c.quotes.iter().all(|q| q.open_interest == Some(812)));
    assert!(c.quotes.iter().all(|q| q.bid_size == Some(25)));
    assert!(c.dropped.is_empty());
}

#[test]
fn quote_and_session_bar() {
    let q = cboe::parse_quote(&fixture("cboe/quotes_KO.json"), "KO").unwrap();
    assert_eq!(q.underlying.last, 62.4);
    assert!((q.underlying.iv30.unwrap() - 0.21372).abs() < 1e-12);
    let bar = q.session.unwrap();
    assert_eq!(bar.date, d(2026, 3, 13));
    assert_eq!(bar.close, 62.4);
    assert_eq!(bar.open, Some(62.05));
    assert_eq!(bar.volume, Some(14268112));
}

#[test]
fn vol_ranges_are_decimal() {
    let r = cboe::parse_vol_ranges(&fixture("cboe/historical_data_KO.json"), "KO").unwrap();
    assert_eq!(r.symbol, "KO");
    assert!((r.iv30.high.unwrap() - 0.31274).abs() < 1e-12);
    assert!((r.iv30.low.unwrap() - 0.13881).abs() < 1e-12);
    assert!((r.hv30.low.unwrap() - 0.0977).abs() < 1e-12);
    assert!((r.hv90.high.unwrap() - 0.218).abs() < 1e-12);
    assert!(r.as_of.is_some());
    // Also at the top level, and an error when nothing is there.
    let top = r#"{"iv30_annual_high": 40.0, "iv30_annual_low": 20.0}"#;
    assert_eq!(
        cboe::parse_vol_ranges(top, "KO").unwrap().iv30.high,
        Some(0.4)
    );
    assert!(matches!(
        cboe::parse_vol_ranges(r#"{"data": {}}"#, "KO"),
        Err(Error::Payload { .. })
    ));
}

#[test]
fn history_drops_nonpositive_closes() {
    let h = cboe::parse_history(&fixture("cboe/charts_historical_KO.json"), "KO").unwrap();
    assert_eq!(h.symbol, "KO");
    assert_eq!(h.adjustment, ccplan::model::Adjustment::Unknown);
    assert_eq!(h.bars.first().unwrap().date, d(2026, 2, 27));
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 11));
    assert_eq!(h.bars.len(), 9);
    assert!(h.bars.iter().all(|b| b.close > 0.0));
}

#[test]
fn lagging_history_gets_the_session_from_the_quote() {
    let mut h = cboe::parse_history(&fixture("cboe/charts_historical_KO.json"), "KO").unwrap();
    let q = cboe::parse_quote(&fixture("cboe/quotes_KO.json"), "KO").unwrap();
    assert!(cboe::add_session(&mut h, &q));
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 13));
    assert!(!cboe::add_session(&mut h, &q), "added only once");
}

#[test]
fn whole_payload_problems_name_provider_symbol_and_field() {
    let e = cboe::parse_chain(r#"{"timestamp": "2026-03-13 20:15:02"}"#, "KO").unwrap_err();
    assert!(
        matches!(&e, Error::Payload { provider: "cboe", symbol, message } if symbol == "KO" && message.contains("`data`")),
        "{e:?}"
    );
    let e = cboe::parse_chain(
        r#"{"timestamp": "2026-03-13 20:15:02", "data": {"options": [], "current_price": 0}}"#,
        "KO",
    )
    .unwrap_err();
    assert!(e.to_string().contains("current_price"), "{e}");
    let e = cboe::parse_chain(r#"{"data": {"current_price": 5}}"#, "KO").unwrap_err();
    assert!(e.to_string().contains("timestamp"), "{e}");
    let e = cboe::parse_chain(r#"{"data": {"options": [{"opt"#, "KO").unwrap_err();
    assert!(e.to_string().contains("truncated JSON"), "{e}");
    for (junk, why) in [
        ("", "truncated JSON"),
        (
            "null",
            "unexpected shape at line 1 column 4: invalid type: null",
        ),
        (
            "[]",
            "unexpected shape at line 1 column 2: invalid length 0",
        ),
        (
            "42",
            "unexpected shape at line 1 column 2: invalid type: integer `42`",
        ),
        (
            "\"x\"",
            "unexpected shape at line 1 column 3: invalid type: string \"x\"",
        ),
        (
            "{\"data\": 7}",
            "unexpected shape at line 1 column 10: invalid type: integer `7`",
        ),
        (
            "{\"data\": {\"options\": 5}}",
            "unexpected shape at line 1 column 22: invalid type: integer `5`",
        ),
    ] {
        let e = cboe::parse_chain(junk, "KO").unwrap_err();
        assert!(
            matches!(&e, Error::Payload { provider: "cboe", symbol, message }
                if symbol == "KO" && message.starts_with(&format!("option chain: {why}"))),
            "{junk}: {e}"
        );
        let _ = cboe::parse_history(junk, "KO");
        let _ = cboe::parse_quote(junk, "KO");
        let _ = cboe::parse_vol_ranges(junk, "KO");
    }
}

// ---------------------------------------------------------------------------------------------
// End to end.

fn server() -> TestServer {
    let s = TestServer::start();
    let p = "/api/global/delayed_quotes";
    s.route(
        &format!("{p}/options/KO.json"),
        Reply::fixture("cboe/options_KO.json"),
    );
    s.route(
        &format!("{p}/options/_SPX.json"),
        Reply::fixture("cboe/options__SPX.json"),
    );
    s.route(
        &format!("{p}/quotes/KO.json"),
        Reply::fixture("cboe/quotes_KO.json"),
    );
    s.route(
        &format!("{p}/historical_data/KO.json"),
        Reply::fixture("cboe/historical_data_KO.json"),
    );
    s.route(
        &format!("{p}/charts/historical/KO.json"),
        Reply::fixture("cboe/charts_historical_KO.json"),
    );
    s
}

#[test]
fn end_to_end_chain_with_filter() {
    let s = server();
    let c = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    assert_eq!(ChainSource::name(&c), "cboe");
    let mut r = request("KO");
    r.expiries = ExpiryFilter::On(d(2026, 5, 15));
    let snap = c.chain(&r).unwrap();
    assert_eq!(snap.expiries(), vec![d(2026, 5, 15)]);
    assert_eq!(snap.quotes.len(), 14);
    r.expiries = ExpiryFilter::On(d(2027, 1, 15));
    assert!(matches!(c.chain(&r), Err(Error::NoData { .. })));
}

#[test]
fn end_to_end_index_uses_underscore_path() {
    let s = server();
    let c = Cboe::new(Some(&format!("{}/", s.url())), fast_config()).unwrap();
    let snap = c.chain(&request("SPX")).unwrap();
    assert_eq!(snap.underlying.symbol, "SPX");
    assert_eq!(s.hits("/api/global/delayed_quotes/options/_SPX.json"), 1);
}

#[test]
fn end_to_end_history_adds_the_quote_session() {
    let s = server();
    let c = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    let h = c.history("KO", d(2026, 3, 1), d(2026, 3, 13)).unwrap();
    assert_eq!(h.bars.first().unwrap().date, d(2026, 3, 2));
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 13));
    assert_eq!(s.hits("/api/global/delayed_quotes/quotes/KO.json"), 1);
    // An up-to-date request range that ends before the lag does not ask for the quote.
    let h = c.history("KO", d(2026, 3, 1), d(2026, 3, 5)).unwrap();
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 5));
    assert_eq!(s.hits("/api/global/delayed_quotes/quotes/KO.json"), 1);
}

#[test]
fn end_to_end_history_survives_a_failing_quote() {
    let s = server();
    s.route(
        "/api/global/delayed_quotes/quotes/KO.json",
        Reply::status(503),
    );
    let c = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    let h = c.history("KO", d(2026, 3, 1), d(2026, 3, 13)).unwrap();
    assert_eq!(h.bars.last().unwrap().date, d(2026, 3, 11));
}

#[test]
fn end_to_end_quote_and_ranges() {
    let s = server();
    let c = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    assert_eq!(c.quote("KO").unwrap().underlying.last, 62.4);
    assert!(c.vol_ranges("KO").unwrap().iv30.high.is_some());
}

#[test]
fn end_to_end_unknown_and_blocked() {
    let s = server();
    s.route(
        "/api/global/delayed_quotes/options/VIX.json",
        Reply::status(403),
    );
    let c = Cboe::new(Some(&s.url()), fast_config()).unwrap();
    let e = c.chain(&request("ZZZZ")).unwrap_err();
    assert!(
        matches!(&e, Error::UnknownSymbol { provider: "cboe", symbol, .. } if symbol == "ZZZZ"),
        "{e:?}"
    );
    // 403 is "blocked", with advice.
    let e = c.chain(&request("_VIX")).unwrap_err();
    assert!(matches!(
        e,
        Error::Http { .. } | Error::UnknownSymbol { .. } | Error::Unauthorized { .. }
    ));
    s.route(
        "/api/global/delayed_quotes/options/_VIX.json",
        Reply::status(403),
    );
    let e = c.chain(&request("VIX")).unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized { status: 403, hint, .. } if hint.contains("blocked")),
        "{e:?}"
    );
}

/// Rows are turned into quotes as they are read, and the underlying's symbol may come after
/// them: adjusted roots are still found, and the reasons stay in row order.
#[test]
fn rows_read_before_the_symbol_keep_their_drop_order() {
    let body = r#"{"timestamp": "2026-03-13 20:15:02", "data": {"options": [
        {"option": "KO260417C00060000", "bid": 1.10, "ask": 1.20, "iv": 0.2},
        {"option": "KO1260417C00060000", "bid": -1.0, "ask": 1.20},
        7,
        {"option": "KO1260417P00060000", "bid": 1.00, "ask": 1.10},
        {"option": "KO260417P00060000", "bid": -2.0, "ask": 1.10},
        {"option": "KO260417P00065000", "bid": 2.00, "ask": 2.10, "iv": 0}
      ], "symbol": "KO", "current_price": 61.0}}"#;
    let c = ccplan::providers::cboe::parse_chain(body, "KO").unwrap();
    let occs: Vec<String> = c.quotes.iter().map(|q| q.contract.occ()).collect();
    assert_eq!(occs, ["KO260417C00060000", "KO260417P00065000"]);
    assert_eq!(c.dropped.len(), 4, "{:?}", c.dropped);
    assert!(c.dropped[0].starts_with("KO1260417C00060000: adjusted contract (root KO1)"));
    assert_eq!(
        c.dropped[1],
        "row 2: not an option record (no `option` symbol)"
    );
    assert!(c.dropped[2].starts_with("KO1260417P00060000: adjusted contract (root KO1)"));
    assert!(
        c.dropped[3].starts_with("KO260417P00060000: "),
        "{}",
        c.dropped[3]
    );
    assert!(c.dropped[3].contains("negative"), "{}", c.dropped[3]);
    assert_eq!(
        c.notes,
        ["CBOE left IV unsolved (iv = 0) on 1 of 2 contracts; their provider IV and greeks are ignored"]
    );
}

/// The unsolved-IV note counts the contracts kept: a row repeated in the document and
/// screened out as a duplicate is not counted again (it once read "3 of 2 contracts").
#[test]
fn unsolved_iv_note_counts_the_contracts_kept() {
    let body = r#"{"timestamp": "2026-03-13 20:15:02", "data": {"options": [
        {"option": "KO260417C00060000", "bid": 1.10, "ask": 1.20, "iv": 0.2},
        {"option": "KO260417P00065000", "bid": 2.00, "ask": 2.10, "iv": 0},
        {"option": "KO260417P00065000", "bid": 2.00, "ask": 2.10, "iv": 0},
        {"option": "KO260417P00065000", "bid": 2.00, "ask": 2.10, "iv": 0}
      ], "symbol": "KO", "current_price": 61.0}}"#;
    let c = ccplan::providers::cboe::parse_chain(body, "KO").unwrap();
    let occs: Vec<String> = c.quotes.iter().map(|q| q.contract.occ()).collect();
    assert_eq!(occs, ["KO260417C00060000", "KO260417P00065000"]);
    assert_eq!(c.dropped.len(), 2, "{:?}", c.dropped);
    assert_eq!(
        c.notes,
        ["CBOE left IV unsolved (iv = 0) on 1 of 2 contracts; their provider IV and greeks are ignored"]
    );
}
