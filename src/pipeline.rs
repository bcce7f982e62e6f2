//! The per-symbol pipeline every market command shares: fetch the chain and the price
//! history, analyse the chain once, read the IV regime (with the stored IV history and a
//! provider's published IV range), and record the day's summary in the store.
//!
//! The one analysis serves both the regime reading and the planner: it is made with one
//! rate and dividend yield (so `--rate` moves the plan and the regime verdict beside it
//! together), the IV sides both read (the mid, else the bid, of calls and puts; greeks of the calls), and the
//! holding's known cash dividends (calls of the expiries they go ex before are priced with
//! the American discrete-dividend model; see [`AmericanScope::CallsWhereDividend`]). Its
//! [`SymbolData::surface`] goes to [`crate::plan::suggest_analysed`],
//! [`crate::plan::plan_analysed`] or [`crate::plan::manage_analysed`] as it is.
//!
//! Nothing here reads the clock, the environment or the terminal: the sources, the store and
//! "now" are passed in, and every warning or note comes back as data in [`SymbolData`]. Only
//! a chain that cannot be fetched is an error; the history, the store, the published range
//! and the regime degrade to warnings.
//!
//! ```no_run
//! # fn demo() -> ccplan::Result<()> {
//! use ccplan::pipeline::{Pipeline, PipelineSettings, SymbolRequest};
//! use ccplan::providers::demo::Demo;
//!
//! let market = Demo::new();
//! let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:30:00-05:00").unwrap();
//! let pipe = Pipeline {
//!     chains: &market,
//!     histories: Some(&market),
//!     ranges: None,
//!     store: None,
//!     now,
//!     settings: PipelineSettings::default(),
//! };
//! let data = pipe.run(&SymbolRequest::new("NVDA"))?;
//! if let Some(r) = &data.regime {
//!     println!("{}", r.summary_line());
//! }
//! # Ok(()) }
//! ```

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};

use crate::error::Result;
use crate::model::{ChainSnapshot, PriceHistory, Right};
use crate::providers::cboe::Cboe;
use crate::providers::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};
use crate::regime::{
    assess, ExpiryReading, IvObservation, PublishedRange, RegimeInputs, RegimeReport,
    RegimeThresholds,
};
pub use crate::store::StoreFile;
use crate::store::{session_date, DailySummary};
use crate::surface::{
    analyze_with_dividends, AmericanScope, ChainSurface, ExpirySlice, IvSides, ParitySettings,
    ScheduledDividend, SurfaceParams,
};

/// Calendar days of history fetched: 252 sessions for the 200-day average and the MACD
/// warm-up, with room for holidays.
pub const HISTORY_DAYS: i64 = 420;

/// Sessions of stored IV30 read for the IV rank (the rank window is 252 of them).
const IV_HISTORY_SESSIONS: usize = 300;

/// A provider's published one-year IV30 range (CBOE's), for the IV rank until the store holds
/// enough sessions of its own.
pub trait PublishedRanges {
    /// The provider as named in warnings, e.g. `CBOE`.
    fn range_provider(&self) -> &'static str;
    /// The one-year low and high of the symbol's IV30, decimal; `Ok(None)` when the provider
    /// answered without a usable range.
    fn published_range(&self, symbol: &str) -> Result<Option<PublishedRange>>;
}

impl PublishedRanges for Cboe {
    fn range_provider(&self) -> &'static str {
        "CBOE"
    }

    fn published_range(&self, symbol: &str) -> Result<Option<PublishedRange>> {
        let r = self.vol_ranges(symbol)?;
        Ok(match (r.iv30.low, r.iv30.high) {
            (Some(low), Some(high)) if high > low => Some(PublishedRange { low, high }),
            _ => None,
        })
    }
}

/// Where the daily summaries behind the IV rank are read from and recorded to.
pub trait SummaryStore: Sync {
    /// The store as named in warnings (its path).
    fn location(&self) -> String;
    /// The stored IV30 series of `symbol` before `until`, at most `sessions` of them (empty
    /// when nothing was recorded yet).
    fn iv30_history(
        &self,
        symbol: &str,
        until: NaiveDate,
        sessions: usize,
    ) -> Result<Vec<IvObservation>>;
    /// Record one day's summary (and, when given, the whole chain).
    fn record_fetch(&self, summary: &DailySummary, archived: Option<&ChainSnapshot>) -> Result<()>;
}

/// What to record in the store after a successful regime reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Record {
    /// Nothing (saved chains, the demo market, `--no-record`).
    #[default]
    Nothing,
    /// The day's summary (IV30, ATM IV by expiry, spot, HV20, skew).
    Summary,
    /// The summary and the whole chain.
    SummaryAndChain,
}

/// The switches of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipelineSettings {
    /// The chain analytics: the fallback rate and dividend yield of the parity fit, the IV
    /// sides, the American scope. [`PipelineSettings::surface_for`] gives the defaults the
    /// planner and the regime both read.
    pub surface: SurfaceParams,
    /// The regime's thresholds.
    pub thresholds: RegimeThresholds,
    /// What to record in the store.
    pub record: Record,
    /// "Now" was asked for (`--as-of`) rather than read from the clock: a saved chain whose
    /// own instant differs gets a note (a warning when more than a session apart).
    pub now_requested: bool,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            surface: PipelineSettings::surface_for(0.0, 0.0),
            thresholds: RegimeThresholds::default(),
            record: Record::Nothing,
            now_requested: false,
        }
    }
}

impl PipelineSettings {
    /// The one analysis both the regime and the planner read, at a fallback rate and
    /// dividend yield (decimal, continuously compounded): the mid IV (else the bid's) of
    /// calls and puts, greeks of the calls only (nobody downstream reads a put's), calls
    /// American where a known dividend goes ex before expiry.
    pub fn surface_for(rate: f64, div_yield: f64) -> SurfaceParams {
        SurfaceParams {
            parity: ParitySettings {
                rate,
                div_yield,
                ..ParitySettings::default()
            },
            iv_sides: IvSides::MidOnlyCallGreeks,
            american: AmericanScope::CallsWhereDividend,
            ..SurfaceParams::default()
        }
    }
}

/// One symbol to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymbolRequest<'a> {
    /// Ticker, e.g. `NVDA`.
    pub symbol: &'a str,
    /// Next earnings date, for the regime's cautions.
    pub next_earnings: Option<NaiveDate>,
    /// The holding's cash dividends known ahead (for the American pricing of the calls).
    pub dividends: &'a [ScheduledDividend],
}

impl<'a> SymbolRequest<'a> {
    /// A symbol without events.
    pub fn new(symbol: &'a str) -> SymbolRequest<'a> {
        SymbolRequest {
            symbol,
            next_earnings: None,
            dividends: &[],
        }
    }
}

/// Everything known about one symbol at the as-of instant.
#[derive(Debug, Clone)]
pub struct SymbolData {
    /// The chain as fetched.
    pub snap: ChainSnapshot,
    /// Daily history up to the as-of date, when a history source answered.
    pub history: Option<PriceHistory>,
    /// The chain analysed once (see the module docs); `None` when the analytics could not run
    /// (a warning says why).
    pub surface: Option<ChainSurface>,
    /// The regime reading.
    pub regime: Option<RegimeReport>,
    /// Warnings (history unavailable, store unreadable, no regime, ...).
    pub warnings: Vec<String>,
    /// Notes: worth knowing, not a problem (a saved chain's own instant used).
    pub notes: Vec<String>,
}

/// The sources, the store and "now" of one run.
#[derive(Clone, Copy)]
pub struct Pipeline<'a> {
    /// Chains.
    pub chains: &'a (dyn ChainSource + Sync),
    /// Price history, if any.
    pub histories: Option<&'a (dyn HistorySource + Sync)>,
    /// A published IV30 range, if any (CBOE, when it is the chain source).
    pub ranges: Option<&'a (dyn PublishedRanges + Sync)>,
    /// The store behind the IV rank; `None` runs without one (no IV history, nothing
    /// recorded).
    pub store: Option<&'a dyn SummaryStore>,
    /// "Now": the instant asked of the chain source (live sources report their own).
    pub now: DateTime<FixedOffset>,
    /// The switches.
    pub settings: PipelineSettings,
}

impl Pipeline<'_> {
    /// Fetch and analyse one symbol. Only the chain is required: the error is the chain
    /// source's; history, the store and the regime degrade to warnings.
    pub fn run(&self, req: &SymbolRequest<'_>) -> Result<SymbolData> {
        let symbol = req.symbol;
        let request = ChainRequest {
            symbol: symbol.to_string(),
            expiries: ExpiryFilter::All,
            as_of: self.now,
        };
        let snap = self.chains.chain(&request)?;
        let mut warnings = Vec::new();
        let mut notes = Vec::new();
        if self.settings.now_requested {
            match as_of_disagreement(&snap, &self.now) {
                Some((true, w)) => warnings.push(w),
                Some((false, n)) => notes.push(n),
                None => {}
            }
        }
        let as_of_date = session_date(&snap.as_of);
        let history = self.history(symbol, as_of_date, &mut warnings);
        let (surface, regime) =
            match analyze_with_dividends(&snap, &self.settings.surface, req.dividends, |_| true) {
                Ok(surface) => {
                    let regime = self.regime(
                        &snap,
                        &surface,
                        history.as_ref(),
                        req.next_earnings,
                        &mut warnings,
                    );
                    (Some(surface), regime)
                }
                Err(e) => {
                    warnings.push(format!("chain analytics failed for {symbol}: {e}"));
                    (None, None)
                }
            };
        Ok(SymbolData {
            snap,
            history,
            surface,
            regime,
            warnings,
            notes,
        })
    }

    fn history(
        &self,
        symbol: &str,
        as_of_date: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<PriceHistory> {
        let h = self.histories?;
        let from = as_of_date - Duration::days(HISTORY_DAYS);
        match h.history(symbol, from, as_of_date) {
            Ok(hist) => Some(hist.until(as_of_date)),
            Err(e) => {
                warnings.push(format!(
                    "no price history for {symbol} from {} ({e}); realized volatility, RSI \
                     and MACD are left out",
                    h.name()
                ));
                None
            }
        }
    }

    fn regime(
        &self,
        snap: &ChainSnapshot,
        surface: &ChainSurface,
        history: Option<&PriceHistory>,
        next_earnings: Option<NaiveDate>,
        warnings: &mut Vec<String>,
    ) -> Option<RegimeReport> {
        let symbol = snap.underlying.symbol.as_str();
        let iv_history = self.iv_history(symbol, session_date(&snap.as_of), warnings);
        let published_range = self.published_range(symbol, warnings);
        let inputs = RegimeInputs {
            symbol: snap.underlying.symbol.clone(),
            as_of: snap.as_of,
            spot: surface.spot,
            expiries: expiry_readings(surface),
            history: history.cloned(),
            iv_history,
            published_range,
            next_earnings,
        };
        match assess(&inputs, &self.settings.thresholds) {
            Ok(report) => {
                self.record_day(snap, &report, warnings);
                Some(report)
            }
            Err(e) => {
                warnings.push(format!("no IV regime for {symbol}: {e}"));
                None
            }
        }
    }

    /// The stored IV30 series before today (empty without a store or a record yet).
    fn iv_history(
        &self,
        symbol: &str,
        today: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Vec<IvObservation> {
        let Some(store) = self.store else {
            return Vec::new();
        };
        match store.iv30_history(symbol, today, IV_HISTORY_SESSIONS) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(format!("history store unreadable, IV rank falls back: {e}"));
                Vec::new()
            }
        }
    }

    /// The published one-year IV30 range; a failure, or an answer without a usable range, is
    /// a warning (IV rank then rests on the store alone).
    fn published_range(&self, symbol: &str, warnings: &mut Vec<String>) -> Option<PublishedRange> {
        let ranges = self.ranges?;
        let provider = ranges.range_provider();
        match ranges.published_range(symbol) {
            Ok(Some(r)) => Some(r),
            Ok(None) => {
                warnings.push(format!(
                    "{provider} published no usable one-year IV30 range for {symbol}; IV rank \
                     uses the history store only"
                ));
                None
            }
            Err(e) => {
                warnings.push(format!(
                    "no published IV30 range for {symbol} from {provider} ({}); IV rank uses \
                     the history store only",
                    error_chain(&e)
                ));
                None
            }
        }
    }

    fn record_day(&self, snap: &ChainSnapshot, report: &RegimeReport, warnings: &mut Vec<String>) {
        let Some(store) = self.store else { return };
        let archived = match self.settings.record {
            Record::Nothing => return,
            Record::Summary => None,
            Record::SummaryAndChain => Some(snap),
        };
        let summary = day_summary(snap, report, &self.now);
        if let Err(e) = store.record_fetch(&summary, archived) {
            warnings.push(format!(
                "could not record {} in the history store {}: {}",
                snap.underlying.symbol,
                store.location(),
                error_chain(&e)
            ));
        }
    }
}

/// The day's summary of a regime reading, recorded at `now`.
pub fn day_summary(
    snap: &ChainSnapshot,
    report: &RegimeReport,
    now: &DateTime<FixedOffset>,
) -> DailySummary {
    let date = session_date(&snap.as_of);
    let mut summary = DailySummary::new(&snap.underlying.symbol, date, &snap.source);
    summary.iv30 = report.iv30.as_ref().map(|r| r.iv);
    summary.spot = Some(report.spot_usd);
    summary.hv20 = report.realized.as_ref().and_then(|r| r.hv20);
    summary.skew = report.skew.as_ref().and_then(|s| s.put_minus_call_25d);
    summary.recorded_at = Some(now.with_timezone(&chrono::Utc));
    for row in &report.term_structure {
        if let Some(iv) = row.atm_iv {
            summary.atm_iv.insert(row.expiry, iv);
        }
    }
    summary
}

/// An error and its causes, `outer: cause: cause`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// What to say when a snapshot carries its own instant (a saved chain, an archived one) and
/// another "now" was asked for: `(true, warning)` when the two are more than one trading
/// session apart, else `(false, note)`; `None` when they agree.
pub fn as_of_disagreement(
    snap: &ChainSnapshot,
    now: &DateTime<FixedOffset>,
) -> Option<(bool, String)> {
    if snap.as_of == *now {
        return None;
    }
    let (a, b) = (session_date(&snap.as_of), session_date(now));
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let sessions = lo
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= hi)
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .count();
    let msg = format!(
        "{}: the saved chain's own instant {} ({}) is used, not --as-of {}",
        snap.underlying.symbol,
        snap.as_of.to_rfc3339(),
        snap.source,
        now.to_rfc3339()
    );
    Some(if sessions > 1 {
        (true, format!("{msg} ({sessions} sessions apart)"))
    } else {
        (false, msg)
    })
}

/// The regime's per-expiry inputs from the chain analytics.
pub fn expiry_readings(surface: &ChainSurface) -> Vec<ExpiryReading> {
    surface
        .slices
        .iter()
        .map(|s| {
            let mut r = ExpiryReading::new(s.expiry, s.t);
            r.atm_iv = s.atm_iv();
            r.atm_straddle = atm_straddle(s);
            r.iv_put_25d = s.iv_at_delta(Right::Put, -0.25, surface.spot);
            r.iv_call_25d = s.iv_at_delta(Right::Call, 0.25, surface.spot);
            r.iv_90 = s.iv_at_moneyness(0.9);
            r.iv_110 = s.iv_at_moneyness(1.1);
            r
        })
        .collect()
}

/// Mid of the call plus mid of the put at the listed strike nearest the forward.
fn atm_straddle(s: &ExpirySlice) -> Option<f64> {
    let f = s.forward.forward;
    let call = s
        .calls
        .iter()
        .filter(|q| q.mid.is_some())
        .min_by(|a, b| (a.strike() - f).abs().total_cmp(&(b.strike() - f).abs()))?;
    let put = s
        .puts
        .iter()
        .find(|p| p.contract.strike_millis() == call.contract.strike_millis())?;
    Some(call.mid? + put.mid?)
}
