//! Each filter rejects what it should, and only that, with a reason naming the values.

#[path = "plan_support/mod.rs"]
mod support;

use std::collections::BTreeMap;

use ccplan::model::{ChainSnapshot, Holding, Right};
use ccplan::plan::{
    suggest, CallMetrics, CandidateFlag, EarningsPolicy, Market, PlanParams, RejectReason,
    Suggestion,
};
use support::*;

fn open() -> PlanParams {
    PlanParams {
        top_n: 10_000,
        ..PlanParams::default()
    }
}

/// Metrics of every strike passing with no filter on, by OCC symbol, and the strikes
/// rejected even then (far out-of-the-money calls with no bid).
fn baseline(h: &Holding, chain: &ChainSnapshot) -> (BTreeMap<String, CallMetrics>, Vec<String>) {
    // The same shares without cost basis or events: only the parameters filter.
    let plain = holding(&h.symbol, h.shares, None);
    let s = run(&plain, chain, &open());
    for r in &s.rejected {
        assert_eq!(r.reasons, vec![RejectReason::NoBid], "{}", r.occ);
    }
    assert_eq!(s.not_shown, 0);
    (
        s.candidates
            .iter()
            .map(|c| (c.occ.clone(), c.metrics))
            .collect(),
        s.rejected.iter().map(|r| r.occ.clone()).collect(),
    )
}

/// With `params`, exactly the strikes where `should_reject` holds are rejected, each for the
/// one reason `is_reason`, and all others pass.
fn check_filter(
    h: &Holding,
    chain: &ChainSnapshot,
    params: &PlanParams,
    should_reject: impl Fn(&str, &CallMetrics) -> bool,
    is_reason: impl Fn(&RejectReason) -> bool,
) -> Suggestion {
    let (base, no_bid) = baseline(h, chain);
    let s = run(h, chain, params);
    for r in &s.rejected {
        assert!(
            base.contains_key(&r.occ) || no_bid.contains(&r.occ),
            "{} is new",
            r.occ
        );
    }
    let rejected: BTreeMap<&str, &Vec<RejectReason>> = s
        .rejected
        .iter()
        .map(|r| (r.occ.as_str(), &r.reasons))
        .collect();
    let passed: Vec<&str> = s.candidates.iter().map(|c| c.occ.as_str()).collect();
    let mut n_rejected = 0;
    for (occ, m) in &base {
        if should_reject(occ, m) {
            n_rejected += 1;
            let reasons = rejected
                .get(occ.as_str())
                .unwrap_or_else(|| panic!("{occ} passed"));
            assert_eq!(reasons.len(), 1, "{occ}: {reasons:?}");
            assert!(is_reason(&reasons[0]), "{occ}: {:?}", reasons[0]);
        } else {
            assert!(
                passed.contains(&occ.as_str()),
                "{occ} was rejected: {:?}",
                rejected.get(occ.as_str())
            );
        }
    }
    assert!(n_rejected > 0, "the filter was not exercised");
    assert!(n_rejected < base.len(), "the filter rejected everything");
    s
}

fn strike_of(occ: &str) -> f64 {
    ccplan::model::OptionContract::parse_occ(occ)
        .unwrap()
        .strike
}

#[test]
fn below_cost_basis() {
    let chain = Spec::default().build();
    let h = holding("NVDA", 300, Some(107.5));
    let s = check_filter(
        &h,
        &chain,
        &open(),
        |occ, _| strike_of(occ) < 107.5,
        |r| matches!(r, RejectReason::BelowCostBasis { cost_basis, .. } if *cost_basis == 107.5),
    );
    let r = s.rejected.iter().find(|r| r.strike == 105.0).unwrap();
    assert_eq!(
        r.reasons[0].to_string(),
        "strike 105 is below cost basis 107.50"
    );
    // Allowed: nothing rejected, flagged instead.
    let allow = PlanParams {
        allow_below_basis: true,
        ..open()
    };
    let s = run(&h, &chain, &allow);
    assert!(s
        .rejected
        .iter()
        .all(|r| r.reasons == [RejectReason::NoBid]));
    assert!(s
        .candidates
        .iter()
        .filter(|c| c.strike < 107.5)
        .all(|c| c.flags.contains(&CandidateFlag::BelowCostBasis)));
}

#[test]
fn min_open_interest() {
    let mut chain = Spec::default().build();
    for q in chain
        .quotes
        .iter_mut()
        .filter(|q| q.contract.strike == 110.0)
    {
        q.open_interest = Some(10);
    }
    let params = PlanParams {
        min_open_interest: 100,
        ..open()
    };
    check_filter(
        &holding("NVDA", 300, None),
        &chain,
        &params,
        |occ, _| strike_of(occ) == 110.0,
        |r| {
            matches!(
                r,
                RejectReason::MinOpenInterest {
                    open_interest: 10,
                    min: 100
                }
            )
        },
    );
}

#[test]
fn min_bid() {
    let chain = Spec::default().build();
    let params = PlanParams {
        min_bid: 1.0,
        ..open()
    };
    check_filter(
        &holding("NVDA", 300, None),
        &chain,
        &params,
        |_, m| m.premium < 1.0,
        |r| matches!(r, RejectReason::MinBid { min, .. } if *min == 1.0),
    );
}

#[test]
fn max_spread() {
    let mut chain = Spec::default().build();
    // The 115 calls quoted 0.50 wide on each side.
    for q in chain
        .quotes
        .iter_mut()
        .filter(|q| q.contract.strike == 115.0 && q.contract.right == Right::Call)
    {
        q.bid = q.bid.map(|b| b - 0.45);
        q.ask = q.ask.map(|a| a + 0.45);
    }
    let h = holding("NVDA", 300, None);
    // 10 % of mid: the normal 0.10-wide quotes pass above a mid of 1.00.
    let params = PlanParams {
        max_spread: Some(0.10),
        ..open()
    };
    let s = run(&h, &chain, &params);
    for r in s
        .rejected
        .iter()
        .filter(|r| r.reasons != [RejectReason::NoBid])
    {
        assert_eq!(r.reasons.len(), 1);
        match &r.reasons[0] {
            RejectReason::MaxSpread {
                spread: Some(x),
                max,
            } => assert!(*x > *max),
            other => panic!("{other:?}"),
        }
    }
    assert!(s.rejected.iter().any(|r| r.strike == 115.0));
    for c in &s.candidates {
        let spread = (c.ask.unwrap() - c.bid.unwrap()) / (0.5 * (c.ask.unwrap() + c.bid.unwrap()));
        assert!(spread <= 0.10, "{} {spread}", c.occ);
    }
}

#[test]
fn max_assignment_min_cushion_min_yield() {
    let chain = Spec::default().build();
    let h = holding("NVDA", 300, None);
    let p = PlanParams {
        max_assignment: Some(0.30),
        ..open()
    };
    check_filter(
        &h,
        &chain,
        &p,
        |_, m| m.assignment_probability > 0.30,
        |r| matches!(r, RejectReason::MaxAssignment { probability, .. } if *probability > 0.30),
    );
    let p = PlanParams {
        min_cushion: Some(0.03),
        ..open()
    };
    check_filter(
        &h,
        &chain,
        &p,
        |_, m| m.cushion < 0.03,
        |r| matches!(r, RejectReason::MinCushion { cushion, .. } if *cushion < 0.03),
    );
    let p = PlanParams {
        min_annualized_yield: Some(0.20),
        ..open()
    };
    let s = check_filter(
        &h,
        &chain,
        &p,
        |_, m| m.premium_yield_annualized < 0.20,
        |r| matches!(r, RejectReason::MinAnnualizedYield { .. }),
    );
    let msg = s.rejected[0].reasons[0].to_string();
    assert!(
        msg.starts_with("annualized yield ") && msg.ends_with("is below the minimum 20.0 %"),
        "{msg}"
    );
}

#[test]
fn earnings_before_expiry_excluded_or_flagged() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.events.next_earnings = Some(d(2026, 12, 1));
    let before = |occ: &str| {
        ccplan::model::OptionContract::parse_occ(occ)
            .unwrap()
            .expiry
            >= d(2026, 12, 1)
    };
    check_filter(
        &h,
        &chain,
        &open(),
        |occ, _| before(occ),
        |r| matches!(r, RejectReason::EarningsBeforeExpiry { earnings, .. } if *earnings == d(2026, 12, 1)),
    );
    let flag = PlanParams {
        earnings: EarningsPolicy::Flag,
        ..open()
    };
    let s = run(&h, &chain, &flag);
    assert!(s
        .rejected
        .iter()
        .all(|r| r.reasons == [RejectReason::NoBid]));
    for c in &s.candidates {
        let flagged = c
            .flags
            .iter()
            .any(|f| matches!(f, CandidateFlag::EarningsBeforeExpiry { .. }));
        assert_eq!(flagged, c.expiry >= d(2026, 12, 1), "{}", c.occ);
    }
}

#[test]
fn ex_dividend_early_assignment() {
    let chain = Spec::default().build();
    let mut h = holding("NVDA", 300, None);
    h.events.ex_dividend = Some(d(2026, 12, 10));
    h.events.dividend = Some(1.0);
    let expiry = |occ: &str| {
        ccplan::model::OptionContract::parse_occ(occ)
            .unwrap()
            .expiry
    };
    let s = run(&h, &chain, &open());
    // Strikes expiring after the ex-date whose American probability of early exercise is at
    // least 20 % are rejected for it, with the probability and the critical spot named.
    let mut n = 0;
    for r in &s.rejected {
        for reason in &r.reasons {
            if let RejectReason::EarlyAssignment {
                probability,
                critical_spot,
                max,
                dividend,
                ..
            } = reason
            {
                n += 1;
                assert!(expiry(&r.occ) >= d(2026, 12, 10), "{}", r.occ);
                assert!(
                    *probability >= 0.2 && *max == 0.2,
                    "{}: {probability}",
                    r.occ
                );
                assert_eq!(*dividend, 1.0);
                assert!(critical_spot.is_some_and(|c| c > r.strike), "{}", r.occ);
                assert!(reason.to_string().contains("P(early exercise)"), "{reason}");
            }
        }
    }
    assert!(n > 0, "no strike rejected for early assignment");
    // The rest after the ex-date carry the reading, below the maximum.
    for c in s.candidates.iter().filter(|c| c.expiry >= d(2026, 12, 10)) {
        assert!(
            c.flags.iter().any(|f| matches!(
                f,
                CandidateFlag::EarlyExercise { probability, .. } if *probability < 0.2
            )),
            "{}: {:?}",
            c.occ,
            c.flags
        );
    }
    // A looser maximum lets the same strikes through; the rule's deep in-the-money strikes
    // are then flagged, not rejected.
    let loose = PlanParams {
        max_early_assignment: 1.0,
        ..open()
    };
    let s = run(&h, &chain, &loose);
    assert!(s.rejected.iter().all(|r| !r
        .reasons
        .iter()
        .any(|x| matches!(x, RejectReason::EarlyAssignment { .. }))));
}

#[test]
fn no_bid_crossed_and_no_iv() {
    let spec = Spec::default();
    let e = d(2026, 12, 18);
    let mut chain = spec.build();
    quote_mut(&mut chain, e, 110.0, Right::Call).bid = None;
    let q = quote_mut(&mut chain, e, 115.0, Right::Call);
    q.bid = Some(2.0);
    q.ask = Some(1.0);
    // The 85 call below intrinsic (≈ 15.3): no volatility produces 10.00 / 10.10.
    let q = quote_mut(&mut chain, e, 85.0, Right::Call);
    q.bid = Some(10.0);
    q.ask = Some(10.1);
    let base = run(
        &holding("NVDA", 300, None),
        &Spec::default().build(),
        &open(),
    );
    let s = run(&holding("NVDA", 300, None), &chain, &open());
    let reasons = |k: f64| {
        s.rejected
            .iter()
            .find(|r| r.strike == k && r.expiry == e)
            .map(|r| r.reasons.clone())
            .unwrap_or_default()
    };
    assert_eq!(reasons(110.0), vec![RejectReason::NoBid]);
    assert_eq!(
        reasons(115.0),
        vec![RejectReason::Crossed { bid: 2.0, ask: 1.0 }]
    );
    // Below intrinsic on spot (100 − 85 = 15) is said as such (no IV could be solved either).
    assert_eq!(
        reasons(85.0),
        vec![RejectReason::BelowIntrinsic {
            bid: 10.0,
            intrinsic: 15.0
        }]
    );
    assert_eq!(
        s.rejected.len(),
        base.rejected.len() + 3,
        "{:?}",
        s.rejected
    );
    assert_eq!(
        reasons(115.0)[0].to_string(),
        "crossed quote: bid 2.00 above ask 1.00"
    );
}

#[test]
fn invalid_parameters_name_the_field() {
    let chain = Spec::default().build();
    let h = holding("NVDA", 300, None);
    let cases: Vec<(PlanParams, &str)> = vec![
        (
            PlanParams {
                coverage: 1.5,
                ..open()
            },
            "coverage",
        ),
        (
            PlanParams {
                coverage: f64::NAN,
                ..open()
            },
            "coverage",
        ),
        (PlanParams { top_n: 0, ..open() }, "top N"),
        (
            PlanParams {
                min_bid: -1.0,
                ..open()
            },
            "min bid",
        ),
        (
            PlanParams {
                max_assignment: Some(2.0),
                ..open()
            },
            "max assignment",
        ),
        (
            PlanParams {
                rate: f64::INFINITY,
                ..open()
            },
            "rate",
        ),
        (
            PlanParams {
                window: ccplan::plan::ExpiryWindow::Dte { min: 30, max: 7 },
                ..open()
            },
            "expiry window",
        ),
        (
            PlanParams {
                weights: Some(ccplan::plan::ScoreWeights {
                    annualized_yield: 1.0,
                    cushion: -1.0,
                    assignment: 0.0,
                    delta_distance: 0.0,
                }),
                ..open()
            },
            "weight cushion",
        ),
    ];
    for (p, field) in cases {
        let err = p.validate().unwrap_err().to_string();
        assert!(err.contains(field), "{err} should name {field}");
        // suggest refuses with the same error.
        let e = suggest(
            &h,
            &Market {
                chain: &chain,
                history: None,
            },
            &p,
        )
        .unwrap_err();
        assert!(
            matches!(&e, ccplan::Error::InvalidInput { .. }) && e.to_string() == err,
            "{e}, not {err}"
        );
    }
    assert!(PlanParams::default().validate().is_ok());
}
