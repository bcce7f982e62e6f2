//! ns per implied-volatility solve (ccplan vs the `implied-vol` crate, Jäckel's "Let's Be
//! Rational" in Rust) on a fixed grid, with each solver's maximum round-trip error printed
//! beside it, and ns per `greeks()` call.
//!
//! Grid: ln(F/K) from −3 to 3 in steps of 0.25 (25 values), σ√T log-spaced from 0.01 to 2
//! (20 values), calls and puts: 1000 undiscounted prices on F = 100, T = 1. Each solver's
//! round trip uses its own pricer (σ → its price → its σ), so each is judged on its own
//! consistency; the prices are prepared before timing.
//!
//! Run: `cargo bench --bench pricing`.

use std::hint::black_box;
use std::time::Instant;

use ccplan::model::Right;
use ccplan::pricing::{greeks, BsmInputs};
use criterion::{criterion_group, Criterion, Throughput};

#[path = "support/iv_grid.rs"]
mod iv_grid;

use iv_grid::{grid, ns_per_solve, solve_ours, solve_theirs, Case};

/// Over the points where the price determines σ to 1e-12 (16·ε·κ ≤ 1e-12): the worst |Δσ/σ|,
/// the worst among answers that are not gross failures (|Δσ/σ| < 0.5), and the number of gross
/// failures; and the worst |Δσ/σ|/(ε·κ) over all resolved points (how close to the
/// information limit the solver gets).
struct RoundTrip {
    worst: f64,
    worst_non_gross: f64,
    gross: usize,
    worst_scaled: f64,
    informative: usize,
    no_answer: usize,
}

fn max_round_trip(cases: &[Case], solve: fn(&Case) -> f64) -> RoundTrip {
    let mut r = RoundTrip {
        worst: 0.0,
        worst_non_gross: 0.0,
        gross: 0,
        worst_scaled: 0.0,
        informative: 0,
        no_answer: 0,
    };
    for c in cases {
        let v = solve(c);
        let e = ((v - c.vol) / c.vol).abs();
        if e.is_nan() {
            r.no_answer += 1;
            continue;
        }
        if c.ours == 0.0 || !c.kappa.is_finite() {
            // The price underflowed or its time value is not resolved: nothing to recover.
            continue;
        }
        if 16.0 * f64::EPSILON * c.kappa <= 1e-12 {
            r.informative += 1;
            r.worst = r.worst.max(e);
            if e < 0.5 {
                r.worst_non_gross = r.worst_non_gross.max(e);
            } else {
                r.gross += 1;
                println!(
                    "  gross: {:?} K={} σ={} → {v} (κ={:.2e})",
                    c.inputs.right, c.inputs.strike, c.vol, c.kappa
                );
            }
        }
        r.worst_scaled = r.worst_scaled.max(e / (f64::EPSILON * c.kappa.max(1.0)));
    }
    r
}

fn micro(name: &str, f: &dyn Fn(f64) -> f64) {
    let n = 2_000_000;
    let start = Instant::now();
    let mut acc = 0.0;
    for i in 0..n {
        acc += f(black_box(1.0 + (i & 7) as f64 * 1e-3));
    }
    black_box(acc);
    println!(
        "micro {name}: {:.1} ns",
        start.elapsed().as_nanos() as f64 / n as f64
    );
}

fn report() {
    use ccplan::pricing::black::normalised_time_value;
    use ccplan::pricing::normal::{erfcx, norm_cdf};
    micro("erfcx", &|z| erfcx(z));
    micro("norm_cdf", &|z| norm_cdf(-z));
    micro("exp", &|z| z.exp());
    micro("ln", &|z| z.ln());
    // The kernel's regions (x = −z·scale, s fixed; a = |x|/(s√2), τ = s/(2√2)).
    micro("tv divided difference, a=3.5 τ=0.07", &|z| {
        normalised_time_value(-z, 0.2)
    });
    micro("tv divided difference, a=2.4 τ=0.11", &|z| {
        normalised_time_value(-z, 0.3)
    });
    micro("tv divided difference, a=1.8 τ=0.14", &|z| {
        normalised_time_value(-z, 0.4)
    });
    micro("tv series, a=0.07 τ=0.11", &|z| {
        normalised_time_value(-z * 0.03, 0.3)
    });
    micro("tv plain difference, a=0.44 τ=0.57", &|z| {
        normalised_time_value(-z, 1.6)
    });
    micro("greeks", &|z| {
        greeks(
            &BsmInputs {
                right: Right::Call,
                spot: 42.0 * z,
                strike: 40.0,
                t: 0.5,
                rate: 0.1,
                div_yield: 0.0,
            },
            0.2,
        )
        .map(|g| g.price)
        .unwrap_or(0.0)
    });
    let cases = grid();
    let ours = max_round_trip(&cases, solve_ours);
    let theirs = max_round_trip(&cases, solve_theirs);
    println!(
        "grid: {} solves (ln(F/K) ∈ [−3, 3], σ√T ∈ [0.01, 2], calls and puts), {} where the price determines σ to 1e-12",
        cases.len(),
        ours.informative
    );
    for (name, r) in [("ccplan", &ours), ("implied-vol", &theirs)] {
        println!(
            "{name}: max round-trip |Δσ/σ| {:.2e} ({} gross failures; {:.2e} without them); max |Δσ/σ|/(ε·κ) {:.2}; no answer {}",
            r.worst, r.gross, r.worst_non_gross, r.worst_scaled, r.no_answer
        );
    }
    // A quick wall-clock figure beside criterion's (same grid, warm).
    for _ in 0..2 {
        let a = ns_per_solve(&cases, 400, solve_ours);
        let b = ns_per_solve(&cases, 400, solve_theirs);
        println!("wall clock: ccplan {a:.1} ns/solve, implied-vol {b:.1} ns/solve");
    }
}

fn bench_iv(c: &mut Criterion) {
    let cases = grid();
    let mut g = c.benchmark_group("implied_vol_grid");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("ccplan", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for c in &cases {
                acc += solve_ours(black_box(c));
            }
            acc
        })
    });
    g.bench_function("implied-vol 2.1", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for c in &cases {
                acc += solve_theirs(black_box(c));
            }
            acc
        })
    });
    g.finish();
}

fn bench_greeks(c: &mut Criterion) {
    let inputs = BsmInputs {
        right: Right::Call,
        spot: 42.0,
        strike: 40.0,
        t: 0.5,
        rate: 0.10,
        div_yield: 0.0,
    };
    let mut g = c.benchmark_group("greeks");
    g.throughput(Throughput::Elements(1));
    g.bench_function("greeks", |b| {
        b.iter(|| greeks(black_box(&inputs), black_box(0.2)))
    });
    g.finish();
}

/// American prices under the discrete-dividend model: the cases of issue 12's targets (a
/// one-dividend call by the ex-date integral; the finite-difference engine for puts and for a
/// call with a yield), on a 100 strike, 60 days, 30 % vol, dividends of 1.50.
fn bench_american(c: &mut Criterion) {
    use ccplan::pricing::american::{
        american_greeks, american_price, implied_vol_american, AmericanInputs, CashDividend,
    };
    let d = |t: f64| CashDividend {
        t: t / 365.0,
        amount: 1.5,
    };
    let case = |right, divs: Vec<CashDividend>| AmericanInputs {
        right,
        spot: 104.0,
        strike: 100.0,
        t: 60.0 / 365.0,
        rate: 0.04,
        div_yield: 0.0,
        dividends: divs,
    };
    let call1 = case(Right::Call, vec![d(30.0)]);
    let call2 = case(Right::Call, vec![d(15.0), d(45.0)]);
    let put0 = case(Right::Put, vec![]);
    let put1 = case(Right::Put, vec![d(30.0)]);
    let put2 = case(Right::Put, vec![d(15.0), d(45.0)]);
    // A continuous yield beside the cash dividend takes a call off the integral, to the grid.
    let call_yield = AmericanInputs {
        div_yield: 0.01,
        ..case(Right::Call, vec![d(30.0)])
    };
    let mut g = c.benchmark_group("american");
    for (name, inputs) in [
        ("call_one_dividend", &call1),
        ("call_two_dividends", &call2),
        ("put_no_dividend", &put0),
        ("put_one_dividend", &put1),
        ("put_two_dividends", &put2),
        ("call_one_dividend_and_yield", &call_yield),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| american_price(black_box(inputs), black_box(0.3)))
        });
    }
    g.bench_function("greeks_call_one_dividend", |b| {
        b.iter(|| american_greeks(black_box(&call1), black_box(0.3)))
    });
    let p = american_price(&call1, 0.3).unwrap_or(0.0);
    g.bench_function("implied_vol_call_one_dividend", |b| {
        b.iter(|| implied_vol_american(black_box(&call1), black_box(p)))
    });
    let pp = american_price(&put1, 0.3).unwrap_or(0.0);
    g.bench_function("implied_vol_put_one_dividend", |b| {
        b.iter(|| implied_vol_american(black_box(&put1), black_box(pp)))
    });
    g.finish();
}

criterion_group!(benches, bench_iv, bench_greeks, bench_american);

fn main() {
    report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
