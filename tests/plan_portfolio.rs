//! The portfolio view: best call per holding, totals, net delta, stress; edge with history.

#[path = "plan_support/mod.rs"]
mod support;

use ccplan::model::{Adjustment, Bar, Portfolio, PriceHistory};
use ccplan::plan::{plan, Market, Note, PlanParams, STRESS_SHOCKS};
use chrono::Duration;
use support::*;

fn history(symbol: &str) -> PriceHistory {
    // 30 closes alternating 100 / 102: a realized vol near 31 %.
    let start = d(2026, 10, 1);
    let bars = (0..30)
        .map(|i| Bar {
            date: start + Duration::days(i),
            open: None,
            high: None,
            low: None,
            close: if i % 2 == 0 { 100.0 } else { 102.0 },
            volume: None,
        })
        .collect();
    PriceHistory::new(symbol, Adjustment::Unknown, bars)
}

#[test]
fn totals_net_delta_and_stress() {
    let nvda = Spec::default().build();
    let amd = Spec {
        symbol: "AMD",
        spot: 50.0,
        strikes: (8..=13).map(|i| i as f64 * 5.0).collect(),
        ..Spec::default()
    }
    .build();
    let hist = history("NVDA");
    let portfolio = Portfolio {
        holdings: vec![
            holding("NVDA", 300, Some(80.0)),
            holding("amd", 250, None),
            holding("MSFT", 100, None),
        ],
    };
    let markets = [
        Market {
            chain: &nvda,
            history: Some(&hist),
        },
        Market {
            chain: &amd,
            history: None,
        },
    ];
    let p = plan(&portfolio, &markets, &PlanParams::default()).unwrap();
    assert_eq!(p.holdings.len(), 3);
    let n = p.holdings[0].best.as_ref().unwrap();
    let a = p.holdings[1].best.as_ref().unwrap();
    assert!(p.holdings[2].best.is_none() && p.holdings[2].suggestion.is_none());
    assert_eq!(
        p.notes,
        vec![Note::HoldingSkipped {
            symbol: "MSFT".into(),
            reason: "no option chain given".into()
        }]
    );
    assert_eq!((n.contracts, a.contracts), (3, 2));
    // Edge only where history was given.
    assert!(n.metrics.edge.is_some() && n.metrics.realized_vol.is_some());
    assert!(a.metrics.edge.is_none());

    let t = &p.totals;
    assert!((t.premium_income - (n.total_premium + a.total_premium)).abs() < 1e-9);
    // Capital covered: 300 × 100 + 200 × 50 = 40 000.
    assert!((t.capital_covered - 40_000.0).abs() < 1e-9);
    let want = (n.metrics.assignment_probability * 30_000.0
        + a.metrics.assignment_probability * 10_000.0)
        / 40_000.0;
    assert!((t.exposure_weighted_assignment.unwrap() - want).abs() < 1e-12);
    assert_eq!((t.holdings_with_call, t.holdings_without_call), (2, 1));
    // Before: 300 + 250 + 100 shares. After: less 300·Δ_NVDA + 200·Δ_AMD.
    assert!((t.net_delta_before - 650.0).abs() < 1e-9);
    let after = 650.0 - 300.0 * n.metrics.delta - 200.0 * a.metrics.delta;
    assert!((t.net_delta_after - after).abs() < 1e-9);

    // Stress for NVDA at +20 %: S_T = 120; without = 300 × 120 = 36 000;
    // with = 36 000 + premium − 300 × max(0, 120 − K).
    let h = &p.holdings[0];
    assert_eq!(h.stress.len(), STRESS_SHOCKS.len());
    let up = h.stress[4];
    assert_eq!(up.shock, 0.20);
    assert!((up.spot_at_expiry.unwrap() - 120.0).abs() < 1e-12);
    assert!((up.value_without_calls - 36_000.0).abs() < 1e-9);
    let with = 36_000.0 + n.total_premium - 300.0 * (120.0 - n.strike).max(0.0);
    assert!((up.value_with_calls - with).abs() < 1e-9);
    // At −20 % the calls expire worthless: with = without + premium.
    let down = h.stress[0];
    assert!((down.value_with_calls - down.value_without_calls - n.total_premium).abs() < 1e-9);
    // Totals sum the holdings (MSFT has no chain, so no spot, so no rows).
    assert!(p.holdings[2].stress.is_empty());
    for (i, row) in p.stress_total.iter().enumerate() {
        let want: f64 = p
            .holdings
            .iter()
            .filter_map(|h| h.stress.get(i))
            .map(|s| s.value_with_calls)
            .sum();
        assert!((row.value_with_calls - want).abs() < 1e-9);
    }
}

#[test]
fn an_unusable_chain_is_a_note_not_an_error() {
    let mut bad = Spec::default().build();
    bad.underlying.last = f64::NAN;
    let portfolio = Portfolio {
        holdings: vec![holding("NVDA", 100, None)],
    };
    let p = plan(
        &portfolio,
        &[Market {
            chain: &bad,
            history: None,
        }],
        &PlanParams::default(),
    )
    .unwrap();
    assert!(p.holdings[0].suggestion.is_none());
    assert!(matches!(p.notes[0], Note::HoldingSkipped { .. }));
    assert_eq!(p.totals.premium_income, 0.0);
    assert_eq!(p.totals.exposure_weighted_assignment, None);
    // Invalid parameters are an error.
    let bad_params = PlanParams {
        coverage: 0.0,
        ..PlanParams::default()
    };
    let e = plan(&portfolio, &[], &bad_params).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::InvalidInput { what: "coverage", value, .. } if value == "0"),
        "{e}"
    );
}
