//! The sources and switches of one run, handed to the library's pipeline
//! ([`ccplan::pipeline`]): fetch, analyse once, regime, record. This module only chooses what
//! to pass and says the pipeline's notes.

use chrono::NaiveDate;

use ccplan::model::CorporateEvents;
use ccplan::pipeline::{self, PipelineSettings, PublishedRanges, Record, StoreFile, SymbolRequest};
use ccplan::plan::{AnalysedMarket, Market};
use ccplan::providers::{ChainSource, HistorySource};
use ccplan::regime::RegimeThresholds;

pub use ccplan::pipeline::SymbolData;

use super::config::SourceSpec;
use super::Ctx;

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
    /// The published IV30 range: CBOE's, through the same client as the chains, when CBOE is
    /// the chain source.
    pub ranges: Option<Box<dyn PublishedRanges + Sync>>,
    /// Regime thresholds.
    pub thresholds: RegimeThresholds,
    /// Record the day's summary in the store (live sources only).
    pub record: bool,
    /// Also archive the whole chain.
    pub archive: bool,
    /// Fallback rate and dividend yield of the one chain analysis behind the regime reading
    /// and the plan (the plan's `--rate`/`--div-yield` when given).
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

    /// Fetch and analyse one symbol without dividends (see [`Pipeline::run_events`]).
    pub fn run(
        &self,
        symbol: &str,
        next_earnings: Option<NaiveDate>,
    ) -> anyhow::Result<SymbolData> {
        self.run_events(
            symbol,
            &CorporateEvents {
                next_earnings,
                ..CorporateEvents::default()
            },
        )
    }

    /// Fetch and analyse one symbol with a holding's events (its earnings date for the
    /// regime, its known dividend for the American pricing of the calls). Only the chain is
    /// required; history, the store and the regime degrade to warnings.
    pub fn run_events(&self, symbol: &str, events: &CorporateEvents) -> anyhow::Result<SymbolData> {
        use anyhow::Context;
        let dividends: Vec<_> = events.scheduled_dividend().into_iter().collect();
        let store = StoreFile::new(&self.ctx.store);
        let record = match (self.record && self.is_live(), self.archive) {
            (false, _) => Record::Nothing,
            (true, false) => Record::Summary,
            (true, true) => Record::SummaryAndChain,
        };
        let pipe = pipeline::Pipeline {
            chains: self.chains.as_ref(),
            histories: self.histories.as_deref().map(|h| h as _),
            ranges: self.ranges.as_deref().map(|r| r as _),
            store: Some(&store),
            now: self.ctx.now,
            settings: PipelineSettings {
                surface: PipelineSettings::surface_for(self.rate, self.div_yield),
                thresholds: self.thresholds,
                record,
                now_requested: self.ctx.as_of_given,
            },
        };
        let data = pipe
            .run(&SymbolRequest {
                symbol,
                next_earnings: events.next_earnings,
                dividends: &dividends,
            })
            .with_context(|| format!("option chain for {symbol} from {}", self.chains.name()))?;
        for n in &data.notes {
            eprintln!("note: {n}");
        }
        Ok(data)
    }
}

/// The pipeline's analyses beside their markets (`markets[i]` drawn from `data[i]`), for the
/// planner's `*_analysed` entry points: all of them, or `None` when a chain could not be
/// analysed (the planner then analyses again and says why).
pub fn analysed_markets<'a>(
    markets: &[Market<'a>],
    data: &'a [SymbolData],
) -> Option<Vec<AnalysedMarket<'a>>> {
    markets
        .iter()
        .zip(data)
        .map(|(m, d)| {
            d.surface.as_ref().map(|surface| AnalysedMarket {
                market: *m,
                surface,
            })
        })
        .collect()
}
