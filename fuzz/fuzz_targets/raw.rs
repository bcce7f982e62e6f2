#![no_main]
mod check;
use ccplan::providers::raw;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = raw::recognize(&t);
    check::chain(raw::parse_chain_payload(&t, Some("KO")));
    check::chain(raw::parse_chain_payload(&t, None));
    check::history(raw::parse_history_payload(&t, None));
});
