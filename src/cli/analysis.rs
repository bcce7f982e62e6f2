//! The per-symbol pipeline every market command shares: fetch the chain and the price
//! history, analyse the chain, read the IV regime (with the store's IV history), and record
//! the day's summary in the store.

use anyhow::Context;
use chrono::{Duration, NaiveDate};

use ccplan::model::{ChainSnapshot, PriceHistory, Right};

use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};
use ccplan::regime::{
    assess, ExpiryReading, IvObservation, PublishedRange, RegimeInputs, RegimeReport,
    RegimeThresholds,
};
use ccplan::store::{session_date, DailySummary, Store};
use ccplan::surface::{analyze, ChainSurface, IvSides, ParitySettings, SurfaceParams};

use super::config::SourceSpec;
use super::Ctx;

/// Calendar days of history fetched: 252 sessions for the 200-day average and the MACD warm-up,
/// with room for holidays.
const HISTORY_DAYS: i64 = 420;

/// Everything known about one symbol at the as-of instant.
pub struct SymbolData {
    /// The chain as fetched.
    pub snap: ChainSnapshot,
    /// Daily history up to the as-of date, when a history source answered.
    pub history: Option<PriceHistory>,
    /// The regime reading.
    pub regime: Option<RegimeReport>,
    /// Warnings to show (history unavailable, store unreadable, ...).
    pub warnings: Vec<String>,
}

/// The sources and switches of one run.
pub struct Pipeline<'a> {
    /// Shared context.
    pub ctx: &'a Ctx,
    /// The chain source spec (decides whether the store is written).
    pub spec: SourceSpec,
    /// Chains.
    pub chains: Box<dyn ChainSource + Sync>,
    /// History, if any.
    pub histories: Option<Box<dyn HistorySource + Sync>>,
    /// Regime thresholds.
    pub thresholds: RegimeThresholds,
    /// Record the day's summary in the store (live sources only).
    pub record: bool,
    /// Also archive the whole chain.
    pub archive: bool,
    /// Fallback rate and dividend yield of the chain analytics behind the regime reading
    /// (the plan's `--rate`/`--div-yield` when given, so both read one analysis' inputs).
    pub rate: f64,
    /// See `rate`.
    pub div_yield: f64,
}

impl Pipeline<'_> {
    fn is_live(&self) -> bool {
        matches!(
            self.spec,
            SourceSpec::Cboe | SourceSpec::Tradier | SourceSpec::Yahoo | SourceSpec::Polygon
        )
    }

    /// Fetch and analyse one symbol. Only the chain is required; history, the store and the
    /// regime degrade to warnings.
    pub fn run(
        &self,
        symbol: &str,
        next_earnings: Option<NaiveDate>,
    ) -> anyhow::Result<SymbolData> {
        let ctx = self.ctx;
        let request = ChainRequest {
            symbol: symbol.to_string(),
            expiries: ExpiryFilter::All,
            as_of: ctx.now,
        };
        let snap = self
            .chains
            .chain(&request)
            .with_context(|| format!("option chain for {symbol} from {}", self.chains.name()))?;
        let mut warnings = Vec::new();
        match super::as_of_disagreement(&snap, ctx) {
            Some((true, w)) => warnings.push(w),
            Some((false, n)) => eprintln!("note: {n}"),
            None => {}
        }
        let as_of_date = session_date(&snap.as_of);
        let history = match &self.histories {
            None => None,
            Some(h) => {
                let from = as_of_date - Duration::days(HISTORY_DAYS);
                match h.history(symbol, from, as_of_date) {
                    Ok(hist) => Some(hist.until(as_of_date)),
                    Err(e) => {
                        warnings.push(format!(
                            "no price history for {symbol} from {} ({e}); realized volatility, \
                             RSI and MACD are left out",
                            h.name()
                        ));
                        None
                    }
                }
            }
        };
        let surface = analyze(
            &snap,
            &SurfaceParams {
                parity: ParitySettings {
                    rate: self.rate,
                    div_yield: self.div_yield,
                    ..ParitySettings::default()
                },
                // The regime reads IV (mid, else bid) only: a third of the solves.
                iv_sides: IvSides::MidOnly,
                ..SurfaceParams::default()
            },
        );
        let regime = match surface {
            Ok(surface) => {
                let iv_history = self.iv_history(symbol, as_of_date, &mut warnings);
                let published_range = self.published_range(symbol, &mut warnings);
                let inputs = RegimeInputs {
                    symbol: snap.underlying.symbol.clone(),
                    as_of: snap.as_of,
                    spot: surface.spot,
                    expiries: expiry_readings(&surface),
                    history: history.clone(),
                    iv_history,
                    published_range,
                    next_earnings,
                };
                match assess(&inputs, &self.thresholds) {
                    Ok(report) => {
                        if self.record && self.is_live() {
                            if let Err(e) = self.record_day(&snap, &report) {
                                warnings.push(format!(
                                    "could not record {symbol} in the history store {}: {e:#}",
                                    ctx.store.display()
                                ));
                            }
                        }
                        Some(report)
                    }
                    Err(e) => {
                        warnings.push(format!("no IV regime for {symbol}: {e}"));
                        None
                    }
                }
            }
            Err(e) => {
                warnings.push(format!("chain analytics failed for {symbol}: {e}"));
                None
            }
        };
        Ok(SymbolData {
            snap,
            history,
            regime,
            warnings,
        })
    }

    /// The stored IV30 series before today (empty when there is no store yet).
    fn iv_history(
        &self,
        symbol: &str,
        today: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Vec<IvObservation> {
        if !self.ctx.store.exists() {
            return Vec::new();
        }
        let series =
            Store::open_existing(&self.ctx.store).and_then(|s| s.iv30_series(symbol, today, 300));
        match series {
            Ok(v) => v
                .into_iter()
                .map(|(date, iv)| IvObservation { date, iv })
                .collect(),
            Err(e) => {
                warnings.push(format!("history store unreadable, IV rank falls back: {e}"));
                Vec::new()
            }
        }
    }

    /// CBOE's published one-year IV30 range, for IV rank until the store has enough sessions.
    /// Only asked of CBOE (keyless) when it is the chain source, through the source as
    /// configured; a failure is a warning (IV rank then rests on the store alone).
    fn published_range(&self, symbol: &str, warnings: &mut Vec<String>) -> Option<PublishedRange> {
        if self.spec != SourceSpec::Cboe {
            return None;
        }
        let ranges =
            super::sources::cboe(&self.ctx.settings).and_then(|cboe| Ok(cboe.vol_ranges(symbol)?));
        match ranges {
            Ok(r) => match (r.iv30.low, r.iv30.high) {
                (Some(low), Some(high)) if high > low => Some(PublishedRange { low, high }),
                _ => None,
            },
            Err(e) => {
                warnings.push(format!(
                    "no published IV30 range for {symbol} from CBOE ({e:#}); IV rank uses the \
                     history store only"
                ));
                None
            }
        }
    }

    fn record_day(&self, snap: &ChainSnapshot, report: &RegimeReport) -> anyhow::Result<()> {
        let mut store = Store::open(&self.ctx.store)?;
        let date = session_date(&snap.as_of);
        let mut summary = DailySummary::new(&snap.underlying.symbol, date, &snap.source);
        summary.iv30 = report.iv30.as_ref().map(|r| r.iv);
        summary.spot = Some(report.spot_usd);
        summary.hv20 = report.realized.as_ref().and_then(|r| r.hv20);
        summary.skew = report.skew.as_ref().and_then(|s| s.put_minus_call_25d);
        summary.recorded_at = Some(self.ctx.now.with_timezone(&chrono::Utc));
        for row in &report.term_structure {
            if let Some(iv) = row.atm_iv {
                summary.atm_iv.insert(row.expiry, iv);
            }
        }
        let archived = if self.archive { Some(snap) } else { None };
        store.record_fetch(&summary, archived)?;
        Ok(())
    }
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
fn atm_straddle(s: &ccplan::surface::ExpirySlice) -> Option<f64> {
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
