#![no_main]
mod check;
use ccplan::providers::{file, ChainRequest, ExpiryFilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = file::detect_format(&t);
    check::chain(file::read_snapshot(&t, "fuzz.json"));
    let request = ChainRequest {
        symbol: "NVDA".into(),
        expiries: ExpiryFilter::All,
        as_of: chrono::DateTime::parse_from_rfc3339("2026-03-13T16:30:00-04:00").unwrap(),
    };
    check::chain(file::parse_chain_csv(&t, "fuzz.csv", &request));
});
