//! A synthetic CBOE `options/{SYM}.json` answer, built by the project for benchmarks: every
//! field CBOE sends per contract, prices and greeks from ccplan's own Black-Scholes-Merton on
//! a skewed smile, quantities from a fixed pseudo-random sequence (the same bytes every run).
//!
//! Used by `benches/file.rs` (the parse case) and by the `cboe_chain` example, which writes the
//! file for whole-process timings (`cargo run --release --example cboe_chain -- chain.json`).

use std::fmt::Write;

use ccplan::model::{OptionContract, Right};
use ccplan::pricing::time::year_fraction;
use ccplan::pricing::{greeks, BsmInputs};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// What to build.
pub struct CboeChainSpec {
    pub symbol: &'static str,
    pub spot: f64,
    pub rate: f64,
    pub div_yield: f64,
    /// The payload's `timestamp` (CBOE writes UTC).
    pub as_of: DateTime<Utc>,
    pub expiries: Vec<NaiveDate>,
    pub strikes: Vec<f64>,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

impl CboeChainSpec {
    /// NVDA at 185.20 on Monday 2026-11-16 10:30 New York: 10 expiries (weeklies, the
    /// Thursday before Christmas, monthlies to March) × 250 strikes × calls and puts = 5,000
    /// contracts.
    pub fn nvda_5000() -> Self {
        CboeChainSpec {
            symbol: "NVDA",
            spot: 185.20,
            rate: 0.04,
            div_yield: 0.0002,
            as_of: Utc.with_ymd_and_hms(2026, 11, 16, 15, 30, 0).unwrap(),
            expiries: vec![
                d(2026, 11, 20),
                d(2026, 11, 27),
                d(2026, 12, 4),
                d(2026, 12, 11),
                d(2026, 12, 18),
                d(2026, 12, 24),
                d(2026, 12, 31),
                d(2027, 1, 15),
                d(2027, 2, 19),
                d(2027, 3, 19),
            ],
            strikes: (0..250).map(|i| 60.0 + f64::from(i)).collect(),
        }
    }

    /// Contracts in the chain.
    pub fn len(&self) -> usize {
        self.expiries.len() * self.strikes.len() * 2
    }
}

/// A small deterministic generator (64-bit LCG, top bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The payload text.
pub fn cboe_chain_json(spec: &CboeChainSpec) -> String {
    let ny: FixedOffset = FixedOffset::west_opt(5 * 3600).unwrap();
    let as_of = spec.as_of.with_timezone(&ny);
    let mut rng = Lcg(17);
    let mut out = String::with_capacity(spec.len() * 560 + 1024);
    write!(
        out,
        "{{\"timestamp\": \"{}\", \"data\": {{\"options\": [",
        spec.as_of.format("%Y-%m-%d %H:%M:%S")
    )
    .unwrap();
    let mut first = true;
    for &expiry in &spec.expiries {
        let t = year_fraction(&as_of, expiry);
        let forward = spec.spot * ((spec.rate - spec.div_yield) * t).exp();
        for &strike in &spec.strikes {
            let vol = (0.48 - 0.30 * (strike / forward).ln()).max(0.18);
            for right in [Right::Call, Right::Put] {
                let inputs = BsmInputs {
                    right,
                    spot: spec.spot,
                    strike,
                    t,
                    rate: spec.rate,
                    div_yield: spec.div_yield,
                };
                let g = greeks(&inputs, vol).expect("valid inputs");
                let occ = OptionContract::new(spec.symbol, expiry, strike, right)
                    .expect("a valid contract")
                    .occ();
                let half = (0.01 + 0.015 * g.price).min(0.40);
                let bid = cents(g.price - half).max(0.0);
                let ask = cents(g.price + half).max(0.01);
                let last = cents(g.price * (1.0 + 0.04 * (rng.next() - 0.5))).max(0.01);
                let prev = cents(last * (1.0 + 0.1 * (rng.next() - 0.5))).max(0.01);
                let oi = (rng.next() * 8000.0 * g.gamma.max(0.001) * 40.0).round();
                let volume = (oi * rng.next() * 0.3).round();
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write!(
                    out,
                    "{{\"option\": \"{occ}\", \"bid\": {bid}, \"bid_size\": {:.1}, \"ask\": {ask}, \
                     \"ask_size\": {:.1}, \"iv\": {:.4}, \"open_interest\": {oi:.1}, \
                     \"volume\": {volume:.1}, \"delta\": {:.4}, \"gamma\": {:.4}, \
                     \"vega\": {:.4}, \"theta\": {:.4}, \"rho\": {:.4}, \"theo\": {:.4}, \
                     \"change\": {:.3}, \"open\": {prev}, \"high\": {ask}, \"low\": {bid}, \
                     \"tick\": \"{}\", \"last_trade_price\": {last}, \
                     \"last_trade_time\": \"{}T{:02}:{:02}:{:02}\", \"percent_change\": {:.6}, \
                     \"prev_day_close\": {prev}}}",
                    (rng.next() * 300.0).round(),
                    (rng.next() * 300.0).round(),
                    vol,
                    g.delta,
                    g.gamma,
                    g.vega / 100.0,
                    g.theta / 365.0,
                    g.rho / 100.0,
                    g.price,
                    last - prev,
                    if last >= prev { "up" } else { "down" },
                    as_of.date_naive(),
                    9 + (rng.next() * 1.4) as u32,
                    (rng.next() * 59.0) as u32,
                    (rng.next() * 59.0) as u32,
                    100.0 * (last - prev) / prev,
                )
                .unwrap();
            }
        }
    }
    write!(
        out,
        "], \"symbol\": \"{sym}\", \"security_type\": \"stock\", \"exchange_id\": 2, \
         \"current_price\": {spot}, \"price_change\": -1.35, \"price_change_percent\": -0.7237, \
         \"bid\": {bid}, \"ask\": {ask}, \"bid_size\": 200, \"ask_size\": 120, \"open\": 186.1, \
         \"high\": 187.02, \"low\": 183.9, \"close\": {spot}, \"prev_day_close\": 186.55, \
         \"volume\": 101231164, \"iv30\": 47.765, \"iv30_change\": -1.094, \
         \"iv30_change_percent\": -2.2392, \"seqno\": 45564384532, \
         \"last_trade_time\": \"{date}T10:29:58\", \"tick\": \"down\"}}, \"symbol\": \"{sym}\"}}",
        sym = spec.symbol,
        spot = spec.spot,
        bid = cents(spec.spot - 0.01),
        ask = cents(spec.spot + 0.01),
        date = as_of.date_naive(),
    )
    .unwrap();
    out
}
