//! A deterministic simulated market: option chains and daily price history for any symbol,
//! with no network and no keys.
//!
//! Why: ccplan must be usable (and testable end to end) without a data vendor. The demo market
//! is built to look like a real US equity option market to every later stage, so that the
//! surface, plan and regime code meet the same shapes they meet with live data:
//!
//! * **Symbols.** Well-known names (NVDA, MSFT, GOOGL, META, AMD, TSM, PLTR, SMCI, AAPL, SPY,
//!   QQQ) have hand-set, plausible late-2026 price and volatility levels; any other symbol gets
//!   levels drawn from a stable hash of its name (FNV-1a), so `XYZ` is the same market on
//!   every machine and every run. See [`profile`].
//! * **Price path.** One geometric Brownian motion path per symbol over NYSE trading days,
//!   pinned at [`ANCHOR_DATE`] to the symbol's level, with each day's shock drawn from a hash
//!   of (symbol, date). A day's bar therefore never depends on the range requested, and a
//!   history ending on the as-of date closes exactly at the chain's spot.
//! * **Spot.** The chain's spot is the simulated close of the last trading day on or before the
//!   as-of date (New York). The demo has no intraday path: a 10:00 snapshot already sees that
//!   day's close. The underlying is quoted by its last price only (no bid/ask), so
//!   [`Underlying::spot`] is that close exactly.
//! * **Expiries.** Every Friday expiry for about eight weeks plus the standard monthlies for
//!   about a year, on the real exchange calendar (a Friday holiday moves the expiry to
//!   Thursday). Expiries whose 16:00 New York close is not after the as-of instant are not
//!   listed.
//! * **Volatility.** A 30-day ATM level per symbol, a term structure that is log-linear in
//!   maturity, and a smile in standardized moneyness x = ln(K/F)/(σ_ATM·√T): σ = σ_ATM·(1 +
//!   skew·x + curvature·x²) with negative skew, so OTM puts carry more volatility than OTM
//!   calls the same distance away.
//! * **Prices.** Black-Scholes-Merton at [`DEMO_RATE`] and the symbol's dividend yield, so
//!   put-call parity on the fair values holds exactly and the parity forward is recoverable
//!   from mids to within the spreads.
//! * **Quotes.** Bid and ask straddle the fair value (bid ≤ fair ≤ ask, never crossed),
//!   rounded outward to the tick (0.01 under $3, 0.05 above). Spreads widen away from the money,
//!   for cheap options and for less liquid names; an option worth less than a tick after the
//!   spread has no bid. Open interest is concentrated near the money, on monthlies and on round
//!   strikes; volume is heaviest near the money and near expiry. The quote's provider IV and
//!   greeks are the model's.
//!
//! Everything is a pure function of (symbol, as-of instant, expiry filter) or (symbol, from,
//! to): same inputs, same output, byte for byte.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};

use super::calendar::{
    expiry_instant, is_monthly_expiry, monthly_expiries, new_york_date, trading_day_on_or_before,
    trading_days_between, weekly_expiries,
};
use super::{ChainRequest, ChainSource, HistorySource};
use crate::error::{Error, Result};
use crate::model::{
    Adjustment, Bar, ChainSnapshot, OptionContract, PriceHistory, ProviderGreeks, Quote, Right,
    Underlying,
};
use crate::pricing::{greeks, BsmInputs};

/// The risk-free rate of the demo market, continuously compounded decimal (a plausible 2026
/// short rate).
pub const DEMO_RATE: f64 = 0.04;

/// The date on which every symbol's simulated close equals its profile level
/// ([`SymbolProfile::anchor_spot`]); the path runs forward and backward from here.
pub const ANCHOR_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Earliest and latest dates the demo simulates (keeps the path walk bounded).
const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2099, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Trading days per year, for daily volatility.
const SESSIONS_PER_YEAR: f64 = 252.0;
/// Annual drift of the simulated path.
const DRIFT: f64 = 0.08;
/// How far out weekly expiries are listed, days.
const WEEKLY_HORIZON_DAYS: i64 = 56;
/// How far out monthly expiries are listed, days.
const MONTHLY_HORIZON_DAYS: i64 = 366;
/// One minute in ACT/365 years: the smallest time to expiry used in the smile.
const MINUTE_YEARS: f64 = 1.0 / (365.0 * 24.0 * 60.0);

/// The market parameters of one symbol.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymbolProfile {
    /// Simulated close on [`ANCHOR_DATE`], USD.
    pub anchor_spot: f64,
    /// 30-day at-the-money implied volatility, decimal.
    pub atm_iv: f64,
    /// Annualized volatility of the simulated daily price path, decimal (below the implied
    /// level, as the variance risk premium has it).
    pub realized_vol: f64,
    /// Continuous dividend yield, decimal.
    pub div_yield: f64,
    /// Relative change of ATM IV from 30 days to one year (+0.08: a year is 8 % higher).
    pub term_slope: f64,
    /// Relative change of IV per unit of standardized moneyness (negative: put skew).
    pub skew: f64,
    /// Relative change of IV per squared unit of standardized moneyness (smile convexity).
    pub curvature: f64,
    /// Option liquidity, 1.0 for the most traded names; scales open interest and volume and
    /// narrows spreads.
    pub liquidity: f64,
    /// Average daily share volume of the stock.
    pub avg_volume: f64,
}

/// A hand-set profile of a well-known name.
struct Known {
    symbol: &'static str,
    /// Level at the anchor date, USD.
    spot: f64,
    /// 30-day ATM IV, decimal.
    iv: f64,
    /// Dividend yield, decimal.
    div_yield: f64,
    /// See [`SymbolProfile::term_slope`].
    term_slope: f64,
    /// See [`SymbolProfile::skew`].
    skew: f64,
    /// See [`SymbolProfile::liquidity`].
    liquidity: f64,
    /// Average daily volume, millions of shares.
    adv_millions: f64,
}

/// Plausible late-2026 levels of the names users try first.
#[rustfmt::skip]
const KNOWN: [Known; 11] = [
    Known { symbol: "NVDA",  spot:  190.0, iv: 0.45, div_yield: 0.0002, term_slope:  0.04, skew: -0.08, liquidity: 1.0, adv_millions: 180.0 },
    Known { symbol: "MSFT",  spot:  520.0, iv: 0.25, div_yield: 0.007 , term_slope:  0.10, skew: -0.09, liquidity: 0.7, adv_millions:  20.0 },
    Known { symbol: "GOOGL", spot:  280.0, iv: 0.30, div_yield: 0.003 , term_slope:  0.08, skew: -0.09, liquidity: 0.6, adv_millions:  30.0 },
    Known { symbol: "META",  spot:  730.0, iv: 0.34, div_yield: 0.003 , term_slope:  0.06, skew: -0.08, liquidity: 0.7, adv_millions:  12.0 },
    Known { symbol: "AMD",   spot:  240.0, iv: 0.52, div_yield: 0.0   , term_slope:  0.02, skew: -0.07, liquidity: 0.8, adv_millions:  45.0 },
    Known { symbol: "TSM",   spot:  300.0, iv: 0.38, div_yield: 0.011 , term_slope:  0.05, skew: -0.08, liquidity: 0.5, adv_millions:  12.0 },
    Known { symbol: "PLTR",  spot:  185.0, iv: 0.62, div_yield: 0.0   , term_slope: -0.03, skew: -0.05, liquidity: 0.8, adv_millions:  60.0 },
    Known { symbol: "SMCI",  spot:   42.0, iv: 0.78, div_yield: 0.0   , term_slope: -0.06, skew: -0.04, liquidity: 0.5, adv_millions:  25.0 },
    Known { symbol: "AAPL",  spot:  265.0, iv: 0.26, div_yield: 0.004 , term_slope:  0.09, skew: -0.09, liquidity: 0.9, adv_millions:  50.0 },
    Known { symbol: "SPY",   spot:  690.0, iv: 0.15, div_yield: 0.012 , term_slope:  0.20, skew: -0.15, liquidity: 1.0, adv_millions:  60.0 },
    Known { symbol: "QQQ",   spot:  620.0, iv: 0.19, div_yield: 0.006 , term_slope:  0.15, skew: -0.13, liquidity: 0.9, adv_millions:  40.0 },
];

/// The profile of `symbol` (case-insensitive): hand-set for the known names, otherwise drawn
/// from the symbol's FNV-1a hash (spot log-uniform in 8–600 USD, ATM IV 20–75 %, yield 0–3 %).
pub fn profile(symbol: &str) -> SymbolProfile {
    let sym = symbol.trim().to_ascii_uppercase();
    let seed = fnv1a(sym.as_bytes());
    let u = |tag: u64| unit(mix(seed, tag));
    if let Some(k) = KNOWN.iter().find(|k| k.symbol == sym) {
        return SymbolProfile {
            anchor_spot: k.spot,
            atm_iv: k.iv,
            realized_vol: k.iv * 0.85,
            div_yield: k.div_yield,
            term_slope: k.term_slope,
            skew: k.skew,
            curvature: 0.025,
            liquidity: k.liquidity,
            avg_volume: k.adv_millions * 1e6,
        };
    }
    let spot = (8f64.ln() + u(1) * (600f64 / 8.0).ln()).exp();
    let atm_iv = 0.20 + 0.55 * u(2);
    SymbolProfile {
        anchor_spot: round_cents(spot),
        atm_iv,
        realized_vol: atm_iv * (0.70 + 0.30 * u(3)),
        div_yield: if u(4) < 0.4 { 0.0 } else { 0.03 * u(5) },
        term_slope: -0.06 + 0.16 * u(6),
        skew: -0.04 - 0.08 * u(7),
        curvature: 0.015 + 0.02 * u(8),
        liquidity: 0.1 + 0.4 * u(9),
        avg_volume: (13.0 + 3.5 * u(10)).exp(),
    }
}

/// The demo market (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Demo;

impl Demo {
    /// The demo market. It has no state: every answer is computed from the request.
    pub fn new() -> Self {
        Demo
    }

    /// ATM implied volatility of a profile at `t` ACT/365 years (the term structure), decimal.
    pub fn atm_vol(profile: &SymbolProfile, t: f64) -> f64 {
        let t = t.max(1.0 / 365.0);
        let scale = (t / (30.0 / 365.0)).ln() / (365.0f64 / 30.0).ln();
        profile.atm_iv * (1.0 + profile.term_slope * scale).clamp(0.5, 2.0)
    }

    /// The model's implied volatility (decimal) for `strike` on `forward` (USD) at `t` years.
    pub fn smile_vol(profile: &SymbolProfile, forward: f64, strike: f64, t: f64) -> f64 {
        let atm = Self::atm_vol(profile, t);
        let x = standardized_moneyness(atm, forward, strike, t);
        atm * (1.0 + profile.skew * x + profile.curvature * x * x).clamp(0.6, 2.5)
    }

    /// The expiries listed on `as_of`: Fridays (holiday-adjusted) for eight weeks and the
    /// monthlies for a year, whose 16:00 New York close is after `as_of`.
    pub fn expiries(as_of: &DateTime<FixedOffset>) -> Vec<NaiveDate> {
        let today = new_york_date(as_of);
        let ahead = |days| {
            today
                .checked_add_signed(Duration::days(days))
                .unwrap_or(today)
        };
        let (weekly_end, monthly_end) = (ahead(WEEKLY_HORIZON_DAYS), ahead(MONTHLY_HORIZON_DAYS));
        let mut v = weekly_expiries(today, weekly_end);
        v.extend(monthly_expiries(today, monthly_end));
        v.sort_unstable();
        v.dedup();
        v.retain(|e| expiry_instant(*e) > *as_of);
        v
    }

    /// The simulated close of `symbol` on the last trading day on or before `date`, USD.
    pub fn close_on(symbol: &str, date: NaiveDate) -> Result<f64> {
        let sym = normalize_symbol(symbol)?;
        check_date(date)?;
        let day = trading_day_on_or_before(date);
        let path = Path::new(&sym, day, day)?;
        path.close(day).ok_or_else(|| Error::NoData {
            what: "demo price",
            symbol: sym.clone(),
            message: format!("no simulated session on or before {date}"),
        })
    }
}

impl ChainSource for Demo {
    fn name(&self) -> &'static str {
        "demo"
    }

    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let sym = normalize_symbol(&request.symbol)?;
        let as_of = request.as_of;
        check_date(new_york_date(&as_of))?;
        let prof = profile(&sym);
        let seed = fnv1a(sym.as_bytes());
        let spot = Self::close_on(&sym, new_york_date(&as_of))?;
        let mut quotes = Vec::new();
        for expiry in Self::expiries(&as_of) {
            if !request.expiries.accepts(expiry) {
                continue;
            }
            let minutes = expiry_instant(expiry)
                .signed_duration_since(as_of)
                .num_minutes()
                .max(0);
            let t = minutes as f64 / (365.0 * 24.0 * 60.0);
            let ctx = ExpiryCtx {
                sym: &sym,
                prof: &prof,
                seed,
                spot,
                expiry,
                t,
                forward: spot * ((DEMO_RATE - prof.div_yield) * t).exp(),
                monthly: is_monthly_expiry(expiry),
            };
            for strike in strikes(spot, ctx.forward, Self::atm_vol(&prof, t), t) {
                for right in [Right::Call, Right::Put] {
                    quotes.push(ctx.quote(strike, right)?);
                }
            }
        }
        Ok(ChainSnapshot {
            underlying: Underlying {
                symbol: sym,
                last: spot,
                bid: None,
                ask: None,
                iv30: Some(Self::atm_vol(&prof, 30.0 / 365.0)),
            },
            as_of,
            source: "demo".to_string(),
            quotes,
            dropped: Vec::new(),
            notes: vec![
                "demo market: simulated quotes for illustration, not market data".to_string(),
            ],
        })
    }
}

impl HistorySource for Demo {
    fn name(&self) -> &'static str {
        "demo"
    }

    /// Simulated daily bars on every trading day from `from` to `to` (inclusive), as traded
    /// (no corporate actions are simulated). Prices are rounded to cents; volume in shares.
    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory> {
        let sym = normalize_symbol(symbol)?;
        if from > to {
            return Err(Error::invalid(
                "history range",
                format!("{from} to {to}"),
                "a start date on or before the end date",
            ));
        }
        check_date(from)?;
        check_date(to)?;
        let prof = profile(&sym);
        let seed = fnv1a(sym.as_bytes());
        let days = trading_days_between(from, to);
        let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
            return Ok(PriceHistory::new(sym, Adjustment::None, Vec::new()));
        };
        let path = Path::new(&sym, first, last)?;
        let sd = prof.realized_vol / SESSIONS_PER_YEAR.sqrt();
        let mut bars = Vec::with_capacity(days.len());
        for day in days {
            let (Some(prev_log), Some(log)) = (path.prev_log(day), path.log(day)) else {
                continue;
            };
            let key = day_key(day);
            let z_gap = normal(seed, TAG_GAP, key);
            let z_hi = normal(seed, TAG_HIGH, key).abs();
            let z_lo = normal(seed, TAG_LOW, key).abs();
            let z_vol = normal(seed, TAG_VOLUME, key);
            let z_ret = (log - prev_log) / sd;
            let close = round_cents(log.exp());
            let open = round_cents((prev_log + 0.3 * sd * z_gap).exp());
            let high = round_cents(open.max(close) * (0.5 * sd * z_hi).exp())
                .max(open)
                .max(close);
            let low = round_cents(open.min(close) * (-0.5 * sd * z_lo).exp())
                .max(0.01)
                .min(open)
                .min(close);
            let volume = prof.avg_volume * (0.3 * z_vol).exp() * (0.7 + 0.3 * z_ret.abs());
            bars.push(Bar {
                date: day,
                open: Some(open),
                high: Some(high),
                low: Some(low),
                close,
                volume: Some(volume.round() as u64),
            });
        }
        Ok(PriceHistory::new(sym, Adjustment::None, bars))
    }
}

/// Everything shared by the quotes of one expiry.
struct ExpiryCtx<'a> {
    sym: &'a str,
    prof: &'a SymbolProfile,
    seed: u64,
    spot: f64,
    expiry: NaiveDate,
    t: f64,
    forward: f64,
    monthly: bool,
}

impl ExpiryCtx<'_> {
    fn quote(&self, strike: f64, right: Right) -> Result<Quote> {
        let prof = self.prof;
        let vol = Demo::smile_vol(prof, self.forward, strike, self.t);
        let g = greeks(
            &BsmInputs {
                right,
                spot: self.spot,
                strike,
                t: self.t,
                rate: DEMO_RATE,
                div_yield: prof.div_yield,
            },
            vol,
        )?;
        let fair = g.price;
        let atm = Demo::atm_vol(prof, self.t);
        let x = standardized_moneyness(atm, self.forward, strike, self.t);
        let key = day_key(self.expiry)
            .wrapping_mul(0x1_0000_0001)
            .wrapping_add((strike * 1000.0).round() as u64)
            .wrapping_mul(3)
            .wrapping_add(matches!(right, Right::Put) as u64);
        let noise = |tag: u64| unit(mix(mix(self.seed, tag), key));

        // Spread: a share of the price that grows away from the money, capped in dollars,
        // never below two ticks' worth; thinner names are wider.
        let liq = prof.liquidity.max(0.05);
        let pct = ((0.025 + 0.02 * x.abs()) / liq.sqrt()).min(0.30);
        let cap = 0.005 * self.spot * (1.0 + 0.3 * x.abs()) / liq.sqrt();
        let min_width = if fair < 3.0 { 0.02 } else { 0.10 };
        let width = (pct * fair).min(cap).max(min_width);
        let bid = round_to_tick(fair - 0.5 * width, Toward::Down).filter(|b| *b >= 0.01);
        let ask = round_to_tick(fair + 0.5 * width, Toward::Up)
            .unwrap_or(0.01)
            .max(0.01);

        // Open interest: near the money, monthlies, round strikes; puts a little lighter.
        let near = (-0.5 * (x / 1.3).powi(2)).exp();
        let monthly = if self.monthly { 2.5 } else { 1.0 };
        let round = if (strike / 10.0).fract() == 0.0 {
            1.5
        } else {
            1.0
        };
        let side = if right == Right::Put { 0.8 } else { 1.0 };
        let oi_noise = (0.5 * (normal_from(noise(1), noise(2)))).exp();
        let oi = 15_000.0 * liq * near * monthly * round * side * oi_noise;
        let oi = if bid.is_none() { oi * 0.2 } else { oi };
        // Volume: a share of open interest, heavier near expiry and near the money.
        let turnover = 0.03 + 0.25 * (-self.t / 0.05).exp();
        let volume = (oi * turnover * near * (0.5 + noise(3))).round() as u64;
        let last = (volume > 0).then(|| {
            let lo = bid.unwrap_or(0.0);
            let p = 0.5 * (lo + ask) + (noise(4) - 0.5) * (ask - lo) * 0.8;
            round_to_tick(p, Toward::Nearest)
                .unwrap_or(lo)
                .clamp(lo, ask)
                .max(0.01)
        });
        let size = |tag: u64| 1 + (200.0 * liq * near * noise(tag)).round() as u64;

        let contract = OptionContract::new(self.sym, self.expiry, strike, right)?;
        Ok(Quote {
            contract,
            bid,
            ask: Some(ask),
            bid_size: bid.map(|_| size(5)),
            ask_size: Some(size(6)),
            last,
            volume: Some(volume),
            open_interest: Some(oi.round() as u64),
            last_trade: None,
            multiplier: 100,
            provider_iv: Some(vol),
            provider_greeks: Some(ProviderGreeks {
                delta: Some(g.delta),
                gamma: Some(g.gamma),
                vega: Some(g.vega),
                theta: Some(g.theta),
                rho: Some(g.rho),
            }),
        })
    }
}

/// Which way [`round_to_tick`] rounds.
#[derive(Clone, Copy)]
enum Toward {
    /// Down, for bids.
    Down,
    /// Up, for asks.
    Up,
    /// To the nearest tick, for last prices.
    Nearest,
}

/// Round an option price to its tick: pennies below $3, nickels from $3 up (the penny-pilot
/// rule), so the tick depends on the quoted price itself. `None` for a result below one cent
/// or not finite.
fn round_to_tick(price: f64, toward: Toward) -> Option<f64> {
    // The 1e-9 keeps float noise (12.9999999 ticks) from costing a whole tick.
    let apply = |x: f64| match toward {
        Toward::Down => (x + 1e-9).floor(),
        Toward::Up => (x - 1e-9).ceil(),
        Toward::Nearest => x.round(),
    };
    let pennies = apply(price * 100.0);
    let cents = if pennies >= 300.0 {
        apply(price * 20.0) * 5.0
    } else {
        pennies
    };
    (cents.is_finite() && cents >= 1.0).then_some(cents / 100.0)
}

/// ln(K/F) in units of ATM total volatility, clamped to ±4.
fn standardized_moneyness(atm: f64, forward: f64, strike: f64, t: f64) -> f64 {
    let s = atm * t.max(MINUTE_YEARS).sqrt();
    ((strike / forward).ln() / s).clamp(-4.0, 4.0)
}

/// The strike increments a listing ladder steps through, USD.
const LADDER: [f64; 7] = [0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0];
/// At most this many strikes per expiry (coarser increments beyond).
const MAX_STRIKES: f64 = 90.0;

/// Listed strikes for one expiry: a realistic increment for the price level (coarser for
/// longer expiries), covering about ±3.5 standard deviations of the forward, and at least
/// ±12 % of spot.
fn strikes(spot: f64, forward: f64, atm: f64, t: f64) -> Vec<f64> {
    let base = if spot < 10.0 {
        0
    } else if spot < 50.0 {
        1
    } else if spot < 200.0 {
        2
    } else if spot < 600.0 {
        3
    } else if spot < 1500.0 {
        4
    } else {
        5
    };
    let mut rung = if t > 0.25 { base + 1 } else { base };
    let reach = 3.5 * atm * t.max(MINUTE_YEARS).sqrt();
    let lo = (forward * (-reach).exp()).min(spot * 0.88).max(spot * 0.2);
    let hi = (forward * reach.exp()).max(spot * 1.12).min(spot * 3.0);
    let mut inc = LADDER[rung.min(LADDER.len() - 1)];
    while (hi - lo) / inc > MAX_STRIKES && rung + 1 < LADDER.len() {
        rung += 1;
        inc = LADDER[rung];
    }
    let first = (lo / inc).ceil().max(1.0) as i64;
    let last = (hi / inc).floor() as i64;
    (first..=last)
        .map(|i| ((i as f64 * inc) * 1000.0).round() / 1000.0)
        .collect()
}

/// The log-price path of one symbol over trading days, pinned at the anchor.
struct Path {
    days: Vec<NaiveDate>,
    logs: Vec<f64>,
}

impl Path {
    /// The path over at least `[from, to]` (trading days) plus the session before `from`.
    fn new(sym: &str, from: NaiveDate, to: NaiveDate) -> Result<Path> {
        let prof = profile(sym);
        let seed = fnv1a(sym.as_bytes());
        let anchor = trading_day_on_or_before(ANCHOR_DATE);
        let start = from
            .checked_sub_signed(Duration::days(10))
            .unwrap_or(from)
            .min(anchor);
        let end = to.max(anchor);
        let days = trading_days_between(start, end);
        let Some(ia) = days.iter().position(|d| *d == anchor) else {
            return Err(Error::NoData {
                what: "demo price",
                symbol: sym.to_string(),
                message: "the anchor date is not a session".to_string(),
            });
        };
        let sd = prof.realized_vol / SESSIONS_PER_YEAR.sqrt();
        let drift = DRIFT / SESSIONS_PER_YEAR - 0.5 * sd * sd;
        let ret = |d: NaiveDate| drift + sd * normal(seed, TAG_PATH, day_key(d));
        let mut logs = vec![0.0; days.len()];
        logs[ia] = prof.anchor_spot.ln();
        for i in ia + 1..days.len() {
            logs[i] = logs[i - 1] + ret(days[i]);
        }
        for i in (0..ia).rev() {
            logs[i] = logs[i + 1] - ret(days[i + 1]);
        }
        Ok(Path { days, logs })
    }

    fn index(&self, day: NaiveDate) -> Option<usize> {
        self.days.binary_search(&day).ok()
    }

    fn log(&self, day: NaiveDate) -> Option<f64> {
        self.index(day).map(|i| self.logs[i])
    }

    fn prev_log(&self, day: NaiveDate) -> Option<f64> {
        self.index(day)
            .and_then(|i| i.checked_sub(1))
            .map(|i| self.logs[i])
    }

    fn close(&self, day: NaiveDate) -> Option<f64> {
        self.log(day).map(|l| round_cents(l.exp()))
    }
}

fn normalize_symbol(symbol: &str) -> Result<String> {
    let sym = symbol.trim().to_ascii_uppercase();
    let ok = !sym.is_empty()
        && sym.len() <= 6
        && sym
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    if ok {
        Ok(sym)
    } else {
        Err(Error::invalid(
            "symbol",
            format!("{symbol:?}"),
            "1 to 6 letters, digits, '.' or '/'",
        ))
    }
}

fn check_date(date: NaiveDate) -> Result<()> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(())
    } else {
        Err(Error::invalid(
            "demo market date",
            date,
            "a date from 1970-01-01 to 2099-12-31",
        ))
    }
}

/// Prices to whole cents, at least one cent.
fn round_cents(x: f64) -> f64 {
    ((x * 100.0).round() / 100.0).max(0.01)
}

// ---- deterministic randomness -------------------------------------------------------------

const TAG_PATH: u64 = 0x5041_5448;
const TAG_GAP: u64 = 0x4741_5000;
const TAG_HIGH: u64 = 0x4849_4748;
const TAG_LOW: u64 = 0x004c_4f57;
const TAG_VOLUME: u64 = 0x564f_4c55;

/// 64-bit FNV-1a: a stable hash of the symbol (std's hasher is randomly seeded per process).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64's finalizer: a bijective scrambler of 64 bits.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mix(a: u64, b: u64) -> u64 {
    splitmix64(a ^ splitmix64(b))
}

/// A uniform in [0, 1) from 53 bits of a hash.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal from two uniforms (Box-Muller).
fn normal_from(u1: f64, u2: f64) -> f64 {
    // 1 − u1 is in (0, 1], so the logarithm is finite.
    (-2.0 * (1.0 - u1).max(f64::MIN_POSITIVE).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A standard normal keyed by (seed, tag, key).
fn normal(seed: u64, tag: u64, key: u64) -> f64 {
    let h = mix(mix(seed, tag), key);
    normal_from(unit(h), unit(splitmix64(h)))
}

fn day_key(d: NaiveDate) -> u64 {
    d.num_days_from_ce() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::calendar::is_trading_day;
    use crate::providers::ExpiryFilter;

    fn as_of(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn req(sym: &str, at: &str) -> ChainRequest {
        ChainRequest {
            symbol: sym.to_string(),
            expiries: ExpiryFilter::All,
            as_of: as_of(at),
        }
    }

    #[test]
    fn fnv1a_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn normals_look_normal() {
        let n = 20_000u64;
        let xs: Vec<f64> = (0..n).map(|k| normal(42, TAG_PATH, k)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn known_and_hashed_profiles() {
        let p = profile("nvda");
        assert_eq!(p.anchor_spot, 190.0);
        assert_eq!(p.atm_iv, 0.45);
        let q = profile("ZZZQ");
        assert_eq!(q, profile(" zzzq "));
        assert!((8.0..=600.0).contains(&q.anchor_spot));
        assert!((0.2..=0.75).contains(&q.atm_iv));
        assert!(q.skew < 0.0);
        assert_ne!(profile("ZZZQ").anchor_spot, profile("ZZZR").anchor_spot);
    }

    #[test]
    fn anchor_close_is_profile_level() {
        assert_eq!(Demo::close_on("NVDA", ANCHOR_DATE).unwrap(), 190.0);
        assert_eq!(Demo::close_on("MSFT", ANCHOR_DATE).unwrap(), 520.0);
    }

    #[test]
    fn strikes_follow_price_level() {
        let s = strikes(190.0, 190.5, 0.45, 30.0 / 365.0);
        assert!(s.windows(2).all(|w| (w[1] - w[0] - 2.5).abs() < 1e-9));
        assert!(s.contains(&190.0));
        let long = strikes(190.0, 195.0, 0.47, 0.9);
        // A year out the ladder is coarser (5 or 10), so the count stays bounded.
        let step = long[1] - long[0];
        assert!(step == 5.0 || step == 10.0, "{step}");
        assert!(long.len() as f64 <= MAX_STRIKES + 1.0);
        assert!(long[0] < 100.0 && *long.last().unwrap() > 380.0);
        let cheap = strikes(7.3, 7.31, 0.6, 20.0 / 365.0);
        assert!(cheap.windows(2).all(|w| (w[1] - w[0] - 0.5).abs() < 1e-9));
        assert!(cheap.len() >= 4);
    }

    #[test]
    fn expiries_weekly_and_monthly() {
        // Tuesday 2026-11-17 10:00 New York.
        let e = Demo::expiries(&as_of("2026-11-17T10:00:00-05:00"));
        assert_eq!(e[0], NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        // Christmas Friday → Thursday Dec 24 weekly.
        assert!(e.contains(&NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
        // Monthlies a year out. June 2027's third Friday, June 18, is Juneteenth observed
        // (June 19 is a Saturday), so that monthly is Thursday June 17.
        assert!(e.contains(&NaiveDate::from_ymd_opt(2027, 6, 17).unwrap()));
        assert!(!e.contains(&NaiveDate::from_ymd_opt(2027, 6, 18).unwrap()));
        assert!(e.contains(&NaiveDate::from_ymd_opt(2027, 10, 15).unwrap()));
        assert!(e.iter().all(|d| is_trading_day(*d)));
        let weeklies = e
            .iter()
            .filter(|d| **d <= NaiveDate::from_ymd_opt(2027, 1, 12).unwrap())
            .count();
        assert_eq!(weeklies, 8);
        // On an expiry day after the close, that expiry is gone.
        let e = Demo::expiries(&as_of("2026-11-20T16:00:00-05:00"));
        assert_eq!(e[0], NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        let e = Demo::expiries(&as_of("2026-11-20T15:59:00-05:00"));
        assert_eq!(e[0], NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    }

    #[test]
    fn chain_basic_shape() {
        let snap = Demo::new()
            .chain(&req("NVDA", "2026-11-17T10:00:00-05:00"))
            .unwrap();
        assert_eq!(snap.underlying.symbol, "NVDA");
        assert_eq!(snap.source, "demo");
        assert!(snap.quotes.len() > 500, "{}", snap.quotes.len());
        let spot = snap.underlying.spot();
        assert!((100.0..350.0).contains(&spot), "{spot}");
        for q in &snap.quotes {
            let ask = q.ask.unwrap();
            if let Some(b) = q.bid {
                assert!(b < ask, "{} crossed", q.contract);
            }
            assert!(ask >= 0.01);
        }
    }

    #[test]
    fn rejects_bad_symbols_and_ranges() {
        let invalid = |r: Result<_>, want: &str, given: &str| match r {
            Err(Error::InvalidInput { what, value, .. }) => {
                assert_eq!((what, value.as_str()), (want, given));
            }
            Err(e) => panic!("{want} {given}: wrong error: {e}"),
            Ok(_) => panic!("{want} {given}: accepted"),
        };
        let demo = Demo::new();
        invalid(
            demo.chain(&req("", "2026-11-17T10:00:00-05:00")).map(drop),
            "symbol",
            "\"\"",
        );
        invalid(
            demo.chain(&req("TOOLONGX", "2026-11-17T10:00:00-05:00"))
                .map(drop),
            "symbol",
            "\"TOOLONGX\"",
        );
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        invalid(
            demo.history("NVDA", d(2026, 2, 1), d(2026, 1, 1)).map(drop),
            "history range",
            "2026-02-01 to 2026-01-01",
        );
        invalid(
            demo.history("NVDA", d(1900, 1, 1), d(1901, 1, 1)).map(drop),
            "demo market date",
            "1900-01-01",
        );
        let h = Demo::new()
            .history("NVDA", d(2026, 7, 4), d(2026, 7, 5))
            .unwrap();
        assert!(h.bars.is_empty());
    }
}
