#![no_main]
//! The `price --batch` / `iv --batch` core, compiled from the CLI's own source so the fuzzed
//! code is the shipped code.
#[path = "../../src/cli/batch.rs"]
#[allow(dead_code)]
mod batch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the mode and --keep-going; the rest is the CSV.
    let Some((&sel, csv)) = data.split_first() else {
        return;
    };
    let mode = if sel & 1 == 0 {
        batch::Mode::Price
    } else {
        batch::Mode::Iv
    };
    let mut out = Vec::new();
    let _ = batch::process(mode, "fuzz", csv, sel & 2 != 0, &mut out);
});
