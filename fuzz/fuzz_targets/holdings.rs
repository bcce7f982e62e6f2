#![no_main]
mod check;
use ccplan::model::parse_holdings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    if let Ok(p) = parse_holdings(&t, "holdings") {
        for h in &p.holdings {
            assert!(h.cost_basis.is_none_or(|b| b.is_finite()));
        }
    }
});
