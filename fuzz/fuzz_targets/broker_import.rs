#![no_main]
//! Broker positions exports and transaction histories: detection, every positions parser,
//! `load_holdings` with and without `--account`, `parse_transactions` and the income built
//! from what it returns.
mod check;
use ccplan::import::{detect, load_holdings, BrokerFormat};
use ccplan::journal::{income, parse_transactions, GroupBy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = check::text(data);
    let _ = detect(&t);
    for f in BrokerFormat::ALL {
        if let Ok(p) = f.parse(&t) {
            for c in &p.calls {
                assert!(c.contracts > 0);
                assert!(c.price.is_none_or(|x| x.is_finite() && x >= 0.0));
                check::contract(&c.contract);
            }
        }
    }
    for account in [None, Some("1")] {
        if let Ok(imp) = load_holdings(&t, "fuzz", account) {
            for h in &imp.portfolio.holdings {
                assert!(h.shares > 0);
                assert!(h.cost_basis.is_none_or(|b| b.is_finite() && b >= 0.0));
            }
        }
    }
    if let Ok(tx) = parse_transactions(&t, "fuzz") {
        for e in &tx.entries {
            assert_eq!(e.validate(), Ok(()));
        }
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 5).unwrap();
        let inc = income(&tx.entries, GroupBy::Symbol, as_of);
        assert!(inc.total.net.is_finite());
    }
});
