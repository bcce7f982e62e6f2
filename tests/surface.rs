//! Chain analytics on chains built from a known forward, discount and smile.

#[path = "plan_support/mod.rs"]
mod support;

use ccplan::model::Right;
use ccplan::surface::{analyze, FallbackReason, ForwardMethod, SurfaceParams};
use chrono::Duration;
use support::*;

fn params_with_rate(rate: f64, div_yield: f64) -> SurfaceParams {
    let mut p = SurfaceParams::default();
    p.parity.rate = rate;
    p.parity.div_yield = div_yield;
    p
}

#[test]
fn parity_recovers_forward_and_discount_and_rejects_a_bad_pair() {
    let spec = Spec {
        vol: skew,
        ..Spec::default()
    };
    let e = d(2026, 12, 18);
    let mut chain = spec.build();
    // A stale put at 100: both sides 0.80 too high. C − P there is 0.80 off parity, far
    // outside its 0.05 + 0.05 half-spreads.
    let q = quote_mut(&mut chain, e, 100.0, Right::Put);
    q.bid = q.bid.map(|b| b + 0.80);
    q.ask = q.ask.map(|a| a + 0.80);
    // The configured rate is deliberately wrong: parity must not need it.
    let s = analyze(&chain, &params_with_rate(0.0, 0.0)).unwrap();
    let slice = s.slice(e).unwrap();
    let fwd = &slice.forward;
    assert!(
        (fwd.forward - spec.forward(e)).abs() < 1e-6,
        "F {} want {}",
        fwd.forward,
        spec.forward(e)
    );
    assert!((fwd.discount - spec.discount(e)).abs() < 1e-9, "{fwd:?}");
    assert!((fwd.implied_rate - 0.045).abs() < 1e-6);
    assert!((fwd.implied_yield - 0.012).abs() < 1e-6);
    match &fwd.method {
        ForwardMethod::Parity {
            rejected_strikes,
            discount_from_parity,
            pairs_used,
        } => {
            assert_eq!(rejected_strikes, &vec![100.0]);
            assert!(discount_from_parity);
            assert!(*pairs_used >= 3);
        }
        other => panic!("expected parity, got {other:?}"),
    }
}

#[test]
fn fallback_when_puts_are_missing() {
    let spec = Spec {
        puts: false,
        ..Spec::default()
    };
    let s = analyze(&spec.build(), &params_with_rate(0.03, 0.01)).unwrap();
    for slice in &s.slices {
        assert_eq!(
            slice.forward.method,
            ForwardMethod::Fallback {
                reason: FallbackReason::MissingSide
            }
        );
        // F = S·e^{(r−q)T} with the configured 3 % and 1 %.
        let want = 100.0 * (0.02 * slice.t).exp();
        assert!((slice.forward.forward - want).abs() < 1e-12);
        assert!((slice.forward.discount - (-0.03 * slice.t).exp()).abs() < 1e-15);
    }
}

#[test]
fn fallback_when_quotes_are_one_sided() {
    let mut chain = Spec::default().build();
    for q in &mut chain.quotes {
        q.ask = None;
    }
    let s = analyze(&chain, &SurfaceParams::default()).unwrap();
    for slice in &s.slices {
        assert!(matches!(
            slice.forward.method,
            ForwardMethod::Fallback {
                reason: FallbackReason::TooFewPairs { found: 0, .. }
            }
        ));
    }
}

#[test]
fn mid_ivs_reprice_to_the_smile_and_bid_mid_ask_are_ordered() {
    let spec = Spec {
        vol: skew,
        ..Spec::default()
    };
    let s = analyze(&spec.build(), &SurfaceParams::default()).unwrap();
    let mut checked = 0;
    for slice in &s.slices {
        for q in slice.calls.iter().chain(&slice.puts) {
            let want = spec.vol_at(slice.expiry, q.strike());
            let Some(iv) = q.iv_mid else { continue };
            let g = q.greeks.unwrap();
            // Every mid IV reprices its mid (the greeks are at the mid IV).
            assert!((g.price - q.mid.unwrap()).abs() < 1e-9, "{}", q.contract);
            // Out of the money the IV is well conditioned and must be the smile's; in the
            // money the time value of a 4-day deep option is too small to pin σ to 1e-7.
            let otm = (q.contract.right == Right::Call) == (q.strike() >= slice.forward.forward);
            if otm {
                assert!(
                    (iv - want).abs() < 1e-7,
                    "{} iv {iv} want {want}",
                    q.contract
                );
            }
            if let (Some(b), Some(a)) = (q.iv_bid, q.iv_ask) {
                assert!(b < iv && iv < a, "{}: {b} {iv} {a}", q.contract);
            }
            assert!(g.delta.abs() <= 1.0);
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn atm_moneyness_delta_and_constant_maturity_readings() {
    let spec = Spec {
        vol: skew,
        ..Spec::default()
    };
    let s = analyze(&spec.build(), &SurfaceParams::default()).unwrap();
    let e = d(2026, 12, 18);
    let slice = s.slice(e).unwrap();
    // The smile is linear in ln(K/F), so linear interpolation is exact: ATM = 30 %.
    assert!((slice.atm_iv().unwrap() - 0.30).abs() < 1e-7);
    // 90 % moneyness: 0.30 − 0.25·ln 0.9 = 0.326340...
    let want = 0.30 - 0.25 * 0.9f64.ln();
    assert!((slice.iv_at_moneyness(0.9).unwrap() - want).abs() < 1e-7);
    // Beyond the listed strikes: nothing.
    assert!(slice.iv_at_moneyness(2.0).is_none());
    // 25-delta: the put side is richer under this skew, both inside the smile's range.
    let c25 = slice.iv_at_delta(Right::Call, 0.25, s.spot).unwrap();
    let p25 = slice.iv_at_delta(Right::Put, -0.25, s.spot).unwrap();
    assert!(p25 > 0.30 && 0.30 > c25 && c25 > 0.2, "{p25} {c25}");
    // IV30 on a flat 30 % surface is 30 %.
    let flat = analyze(&Spec::default().build(), &SurfaceParams::default()).unwrap();
    assert!((flat.atm_iv_constant_maturity(30.0).unwrap() - 0.30).abs() < 1e-7);
    assert!(flat.atm_iv_constant_maturity(400.0).is_none());
    assert_eq!(flat.atm_term_structure().len(), 4);
}

#[test]
fn quote_flags() {
    let spec = Spec::default();
    let e = d(2026, 12, 18);
    let mut chain = spec.build();
    // Crossed.
    let q = quote_mut(&mut chain, e, 110.0, Right::Call);
    q.bid = Some(3.0);
    q.ask = Some(2.0);
    // No bid, no trades.
    let q = quote_mut(&mut chain, e, 115.0, Right::Call);
    q.bid = None;
    q.volume = Some(0);
    // Stale: last trade three days before as-of.
    let q = quote_mut(&mut chain, e, 120.0, Right::Call);
    q.last_trade = Some(spec.as_of - Duration::days(3));
    // Below intrinsic: the 80 call (F ≈ 100.3) quoted 15.00 / 15.10.
    let q = quote_mut(&mut chain, e, 80.0, Right::Call);
    q.bid = Some(15.0);
    q.ask = Some(15.1);
    let s = analyze(&chain, &SurfaceParams::default()).unwrap();
    let slice = s.slice(e).unwrap();
    let f = |k: f64| slice.call(k).unwrap().flags;
    assert!(f(110.0).crossed && !f(110.0).no_bid);
    assert!(slice.call(110.0).unwrap().iv_mid.is_none());
    assert!(f(115.0).no_bid && f(115.0).no_trades && !f(115.0).crossed);
    assert!(f(120.0).stale && !f(120.0).no_trades);
    assert!(f(80.0).below_intrinsic && f(80.0).iv_failed);
    assert!(slice.call(80.0).unwrap().iv().is_none());
    // A clean quote has no flags.
    assert_eq!(f(100.0), Default::default());
}

#[test]
fn non_finite_quotes_are_dropped_and_counted() {
    let mut chain = Spec::default().build();
    chain.quotes[0].bid = Some(f64::NAN);
    chain.quotes[1].ask = Some(f64::INFINITY);
    chain.quotes[2].bid = Some(-1.0);
    let dup = chain.quotes[3].clone();
    chain.quotes.push(dup);
    let s = analyze(&chain, &SurfaceParams::default()).unwrap();
    assert_eq!(s.dropped_quotes, 4);
    for slice in &s.slices {
        for q in slice.calls.iter().chain(&slice.puts) {
            assert!(q.bid.is_none_or(|b| b.is_finite() && b >= 0.0));
            assert!(q.ask.is_none_or(f64::is_finite));
        }
    }
}

#[test]
fn bad_spot_is_an_error_and_expired_expiries_are_skipped() {
    let mut chain = Spec::default().build();
    chain.underlying.last = f64::NAN;
    let e = analyze(&chain, &SurfaceParams::default()).unwrap_err();
    assert!(
        matches!(&e, ccplan::Error::NoData { what: "spot price", symbol, message }
            if *symbol == chain.underlying.symbol && message.contains("NaN")),
        "{e}"
    );
    // After the close on 2026-11-20 that expiry is gone.
    let spec = Spec {
        as_of: at(2026, 11, 20, 16, 30),
        ..Spec::default()
    };
    let s = analyze(&spec.build(), &SurfaceParams::default()).unwrap();
    assert_eq!(s.expired_expiries, 1);
    assert_eq!(s.slices.len(), 3);
}

#[test]
fn lighter_iv_modes_agree_with_the_full_one() {
    use ccplan::surface::IvSides;
    let chain = Spec {
        vol: skew,
        ..Spec::default()
    }
    .build();
    let full = analyze(&chain, &SurfaceParams::default()).unwrap();
    for sides in [IvSides::MidOnly, IvSides::CallsMidOnly] {
        let p = SurfaceParams {
            iv_sides: sides,
            ..SurfaceParams::default()
        };
        let light = analyze(&chain, &p).unwrap();
        for (a, b) in full.slices.iter().zip(&light.slices) {
            assert_eq!(a.forward, b.forward);
            for (x, y) in a.calls.iter().zip(&b.calls) {
                assert_eq!(x.iv_mid, y.iv_mid);
                assert!(y.iv_ask.is_none());
            }
            if sides == IvSides::CallsMidOnly {
                assert!(b
                    .puts
                    .iter()
                    .all(|q| q.iv_mid.is_none() && q.greeks.is_none()));
            }
            // ATM from calls alone is still the smile's 30 % (linear in ln(K/F)).
            if let Some(atm) = b.atm_iv() {
                assert!((atm - 0.30).abs() < 1e-6, "{sides:?} {} {atm}", b.expiry);
            }
        }
    }
}
