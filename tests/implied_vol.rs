//! Implied volatility and the Black kernel against independent references: textbook values,
//! mpmath at 80 digits (`tests/reference/`), dense round-trip grids over the extremes a real
//! chain produces, every no-arbitrage error, and properties.
//!
//! # When does a price "carry the information"?
//!
//! Rounding a price P to binary64 moves it by up to ε·P (plus a few ulps of kernel error); the
//! solver can then recover σ only to δσ/σ ≈ ε·P/(σ·∂P/∂σ). We call κ = P/(σ·∂P/∂σ) the
//! condition number of the inversion and require the round-trip error to be at most
//! max(1e-12, 16·ε·κ): where κ ≤ 2.8e2 (16·ε·κ ≤ 1e-12) that is the 1e-12 requirement itself;
//! beyond, the price no longer determines σ to 1e-12 and we ask for what it does determine.
//! Deep in-the-money options with tiny time value and deep out-of-the-money options near
//! underflow are the cases with large κ. Repricing is checked everywhere: the solved σ must
//! reproduce the input price to 1e-13 relative.

use ccplan::error::{Error, PriceBound};
use ccplan::model::Right;
use ccplan::pricing::black::{normalised_time_value, normalised_vega, undiscounted_black};
use ccplan::pricing::{
    black_price, greeks, implied_vol, implied_vol_black, price, BlackInputs, BsmInputs,
};
use proptest::prelude::*;

const BLACK_REF: &str = include_str!("reference/black_reference.csv");
const USD_REF: &str = include_str!("reference/usd_reference.csv");
const ERFCX_REF: &str = include_str!("reference/erfcx_reference.csv");
const ERFCX_DIFF_REF: &str = include_str!("reference/erfcx_difference_reference.csv");
const EPS: f64 = f64::EPSILON;

fn num(s: &str) -> f64 {
    s.trim().parse().expect("reference CSV holds numbers")
}

fn bsm(right: Right, spot: f64, strike: f64, t: f64, rate: f64, div_yield: f64) -> BsmInputs {
    BsmInputs {
        right,
        spot,
        strike,
        t,
        rate,
        div_yield,
    }
}

// ---------------------------------------------------------------------------------------------
// Kernel accuracy against mpmath.

/// ccplan's erfcx against mpmath at 40 digits over its whole domain (z from −26 to 1e300, every
/// table interval end): within 2.5 ulp relative everywhere.
#[test]
fn erfcx_matches_mpmath_over_its_domain() {
    use ccplan::pricing::normal::erfcx;
    let mut worst = (0.0f64, 0.0);
    let mut n = 0;
    for line in ERFCX_REF.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (z, want) = (num(f[0]), num(f[1]));
        let got = erfcx(z);
        let rel = ((got - want) / want).abs();
        if rel > worst.0 {
            worst = (rel, z);
        }
        n += 1;
    }
    println!(
        "erfcx: {n} points, worst rel err {:.2e} ({:.2} ulp) at z={}",
        worst.0,
        worst.0 / EPS,
        worst.1
    );
    assert!(n > 6000);
    assert!(worst.0 <= 2.5 * EPS, "worst {worst:?}");
    assert_eq!(erfcx(f64::INFINITY), 0.0);
    assert_eq!(erfcx(-27.0), f64::INFINITY);
    assert!(erfcx(f64::NAN).is_nan());
}

/// erfcx(a − τ) − erfcx(a + τ) against mpmath at 60 digits (2,288 points: a at every interval
/// end of the erfcx table and beside it, τ/a from 1e-12 to 1): a few ulps of the difference
/// itself, where the plain difference loses up to log₂(1 + a/τ) ≈ 40 bits.
#[test]
fn erfcx_difference_matches_mpmath_however_small_tau() {
    use ccplan::pricing::normal::{erfcx, erfcx_difference};
    let (mut worst, mut worst_plain) = ((0.0f64, 0.0, 0.0), 0.0f64);
    let mut n = 0;
    for line in ERFCX_DIFF_REF.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (a, tau, want) = (num(f[0]), num(f[1]), num(f[2]));
        let rel = ((erfcx_difference(a, tau) - want) / want).abs();
        if rel > worst.0 {
            worst = (rel, a, tau);
        }
        let plain = erfcx(a - tau) - erfcx(a + tau);
        worst_plain = worst_plain.max(((plain - want) / want).abs());
        n += 1;
    }
    println!(
        "erfcx difference: {n} points, worst {:.2e} ({:.2} ulp) at a={} τ={}; plain difference worst {:.1e}",
        worst.0,
        worst.0 / EPS,
        worst.1,
        worst.2,
        worst_plain
    );
    assert!(n > 2000);
    assert!(worst.0 <= 4.0 * EPS, "worst {worst:?}");
    // The reference does exercise the cancellation.
    assert!(worst_plain > 1e-6, "{worst_plain:e}");
}

#[test]
fn normalised_kernel_matches_mpmath_to_a_few_ulps() {
    let mut worst = (0.0f64, 0.0, 0.0);
    let mut sum = 0.0;
    let mut n = 0;
    for line in BLACK_REF.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (x, s, want) = (num(f[0]), num(f[1]), num(f[2]));
        let got = normalised_time_value(x, s);
        let rel = ((got - want) / want).abs();
        sum += rel;
        if rel > worst.0 {
            worst = (rel, x, s);
        }
        n += 1;
    }
    println!(
        "kernel: {n} points, worst rel err {:.2e} ({:.1} ulp) at x={} s={}, mean {:.2e}",
        worst.0,
        worst.0 / EPS,
        worst.1,
        worst.2,
        sum / n as f64
    );
    assert!(n > 1500);
    assert!(worst.0 < 8.0 * EPS, "worst {worst:?}");
}

#[test]
fn usd_kernel_matches_mpmath_up_to_the_conditioning_of_ln_f_over_k() {
    let mut worst = 0.0f64;
    let mut n = 0;
    for line in USD_REF.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let right: Right = f[0].parse().expect("right");
        let (fwd, k, s, want) = (num(f[1]), num(f[2]), num(f[3]), num(f[4]));
        let got = undiscounted_black(fwd, k, s, right);
        // ln(F/K) is known to about 1.5 ulp of max(|x|, 1); the price moves by
        // ∂P/∂x·δx = (√(FK)·∂b₀/∂x)·δx with |∂b₀/∂x| ≤ b₀·(|x|/s² + 1) + vega-like terms;
        // bound it with |x|/s²·b₀ + e^{−|x|/2}.
        let x: f64 = (fwd / k).ln();
        let tv = want - (right.sign() * (fwd - k)).max(0.0);
        let dx = 1.5 * EPS * x.abs().max(1.0);
        let cond_abs = (fwd * k).sqrt() * dx * ((x.abs() / (s * s) + 1.0) * tv / (fwd * k).sqrt());
        let tol = 8.0 * EPS * want + 2.0 * cond_abs;
        let err = (got - want).abs();
        assert!(err <= tol, "{line}: got {got:e}, err {err:e} > tol {tol:e}");
        worst = worst.max(err / want);
        n += 1;
    }
    println!("USD kernel: {n} points, worst rel err {worst:.2e}");
    assert!(n > 300);
}

// ---------------------------------------------------------------------------------------------
// Textbook values.

/// Hull, *Options, Futures, and Other Derivatives*: the worked Black-Scholes-Merton example
/// (S = 42, K = 40, r = 10 %, σ = 20 %, T = 0.5: c = 4.76, p = 0.81; Example 13.6 in the 7th
/// edition, 15.6 in the 8th, in the chapter "The Black-Scholes-Merton Model"). Four decimals
/// from mpmath: 4.7594, 0.8086.
#[test]
fn hull_example() {
    let call = bsm(Right::Call, 42.0, 40.0, 0.5, 0.10, 0.0);
    let put = BsmInputs {
        right: Right::Put,
        ..call
    };
    let c = price(&call, 0.2).unwrap();
    let p = price(&put, 0.2).unwrap();
    assert!((c - 4.759_422_392_871_533).abs() < 1e-13, "{c}");
    assert!((p - 0.808_599_372_900_093_7).abs() < 1e-13, "{p}");
    assert!((c - 4.7594).abs() < 5e-5 && (p - 0.8086).abs() < 5e-5);
    assert!((implied_vol(&call, 4.7594).unwrap() - 0.2).abs() < 1e-4);
    assert!((implied_vol(&call, c).unwrap() - 0.2).abs() < 1e-15);
    assert!((implied_vol(&put, p).unwrap() - 0.2).abs() < 1e-15);
}

/// Haug, *The Complete Guide to Option Pricing Formulas*, 2nd ed. (McGraw-Hill, 2007),
/// chapter 1, the numerical examples of §1.1.1 (Black-Scholes), §1.1.4 (Merton 1973), §1.1.5
/// (Black-76), §1.1.6 (Garman-Kohlhagen) and §1.1.7 / the generalized BSM put (cost of carry
/// b = 0.05). Values printed to four decimals in the book; reference digits from mpmath.
#[test]
fn haug_examples() {
    // (inputs, σ, book value, mpmath value)
    let cases = [
        // Black-Scholes call: S = 60, K = 65, T = 0.25, r = 8 %, σ = 30 % → 2.1334.
        (
            bsm(Right::Call, 60.0, 65.0, 0.25, 0.08, 0.0),
            0.30,
            2.1334,
            2.133_368_444_916_2,
        ),
        // Merton put with dividend yield: S = 100, K = 95, T = 0.5, r = 10 %, q = 5 %,
        // σ = 20 % → 2.4648.
        (
            bsm(Right::Put, 100.0, 95.0, 0.5, 0.10, 0.05),
            0.20,
            2.4648,
            2.464_787_646_755_821,
        ),
        // Garman-Kohlhagen call: S = 1.56, K = 1.60, T = 0.5, r = 6 %, r_f = 8 %, σ = 12 %
        // → 0.0291.
        (
            bsm(Right::Call, 1.56, 1.60, 0.5, 0.06, 0.08),
            0.12,
            0.0291,
            0.029_099_253_149_439_67,
        ),
        // Generalized BSM put, cost of carry b = r − q = 5 %: S = 75, K = 70, T = 0.5,
        // r = 10 %, σ = 35 % → 4.0870.
        (
            bsm(Right::Put, 75.0, 70.0, 0.5, 0.10, 0.05),
            0.35,
            4.0870,
            4.086_953_828_635_353,
        ),
    ];
    for (inputs, vol, book, exact) in cases {
        let p = price(&inputs, vol).unwrap();
        assert!((p - book).abs() < 5e-5, "{inputs:?}: {p} vs book {book}");
        assert!(
            ((p - exact) / exact).abs() < 1e-13,
            "{inputs:?}: {p} vs {exact}"
        );
        let back = implied_vol(&inputs, p).unwrap();
        assert!((back - vol).abs() < 1e-14 * vol, "{inputs:?}: {back}");
    }
    // Black-76: F = 19, K = 19, T = 0.75, r = 10 %, σ = 28 % → call = put = 1.7011.
    for right in [Right::Call, Right::Put] {
        let inputs = BlackInputs {
            right,
            forward: 19.0,
            strike: 19.0,
            t: 0.75,
            discount: (-0.1f64 * 0.75).exp(),
        };
        let p = black_price(&inputs, 0.28).unwrap();
        assert!(((p - 1.701_050_725_236_267_3) / p).abs() < 1e-14, "{p}");
        assert!((implied_vol_black(&inputs, p).unwrap() - 0.28).abs() < 1e-15);
    }
}

#[test]
fn put_call_parity_holds_to_rounding() {
    for &(s, k, t, r, q, v) in &[
        (100.0, 100.0, 1.0, 0.05, 0.02, 0.2),
        (42.0, 40.0, 0.5, 0.1, 0.0, 0.2),
        (100.0, 300.0, 2.0, 0.03, 0.0, 0.6),
        (100.0, 1.0, 0.1, 0.0, 0.01, 1.5),
        (100.0, 99.0, 1.0 / 365.0, 0.05, 0.0, 0.05),
        (100.0, 100.0, 1.0, 0.05, 0.02, 0.3),
        (180.0, 250.0, 0.02, 0.04, 0.0, 0.9),
        (50.0, 20.0, 2.5, 0.0, 0.01, 0.15),
        (420.0, 430.0, 1.0 / 365.0, 0.045, 0.007, 0.45),
    ] {
        let c = price(&bsm(Right::Call, s, k, t, r, q), v).unwrap();
        let p = price(&bsm(Right::Put, s, k, t, r, q), v).unwrap();
        let parity = s * (-q * t).exp() - k * (-r * t).exp();
        assert!(
            (c - p - parity).abs() <= 8.0 * EPS * s.max(k),
            "{s} {k}: {c} − {p} ≠ {parity}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips.

struct Stats {
    n: usize,
    informative: usize,
    worst_informative: f64,
    worst_scaled: f64,
    worst_reprice: f64,
}

/// σ → price → σ on a grid of log-moneyness and total volatility, calls and puts, with a
/// non-trivial discount factor; checks round trip and repricing as described at the top.
fn round_trip_grid(xs: &[f64], ss: &[f64]) -> Stats {
    round_trip_grid_with(xs, ss, 0.25, 0.99)
}

fn round_trip_grid_with(xs: &[f64], ss: &[f64], t: f64, discount: f64) -> Stats {
    let mut st = Stats {
        n: 0,
        informative: 0,
        worst_informative: 0.0,
        worst_scaled: 0.0,
        worst_reprice: 0.0,
    };
    let forward = 100.0;
    for &x in xs {
        let strike = forward * (-x).exp();
        for &s in ss {
            let vol = s / t.sqrt();
            for right in [Right::Call, Right::Put] {
                let inputs = BlackInputs {
                    right,
                    forward,
                    strike,
                    t,
                    discount,
                };
                let p = black_price(&inputs, vol).unwrap();
                let intrinsic = discount * (right.sign() * (forward - strike)).max(0.0);
                let xx = (forward / strike).ln();
                let vega_usd =
                    discount * (forward * strike).sqrt() * normalised_vega(xx, s) * t.sqrt();
                let kappa = p / (vol * vega_usd);
                // Relative resolution of the normalised time value (coarser than ε once it is
                // subnormal, below 2.2e-308·√(FK)).
                let beta = (p - intrinsic) / (discount * (forward * strike).sqrt());
                let rho = EPS.max(2.0 * f64::from_bits(1) / beta) * ((p - intrinsic) / p).max(1.0);
                let kappa = kappa * rho / EPS;
                if p - intrinsic <= 4.0 * EPS * intrinsic || !kappa.is_finite() {
                    // The time value is not resolved at all: the price is "at intrinsic".
                    assert_eq!(implied_vol_black(&inputs, p).unwrap(), 0.0);
                    continue;
                }
                let got = match implied_vol_black(&inputs, p) {
                    Ok(v) => v,
                    Err(e) => panic!("x={x} s={s} {right}: {e}"),
                };
                if got == 0.0 {
                    // Allowed only when the time value is lost in the rounding of price/D.
                    assert!(p - intrinsic <= 16.0 * EPS * p, "x={x} s={s} {right}: 0");
                    continue;
                }
                assert!(got.is_finite() && got > 0.0, "x={x} s={s} {right}: {got}");
                let err = ((got - vol) / vol).abs();
                let allowed = 1e-12f64.max(16.0 * EPS * kappa);
                assert!(
                    err <= allowed,
                    "round trip x={x} s={s} {right}: σ={vol} → {got}, err {err:e} > {allowed:e} (κ={kappa:e})"
                );
                let back = black_price(&inputs, got).unwrap();
                let rep = ((back - p) / p).abs();
                assert!(
                    rep <= 1e-13f64.max(4.0 * rho),
                    "reprice x={x} s={s} {right}: {back:e} vs {p:e}, {rep:e}"
                );
                st.n += 1;
                if 16.0 * EPS * kappa <= 1e-12 {
                    st.informative += 1;
                    st.worst_informative = st.worst_informative.max(err);
                }
                st.worst_scaled = st.worst_scaled.max(err / (EPS * kappa.max(1.0)));
                st.worst_reprice = st.worst_reprice.max(rep);
            }
        }
    }
    st
}

fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .collect()
}

#[test]
fn round_trip_dense_grid_over_the_whole_domain() {
    let xs: Vec<f64> = (-100..=100).map(|i| i as f64 * 0.05).collect();
    let mut ss = logspace(1e-4, 5.0, 90);
    ss.extend([0.01, 0.1, 0.5, 1.0, 2.0]);
    let st = round_trip_grid(&xs, &ss);
    println!(
        "round trip: {} solves, {} informative (κ ≤ 2.8e2): worst σ error {:.2e}; worst error/(ε·κ) {:.2}; worst reprice {:.2e}",
        st.n, st.informative, st.worst_informative, st.worst_scaled, st.worst_reprice
    );
    assert!(st.informative > 10_000);
}

/// The benchmark's grid (benches/pricing.rs): undiscounted, T = 1.
#[test]
fn round_trip_benchmark_grid() {
    let xs: Vec<f64> = (0..25).map(|i| -3.0 + 0.25 * i as f64).collect();
    let ss: Vec<f64> = (0..20)
        .map(|j| 0.01 * 200f64.powf(j as f64 / 19.0))
        .collect();
    let st = round_trip_grid_with(&xs, &ss, 1.0, 1.0);
    println!(
        "round trip bench grid: {} solves, {} informative, worst {:.2e}, worst/(ε·κ) {:.2}, reprice {:.2e}",
        st.n, st.informative, st.worst_informative, st.worst_scaled, st.worst_reprice
    );
}

#[test]
fn round_trip_tiny_moneyness_and_deep_out_of_the_money() {
    let xs = [
        -1e-12, 1e-12, -1e-8, 1e-8, -1e-5, 1e-5, -1e-3, 1e-3, -4.99, 4.99, -5.0, 5.0, -7.0, 7.0,
    ];
    let ss = logspace(1e-4, 8.0, 120);
    let st = round_trip_grid(&xs, &ss);
    println!(
        "round trip extremes: {} solves, {} informative, worst {:.2e}, worst/(ε·κ) {:.2}, reprice {:.2e}",
        st.n, st.informative, st.worst_informative, st.worst_scaled, st.worst_reprice
    );
}

#[test]
fn otm_prices_down_to_1e_minus_12_of_the_forward_and_below() {
    // Out-of-the-money calls whose price is 1e-12 … 1e-200 of the forward.
    let forward = 100.0;
    for &x in &[-0.5f64, -1.0, -3.0, -5.0] {
        let strike = forward * (-x).exp();
        for &target in &[1e-12, 1e-20, 1e-50, 1e-100, 1e-200] {
            // Find s with b₀(x, s)·√(FK) = target·F by bisection on the kernel.
            let (mut lo, mut hi) = (1e-6, 5.0);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if (forward * strike).sqrt() * normalised_time_value(x, mid) < target * forward {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let inputs = BlackInputs {
                right: Right::Call,
                forward,
                strike,
                t: 1.0,
                discount: 1.0,
            };
            let p = black_price(&inputs, lo).unwrap();
            assert!(p > 0.0);
            let got = implied_vol_black(&inputs, p).unwrap();
            assert!(
                ((got - lo) / lo).abs() < 1e-13,
                "x={x} p/F={target:e}: {got} vs {lo}"
            );
            let back = black_price(&inputs, got).unwrap();
            assert!(((back - p) / p).abs() < 1e-13);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// No-arbitrage and input errors.

fn call_100_90() -> BlackInputs {
    BlackInputs {
        right: Right::Call,
        forward: 100.0,
        strike: 90.0,
        t: 0.5,
        discount: 0.98,
    }
}

#[test]
fn below_intrinsic_is_an_error_with_the_numbers() {
    let i = call_100_90();
    match implied_vol_black(&i, 9.0) {
        Err(Error::PriceOutOfBounds {
            bound: PriceBound::BelowIntrinsic,
            price,
            limit,
            excess,
        }) => {
            assert_eq!(price, 9.0);
            assert!((limit - 9.8).abs() < 1e-12);
            assert!((excess - 0.8).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    // An in-the-money put priced at 0.
    let put = BlackInputs {
        right: Right::Put,
        strike: 110.0,
        ..i
    };
    assert!(matches!(
        implied_vol_black(&put, 0.0),
        Err(Error::PriceOutOfBounds {
            bound: PriceBound::BelowIntrinsic,
            ..
        })
    ));
}

#[test]
fn at_intrinsic_is_zero_vol() {
    let i = call_100_90();
    let intrinsic = 0.98 * 10.0;
    assert_eq!(implied_vol_black(&i, intrinsic).unwrap(), 0.0);
    // Within the documented tolerance (4 ulps of the bound) on either side.
    let ulp = intrinsic * EPS;
    assert_eq!(implied_vol_black(&i, intrinsic + 2.0 * ulp).unwrap(), 0.0);
    assert_eq!(implied_vol_black(&i, intrinsic - 2.0 * ulp).unwrap(), 0.0);
    // Out of the money the intrinsic value is 0 and only a zero price is at the bound.
    let otm = BlackInputs { strike: 150.0, ..i };
    assert_eq!(implied_vol_black(&otm, 0.0).unwrap(), 0.0);
    assert!(implied_vol_black(&otm, 1e-300).unwrap() > 0.0);
    // Just outside the tolerance a (small) volatility is solved, not 0.
    let v = implied_vol_black(&i, intrinsic * (1.0 + 1e-12)).unwrap();
    assert!(v > 0.0 && v < 0.1, "{v}");
}

#[test]
fn above_maximum_and_at_maximum() {
    let call = call_100_90();
    let put = BlackInputs {
        right: Right::Put,
        ..call
    };
    let (cmax, pmax) = (0.98 * 100.0, 0.98 * 90.0);
    for (inputs, max) in [(call, cmax), (put, pmax)] {
        match implied_vol_black(&inputs, max * 1.01) {
            Err(Error::PriceOutOfBounds {
                bound: PriceBound::AboveMaximum,
                limit,
                excess,
                ..
            }) => {
                assert!((limit - max).abs() < 1e-12);
                assert!((excess - 0.01 * max).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
        match implied_vol_black(&inputs, max) {
            Err(Error::PriceAtBound {
                bound: PriceBound::AboveMaximum,
                vol,
                ..
            }) => assert_eq!(vol, f64::INFINITY),
            other => panic!("{other:?}"),
        }
        // Just below the maximum the (huge) volatility is still solved and reprices.
        let p = max * (1.0 - 1e-9);
        let v = implied_vol_black(&inputs, p).unwrap();
        assert!(v.is_finite() && v > 5.0, "{v}");
        let back = black_price(&inputs, v).unwrap();
        assert!(((back - p) / p).abs() < 1e-13);
    }
}

#[test]
fn expiry_allows_only_the_intrinsic_value() {
    let i = BlackInputs {
        t: 0.0,
        ..call_100_90()
    };
    let intrinsic = 0.98 * 10.0;
    assert_eq!(implied_vol_black(&i, intrinsic).unwrap(), 0.0);
    assert!(matches!(
        implied_vol_black(&i, intrinsic + 0.01),
        Err(Error::PriceOutOfBounds {
            bound: PriceBound::AboveMaximum,
            ..
        })
    ));
    assert!(matches!(
        implied_vol_black(&i, intrinsic - 0.01),
        Err(Error::PriceOutOfBounds {
            bound: PriceBound::BelowIntrinsic,
            ..
        })
    ));
    let otm = BlackInputs { strike: 120.0, ..i };
    assert_eq!(implied_vol_black(&otm, 0.0).unwrap(), 0.0);
    assert!(matches!(
        implied_vol_black(&otm, 0.5),
        Err(Error::PriceOutOfBounds {
            price: 0.5,
            bound: PriceBound::AboveMaximum,
            limit: 0.0,
            ..
        })
    ));
}

#[test]
fn invalid_inputs_are_rejected_never_nan() {
    let ok = call_100_90();
    for bad_price in [f64::NAN, f64::INFINITY, -1.0, f64::NEG_INFINITY] {
        assert!(
            matches!(
                implied_vol_black(&ok, bad_price),
                Err(Error::InvalidInput { .. })
            ),
            "{bad_price}"
        );
    }
    let bads = [
        BlackInputs {
            forward: f64::NAN,
            ..ok
        },
        BlackInputs {
            forward: -1.0,
            ..ok
        },
        BlackInputs { strike: 0.0, ..ok },
        BlackInputs {
            strike: f64::INFINITY,
            ..ok
        },
        BlackInputs { t: -1.0, ..ok },
        BlackInputs { t: f64::NAN, ..ok },
        BlackInputs {
            discount: 0.0,
            ..ok
        },
        BlackInputs {
            discount: f64::NAN,
            ..ok
        },
    ];
    for b in bads {
        assert!(
            matches!(implied_vol_black(&b, 12.0), Err(Error::InvalidInput { .. })),
            "{b:?}"
        );
    }
    let s = bsm(Right::Call, 100.0, 100.0, 1.0, f64::NAN, 0.0);
    assert!(matches!(
        implied_vol(&s, 10.0),
        Err(Error::InvalidInput { .. })
    ));
    let s = bsm(Right::Call, f64::INFINITY, 100.0, 1.0, 0.0, 0.0);
    assert!(matches!(
        implied_vol(&s, 10.0),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn extreme_but_valid_inputs_never_panic_or_nan() {
    let vals = [1e-300, 1e-10, 0.5, 1.0, 3.0, 1e10, 1e300];
    for &f in &vals {
        for &k in &vals {
            for &t in &[1e-10, 1.0, 50.0] {
                for right in [Right::Call, Right::Put] {
                    let inputs = BlackInputs {
                        right,
                        forward: f,
                        strike: k,
                        t,
                        discount: 1.0,
                    };
                    let max = if right == Right::Call { f } else { k };
                    for frac in [0.0, 1e-300, 1e-12, 0.3, 0.999_999, 1.0, 1.5] {
                        let p = frac * max;
                        if let Ok(v) = implied_vol_black(&inputs, p) {
                            assert!(v.is_finite() && v >= 0.0, "{inputs:?} {p}: {v}");
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn price_is_monotone_in_vol(x in -5.0f64..5.0, s in 1e-3f64..4.0, ds in 1e-6f64..0.5, call in any::<bool>()) {
        let right = if call { Right::Call } else { Right::Put };
        let k = 100.0 * (-x).exp();
        let lo = undiscounted_black(100.0, k, s, right);
        let hi = undiscounted_black(100.0, k, s + ds, right);
        prop_assert!(hi >= lo, "{lo} > {hi}");
    }

    #[test]
    fn price_is_monotone_in_spot(spot in 10.0f64..200.0, ds in 1e-3f64..5.0, vol in 0.05f64..1.5, call in any::<bool>()) {
        let right = if call { Right::Call } else { Right::Put };
        let a = price(&bsm(right, spot, 100.0, 0.5, 0.03, 0.01), vol).unwrap();
        let b = price(&bsm(right, spot + ds, 100.0, 0.5, 0.03, 0.01), vol).unwrap();
        if call { prop_assert!(b >= a); } else { prop_assert!(b <= a); }
    }

    #[test]
    fn parity_holds(spot in 1.0f64..500.0, strike in 1.0f64..500.0, t in 0.001f64..3.0, vol in 0.01f64..2.0, r in -0.02f64..0.1, q in 0.0f64..0.08) {
        let c = price(&bsm(Right::Call, spot, strike, t, r, q), vol).unwrap();
        let p = price(&bsm(Right::Put, spot, strike, t, r, q), vol).unwrap();
        let parity = spot * (-q * t).exp() - strike * (-r * t).exp();
        prop_assert!((c - p - parity).abs() <= 16.0 * EPS * spot.max(strike));
    }

    #[test]
    fn round_trip_property(x in -5.0f64..5.0, s in 1e-4f64..5.0, call in any::<bool>(), disc in 0.5f64..1.0) {
        let right = if call { Right::Call } else { Right::Put };
        let inputs = BlackInputs { right, forward: 100.0, strike: 100.0 * (-x).exp(), t: 1.0, discount: disc };
        let p = black_price(&inputs, s).unwrap();
        let intrinsic = disc * (right.sign() * (inputs.forward - inputs.strike)).max(0.0);
        prop_assume!(p - intrinsic > 4.0 * EPS * intrinsic && p > 0.0);
        let vega = disc * (inputs.forward * inputs.strike).sqrt() * normalised_vega((inputs.forward / inputs.strike).ln(), s);
        // Coarser than ε once the normalised time value is subnormal.
        let beta = (p - intrinsic) / (disc * (inputs.forward * inputs.strike).sqrt());
        let rho = EPS.max(2.0 * f64::from_bits(1) / beta) * ((p - intrinsic) / p).max(1.0);
        let kappa = p / (s * vega) * rho / EPS;
        let got = implied_vol_black(&inputs, p).unwrap();
        if got == 0.0 {
            // Only when the time value is lost in the rounding of price/D.
            prop_assert!(p - intrinsic <= 16.0 * EPS * p);
            return Ok(());
        }
        prop_assert!(((got - s) / s).abs() <= 1e-12f64.max(16.0 * EPS * kappa), "{got} vs {s} κ={kappa:e}");
        let back = black_price(&inputs, got).unwrap();
        prop_assert!(((back - p) / p).abs() <= 1e-13f64.max(4.0 * rho));
    }
}

#[test]
fn greeks_price_matches_price() {
    let i = bsm(Right::Call, 42.0, 40.0, 0.5, 0.1, 0.0);
    assert_eq!(greeks(&i, 0.2).unwrap().price, price(&i, 0.2).unwrap());
}
