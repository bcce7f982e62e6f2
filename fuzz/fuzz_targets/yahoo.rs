#![no_main]
mod check;
use ccplan::providers::yahoo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = yahoo::parse_options_page(&t, "KO");
    check::chain(yahoo::parse_chain(&t, "KO"));
    check::history(yahoo::parse_history(&t, "KO"));
});
