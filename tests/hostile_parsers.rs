//! Parsers never panic: property tests over arbitrary bytes and over mutated real-shaped
//! payloads (the fixtures in `tests/fixtures/`, altered byte-wise and value-wise), for every
//! provider parser, the raw-payload recognizer, the OCC symbol parser, holdings files, chain
//! and price-history files, saved snapshots, and the `price`/`iv` batch CSV (through the
//! binary). When a chain parser does return a snapshot, no bad number may be in it.
//!
//! Case counts are kept small so the default `cargo test` stays fast; set `PROPTEST_CASES`
//! for a longer run, or use the `cargo fuzz` targets in `fuzz/`.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use ccplan::model::{parse_holdings, ChainSnapshot, OptionContract, PriceHistory};
use ccplan::providers::{cboe, file, polygon, raw, tradier, yahoo};
use common::{fixture, request};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Case count: `PROPTEST_CASES` when set, else `default`.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---- what a successful parse may contain --------------------------------------------------

fn check_snapshot(s: &ChainSnapshot) {
    let u = &s.underlying;
    assert!(u.last.is_finite() && u.last > 0.0, "spot {u:?}");
    assert!(u.spot().is_finite() && u.spot() > 0.0, "spot {u:?}");
    assert!(
        u.iv30.is_none_or(|v| v.is_finite() && v > 0.0),
        "iv30 {u:?}"
    );
    let today = s.as_of.date_naive();
    for q in &s.quotes {
        let c = &q.contract;
        assert!(c.strike.is_finite() && c.strike > 0.0, "{q:?}");
        for p in [q.bid, q.ask, q.last].into_iter().flatten() {
            assert!(p.is_finite() && p > 0.0, "price {q:?}");
        }
        if let (Some(b), Some(a)) = (q.bid, q.ask) {
            assert!(b <= a, "crossed {q:?}");
        }
        if let Some(iv) = q.provider_iv {
            assert!(iv.is_finite(), "iv {q:?}");
        }
        if let Some(g) = q.provider_greeks {
            for x in [g.delta, g.gamma, g.vega, g.theta, g.rho]
                .into_iter()
                .flatten()
            {
                assert!(x.is_finite(), "greeks {q:?}");
            }
        }
        assert!(q.multiplier > 0);
        // Network payloads: nothing expired (one day of slack for the as-of time zone).
        if ["cboe", "tradier", "yahoo", "polygon"].contains(&s.source.as_str()) {
            assert!(c.expiry >= today.pred_opt().unwrap(), "expired {q:?}");
        }
    }
    if ["cboe", "tradier", "yahoo", "polygon"].contains(&s.source.as_str()) {
        let mut occs: Vec<String> = s.quotes.iter().map(|q| q.contract.occ()).collect();
        occs.sort();
        let n = occs.len();
        occs.dedup();
        assert_eq!(n, occs.len(), "duplicate contracts");
    }
}

fn check_history(h: &PriceHistory) {
    for w in h.bars.windows(2) {
        assert!(w[0].date < w[1].date, "unsorted or duplicate dates");
    }
    for b in &h.bars {
        assert!(b.close.is_finite() && b.close > 0.0, "{b:?}");
        for x in [b.open, b.high, b.low].into_iter().flatten() {
            assert!(x.is_finite() && x > 0.0, "{b:?}");
        }
    }
}

fn ok_chain(r: ccplan::Result<ChainSnapshot>) {
    if let Ok(s) = r {
        check_snapshot(&s);
    }
}

fn ok_history(r: ccplan::Result<PriceHistory>) {
    if let Ok(h) = r {
        check_history(&h);
    }
}

/// Every text parser of the crate, fed the same input.
fn every_parser(text: &str) {
    ok_chain(cboe::parse_chain(text, "KO"));
    if let Ok(q) = cboe::parse_quote(text, "KO") {
        assert!(q.underlying.last.is_finite() && q.underlying.last > 0.0);
        assert!(q.underlying.iv30.is_none_or(|v| v.is_finite() && v > 0.0));
    }
    let _ = cboe::parse_vol_ranges(text, "KO");
    ok_history(cboe::parse_history(text, "KO"));

    let _ = tradier::parse_expirations(text, "KO");
    if let Ok(q) = tradier::parse_quote(text, "KO") {
        assert!(q.underlying.last.is_finite() && q.underlying.last > 0.0);
    }
    let _ = tradier::parse_chain_quotes(text, "KO");
    ok_chain(tradier::parse_combined(text, "KO"));
    ok_history(tradier::parse_history(text, "KO"));
    if let Ok(q) = tradier::parse_quote(&fixture("tradier/quote_KO.json"), "KO") {
        ok_chain(tradier::parse_chain(text, &q, Some(request("KO").as_of)));
    }

    let _ = yahoo::parse_options_page(text, "KO");
    ok_chain(yahoo::parse_chain(text, "KO"));
    ok_history(yahoo::parse_history(text, "KO"));

    let _ = polygon::parse_page(text, "KO");
    ok_chain(polygon::parse_chain(text, "KO"));

    let _ = raw::recognize(text);
    ok_chain(raw::parse_chain_payload(text, Some("KO")));
    ok_chain(raw::parse_chain_payload(text, None));
    ok_history(raw::parse_history_payload(text, None));

    let _ = file::detect_format(text);
    ok_chain(file::read_snapshot(text, "fuzz.json"));
    ok_chain(file::parse_chain_csv(text, "fuzz.csv", &request("KO")));
    ok_history(file::parse_history_csv(text, "fuzz.csv", "KO", None));

    let _ = parse_holdings(text, "holdings");
    if let Ok(c) = OptionContract::parse_occ(text) {
        check_contract(&c);
    }
}

fn check_contract(c: &OptionContract) {
    assert!(c.strike.is_finite() && c.strike > 0.0, "{c:?}");
    let back = OptionContract::parse_occ(&c.occ()).expect("occ() parses back");
    assert_eq!(&back, c);
    assert_eq!(&OptionContract::parse_occ(&c.osi()).unwrap(), c);
    assert_eq!(&OptionContract::parse_occ(&c.polygon_ticker()).unwrap(), c);
}

// ---- inputs -------------------------------------------------------------------------------

/// Every fixture, by path.
const FIXTURES: &[&str] = &[
    "cboe/options_KO.json",
    "cboe/options__SPX.json",
    "cboe/quotes_KO.json",
    "cboe/historical_data_KO.json",
    "cboe/charts_historical_KO.json",
    "tradier/chain_KO_2026-04-17.json",
    "tradier/chain_one.json",
    "tradier/combined_KO.json",
    "tradier/expirations_KO.json",
    "tradier/expirations_objects.json",
    "tradier/history_KO.json",
    "tradier/quote_KO.json",
    "tradier/quotes_two.json",
    "yahoo/options_KO.json",
    "yahoo/options_KO_badrows.json",
    "yahoo/options_KO_offhours.json",
    "yahoo/chart_KO.json",
    "polygon/snapshot_KO_page1.json",
    "polygon/snapshot_KO_page2.json",
    "polygon/snapshot_KO_noquote_noprice.json",
    "file/chain_nvda.csv",
    "file/chain_multi_crlf.csv",
    "file/history_adj_close.csv",
    "file/history_crlf.csv",
    "file/history_bad_row.csv",
    "file/snapshot_v1.json",
];

const HOLDINGS_TOML: &str = r#"[[holding]]
symbol = "NVDA"
shares = 300
cost_basis = 118.50
next_earnings = 2027-02-24
ex_dividend = 2026-12-04
dividend = 0.01
written = [{ contract = "NVDA261218C00200000", contracts = 1 }]

[[holding]]
symbol = "MSFT"
shares = 100
"#;

const HOLDINGS_CSV: &str = "symbol,shares,cost_basis,next_earnings,ex_dividend,dividend,written
NVDA,300,118.50,2027-02-24,2026-12-04,0.01,NVDA261218C00200000:1
MSFT,100,402.10,,,,
";

/// Values that break careless parsers.
fn hostile_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(0),
        json!(-1),
        json!(-0.0),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!("NaN"),
        json!("inf"),
        json!("-inf"),
        json!(""),
        json!(" "),
        json!("x"),
        json!("1e999"),
        json!("2026-02-30"),
        json!("9999-12-31 23:59:59"),
        json!("KO260417C00060000"),
        json!("KO260306C00060000"),
        json!("O:"),
        json!("ÄÖ☃"),
        json!(true),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"a": {"b": []}}),
    ]
}

/// The paths of every node of a JSON document (as pointers).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

/// Apply value edits to a JSON document: replace a node with a hostile value, delete it, or
/// duplicate an array element.
fn mutate_json(text: &str, edits: &[(usize, usize, u8)]) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    let pool = hostile_values();
    for &(node, value, op) in edits {
        let mut ptrs = Vec::new();
        pointers(&doc, String::new(), &mut ptrs);
        if ptrs.is_empty() {
            break;
        }
        let p = &ptrs[node % ptrs.len()];
        let (parent, key) = p.rsplit_once('/').unwrap();
        match op % 4 {
            0 | 1 => {
                if let Some(x) = doc.pointer_mut(p) {
                    *x = pool[value % pool.len()].clone();
                }
            }
            2 => match doc.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(key);
                }
                Some(Value::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < a.len() {
                            a.remove(i);
                        }
                    }
                }
                _ => {}
            },
            _ => {
                if let Some(Value::Array(a)) = doc.pointer_mut(parent) {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < a.len() {
                            let x = a[i].clone();
                            a.push(x);
                        }
                    }
                }
            }
        }
    }
    doc.to_string()
}

/// Byte edits: overwrite, insert, delete a range, truncate.
fn mutate_bytes(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut b = text.as_bytes().to_vec();
    for &(at, byte, op) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let i = at % b.len();
        match op % 5 {
            0 => b[i] = byte,
            1 => b.insert(i, byte),
            2 => {
                let end = (i + 1 + usize::from(byte)).min(b.len());
                b.drain(i..end);
            }
            3 => b.truncate(i),
            _ => {
                // Splice in a separator that means something to a CSV, TOML or JSON parser.
                let seps: &[&[u8]] = &[b",", b"\n", b"\"", b"\r\n", b"=", b"[", b"{", b"#"];
                let s = seps[usize::from(byte) % seps.len()];
                b.splice(i..i, s.iter().copied());
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn seeds() -> Vec<String> {
    let mut v: Vec<String> = FIXTURES.iter().map(|p| fixture(p)).collect();
    v.push(HOLDINGS_TOML.to_string());
    v.push(HOLDINGS_CSV.to_string());
    v
}

// ---- properties ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        every_parser(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_json_never_panics(
        seed in 0usize..FIXTURES.len(),
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..12),
    ) {
        let text = fixture(FIXTURES[seed]);
        every_parser(&mutate_json(&text, &edits));
    }

    #[test]
    fn mutated_fixtures_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8),
    ) {
        let seeds = seeds();
        let text = seed.get(&seeds);
        every_parser(&mutate_bytes(text, &edits));
    }

    #[test]
    fn occ_symbols_parse_or_fail_cleanly(
        root in "[A-Za-z0-9 .:_-]{0,8}",
        date in "[0-9A-Z]{6}",
        right in "[CPcpX ]",
        strike in "[0-9A-Z-]{0,9}",
    ) {
        let s = format!("{root}{date}{right}{strike}");
        if let Ok(c) = OptionContract::parse_occ(&s) {
            check_contract(&c);
        }
    }

    #[test]
    fn occ_any_string(s in ".{0,40}") {
        if let Ok(c) = OptionContract::parse_occ(&s) {
            check_contract(&c);
        }
    }

    #[test]
    fn holdings_rows_parse_or_fail_cleanly(
        symbol in "[A-Za-z.]{0,6}",
        shares in prop_oneof![Just("100".to_string()), Just("-5".to_string()),
            Just("1e30".to_string()), Just("NaN".to_string()), "[0-9.]{0,6}"],
        basis in prop_oneof![Just(String::new()), Just("inf".to_string()), "[0-9.-]{0,6}"],
        written in prop_oneof![Just(String::new()),
            Just("NVDA261218C00200000:1".to_string()),
            Just("NVDA261218C00200000:-1".to_string()),
            Just("NVDA261218C00200000:99999999999999999999".to_string()),
            "[A-Z0-9:;]{0,30}"],
    ) {
        let csv = format!("symbol,shares,cost_basis,written\n{symbol},{shares},{basis},{written}\n");
        if let Ok(p) = parse_holdings(&csv, "h.csv") {
            for h in &p.holdings {
                if let Some(b) = h.cost_basis {
                    prop_assert!(b.is_finite());
                }
            }
        }
        let toml = format!(
            "[[holding]]\nsymbol = \"{symbol}\"\nshares = {shares}\ncost_basis = {basis}\n"
        );
        let _ = parse_holdings(&toml, "h.toml");
    }
}

// ---- the batch CSV, through the binary ----------------------------------------------------

fn batch(mode: &str, input: &str, keep_going: bool) -> std::process::Output {
    let mut args = vec![mode, "--batch", "-"];
    if keep_going {
        args.push("--keep-going");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(&args)
        .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let o = child.wait_with_output().unwrap();
    w.join().unwrap();
    o
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,4}(\\.[0-9]{1,4})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("-0".to_string()),
        Just("5e-324".to_string()),
        Just("45%".to_string()),
        Just(String::new()),
        Just("\"1,5\"".to_string()),
        "[ -~]{0,6}",
    ]
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn batch_csv_never_panics(
        mode in prop_oneof![Just("price"), Just("iv")],
        keep_going in any::<bool>(),
        rows in prop::collection::vec(
            (prop_oneof![Just("call".to_string()), Just("put".to_string()), "[a-zA-Z]{0,5}"],
             prop::collection::vec(number(), 6)),
            0..6),
        extra in prop_oneof![Just(String::new()), Just(",note".to_string()),
            Just(",kind".to_string())],
        junk in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let last = if mode == "price" { "vol" } else { "price" };
        let mut input = format!("kind,spot,strike,t_years,rate,div_yield,{last}{extra}\n");
        for (kind, nums) in &rows {
            input.push_str(&format!("{kind},{}\n", nums.join(",")));
        }
        input.push_str(&String::from_utf8_lossy(&junk));
        let o = batch(mode, &input, keep_going);
        let err = String::from_utf8_lossy(&o.stderr);
        prop_assert!(!err.contains("panicked"), "{}", err);
        let code = o.status.code();
        prop_assert!(code == Some(0) || code == Some(1), "{:?}: {}", code, err);
        if code == Some(1) {
            prop_assert!(err.starts_with("error: "), "{}", err);
        }
        // Whatever is written is CSV with one header.
        let out = String::from_utf8_lossy(&o.stdout);
        if let Some(h) = out.lines().next() {
            prop_assert!(h.starts_with("kind") || h.contains(','), "{}", h);
        }
    }
}

/// The case proptest found (seed 25 of `arbitrary_json_never_panics`): a saved snapshot whose
/// quote list repeats a contract, which the reader passed on twice.
#[test]
fn a_snapshot_that_repeats_a_contract_keeps_one_copy() {
    let text = fixture("file/snapshot_v1.json");
    let doubled = mutate_json(&text, &[(3202151548348961318, 0, 115)]);
    let s = file::read_snapshot(&doubled, "fuzz.json").expect("a snapshot");
    check_snapshot(&s);
    let occs: Vec<String> = s.quotes.iter().map(|q| q.contract.occ()).collect();
    assert_eq!(occs, ["TSM261218C00310000", "TSM270115P00280000"]);
    assert_eq!(s.dropped.len(), 1, "{:?}", s.dropped);
    assert!(
        s.dropped[0].contains("TSM261218C00310000"),
        "{:?}",
        s.dropped
    );
}

/// A case proptest found at 3,000 cases (seed 25 of `arbitrary_json_never_panics` again): a
/// saved snapshot whose bid was damaged to 0, which the reader passed on as a price. A saved
/// quote's prices are now checked as a provider's row is: a zero price is no price (and its
/// size goes with it), a crossed or negative quote is dropped with its reason.
#[test]
fn a_snapshot_with_a_damaged_price_is_screened_like_a_provider_row() {
    let text = fixture("file/snapshot_v1.json");
    let damaged = mutate_json(&text, &[(7215719580727579905, 15958089849108503909, 20)]);
    let s = file::read_snapshot(&damaged, "fuzz.json").expect("a snapshot");
    check_snapshot(&s);
    assert_eq!(s.quotes.len(), 2);
    assert_eq!((s.quotes[0].bid, s.quotes[0].bid_size), (None, None));
    assert_eq!(s.quotes[0].ask, Some(8.7));

    for (bid, reason) in [
        (
            "9.5",
            "TSM261218C00310000: crossed quote: bid 9.5 > ask 8.7",
        ),
        ("-1", "TSM261218C00310000: bid is negative (-1)"),
    ] {
        let edited = text.replacen("\"bid\": 8.45", &format!("\"bid\": {bid}"), 1);
        assert_ne!(edited, text);
        let s = file::read_snapshot(&edited, "edited.json").expect("a snapshot");
        check_snapshot(&s);
        assert_eq!(s.quotes.len(), 1, "{bid}");
        assert_eq!(s.dropped, [reason]);
    }
    // A snapshot as saved passes unchanged.
    let s = file::read_snapshot(&text, "saved.json").expect("a snapshot");
    assert_eq!((s.quotes.len(), s.dropped.len()), (2, 0));
    assert_eq!(s.quotes[0].bid, Some(8.45));
}
