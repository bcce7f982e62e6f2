//! The planner's correctness edges: bids below intrinsic, expiry day (0 DTE), written calls
//! that expired or are missing from the chain, and the stress table with written calls.

#[path = "plan_support/mod.rs"]
mod support;

use ccplan::model::{OptionContract, Portfolio, Right, WrittenCall};
use ccplan::plan::{
    plan, CandidateFlag, ExpiryWindow, Market, Note, PlanParams, RejectReason, STRESS_SHOCKS,
};
use support::*;

fn open() -> PlanParams {
    PlanParams {
        top_n: 10_000,
        window: ExpiryWindow::Dte { min: 0, max: 90 },
        ..PlanParams::default()
    }
}

#[test]
fn a_bid_below_intrinsic_is_rejected_with_its_figures() {
    // The case: stock at 100, the 80 call bid 19.50 (intrinsic 20).
    let spec = Spec::default();
    let e = d(2026, 12, 18);
    let mut chain = spec.build();
    let q = quote_mut(&mut chain, e, 80.0, Right::Call);
    q.bid = Some(19.5);
    q.ask = Some(20.6);
    let s = run(&holding("NVDA", 300, None), &chain, &open());
    assert!(s.candidates.iter().all(|c| c.occ != "NVDA261218C00080000"));
    let r = s
        .rejected
        .iter()
        .find(|r| r.occ == "NVDA261218C00080000")
        .expect("the 80 call is rejected");
    assert_eq!(
        r.reasons,
        vec![RejectReason::BelowIntrinsic {
            bid: 19.5,
            intrinsic: 20.0
        }]
    );
    assert_eq!(
        r.reasons[0].to_string(),
        "bid 19.50 is below the intrinsic value 20.00 (negative extrinsic)"
    );
    // The untouched chain ranks it (its bid is above intrinsic): the rule is what rejects it.
    let base = run(&holding("NVDA", 300, None), &spec.build(), &open());
    assert!(base
        .candidates
        .iter()
        .any(|c| c.occ == "NVDA261218C00080000"));
}

#[test]
fn expiry_day_needs_allow_0dte_and_is_flagged() {
    // Friday 2026-11-20 at 14:00 New York: the 2026-11-20 expiry closes in two hours.
    let spec = Spec {
        as_of: at(2026, 11, 20, 14, 0),
        ..Spec::default()
    };
    let chain = spec.build();
    let today = d(2026, 11, 20);
    let s = run(&holding("NVDA", 300, None), &chain, &open());
    assert!(s.candidates.iter().all(|c| c.expiry != today));
    let same_day: Vec<_> = s.rejected.iter().filter(|r| r.expiry == today).collect();
    assert!(!same_day.is_empty());
    for r in &same_day {
        assert!(
            r.reasons
                .contains(&RejectReason::ExpiresToday { expiry: today }),
            "{}: {:?}",
            r.occ,
            r.reasons
        );
    }
    let allowed = PlanParams {
        allow_0dte: true,
        ..open()
    };
    let s = run(&holding("NVDA", 300, None), &chain, &allowed);
    let zero: Vec<_> = s.candidates.iter().filter(|c| c.expiry == today).collect();
    assert!(!zero.is_empty());
    for c in zero {
        assert_eq!(c.dte, 0);
        assert!(c.flags.contains(&CandidateFlag::UnderOneDay), "{}", c.occ);
    }
    // Later expiries carry no such flag.
    assert!(s
        .candidates
        .iter()
        .filter(|c| c.expiry != today)
        .all(|c| !c.flags.contains(&CandidateFlag::UnderOneDay)));
}

fn written(expiry: chrono::NaiveDate, strike: f64, contracts: u32) -> WrittenCall {
    WrittenCall::new(
        OptionContract::new("NVDA", expiry, strike, Right::Call).unwrap(),
        contracts,
    )
}

#[test]
fn an_expired_written_call_no_longer_covers_shares() {
    // 16:30 New York on 2026-11-20: that day's expiry closed half an hour ago.
    let spec = Spec {
        as_of: at(2026, 11, 20, 16, 30),
        expiries: vec![d(2026, 11, 27), d(2026, 12, 18)],
        ..Spec::default()
    };
    let chain = spec.build();
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 11, 20), 105.0, 2));
    h.written.push(written(d(2026, 12, 18), 110.0, 1));
    let s = run(&h, &chain, &open());
    assert_eq!(s.written_contracts, 1);
    assert!(s.candidates.iter().all(|c| c.contracts == 2));
    assert!(s.notes.contains(&Note::WrittenCallExpired {
        occ: "NVDA261120C00105000".into(),
        expiry: d(2026, 11, 20),
    }));
    // Half an hour earlier it still counted.
    let before = Spec {
        as_of: at(2026, 11, 20, 15, 30),
        ..spec.clone()
    };
    let s = run(&h, &before.build(), &open());
    assert_eq!(s.written_contracts, 3);
}

#[test]
fn a_written_call_missing_from_the_chain_is_reported() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.written.push(written(d(2026, 12, 11), 105.0, 1)); // no such expiry in the chain
    let s = run(&h, &chain, &open());
    assert_eq!(s.delta_before, 300.0);
    assert!(s.notes.contains(&Note::WrittenCallNotInChain {
        occ: "NVDA261211C00105000".into()
    }));
}

#[test]
fn the_stress_table_includes_calls_already_written() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    let mut w = written(d(2027, 1, 15), 110.0, 1);
    w.price = Some(3.0);
    h.written.push(w);
    let market = [Market {
        chain: &chain,
        history: None,
    }];
    let p = plan(
        &Portfolio {
            holdings: vec![h.clone()],
        },
        &market,
        &PlanParams::default(),
    )
    .unwrap();
    let hp = &p.holdings[0];
    let best = hp.best.as_ref().expect("a call to write");
    assert_eq!(best.contracts, 2);
    for (row, shock) in hp.stress.iter().zip(STRESS_SHOCKS) {
        let s_t = 100.0 * (1.0 + shock);
        let new_call = best.total_premium - 200.0 * (s_t - best.strike).max(0.0);
        let old_call = 100.0 * (3.0 - (s_t - 110.0).max(0.0));
        let want = 300.0 * s_t + new_call + old_call;
        assert!(
            (row.value_with_calls - want).abs() < 1e-9,
            "shock {shock}: {} vs {want}",
            row.value_with_calls
        );
        assert_eq!(row.value_without_calls, 300.0 * s_t);
    }
    // At +20 % the written 110 call costs 10 a share over its 3.00 premium.
    let up = hp.stress.last().unwrap();
    let without_written = plan(
        &Portfolio {
            holdings: vec![holding("NVDA", 300, None)],
        },
        &market,
        &PlanParams {
            coverage: 2.0 / 3.0,
            ..PlanParams::default()
        },
    )
    .unwrap();
    let up_plain = without_written.holdings[0].stress.last().unwrap();
    assert!((up_plain.value_with_calls - up.value_with_calls - 700.0).abs() < 1e-9);
}
