//! CBOE chain payloads of the common shape are read in one pass (`providers/cboe/fast.rs`);
//! anything else goes through serde. Both must give the same snapshot, or the same error:
//! each payload here is parsed as it is and with an escaped key added (`"\u005f": 0`, ignored
//! by the wire types), which sends it through serde.

#[path = "../benches/support/cboe_chain.rs"]
#[allow(dead_code)]
mod cboe_chain;

use ccplan::providers::cboe::parse_chain;

/// The payload with an escaped unknown key first: only serde reads it.
fn through_serde(body: &str) -> String {
    let i = body.find('{').expect("an object");
    format!("{}{{\"\\u005f\": 0, {}", &body[..i], &body[i + 1..])
}

/// An error message without its "at line L column C" positions.
fn without_positions(msg: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip = tail
            .find(|c: char| !(c.is_ascii_digit() || " column".contains(c)))
            .unwrap_or(tail.len());
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

fn same(body: &str) {
    let fast = parse_chain(body, "KO");
    let serde = parse_chain(&through_serde(body), "KO");
    match (&fast, &serde) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{body}"),
        // The added key moves serde's column numbers on the first line.
        (Err(a), Err(b)) => assert_eq!(
            without_positions(&a.to_string()),
            without_positions(&b.to_string()),
            "{body}"
        ),
        _ => panic!(
            "one way {:?}, the other {:?}\n{body}",
            fast.map(|c| c.quotes.len()),
            serde.map(|c| c.quotes.len())
        ),
    }
}

const KO: &str = include_str!("fixtures/cboe/options_KO.json");
const SPX: &str = include_str!("fixtures/cboe/options__SPX.json");

#[test]
fn the_fixtures_read_alike() {
    same(KO);
    same(SPX);
    assert!(parse_chain(KO, "KO").unwrap().quotes.len() > 10);
}

#[test]
fn the_synthetic_5000_contract_chain_reads_alike() {
    let spec = cboe_chain::CboeChainSpec::nvda_5000();
    let body = cboe_chain::cboe_chain_json(&spec);
    let fast = parse_chain(&body, "NVDA").unwrap();
    assert_eq!(fast.quotes.len(), 5000);
    assert_eq!(fast, parse_chain(&through_serde(&body), "NVDA").unwrap());
}

/// Small payloads around one row, each spelled in a way the lenient rules treat specially.
#[test]
fn lenient_spellings_read_alike() {
    let row = |fields: &str| {
        format!(
            r#"{{"timestamp": "2026-03-13 20:15:02", "data": {{"symbol": "KO", "current_price": 61.5, "options": [{{"option": "KO260417C00060000", {fields}}}]}}}}"#
        )
    };
    let cases = [
        r#""bid": 1.1, "ask": 1.2"#,
        r#""bid": "1.1", "ask": " 1.2 ""#,
        r#""bid": "", "ask": null, "volume": true"#,
        r#""bid": 1, "ask": 2, "open_interest": 12345678901234567890123"#,
        r#""bid": -0, "ask": 1e0, "delta": 5e-1, "gamma": 1E-400"#,
        r#""bid": 1.1, "ask": 1e400"#,
        r#""bid": 1.1, "ask": 1.2, "bid": 1.0"#,
        r#""bid": 1.1, "ask": 1.2, "extra": {"a": [1, {"b": null}]}, "extra": 3"#,
        r#""bid": [1.1], "ask": {"x": 1}, "iv": "NaN", "theta": "inf""#,
        r#""bid": 01.1, "ask": 1.2"#,
        r#""bid": 1., "ask": 1.2"#,
        r#""bid": 1.1, "ask": 1.2, "last_trade_time": 20260313"#,
        r#""bid": 1.1, "ask": 1.2, "last_trade_time": "2026-03-13T15:59:12""#,
        r#""bid": 1.1 , "ask" :1.2 ,"last_trade_price":  1.15"#,
        r#""bid": 1.1, "ask": 1.2, "note": "tab	inside""#,
        r#""bid": 1.1, "ask": 1.2, "note": "caf\u00e9""#,
        r#""bid": 1.1, "ask": 1.2,"#,
        r#""bid": 1.5, "ask": 1.2"#,
        r#""bid": -1.5, "ask": 1.2"#,
    ];
    for c in cases {
        same(&row(c));
    }
    // The option symbol only as text; rows that are no objects; an empty list.
    for options in [
        r#"[{"option": 7, "bid": 1}]"#,
        r#"[7, "x", null, [1, 2], {"bid": 1}, true]"#,
        r#"[]"#,
        r#"null"#,
        r#"{"a": 1}"#,
        r#"[{"option": "KO260417C00060000", "bid": 1.1, "ask": 1.2}, {"option": "KO260417C00060000", "bid": 1.1, "ask": 1.2}]"#,
    ] {
        same(&format!(
            r#"{{"timestamp": "2026-03-13 20:15:02", "data": {{"symbol": "KO", "close": "61.5", "options": {options}}}}}"#
        ));
    }
    // The document around the rows.
    for doc in [
        r#"{"timestamp": "2026-03-13 20:15:02", "data": null}"#,
        r#"{"timestamp": "2026-03-13 20:15:02"}"#,
        r#"{"timestamp": 5, "data": {"symbol": "KO", "current_price": 61.5, "options": []}}"#,
        r#"{"data": {"symbol": "KO", "current_price": 61.5, "options": [], "last_trade_time": "2026-03-13T15:59:12"}}"#,
        r#"{"timestamp": "2026-03-13 20:15:02", "data": {"symbol": "KO", "current_price": 61.5, "options": []}} x"#,
        r#"{"timestamp": "2026-03-13 20:15:02", "data": {"symbol": "KO", "current_price": 61.5, "options": []}, "data": {}}"#,
        r#"  {"timestamp": "2026-03-13 20:15:02", "data": {"symbol": "KO", "options": [], "current_price": 61.5}}  "#,
        r#"{"timestamp": "2026-03-13 20:15:02", "data": {"symbol": "KO", "current_price": 61.5, "options": [{"option": "KO260417C00060000", "bid": 1.1, "ask": 1.2"#,
    ] {
        same(doc);
    }
}

/// Deep nesting in an ignored field: serde's recursion limit decides.
#[test]
fn deep_nesting_reads_alike() {
    for depth in [10, 99, 127, 200] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        same(&format!(
            r#"{{"timestamp": "2026-03-13 20:15:02", "data": {{"symbol": "KO", "current_price": 61.5, "options": [{{"option": "KO260417C00060000", "bid": 1.1, "ask": 1.2, "x": {nested}}}]}}}}"#
        ));
    }
}
