#![no_main]
mod check;
use ccplan::providers::file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    check::history(file::parse_history_csv(&t, "fuzz.csv", "KO", None));
});
