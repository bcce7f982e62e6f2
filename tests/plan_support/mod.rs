//! Test chains built in code, priced with `pricing::price`, shared by `tests/surface.rs` and
//! `tests/plan_*.rs` through `#[path = "plan_support/mod.rs"] mod support;` (a directory module,
//! so cargo does not build it as a test binary of its own).
//!
//! A chain is priced from a known spot, rate, dividend yield and smile, so its parity forward
//! F = S·e^{(r−q)T} and discount D = e^{−rT} are known exactly and its mids reprice to the
//! smile's vol.
#![allow(dead_code)]

use ccplan::model::{
    ChainSnapshot, CorporateEvents, Holding, OptionContract, Quote, Right, Underlying,
};
use ccplan::plan::{suggest, Market, PlanParams, Suggestion};
use ccplan::pricing::time::year_fraction;
use ccplan::pricing::{price, BsmInputs};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};

/// `suggest` for one holding on a chain, without price history.
pub fn run(h: &Holding, chain: &ChainSnapshot, params: &PlanParams) -> Suggestion {
    suggest(
        h,
        &Market {
            chain,
            history: None,
        },
        params,
    )
    .unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Monday 2026-11-16 10:30 New York (EST, UTC−5).
pub fn as_of() -> DateTime<FixedOffset> {
    at(2026, 11, 16, 10, 30)
}

pub fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
    FixedOffset::west_opt(5 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, day, h, min, 0)
        .unwrap()
}

/// How to build a chain.
#[derive(Clone)]
pub struct Spec {
    pub symbol: &'static str,
    pub spot: f64,
    pub rate: f64,
    pub div_yield: f64,
    pub as_of: DateTime<FixedOffset>,
    pub expiries: Vec<NaiveDate>,
    pub strikes: Vec<f64>,
    /// Vol as a function of x = ln(K/F).
    pub vol: fn(f64) -> f64,
    /// Half the bid-ask spread, USD.
    pub half_spread: f64,
    pub puts: bool,
    pub open_interest: u64,
    pub volume: u64,
}

pub fn flat30(_: f64) -> f64 {
    0.30
}

/// A linear skew in log-moneyness: 30 % at the forward, higher on the put side.
pub fn skew(x: f64) -> f64 {
    0.30 - 0.25 * x
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            symbol: "NVDA",
            spot: 100.0,
            rate: 0.045,
            div_yield: 0.012,
            as_of: as_of(),
            // 4, 11, 32 and 60 days from 2026-11-16.
            expiries: vec![
                d(2026, 11, 20),
                d(2026, 11, 27),
                d(2026, 12, 18),
                d(2027, 1, 15),
            ],
            strikes: (16..=26).map(|i| i as f64 * 5.0).collect(),
            vol: flat30,
            half_spread: 0.05,
            puts: true,
            open_interest: 500,
            volume: 20,
        }
    }
}

impl Spec {
    pub fn t(&self, expiry: NaiveDate) -> f64 {
        year_fraction(&self.as_of, expiry)
    }
    pub fn forward(&self, expiry: NaiveDate) -> f64 {
        self.spot * ((self.rate - self.div_yield) * self.t(expiry)).exp()
    }
    pub fn discount(&self, expiry: NaiveDate) -> f64 {
        (-self.rate * self.t(expiry)).exp()
    }
    pub fn vol_at(&self, expiry: NaiveDate, strike: f64) -> f64 {
        (self.vol)((strike / self.forward(expiry)).ln())
    }
    pub fn model_price(&self, expiry: NaiveDate, strike: f64, right: Right) -> f64 {
        let inputs = BsmInputs {
            right,
            spot: self.spot,
            strike,
            t: self.t(expiry).max(0.0),
            rate: self.rate,
            div_yield: self.div_yield,
        };
        price(&inputs, self.vol_at(expiry, strike)).unwrap()
    }

    pub fn quote(&self, expiry: NaiveDate, strike: f64, right: Right) -> Quote {
        let c = OptionContract::new(self.symbol, expiry, strike, right).unwrap();
        let p = self.model_price(expiry, strike, right);
        let bid = (p - self.half_spread >= 0.01).then_some(p - self.half_spread);
        let mut q = Quote::new(c, bid, Some(p + self.half_spread));
        q.last = Some(p);
        q.volume = Some(self.volume);
        q.open_interest = Some(self.open_interest);
        q.last_trade = Some(self.as_of - Duration::hours(1));
        q
    }

    pub fn build(&self) -> ChainSnapshot {
        let mut quotes = Vec::new();
        for &e in &self.expiries {
            for &k in &self.strikes {
                quotes.push(self.quote(e, k, Right::Call));
                if self.puts {
                    quotes.push(self.quote(e, k, Right::Put));
                }
            }
        }
        ChainSnapshot {
            underlying: Underlying {
                symbol: self.symbol.to_string(),
                last: self.spot,
                bid: None,
                ask: None,
                iv30: None,
            },
            as_of: self.as_of,
            source: "test".to_string(),
            quotes,
            dropped: vec![],
            notes: vec![],
        }
    }
}

pub fn holding(symbol: &str, shares: u64, cost_basis: Option<f64>) -> Holding {
    Holding {
        symbol: symbol.to_string(),
        shares,
        cost_basis,
        written: vec![],
        assign_ok_above: None,
        events: CorporateEvents::default(),
    }
}

/// The quote of a contract in a chain, mutably.
pub fn quote_mut(
    chain: &mut ChainSnapshot,
    expiry: NaiveDate,
    strike: f64,
    right: Right,
) -> &mut Quote {
    chain
        .quotes
        .iter_mut()
        .find(|q| {
            q.contract.expiry == expiry && q.contract.strike == strike && q.contract.right == right
        })
        .unwrap()
}
