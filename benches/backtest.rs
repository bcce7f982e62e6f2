//! Backtest time per simulated session: 10 years of daily sessions for 8 holdings (the demo
//! market's NVDA, MSFT, GOOGL, META, AMD, TSM, PLTR, SMCI, 2015-01-02 to 2024-12-31) with
//! synthetic chains, every rule.
//!
//! Throughput is in holding-sessions (8 × 2,516), so criterion's "elem/s" is simulated
//! sessions per second. The target: the whole run (`bxm/8x10y`) in ≤ 1 s on one core.
//!
//! Recorded 2026-12-06 (branch `issue-15`), bench profile, on the shared 2-core machine with
//! other sessions building; 20,128 holding-sessions per run, criterion's median:
//!
//! | benchmark | whole run | per simulated session |
//! |---|---|---|
//! | `backtest/bxm/8x10y` | 31.4 ms | 1.56 µs |
//! | `backtest/bxy/8x10y` | 27.9 ms | 1.38 µs |
//! | `backtest/bxmd/8x10y` | 40.6 ms | 2.02 µs |
//! | `backtest/ccplan/8x10y` (the planner on a synthetic chain per sale) | 440 ms | 21.9 µs |

use std::hint::black_box;

use ccplan::backtest::{run, BacktestParams, HoldingInput, Rule};
use ccplan::providers::demo::Demo;
use ccplan::providers::HistorySource;
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const SYMBOLS: [&str; 8] = [
    "NVDA", "MSFT", "GOOGL", "META", "AMD", "TSM", "PLTR", "SMCI",
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

fn inputs() -> Vec<HoldingInput> {
    SYMBOLS
        .iter()
        .map(|s| HoldingInput {
            shares: 500,
            history: Demo::new()
                .history(s, d(2014, 11, 15), d(2024, 12, 31))
                .expect("demo history"),
            splits: vec![],
            dividends: vec![],
            iv: vec![],
            chains: vec![],
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let holdings = inputs();
    let mut g = c.benchmark_group("backtest");
    g.sample_size(10);
    let probe = run(
        &holdings,
        &BacktestParams::new(d(2015, 1, 2), d(2024, 12, 31), Rule::Bxm),
    )
    .expect("a run");
    let sessions: u64 = probe
        .holdings
        .iter()
        .map(|h| h.summary.sessions as u64)
        .sum();
    g.throughput(Throughput::Elements(sessions));
    for rule in [Rule::Bxm, Rule::Bxy, Rule::Bxmd, Rule::Ccplan] {
        let p = BacktestParams::new(d(2015, 1, 2), d(2024, 12, 31), rule);
        g.bench_function(format!("{}/8x10y", rule.as_str()), |b| {
            b.iter(|| run(black_box(&holdings), &p))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
