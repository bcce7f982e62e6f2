//! Profiling driver for the implied-volatility benchmark grid (the grid of
//! `benches/pricing.rs`): `cargo run --release --example iv_grid -- <ours|theirs|both> [rounds]`.
//! Small enough to run under `valgrind --tool=callgrind`, where instruction counts are a
//! steadier comparison than wall clock on a shared machine.

#[path = "../benches/support/iv_grid.rs"]
#[allow(dead_code)] // the example does not read the condition numbers
mod iv_grid;

use iv_grid::{grid, ns_per_solve, solve_ours, solve_theirs, Case, FORWARD};

/// The profiled loop (`--toggle-collect='iv_grid::run'`).
#[inline(never)]
fn run(cases: &[Case], rounds: usize, solve: fn(&Case) -> f64) -> f64 {
    ns_per_solve(cases, rounds, solve)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "both".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(200);
    let cases = grid();
    // Largest relative round-trip error where the time value is at least 1e-6 of the forward
    // (a quick sanity check; the benchmark applies the conditioning-aware criterion).
    let worst = |solve: fn(&Case) -> f64| {
        cases
            .iter()
            .filter(|c| {
                let intrinsic = (c.inputs.right.sign() * (FORWARD - c.inputs.strike)).max(0.0);
                c.ours - intrinsic > 1e-6 * FORWARD
            })
            .map(|c| ((solve(c) - c.vol) / c.vol).abs())
            .fold(0.0f64, f64::max)
    };
    if which == "ours" || which == "both" {
        let ns = run(&cases, rounds, solve_ours);
        println!(
            "ccplan      {ns:7.1} ns/solve (max rel err {:.2e})",
            worst(solve_ours)
        );
    }
    if which == "theirs" || which == "both" {
        let ns = run(&cases, rounds, solve_theirs);
        println!(
            "implied-vol {ns:7.1} ns/solve (max rel err {:.2e})",
            worst(solve_theirs)
        );
    }
}
