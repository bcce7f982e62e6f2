#![no_main]
mod check;
use ccplan::providers::polygon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = polygon::parse_page(&t, "KO");
    check::chain(polygon::parse_chain(&t, "KO"));
});
