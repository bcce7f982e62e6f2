#![no_main]
mod check;
use ccplan::providers::tradier;
use libfuzzer_sys::fuzz_target;

const QUOTE: &str = include_str!("../../tests/fixtures/tradier/quote_KO.json");

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = tradier::parse_expirations(&t, "KO");
    let _ = tradier::parse_quote(&t, "KO");
    let _ = tradier::parse_chain_quotes(&t, "KO");
    check::chain(tradier::parse_combined(&t, "KO"));
    check::history(tradier::parse_history(&t, "KO"));
    let q = tradier::parse_quote(QUOTE, "KO").unwrap();
    check::chain(tradier::parse_chain(&t, &q, None));
});
