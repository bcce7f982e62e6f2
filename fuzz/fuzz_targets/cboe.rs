#![no_main]
mod check;
use ccplan::providers::cboe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    check::chain(cboe::parse_chain(&t, "KO"));
    let _ = cboe::parse_quote(&t, "KO");
    let _ = cboe::parse_vol_ranges(&t, "KO");
    check::history(cboe::parse_history(&t, "KO"));
});
