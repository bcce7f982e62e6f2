//! The demo market behaves like a real option market and is deterministic.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};

use ccplan::model::{ChainSnapshot, Quote, Right};
use ccplan::pricing::{price, BsmInputs};
use ccplan::providers::calendar::{
    expiry_instant, is_monthly_expiry, is_trading_day, trading_sessions_between,
};
use ccplan::providers::demo::{profile, Demo, DEMO_RATE};
use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};

const AS_OF: &str = "2026-11-17T10:30:00-05:00";

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn chain_at(sym: &str, as_of: &str, expiries: ExpiryFilter) -> ChainSnapshot {
    Demo::new()
        .chain(&ChainRequest {
            symbol: sym.to_string(),
            expiries,
            as_of: at(as_of),
        })
        .unwrap()
}

fn chain(sym: &str) -> ChainSnapshot {
    chain_at(sym, AS_OF, ExpiryFilter::All)
}

fn years(snap: &ChainSnapshot, expiry: NaiveDate) -> f64 {
    expiry_instant(expiry)
        .signed_duration_since(snap.as_of)
        .num_minutes() as f64
        / (365.0 * 1440.0)
}

fn inputs(snap: &ChainSnapshot, q: &Quote) -> BsmInputs {
    BsmInputs {
        right: q.contract.right,
        spot: snap.underlying.spot(),
        strike: q.contract.strike,
        t: years(snap, q.contract.expiry),
        rate: DEMO_RATE,
        div_yield: profile(&snap.underlying.symbol).div_yield,
    }
}

/// Implied volatility by bisection (the library's solver is developed elsewhere).
fn iv(inp: &BsmInputs, target: f64) -> f64 {
    let (mut lo, mut hi) = (1e-4, 5.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if price(inp, mid).unwrap() < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn deterministic_byte_for_byte() {
    for sym in ["NVDA", "XYZ"] {
        let a = serde_json::to_string(&chain(sym)).unwrap();
        let b = serde_json::to_string(&chain(sym)).unwrap();
        assert_eq!(a, b);
        let h1 = Demo::new()
            .history(sym, d(2025, 1, 1), d(2026, 11, 17))
            .unwrap();
        let h2 = Demo::new()
            .history(sym, d(2025, 1, 1), d(2026, 11, 17))
            .unwrap();
        assert_eq!(
            serde_json::to_string(&h1).unwrap(),
            serde_json::to_string(&h2).unwrap()
        );
    }
    // Lower case and spaces are the same symbol.
    assert_eq!(chain(" nvda "), chain("NVDA"));
    // Different symbols are different markets.
    assert_ne!(chain("XYZ").underlying.last, chain("XYZW").underlying.last);
}

#[test]
fn quotes_straddle_fair_value_and_never_cross() {
    for sym in ["NVDA", "MSFT", "SMCI", "XYZ"] {
        let snap = chain(sym);
        assert!(!snap.quotes.is_empty());
        for q in &snap.quotes {
            let fair = price(&inputs(&snap, q), q.provider_iv.unwrap()).unwrap();
            let ask = q.ask.unwrap();
            assert!(fair <= ask, "{}: fair {fair} > ask {ask}", q.contract);
            if let Some(bid) = q.bid {
                assert!(bid < ask, "{} crossed {bid}/{ask}", q.contract);
                assert!(bid <= fair, "{}: bid {bid} > fair {fair}", q.contract);
                assert!(bid >= 0.01);
            }
            // Prices sit on the tick: pennies under $3, nickels above.
            for p in q.bid.into_iter().chain([ask]) {
                let cents = (p * 100.0).round();
                assert!((p * 100.0 - cents).abs() < 1e-6, "{p}");
                if p > 3.05 {
                    assert_eq!(
                        cents as i64 % 5,
                        0,
                        "{} price {p} off the nickel",
                        q.contract
                    );
                }
            }
            assert_eq!(q.multiplier, 100);
            assert_eq!(q.contract.root, sym);
        }
    }
}

#[test]
fn put_call_parity_of_mids_within_spreads() {
    let snap = chain("AAPL");
    let spot = snap.underlying.spot();
    let q = profile("AAPL").div_yield;
    let mut pairs = 0;
    for expiry in snap.expiries() {
        let t = years(&snap, expiry);
        let calls = snap.side(expiry, Right::Call);
        let puts = snap.side(expiry, Right::Put);
        let mut fwd_estimates = Vec::new();
        for (c, p) in calls.iter().zip(puts.iter()) {
            assert_eq!(c.contract.strike, p.contract.strike);
            let (Some(cm), Some(pm)) = (c.mid(), p.mid()) else {
                continue;
            };
            let k = c.contract.strike;
            let parity = spot * (-q * t).exp() - k * (-DEMO_RATE * t).exp();
            let tol = 0.5 * (c.spread().unwrap() + p.spread().unwrap()) + 1e-9;
            assert!(
                ((cm - pm) - parity).abs() <= tol,
                "{expiry} K={k}: C−P={} parity={parity} tol={tol}",
                cm - pm
            );
            if (k / spot - 1.0).abs() < 0.05 {
                fwd_estimates.push(k + (cm - pm) * (DEMO_RATE * t).exp());
            }
            pairs += 1;
        }
        // The parity forward is recoverable from near-the-money mids.
        if !fwd_estimates.is_empty() {
            let f_hat = fwd_estimates.iter().sum::<f64>() / fwd_estimates.len() as f64;
            let f = spot * ((DEMO_RATE - q) * t).exp();
            assert!((f_hat - f).abs() / f < 0.002, "{expiry}: {f_hat} vs {f}");
        }
    }
    assert!(pairs > 300, "{pairs}");
}

#[test]
fn negative_skew_from_mids() {
    for sym in ["NVDA", "AAPL", "SPY", "XYZ"] {
        let snap = chain(sym);
        let spot = snap.underlying.spot();
        // The first monthly at least three weeks out.
        let expiry = snap
            .expiries()
            .into_iter()
            .find(|e| is_monthly_expiry(*e) && years(&snap, *e) > 21.0 / 365.0)
            .unwrap();
        let t = years(&snap, expiry);
        let fwd = spot * ((DEMO_RATE - profile(sym).div_yield) * t).exp();
        let calls = snap.side(expiry, Right::Call);
        let puts = snap.side(expiry, Right::Put);
        let mut checked = 0;
        let atm = snap.underlying.iv30.unwrap();
        for k in [0.5, 1.0, 1.5] {
            let dist: f64 = k * atm * t.sqrt();
            // Strikes nearest to F·e^{∓dist}: equal distance in log-moneyness.
            let nearest = |side: &[&Quote], target: f64| -> Quote {
                (*side
                    .iter()
                    .min_by(|a, b| {
                        (a.contract.strike - target)
                            .abs()
                            .total_cmp(&(b.contract.strike - target).abs())
                    })
                    .unwrap())
                .clone()
            };
            let p = nearest(&puts, fwd * (-dist).exp());
            let c = nearest(&calls, fwd * dist.exp());
            let (Some(pm), Some(cm)) = (p.mid(), c.mid()) else {
                continue;
            };
            let ivp = iv(&inputs(&snap, &p), pm);
            let ivc = iv(&inputs(&snap, &c), cm);
            assert!(
                ivp > ivc,
                "{sym} {expiry} ±{dist}: put K={} iv {ivp} ≤ call K={} iv {ivc}",
                p.contract.strike,
                c.contract.strike
            );
            // The model's own IVs agree.
            assert!(p.provider_iv.unwrap() > c.provider_iv.unwrap());
            checked += 1;
        }
        assert!(checked >= 2, "{sym}");
    }
}

#[test]
fn term_structure_and_smile_levels_are_plausible() {
    let snap = chain("NVDA");
    let iv30 = snap.underlying.iv30.unwrap();
    assert!((0.40..0.50).contains(&iv30), "{iv30}");
    // ATM IV rises with maturity for NVDA (positive term slope in its profile).
    let spot = snap.underlying.spot();
    let atm_iv = |e: NaiveDate| {
        let calls = snap.side(e, Right::Call);
        calls
            .iter()
            .min_by(|a, b| {
                (a.contract.strike - spot)
                    .abs()
                    .total_cmp(&(b.contract.strike - spot).abs())
            })
            .unwrap()
            .provider_iv
            .unwrap()
    };
    let ex = snap.expiries();
    assert!(atm_iv(ex[ex.len() - 1]) > atm_iv(ex[1]));
}

#[test]
fn expiries_are_trading_days_after_as_of() {
    let snap = chain("NVDA");
    let ex = snap.expiries();
    assert!(ex.len() >= 18, "{ex:?}");
    for e in &ex {
        assert!(is_trading_day(*e), "{e}");
        assert!(expiry_instant(*e) > snap.as_of);
        assert!(matches!(e.weekday(), Weekday::Fri | Weekday::Thu));
    }
    // Thanksgiving week: Friday Nov 27 2026 is a session, so that weekly stays on Friday.
    assert!(ex.contains(&d(2026, 11, 27)));
    // Christmas 2026 is a Friday: that week's expiry is Thursday Dec 24.
    assert!(ex.contains(&d(2026, 12, 24)));
    assert!(!ex.contains(&d(2026, 12, 25)));
    // Monthlies reach about a year out.
    assert!(ex.iter().any(|e| *e >= d(2027, 10, 1)));
    // Every expiry has calls and puts on the same strikes.
    for e in &ex {
        let c: Vec<f64> = snap
            .side(*e, Right::Call)
            .iter()
            .map(|q| q.contract.strike)
            .collect();
        let p: Vec<f64> = snap
            .side(*e, Right::Put)
            .iter()
            .map(|q| q.contract.strike)
            .collect();
        assert_eq!(c, p);
        assert!(c.len() >= 10, "{e}: {}", c.len());
    }
}

#[test]
fn expiry_filter_selects_without_changing_quotes() {
    let all = chain("MSFT");
    let e = all.expiries()[3];
    let one = chain_at("MSFT", AS_OF, ExpiryFilter::On(e));
    assert_eq!(one.expiries(), vec![e]);
    let from_all: Vec<&Quote> = all
        .quotes
        .iter()
        .filter(|q| q.contract.expiry == e)
        .collect();
    assert_eq!(one.quotes.len(), from_all.len());
    for (a, b) in one.quotes.iter().zip(from_all) {
        assert_eq!(a, b);
    }
    let none = chain_at("MSFT", AS_OF, ExpiryFilter::On(d(2026, 11, 18)));
    assert!(none.quotes.is_empty());
}

#[test]
fn liquidity_shape() {
    let snap = chain("NVDA");
    let spot = snap.underlying.spot();
    let ex = snap.expiries();
    // Worthless far OTM options have an ask only, no bid; the front expiry has some.
    let mut no_bid = 0;
    for q in &snap.quotes {
        let fair = price(&inputs(&snap, q), q.provider_iv.unwrap()).unwrap();
        if fair < 0.015 {
            assert_eq!(q.bid, None, "{} fair {fair}", q.contract);
            assert!(q.ask.unwrap() <= 0.03, "{}", q.contract);
        }
        if q.bid.is_none() {
            assert!(fair < 0.06, "{} has no bid at fair {fair}", q.contract);
            if q.contract.expiry == ex[0] {
                no_bid += 1;
            }
        }
    }
    assert!(no_bid > 0);
    // Relative spreads widen away from the money.
    let e = ex[4];
    let calls = snap.side(e, Right::Call);
    let rel = |q: &Quote| q.spread().unwrap() / q.mid().unwrap();
    let atm = calls
        .iter()
        .filter(|q| q.mid().is_some())
        .min_by(|a, b| {
            (a.contract.strike - spot)
                .abs()
                .total_cmp(&(b.contract.strike - spot).abs())
        })
        .unwrap();
    let otm = calls
        .iter()
        .find(|q| q.mid().is_some() && q.contract.strike > spot * 1.25)
        .unwrap();
    assert!(rel(otm) > 2.0 * rel(atm), "{} vs {}", rel(otm), rel(atm));
    assert!(rel(atm) < 0.06, "{}", rel(atm));
    // Open interest peaks near the money.
    let monthly = *ex.iter().find(|e| is_monthly_expiry(**e)).unwrap();
    let side = snap.side(monthly, Right::Call);
    let peak = side
        .iter()
        .max_by_key(|q| q.open_interest.unwrap())
        .unwrap();
    assert!(
        (peak.contract.strike / spot - 1.0).abs() < 0.12,
        "{}",
        peak.contract
    );
    // Monthlies carry more open interest than the neighbouring weeklies.
    let oi = |e: NaiveDate| -> u64 {
        snap.quotes
            .iter()
            .filter(|q| q.contract.expiry == e)
            .map(|q| q.open_interest.unwrap())
            .sum()
    };
    let weekly = *ex.iter().find(|e| !is_monthly_expiry(**e)).unwrap();
    assert!(
        oi(monthly) > oi(weekly),
        "{} vs {}",
        oi(monthly),
        oi(weekly)
    );
    // Volume trades near the money.
    assert!(atm.volume.unwrap() > 0);
}

#[test]
fn history_ends_at_chain_spot_and_is_consistent() {
    for sym in ["NVDA", "PLTR", "XYZ"] {
        let snap = chain(sym);
        let h = Demo::new()
            .history(sym, d(2024, 11, 1), d(2026, 11, 17))
            .unwrap();
        let last = h.bars.last().unwrap();
        assert_eq!(last.date, d(2026, 11, 17));
        assert_eq!(last.close, snap.underlying.spot());
        assert_eq!(
            h.bars.len(),
            trading_sessions_between(d(2024, 11, 1), d(2026, 11, 17))
        );
        for w in h.bars.windows(2) {
            assert!(w[0].date < w[1].date);
        }
        for b in &h.bars {
            assert!(is_trading_day(b.date), "{}", b.date);
            let (o, hi, lo, c) = (b.open.unwrap(), b.high.unwrap(), b.low.unwrap(), b.close);
            assert!(lo <= o && lo <= c && o <= hi && c <= hi, "{b:?}");
            assert!(lo > 0.0);
            assert!(b.volume.unwrap() > 0);
        }
        // Realized volatility of the closes is the profile's, give or take sampling error.
        let rets: Vec<f64> = h
            .bars
            .windows(2)
            .map(|w| (w[1].close / w[0].close).ln())
            .collect();
        let mean = rets.iter().sum::<f64>() / rets.len() as f64;
        let var = rets.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (rets.len() - 1) as f64;
        let rv = (var * 252.0).sqrt();
        let want = profile(sym).realized_vol;
        assert!((rv / want - 1.0).abs() < 0.15, "{sym}: rv {rv} vs {want}");
        // A shorter request gives the same bars (the path does not depend on the range).
        let tail = Demo::new()
            .history(sym, d(2026, 6, 1), d(2026, 11, 17))
            .unwrap();
        let n = tail.bars.len();
        assert_eq!(tail.bars[..], h.bars[h.bars.len() - n..]);
    }
}

#[test]
fn weekend_as_of_uses_friday_close() {
    let sat = chain_at("AMD", "2026-11-21T12:00:00-05:00", ExpiryFilter::All);
    let h = Demo::new()
        .history("AMD", d(2026, 11, 16), d(2026, 11, 21))
        .unwrap();
    assert_eq!(h.bars.last().unwrap().date, d(2026, 11, 20));
    assert_eq!(sat.underlying.spot(), h.bars.last().unwrap().close);
    // The as-of instant is carried through.
    assert_eq!(sat.as_of, at("2026-11-21T12:00:00-05:00"));
}

#[test]
fn known_names_at_plausible_levels() {
    for (sym, lo, hi) in [
        ("NVDA", 120.0, 300.0),
        ("MSFT", 380.0, 700.0),
        ("META", 500.0, 1000.0),
        ("SMCI", 20.0, 90.0),
        ("AAPL", 200.0, 340.0),
    ] {
        let s = chain(sym).underlying.spot();
        assert!((lo..hi).contains(&s), "{sym}: {s}");
    }
    // Dotted tickers work too.
    let brk = chain("BRK.B");
    assert_eq!(brk.quotes[0].contract.root, "BRK.B");
}
