//! The raw-payload recognizer on every provider's fixtures.

mod common;

use ccplan::providers::raw::{parse_chain_payload, parse_history_payload, recognize, PayloadKind};
use ccplan::Error;
use common::fixture;

#[test]
fn recognizes_every_shape() {
    let cases = [
        ("cboe/options_KO.json", PayloadKind::CboeChain),
        ("cboe/quotes_KO.json", PayloadKind::CboeQuote),
        ("cboe/charts_historical_KO.json", PayloadKind::CboeHistory),
        (
            "tradier/chain_KO_2026-04-17.json",
            PayloadKind::TradierChain,
        ),
        ("tradier/chain_null.json", PayloadKind::TradierChain),
        (
            "tradier/combined_KO.json",
            PayloadKind::TradierChainWithQuote,
        ),
        ("tradier/history_KO.json", PayloadKind::TradierHistory),
        ("tradier/history_null.json", PayloadKind::TradierHistory),
        (
            "tradier/expirations_KO.json",
            PayloadKind::TradierExpirations,
        ),
        ("yahoo/options_KO.json", PayloadKind::YahooChain),
        ("yahoo/chart_KO.json", PayloadKind::YahooChart),
        (
            "polygon/snapshot_KO_page1.json",
            PayloadKind::PolygonSnapshot,
        ),
    ];
    for (file, kind) in cases {
        assert_eq!(recognize(&fixture(file)).unwrap(), kind, "{file}");
    }
    assert_eq!(recognize(r#"{"hello": 1}"#).unwrap(), PayloadKind::Unknown);
}

#[test]
fn chains_of_every_provider() {
    let c = parse_chain_payload(&fixture("cboe/options_KO.json"), Some("KO")).unwrap();
    assert_eq!((c.source.as_str(), c.quotes.len()), ("cboe", 28));
    let c = parse_chain_payload(&fixture("yahoo/options_KO_offhours.json"), None).unwrap();
    assert_eq!(c.source, "yahoo");
    assert!(!c.notes.is_empty());
    let c = parse_chain_payload(&fixture("polygon/snapshot_KO_page1.json"), Some("ko")).unwrap();
    assert_eq!(c.source, "polygon");
    let c = parse_chain_payload(&fixture("tradier/combined_KO.json"), Some("KO")).unwrap();
    assert_eq!((c.source.as_str(), c.underlying.last), ("tradier", 62.4));
    let c = parse_chain_payload(&fixture("cboe/options__SPX.json"), Some("^SPX")).unwrap();
    assert_eq!(c.underlying.symbol, "SPX");
}

#[test]
fn tradier_chain_alone_is_refused_with_advice() {
    let e =
        parse_chain_payload(&fixture("tradier/chain_KO_2026-04-17.json"), Some("KO")).unwrap_err();
    assert!(
        matches!(&e, Error::NoData { message, .. } if message.contains("\"quotes\"")),
        "{e:?}"
    );
}

#[test]
fn histories_of_every_provider() {
    let h = parse_history_payload(&fixture("cboe/charts_historical_KO.json"), None).unwrap();
    assert_eq!((h.symbol.as_str(), h.bars.len()), ("KO", 9));
    let h = parse_history_payload(&fixture("yahoo/chart_KO.json"), Some("KO")).unwrap();
    assert_eq!(h.bars.len(), 9);
    let h = parse_history_payload(&fixture("tradier/history_KO.json"), Some("KO")).unwrap();
    assert_eq!(h.bars.len(), 10);
}

#[test]
fn wrong_kind_wrong_symbol_and_junk() {
    let e = parse_history_payload(&fixture("cboe/options_KO.json"), Some("KO")).unwrap_err();
    assert!(
        e.to_string()
            .contains("holds a CBOE option chain, not a daily history"),
        "{e}"
    );
    let e = parse_chain_payload(&fixture("yahoo/chart_KO.json"), None).unwrap_err();
    assert!(e.to_string().contains("not an option chain"), "{e}");
    let e = parse_chain_payload(&fixture("cboe/options_KO.json"), Some("NVDA")).unwrap_err();
    assert!(e.to_string().contains("for KO, not for NVDA"), "{e}");
    let e = parse_chain_payload("<html><body>blocked</body></html>", Some("KO")).unwrap_err();
    assert!(e.to_string().contains("HTML page"), "{e}");
    let e = parse_chain_payload(r#"{"data": {"options": [{"option""#, Some("KO")).unwrap_err();
    assert!(e.to_string().contains("truncated JSON"), "{e}");
    let e = parse_chain_payload("Date,Open,High\n", None).unwrap_err();
    assert!(e.to_string().contains("not a JSON object"), "{e}");
    let e = parse_chain_payload(r#"{"hello": 1}"#, None).unwrap_err();
    assert!(e.to_string().contains("unrecognized payload"), "{e}");
    for junk in [
        "",
        "{",
        "{}",
        "{\"data\": null}",
        "{\"results\": 5}",
        "{\"chart\": []}",
        "\u{feff}{}",
    ] {
        let _ = parse_chain_payload(junk, None);
        let _ = parse_history_payload(junk, Some("KO"));
    }
}

mod never_panics {
    use ccplan::providers::{cboe, polygon, raw, tradier, yahoo};
    use proptest::prelude::*;

    fn all(s: &str) {
        let _ = raw::parse_chain_payload(s, Some("KO"));
        let _ = raw::parse_history_payload(s, None);
        let _ = cboe::parse_chain(s, "KO");
        let _ = cboe::parse_quote(s, "KO");
        let _ = cboe::parse_vol_ranges(s, "KO");
        let _ = cboe::parse_history(s, "KO");
        let _ = tradier::parse_chain_quotes(s, "KO");
        let _ = tradier::parse_quote(s, "KO");
        let _ = tradier::parse_expirations(s, "KO");
        let _ = tradier::parse_history(s, "KO");
        let _ = yahoo::parse_chain(s, "KO");
        let _ = yahoo::parse_history(s, "KO");
        let _ = polygon::parse_chain(s, "KO");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn on_arbitrary_text(s in ".{0,200}") {
            all(&s);
        }

        /// Fixtures cut at any point, or with one byte changed.
        #[test]
        fn on_damaged_fixtures(idx in 0usize..8, cut in 0.0f64..1.0, pos in 0.0f64..1.0, byte in 0u8..128) {
            let files = [
                "cboe/options_KO.json", "cboe/charts_historical_KO.json",
                "tradier/chain_KO_2026-04-17.json", "tradier/combined_KO.json",
                "yahoo/options_KO_offhours.json", "yahoo/chart_KO.json",
                "polygon/snapshot_KO_page1.json", "polygon/snapshot_KO_page2.json",
            ];
            let text = super::fixture(files[idx]);
            let n = (text.len() as f64 * cut) as usize;
            let mut cut_text = text.clone();
            cut_text.truncate(text.floor_char_boundary(n));
            all(&cut_text);
            let mut bytes = text.into_bytes();
            let p = ((bytes.len() - 1) as f64 * pos) as usize;
            bytes[p] = byte;
            all(&String::from_utf8_lossy(&bytes));
        }
    }
}
