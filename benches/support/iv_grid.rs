//! The implied-volatility benchmark grid shared by `benches/pricing.rs` and
//! `examples/iv_grid.rs`: ln(F/K) from −3 to 3, σ√T from 0.01 to 2, calls and puts, with the
//! price of each point from ccplan's kernel and from the implied-vol crate.

use ccplan::model::Right;
use ccplan::pricing::black::normalised_vega;
use ccplan::pricing::{black_price, implied_vol_black, BlackInputs};
use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility, PriceBlackScholes};

pub const FORWARD: f64 = 100.0;

pub struct Case {
    pub inputs: BlackInputs,
    pub vol: f64,
    pub ours: f64,
    pub theirs: f64,
    /// Condition number of the inversion, price/(σ·∂price/∂σ), scaled up where the time value
    /// is subnormal: rounding the price to binary64 alone moves σ by about ε·κ.
    pub kappa: f64,
}

pub fn grid() -> Vec<Case> {
    let mut cases = Vec::new();
    for i in 0..25 {
        let x = -3.0 + 0.25 * i as f64;
        let strike = FORWARD * (-x).exp();
        for j in 0..20 {
            let vol = 0.01 * 200f64.powf(j as f64 / 19.0);
            for right in [Right::Call, Right::Put] {
                let inputs = BlackInputs {
                    right,
                    forward: FORWARD,
                    strike,
                    t: 1.0,
                    discount: 1.0,
                };
                let ours = black_price(&inputs, vol).expect("valid grid");
                let theirs = PriceBlackScholes::builder()
                    .forward(FORWARD)
                    .strike(strike)
                    .volatility(vol)
                    .expiry(1.0)
                    .is_call(right == Right::Call)
                    .build()
                    .expect("valid grid")
                    .calculate::<DefaultSpecialFn>();
                let x = (FORWARD / strike).ln();
                let root_fk = (FORWARD * strike).sqrt();
                let vega = root_fk * normalised_vega(x, vol);
                // Relative resolution of the time value: ε, or coarser once it is subnormal.
                let tv = ours - (right.sign() * (FORWARD - strike)).max(0.0);
                let rho = f64::EPSILON.max(2.0 * f64::from_bits(1) * root_fk / tv);
                cases.push(Case {
                    inputs,
                    vol,
                    ours,
                    theirs,
                    kappa: ours / (vol * vega) * rho / f64::EPSILON,
                });
            }
        }
    }
    cases
}

/// ccplan's implied volatility of a grid point (NaN on error).
pub fn solve_ours(c: &Case) -> f64 {
    implied_vol_black(&c.inputs, c.ours).unwrap_or(f64::NAN)
}

/// implied-vol's implied volatility of a grid point (NaN on error).
pub fn solve_theirs(c: &Case) -> f64 {
    ImpliedBlackVolatility::builder()
        .option_price(c.theirs)
        .forward(c.inputs.forward)
        .strike(c.inputs.strike)
        .expiry(c.inputs.t)
        .is_call(c.inputs.right == Right::Call)
        .build_unchecked()
        .calculate::<DefaultSpecialFn>()
        .unwrap_or(f64::NAN)
}

/// Wall-clock nanoseconds per solve over `rounds` passes of the grid (not inlined, so that a
/// profiler can collect exactly this loop).
#[inline(never)]
pub fn ns_per_solve(cases: &[Case], rounds: usize, solve: fn(&Case) -> f64) -> f64 {
    let start = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..rounds {
        for c in cases {
            acc += solve(std::hint::black_box(c));
        }
    }
    std::hint::black_box(acc);
    start.elapsed().as_nanos() as f64 / (rounds * cases.len()) as f64
}
