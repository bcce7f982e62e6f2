//! Covered-call metrics against hand-computed cases, and the row fields that come from them
//! (contracts, limit price on the basis, total premium, symbols, JSON reproduction).

#[path = "plan_support/mod.rs"]
mod support;

use ccplan::model::{Right, WrittenCall};
use ccplan::plan::{
    annualize, call_metrics, suggest, touch_probability, Market, MetricInputs, PlanParams,
    PremiumBasis,
};
use ccplan::pricing::{black_price, BlackInputs};
use support::*;

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

fn otm_case() -> MetricInputs {
    MetricInputs {
        spot: 100.0,
        strike: 105.0,
        premium: 2.0,
        t: 30.0 / 365.0,
        dte: 30,
        forward: 100.0,
        discount: 1.0,
        iv: 0.30,
        cost_basis: Some(90.0),
        realized_vol: None,
        greeks: None,
    }
}

#[test]
fn out_of_the_money_call_by_hand() {
    let m = call_metrics(&otm_case()).unwrap();
    // S = 100, K = 105, P = 2.00, 30 days, F = S, D = 1 (r = q = 0), σ = 30 %.
    close(m.intrinsic, 0.0, 0.0, "intrinsic = max(0, 100 − 105)");
    close(m.extrinsic, 2.0, 0.0, "extrinsic = 2.00 − 0");
    close(m.premium_yield, 0.02, 1e-15, "yield = 2 / 100");
    // 0.02 × 365 / 30 = 0.243333...
    close(
        m.premium_yield_annualized,
        0.02 * 365.0 / 30.0,
        1e-15,
        "yield ann.",
    );
    close(m.cushion, 0.02, 1e-15, "cushion = 2 / 100");
    close(m.break_even, 98.0, 0.0, "break-even = 100 − 2");
    // (2 + 105 − 100) / 100 = 0.07; × 365 / 30 = 0.851666...
    close(m.if_called_return, 0.07, 1e-15, "if called");
    close(
        m.if_called_annualized,
        0.07 * 365.0 / 30.0,
        1e-14,
        "if called ann.",
    );
    close(
        m.gain_if_called.unwrap(),
        17.0,
        1e-12,
        "gain = 105 + 2 − 90",
    );
    // s = 0.30·√(30/365) = 0.0860073; d2 = ln(100/105)/s − s/2 = −0.6102828;
    // N(d2) = 0.2708372.
    close(
        m.assignment_probability,
        0.270_837_236_464_118_7,
        1e-13,
        "N(d2)",
    );
    // d1 = d2 + s = −0.5242755; delta = N(d1) = 0.3000435 (no carry).
    close(m.delta, 0.300_043_5, 1e-7, "delta");
    // θ = −S·φ(d1)·σ/(2√T) per year = −100·0.34772·0.30/(2·0.28669) = −18.193;
    // per day ÷ 365 = −0.0498435.
    close(m.theta_per_day, -0.049_843_5, 1e-7, "theta per day");
    // Reflection principle with ν = −σ²/2: N(d2) + (K/S)^{2ν/σ²}·N((−b − νT)/s)
    // = 0.2708372 + 0.2857557 = 0.5565929 (the 2·N(d2) rule of thumb gives 0.5416745).
    close(m.touch_probability, 0.556_592_920_729_486_9, 1e-12, "touch");
    assert!(m.touch_probability > m.assignment_probability);
    assert!(m.edge.is_none() && m.realized_vol.is_none());
}

#[test]
fn in_the_money_call_and_dte_floor() {
    // S = 100, K = 95, P = 6.50, half a day left (DTE 0, floored to 1 for annualizing).
    let m = call_metrics(&MetricInputs {
        strike: 95.0,
        premium: 6.5,
        t: 0.5 / 365.0,
        dte: 0,
        cost_basis: None,
        ..otm_case()
    })
    .unwrap();
    close(m.intrinsic, 5.0, 0.0, "intrinsic = 100 − 95");
    close(m.extrinsic, 1.5, 1e-15, "extrinsic = 6.5 − 5");
    close(m.premium_yield, 0.015, 1e-15, "yield = 1.5 / 100");
    close(
        m.premium_yield_annualized,
        0.015 * 365.0,
        1e-12,
        "× 365 / 1",
    );
    close(m.cushion, 0.065, 1e-15, "cushion = 6.5 / 100");
    close(m.break_even, 93.5, 0.0, "break-even");
    // (6.5 + 95 − 100) / 100 = 0.015.
    close(m.if_called_return, 0.015, 1e-15, "if called");
    close(m.touch_probability, 1.0, 0.0, "already above the strike");
    assert!(m.gain_if_called.is_none());
    assert_eq!(annualize(0.01, -3), 0.01 * 365.0);
}

#[test]
fn edge_against_realized_vol() {
    let fair = black_price(
        &BlackInputs {
            right: Right::Call,
            forward: 100.0,
            strike: 105.0,
            t: 30.0 / 365.0,
            discount: 1.0,
        },
        0.30,
    )
    .unwrap();
    let base = MetricInputs {
        premium: fair,
        ..otm_case()
    };
    let at_iv = call_metrics(&MetricInputs {
        realized_vol: Some(0.30),
        ..base
    })
    .unwrap();
    close(
        at_iv.edge.unwrap(),
        0.0,
        1e-12,
        "premium at the IV, HV = IV",
    );
    let calm = call_metrics(&MetricInputs {
        realized_vol: Some(0.20),
        ..base
    })
    .unwrap();
    assert!(calm.edge.unwrap() > 0.5, "{:?}", calm.edge);
}

#[test]
fn non_finite_inputs_give_none_not_nan() {
    for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0] {
        assert!(call_metrics(&MetricInputs {
            iv: bad,
            ..otm_case()
        })
        .is_none());
        assert!(call_metrics(&MetricInputs {
            spot: bad,
            ..otm_case()
        })
        .is_none());
    }
    assert!(call_metrics(&MetricInputs {
        premium: f64::NAN,
        ..otm_case()
    })
    .is_none());
    assert_eq!(touch_probability(100.0, 150.0, 0.1, 100.0, 0.0), 0.0);
    let p = touch_probability(100.0, 1e6, 5.0, 300.0, 3.0);
    assert!((0.0..=1.0).contains(&p));
}

#[test]
fn rows_carry_contracts_limit_price_totals_and_symbols() {
    let spec = Spec::default();
    let chain = spec.build();
    let market = Market {
        chain: &chain,
        history: None,
    };
    let params = PlanParams {
        top_n: 100,
        ..PlanParams::default()
    };
    // 250 shares at 100 per contract → floor(2.5) = 2 contracts.
    let s = suggest(&holding("NVDA", 250, None), &market, &params).unwrap();
    assert!(!s.candidates.is_empty());
    for c in &s.candidates {
        assert_eq!(c.contracts, 2);
        // The bid rounded to the tick: this synthetic chain quotes off the nickel grid above
        // 3.00, so it counts as a penny class, and the limit is the bid to the nearest cent.
        let bid = c.bid.unwrap();
        assert!((c.limit_price - bid).abs() <= 0.005 + 1e-9, "bid basis");
        assert_eq!(c.limit_price, (c.limit_price * 100.0).round() / 100.0);
        assert_eq!(c.metrics.premium, c.limit_price);
        assert!(c.limit_price < c.ask.unwrap(), "never the ask");
        close(
            c.total_premium,
            c.limit_price * 100.0 * 2.0,
            1e-9,
            "P × 100 × 2",
        );
        assert_eq!(c.occ.len(), 4 + 15);
        assert_eq!(c.osi.len(), 21);
        assert!(c.osi.starts_with("NVDA  "));
        assert_eq!(c.dte, (c.expiry - d(2026, 11, 16)).num_days());
        assert!(c.dte >= 7 && c.dte <= 60);
    }
    // Mid basis.
    let mid = PlanParams {
        basis: PremiumBasis::Mid,
        ..params.clone()
    };
    let s = suggest(&holding("NVDA", 250, None), &market, &mid).unwrap();
    for c in &s.candidates {
        // The mid rounded to the tick, never up past the mid.
        let mid = 0.5 * (c.bid.unwrap() + c.ask.unwrap());
        assert!(c.limit_price <= mid + 1e-12, "mid");
        assert!(mid - c.limit_price < 0.01 + 1e-12, "mid");
        assert_eq!(c.limit_price, (c.limit_price * 100.0).round() / 100.0);
    }
    // Coverage 50 % of 1 000 shares = 5 contracts, minus 2 already written = 3.
    let mut h = holding("NVDA", 1000, None);
    h.written.push(WrittenCall::new(
        ccplan::model::OptionContract::new("NVDA", d(2026, 12, 18), 120.0, Right::Call).unwrap(),
        2,
    ));
    let half = PlanParams {
        coverage: 0.5,
        ..params.clone()
    };
    let s = suggest(&h, &market, &half).unwrap();
    assert!(s.candidates.iter().all(|c| c.contracts == 3));
    assert_eq!(s.written_contracts, 2);
    // Net delta: 1 000 shares less the written 120 call's delta × 200.
    let written_delta = s.delta_before;
    assert!(
        written_delta < 1000.0 && written_delta > 900.0,
        "{written_delta}"
    );
    let best = s.best().unwrap();
    close(
        s.delta_after,
        s.delta_before - best.metrics.delta * 300.0,
        1e-9,
        "after = before − delta × 100 × 3",
    );
    // Under one contract: contracts 0 and a note saying so.
    let s = suggest(&holding("NVDA", 99, None), &market, &params).unwrap();
    assert!(s.best().is_none());
    assert!(s
        .notes
        .iter()
        .any(|n| matches!(n, ccplan::plan::Note::UnderOneContract { shares: 99, .. })));
    // Every share covered by calls already written: contracts 0 and that note.
    let mut h = holding("NVDA", 200, None);
    h.written.push(WrittenCall {
        contract: ccplan::model::OptionContract::new("NVDA", d(2026, 12, 18), 120.0, Right::Call)
            .unwrap(),
        contracts: 2,
        price: None,
        opened: None,
        fees: None,
    });
    let s = suggest(&h, &market, &params).unwrap();
    assert!(s.best().is_none());
    assert!(s
        .notes
        .iter()
        .any(|n| matches!(n, ccplan::plan::Note::NoUncoveredShares { .. })));
}

#[test]
fn json_carries_parameters_and_as_of() {
    let chain = Spec::default().build();
    let market = Market {
        chain: &chain,
        history: None,
    };
    let portfolio = ccplan::model::Portfolio {
        holdings: vec![holding("NVDA", 300, Some(95.0))],
    };
    let plan = ccplan::plan::plan(&portfolio, &[market], &PlanParams::default()).unwrap();
    let v: serde_json::Value = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["params"]["top_n"], 5);
    assert_eq!(v["params"]["window"]["kind"], "dte");
    assert_eq!(v["as_of"], "2026-11-16T10:30:00-05:00");
    let back: PlanParams = serde_json::from_value(v["params"].clone()).unwrap();
    assert_eq!(back, PlanParams::default());
    let row = &v["holdings"][0]["best"];
    for key in [
        "occ",
        "osi",
        "expiry",
        "dte",
        "strike",
        "contracts",
        "limit_price",
        "metrics",
    ] {
        assert!(!row[key].is_null(), "{key} missing in {row}");
    }
}

#[test]
fn a_suggestion_alone_carries_its_parameters_and_as_of() {
    let chain = Spec::default().build();
    let params = PlanParams {
        basis: PremiumBasis::Mid,
        top_n: 3,
        ..PlanParams::default()
    };
    let s = suggest(
        &holding("NVDA", 300, None),
        &Market {
            chain: &chain,
            history: None,
        },
        &params,
    )
    .unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["as_of"], "2026-11-16T10:30:00-05:00");
    let back: PlanParams = serde_json::from_value(v["params"].clone()).unwrap();
    assert_eq!(back, params);
    assert_eq!(v["candidates"].as_array().unwrap().len(), 3);
}
