//! Chain analytics with a known cash dividend: expiries the dividend goes ex before get
//! American IVs and greeks on the parity forward, the others stay Black-76, and each quote says
//! which model it used. The chains are priced here with the American engine itself at one
//! known volatility, so the analytics must give that volatility back.

use ccplan::model::{ChainSnapshot, OptionContract, Quote, Right, Underlying};
use ccplan::pricing::american::{american_greeks, american_price, AmericanInputs, CashDividend};
use ccplan::pricing::time::{close_of, ex_dividend_years, year_fraction};
use ccplan::surface::{
    analyze_where, analyze_with_dividends, AmericanScope, PricingModel, ScheduledDividend,
    SurfaceParams,
};
use chrono::{DateTime, FixedOffset, NaiveDate};

const SPOT: f64 = 100.0;
const RATE: f64 = 0.04;
const VOL: f64 = 0.30;
const DIVIDEND: f64 = 1.5;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn as_of() -> DateTime<FixedOffset> {
    close_of(d(2026, 12, 7)).fixed_offset()
}

fn ex_date() -> NaiveDate {
    d(2027, 1, 6)
}

/// Before the ex-date, and two after it.
fn expiries() -> [NaiveDate; 3] {
    [d(2026, 12, 31), d(2027, 1, 15), d(2027, 2, 19)]
}

fn model_inputs(right: Right, strike: f64, expiry: NaiveDate) -> AmericanInputs {
    let now = as_of();
    AmericanInputs {
        right,
        spot: SPOT,
        strike,
        t: year_fraction(&now, expiry),
        rate: RATE,
        div_yield: 0.0,
        dividends: vec![CashDividend {
            t: ex_dividend_years(&now, ex_date()),
            amount: DIVIDEND,
        }],
    }
}

/// Every strike from 80 to 120 by 5, priced American at `VOL` with a one-cent half spread.
fn chain(with_puts: bool) -> ChainSnapshot {
    let mut quotes = Vec::new();
    for e in expiries() {
        for k in (80..=120).step_by(5) {
            let k = f64::from(k);
            let rights: &[Right] = if with_puts {
                &[Right::Call, Right::Put]
            } else {
                &[Right::Call]
            };
            for &right in rights {
                let p = american_price(&model_inputs(right, k, e), VOL).unwrap();
                let c = OptionContract::new("XYZ", e, k, right).unwrap();
                quotes.push(Quote::new(c, Some(p - 0.01), Some(p + 0.01)));
            }
        }
    }
    ChainSnapshot {
        underlying: Underlying {
            symbol: "XYZ".into(),
            last: SPOT,
            bid: None,
            ask: None,
            iv30: None,
        },
        as_of: as_of(),
        source: "test".into(),
        quotes,
        dropped: Vec::new(),
        notes: Vec::new(),
    }
}

fn params() -> SurfaceParams {
    let mut p = SurfaceParams::default();
    p.parity.rate = RATE;
    p
}

fn dividend() -> [ScheduledDividend; 1] {
    [ScheduledDividend {
        ex_date: ex_date(),
        amount: DIVIDEND,
    }]
}

#[test]
fn calls_on_the_configured_carry_give_the_volatility_back_with_american_greeks() {
    // Calls only: no parity, so the forward falls back to the configured rate and the
    // American model starts from the quoted spot. Every call spanning the ex-date must give
    // back the volatility it was priced at, and its greeks must be the American engine's.
    let s = analyze_with_dividends(&chain(false), &params(), &dividend(), |_| true).unwrap();
    let [before, after1, after2] = expiries();
    let pre = s.slice(before).unwrap();
    assert!(pre.american.is_none(), "no dividend before {before}");
    for q in &pre.calls {
        assert_eq!(q.model, PricingModel::Black76);
        // No dividend before this expiry: a call is worth its European value, and Black-76
        // on S·e^{rT} gives the volatility back.
        let iv = q.iv_mid.unwrap();
        assert!((iv - VOL).abs() < 1e-6, "{} iv {iv}", q.contract.occ());
    }
    for e in [after1, after2] {
        let slice = s.slice(e).unwrap();
        let carry = slice
            .american
            .as_ref()
            .expect("the dividend goes ex before expiry");
        assert_eq!(carry.spot, SPOT);
        assert!((carry.rate - RATE).abs() < 1e-12);
        assert_eq!(carry.dividends.len(), 1);
        assert_eq!(carry.dividends[0].amount, DIVIDEND);
        for q in &slice.calls {
            assert_eq!(q.model, PricingModel::AmericanDiscreteDividend);
            let iv = q.iv_mid.unwrap();
            assert!((iv - VOL).abs() < 1e-6, "{} iv {iv}", q.contract.occ());
            // The bid and ask IVs bracket it.
            assert!(q.iv_bid.unwrap() < iv && iv < q.iv_ask.unwrap());
            let want = american_greeks(&model_inputs(Right::Call, q.strike(), e), iv).unwrap();
            let got = q.greeks.unwrap();
            assert!((got.delta - want.delta).abs() < 1e-9, "{got:?} vs {want:?}");
            assert!((got.vega - want.vega).abs() < 1e-6, "{got:?} vs {want:?}");
            assert!(got.delta > 0.0 && got.delta < 1.0);
        }
    }
}

#[test]
fn the_parity_forward_carries_the_dividend_and_american_ivs_beat_black_on_american_prices() {
    let chain = chain(true);
    let american = analyze_with_dividends(&chain, &params(), &dividend(), |_| true).unwrap();
    let black = analyze_where(&chain, &params(), |_| true).unwrap();
    for e in &expiries()[1..] {
        let a = american.slice(*e).unwrap();
        let carry = a.american.as_ref().unwrap();
        // Parity on the American mids would put F·D + PV(dividend) 0.45 above the spot on
        // the first of these expiries; refitted on call mids less their early-exercise
        // premium, it is the spot back within a few cents.
        assert!(
            (carry.spot - SPOT).abs() < 0.04,
            "carry spot {}",
            carry.spot
        );
        assert_eq!(carry.quoted_spot, SPOT);
        let worst = |slice: &ccplan::surface::ExpirySlice| {
            slice
                .calls
                .iter()
                .chain(&slice.puts)
                // Where the price says something about volatility: vega ≥ 0.02 per point.
                .filter(|q| q.greeks.is_some_and(|g| g.vega >= 2.0))
                .filter_map(|q| q.iv_mid)
                .map(|iv| (iv - VOL).abs())
                .fold(0.0, f64::max)
        };
        let wa = worst(a);
        let wb = worst(black.slice(*e).unwrap());
        // Black-76 reads the early exercise of in-the-money puts (and calls before the
        // ex-date) as extra volatility; the American model does not.
        assert!(wa < 0.003, "{e}: American IVs off by {wa}");
        assert!(wb > 2.0 * wa, "{e}: Black {wb} vs American {wa}");
        assert!(a
            .puts
            .iter()
            .all(|q| q.model == PricingModel::AmericanDiscreteDividend));
        assert!(black
            .slice(*e)
            .unwrap()
            .calls
            .iter()
            .all(|q| q.model == PricingModel::Black76));
    }
}

#[test]
fn every_expiry_american_reads_the_early_exercise_of_deep_puts_without_a_dividend() {
    let chain = chain(true);
    let before = expiries()[0];
    let mut p = params();
    p.american = AmericanScope::Always;
    let always = analyze_with_dividends(&chain, &p, &dividend(), |e| e == before).unwrap();
    let auto = analyze_with_dividends(&chain, &params(), &dividend(), |e| e == before).unwrap();
    let put = |s: &ccplan::surface::ChainSurface| {
        s.slice(before)
            .unwrap()
            .puts
            .iter()
            .find(|q| q.strike() == 110.0)
            .cloned()
            .unwrap()
    };
    let (a, b) = (put(&always), put(&auto));
    assert_eq!(a.model, PricingModel::AmericanDiscreteDividend);
    assert_eq!(b.model, PricingModel::Black76);
    let (iva, ivb) = (a.iv_mid.unwrap(), b.iv_mid.unwrap());
    assert!((iva - VOL).abs() < 5e-3, "American {iva}");
    assert!(ivb > iva + 0.005, "Black {ivb} vs American {iva}");
    let carry = always.slice(before).unwrap().american.as_ref().unwrap();
    assert!(carry.dividends.is_empty());
}

#[test]
fn an_ex_date_today_or_after_expiry_leaves_black_76() {
    // On the ex-date itself the exercise deadline (the close before) has passed.
    let today = [ScheduledDividend {
        ex_date: d(2026, 12, 7),
        amount: DIVIDEND,
    }];
    let s = analyze_with_dividends(&chain(false), &params(), &today, |_| true).unwrap();
    assert!(s.slices.iter().all(|sl| sl.american.is_none()));
    let late = [ScheduledDividend {
        ex_date: d(2027, 3, 1),
        amount: DIVIDEND,
    }];
    let s = analyze_with_dividends(&chain(false), &params(), &late, |_| true).unwrap();
    assert!(s
        .slices
        .iter()
        .flat_map(|sl| &sl.calls)
        .all(|q| q.model == PricingModel::Black76));
}

#[test]
fn a_bad_dividend_is_refused_by_name() {
    for bad in [f64::NAN, -1.0, f64::INFINITY] {
        let div = [ScheduledDividend {
            ex_date: ex_date(),
            amount: bad,
        }];
        let e = analyze_with_dividends(&chain(false), &params(), &div, |_| true).unwrap_err();
        assert!(e.to_string().contains("cash dividend"), "{e}");
    }
}
