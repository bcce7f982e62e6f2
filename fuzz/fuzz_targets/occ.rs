#![no_main]
mod check;
use ccplan::model::OptionContract;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = OptionContract::parse_occ(&check::text(data)) {
        check::contract(&c);
    }
});
