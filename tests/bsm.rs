//! Black-Scholes-Merton prices and greeks against published textbook values, put-call parity
//! and finite differences.

use ccplan::model::Right;
use ccplan::pricing::{black_price, greeks, price, BlackInputs, BsmInputs};

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

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

/// Hull, Options, Futures and Other Derivatives (9th ed.), Example 15.6:
/// S = 42, K = 40, r = 10 %, σ = 20 %, T = 0.5 → c = 4.76, p = 0.81 (4.7594 and 0.8086 to
/// four places).
#[test]
fn hull_example_15_6() {
    let c = price(&bsm(Right::Call, 42.0, 40.0, 0.5, 0.10, 0.0), 0.20).unwrap();
    let p = price(&bsm(Right::Put, 42.0, 40.0, 0.5, 0.10, 0.0), 0.20).unwrap();
    close(c, 4.7594, 5e-5, "call");
    close(p, 0.8086, 5e-5, "put");
}

/// Hull (9th ed.), Examples 19.1-19.6: S = 49, K = 50, r = 5 %, σ = 20 %, T = 20 weeks
/// (0.3846 years): price 2.40, delta 0.522, gamma 0.066, vega 12.1 per 1.00 of vol,
/// theta −4.31 per year, rho 8.91 per 1.00 of rate.
#[test]
fn hull_greeks_example() {
    let g = greeks(&bsm(Right::Call, 49.0, 50.0, 0.3846, 0.05, 0.0), 0.20).unwrap();
    close(g.price, 2.40, 0.005, "price");
    close(g.delta, 0.522, 0.0005, "delta");
    close(g.gamma, 0.066, 0.0005, "gamma");
    close(g.vega, 12.1, 0.05, "vega");
    close(g.theta, -4.31, 0.005, "theta");
    close(g.rho, 8.91, 0.005, "rho");
}

/// Haug, The Complete Guide to Option Pricing Formulas (2nd ed.), chapter 1 examples.
/// Haug writes the cost of carry b; here the dividend yield is q = r − b.
#[test]
fn haug_chapter_1() {
    // Generalized BSM call: S = 60, K = 65, T = 0.25, r = 8 %, b = 8 %, σ = 30 % → 2.1334.
    close(
        price(&bsm(Right::Call, 60.0, 65.0, 0.25, 0.08, 0.0), 0.30).unwrap(),
        2.1334,
        5e-5,
        "BSM call",
    );
    // Merton with a dividend yield: put, S = 100, K = 95, T = 0.5, r = 10 %, q = 5 %,
    // σ = 20 % → 2.4648.
    close(
        price(&bsm(Right::Put, 100.0, 95.0, 0.5, 0.10, 0.05), 0.20).unwrap(),
        2.4648,
        5e-5,
        "Merton put",
    );
    // Black-76: F = 19, K = 19, T = 0.75, r = 10 %, σ = 28 % → call = put = 1.7011.
    for right in [Right::Call, Right::Put] {
        let b = BlackInputs {
            right,
            forward: 19.0,
            strike: 19.0,
            t: 0.75,
            discount: (-0.10f64 * 0.75).exp(),
        };
        close(black_price(&b, 0.28).unwrap(), 1.7011, 5e-5, "Black-76");
    }
}

/// Haug (2nd ed.), section 2.1 greeks examples.
#[test]
fn haug_greeks() {
    // Delta of a futures option (b = 0): S = 105, K = 100, T = 0.5, r = 10 %, σ = 36 %:
    // call 0.5946, put −0.3566.
    let c = greeks(&bsm(Right::Call, 105.0, 100.0, 0.5, 0.10, 0.10), 0.36).unwrap();
    let p = greeks(&bsm(Right::Put, 105.0, 100.0, 0.5, 0.10, 0.10), 0.36).unwrap();
    close(c.delta, 0.5946, 5e-5, "call delta");
    close(p.delta, -0.3566, 5e-5, "put delta");
    // Gamma: S = 55, K = 60, T = 0.75, r = 10 %, b = 10 %, σ = 30 % → 0.0278.
    let g = greeks(&bsm(Right::Call, 55.0, 60.0, 0.75, 0.10, 0.0), 0.30).unwrap();
    close(g.gamma, 0.0278, 5e-5, "gamma");
    // Theta of a put: S = 430, K = 405, T = 0.0833, r = 7 %, b = 2 %, σ = 20 % → −31.1924
    // per year.
    let g = greeks(&bsm(Right::Put, 430.0, 405.0, 0.0833, 0.07, 0.05), 0.20).unwrap();
    close(g.theta, -31.1924, 5e-4, "put theta");
    // Rho of a call: S = 72, K = 75, T = 1, r = 9 %, b = 9 %, σ = 19 % → 38.7325.
    let g = greeks(&bsm(Right::Call, 72.0, 75.0, 1.0, 0.09, 0.0), 0.19).unwrap();
    close(g.rho, 38.7325, 5e-4, "call rho");
}

#[test]
fn greeks_match_finite_differences() {
    for right in [Right::Call, Right::Put] {
        for &(s, k, t, r, q, v) in &[
            (100.0, 110.0, 0.25, 0.04, 0.01, 0.35),
            (187.0, 180.0, 0.08, 0.045, 0.0, 0.55),
            (30.0, 28.0, 1.5, 0.03, 0.02, 0.25),
        ] {
            let base = bsm(right, s, k, t, r, q);
            let g = greeks(&base, v).unwrap();
            let f = |i: BsmInputs, vol: f64| price(&i, vol).unwrap();
            let hs = 1e-4 * s;
            let up = BsmInputs {
                spot: s + hs,
                ..base
            };
            let dn = BsmInputs {
                spot: s - hs,
                ..base
            };
            close(g.delta, (f(up, v) - f(dn, v)) / (2.0 * hs), 1e-7, "delta");
            close(
                g.gamma,
                (f(up, v) - 2.0 * g.price + f(dn, v)) / (hs * hs),
                1e-5,
                "gamma",
            );
            let hv = 1e-5;
            close(
                g.vega,
                (f(base, v + hv) - f(base, v - hv)) / (2.0 * hv),
                1e-6,
                "vega",
            );
            let ht = 1e-6;
            let later = BsmInputs { t: t - ht, ..base };
            let earlier = BsmInputs { t: t + ht, ..base };
            close(
                g.theta,
                (f(later, v) - f(earlier, v)) / (2.0 * ht),
                1e-5,
                "theta",
            );
            let hr = 1e-6;
            let r_up = BsmInputs {
                rate: r + hr,
                ..base
            };
            let r_dn = BsmInputs {
                rate: r - hr,
                ..base
            };
            close(g.rho, (f(r_up, v) - f(r_dn, v)) / (2.0 * hr), 1e-5, "rho");
        }
    }
}

#[test]
fn expiry_and_zero_vol_are_intrinsic() {
    let c = greeks(&bsm(Right::Call, 110.0, 100.0, 0.0, 0.05, 0.0), 0.3).unwrap();
    assert_eq!(c.price, 10.0);
    assert_eq!(c.delta, 1.0);
    assert_eq!(c.gamma, 0.0);
    let p = greeks(&bsm(Right::Put, 110.0, 100.0, 0.0, 0.05, 0.0), 0.3).unwrap();
    assert_eq!(p.price, 0.0);
    assert_eq!(p.delta, 0.0);
    // Zero vol with time left: discounted intrinsic on the forward.
    let z = price(&bsm(Right::Call, 100.0, 90.0, 1.0, 0.05, 0.0), 0.0).unwrap();
    close(z, 100.0 - 90.0 * (-0.05f64).exp(), 1e-12, "zero-vol call");
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let good = bsm(Right::Call, 100.0, 100.0, 0.5, 0.05, 0.0);
    for bad in [
        BsmInputs { spot: -1.0, ..good },
        BsmInputs {
            spot: f64::NAN,
            ..good
        },
        BsmInputs {
            strike: 0.0,
            ..good
        },
        BsmInputs { t: -0.1, ..good },
        BsmInputs {
            rate: f64::INFINITY,
            ..good
        },
        BsmInputs {
            div_yield: f64::NAN,
            ..good
        },
    ] {
        let err = price(&bad, 0.2).unwrap_err().to_string();
        assert!(err.starts_with("invalid "), "{err}");
    }
    for (r, shown) in [
        (price(&good, -0.2).map(drop), "-0.2"),
        (greeks(&good, f64::NAN).map(drop), "NaN"),
    ] {
        assert!(
            matches!(&r, Err(ccplan::Error::InvalidInput { what: "volatility", value, .. }) if value == shown),
            "{:?}",
            r.err()
        );
    }
}

#[test]
fn price_is_monotone_in_vol_and_spot() {
    for right in [Right::Call, Right::Put] {
        let base = bsm(right, 100.0, 105.0, 0.2, 0.04, 0.01);
        let mut prev = 0.0;
        for i in 1..200 {
            let p = price(&base, i as f64 * 0.01).unwrap();
            assert!(p > prev, "{right} not increasing in vol at {i}");
            prev = p;
        }
        let mut prev = None;
        for i in 1..200 {
            let p = price(
                &BsmInputs {
                    spot: 50.0 + i as f64,
                    ..base
                },
                0.3,
            )
            .unwrap();
            if let Some(q) = prev {
                match right {
                    Right::Call => assert!(p > q),
                    Right::Put => assert!(p < q),
                }
            }
            prev = Some(p);
        }
    }
}
