//! The library pipeline (`ccplan::pipeline`): fetch → analyse once → regime → record, run on
//! an in-memory chain source, an in-memory store and the demo market.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use ccplan::model::{ChainSnapshot, CorporateEvents, Holding, OptionContract, Quote, Right};
use ccplan::pipeline::{
    Pipeline, PipelineSettings, PublishedRanges, Record, SummaryStore, SymbolData, SymbolRequest,
};
use ccplan::plan::{suggest, suggest_analysed, AnalysedMarket, Market, PlanParams};
use ccplan::pricing::time::year_fraction;
use ccplan::providers::demo::Demo;
use ccplan::providers::{ChainRequest, ChainSource};
use ccplan::regime::{IvObservation, PublishedRange};
use ccplan::store::DailySummary;
use ccplan::surface::{PricingModel, ScheduledDividend};

const SPOT: f64 = 100.0;
const VOL: f64 = 0.30;
/// The rate the calls are priced at.
const TRUE_RATE: f64 = 0.05;

fn as_of() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-16T10:30:00-05:00").unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Black-Scholes call on a non-dividend stock, written out here (statrs' normal CDF) as an
/// independent reference.
fn bs_call(s: f64, k: f64, t: f64, r: f64, vol: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = Normal::new(0.0, 1.0).unwrap();
    let sd = vol * t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * vol * vol) * t) / sd;
    s * n.cdf(d1) - k * (-r * t).exp() * n.cdf(d1 - sd)
}

/// Calls only (no put-call parity, so the forward and discount come from the fallback rate),
/// priced at a flat 30 % vol and a 5 % rate; bid and ask 2 cents either side of the model
/// price, so the mid is the model price.
fn calls_only_chain() -> ChainSnapshot {
    let now = as_of();
    let mut quotes = Vec::new();
    for expiry in [
        d(2026, 12, 4),
        d(2026, 12, 18),
        d(2027, 1, 15),
        d(2027, 2, 19),
    ] {
        let t = year_fraction(&now, expiry);
        for k in (80..=130).step_by(5) {
            let k = f64::from(k);
            let mid = bs_call(SPOT, k, t, TRUE_RATE, VOL);
            let contract = OptionContract::new("NVDA", expiry, k, Right::Call).unwrap();
            let mut q = Quote::new(contract, Some(mid - 0.02), Some(mid + 0.02));
            q.open_interest = Some(1_000);
            q.volume = Some(100);
            quotes.push(q);
        }
    }
    ChainSnapshot {
        underlying: ccplan::model::Underlying {
            symbol: "NVDA".into(),
            last: SPOT,
            bid: None,
            ask: None,
            iv30: None,
        },
        as_of: now,
        source: "memory".into(),
        quotes,
        dropped: Vec::new(),
        notes: Vec::new(),
    }
}

/// A chain source answering from memory.
struct Memory(ChainSnapshot);

impl ChainSource for Memory {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn chain(&self, request: &ChainRequest) -> ccplan::Result<ChainSnapshot> {
        if request.symbol == self.0.underlying.symbol {
            Ok(self.0.clone())
        } else {
            Err(ccplan::Error::NoData {
                what: "option chain",
                symbol: request.symbol.clone(),
                message: "not in memory".into(),
            })
        }
    }
}

/// A store in memory: a fixed IV30 history, and what was recorded.
#[derive(Default)]
struct MemoryStore {
    history: Vec<IvObservation>,
    recorded: Mutex<Vec<(DailySummary, bool)>>,
    fail: bool,
}

impl SummaryStore for MemoryStore {
    fn location(&self) -> String {
        "memory".into()
    }

    fn iv30_history(
        &self,
        _symbol: &str,
        until: NaiveDate,
        sessions: usize,
    ) -> ccplan::Result<Vec<IvObservation>> {
        let mut v: Vec<IvObservation> = self
            .history
            .iter()
            .filter(|o| o.date < until)
            .copied()
            .collect();
        v.truncate(sessions);
        Ok(v)
    }

    fn record_fetch(
        &self,
        summary: &DailySummary,
        archived: Option<&ChainSnapshot>,
    ) -> ccplan::Result<()> {
        if self.fail {
            return Err(ccplan::Error::invalid("store", "memory", "a working store"));
        }
        self.recorded
            .lock()
            .unwrap()
            .push((summary.clone(), archived.is_some()));
        Ok(())
    }
}

fn settings(rate: f64) -> PipelineSettings {
    PipelineSettings {
        surface: PipelineSettings::surface_for(rate, 0.0),
        ..PipelineSettings::default()
    }
}

fn run(source: &Memory, store: Option<&MemoryStore>, s: PipelineSettings) -> SymbolData {
    let pipe = Pipeline {
        chains: source,
        histories: None,
        ranges: None,
        store: store.map(|s| s as &dyn SummaryStore),
        now: as_of(),
        settings: s,
    };
    pipe.run(&SymbolRequest::new("NVDA")).unwrap()
}

fn holding() -> Holding {
    Holding {
        symbol: "NVDA".into(),
        shares: 300,
        cost_basis: None,
        written: Vec::new(),
        assign_ok_above: None,
        events: CorporateEvents::default(),
    }
}

fn plan_on(data: &SymbolData, rate: f64) -> ccplan::plan::Suggestion {
    let params = PlanParams {
        rate,
        max_spread: None,
        ..PlanParams::default()
    };
    let market = Market {
        chain: &data.snap,
        history: None,
    };
    let surface = data.surface.as_ref().expect("the chain analysed");
    suggest_analysed(&holding(), &AnalysedMarket { market, surface }, &params).unwrap()
}

#[test]
fn at_the_true_rate_the_regime_and_the_plan_read_the_pricing_vol() {
    let source = Memory(calls_only_chain());
    let data = run(&source, None, settings(TRUE_RATE));
    assert!(data.warnings.is_empty(), "{:?}", data.warnings);
    let regime = data.regime.as_ref().expect("a regime reading");
    let iv30 = regime.iv30.as_ref().expect("an IV30").iv;
    assert!((iv30 - VOL).abs() < 1e-6, "IV30 {iv30}");
    let s = plan_on(&data, TRUE_RATE);
    assert!(!s.candidates.is_empty());
    for c in &s.candidates {
        assert!(
            (c.metrics.iv - VOL).abs() < 1e-6,
            "{} IV {}",
            c.occ,
            c.metrics.iv
        );
        // Fallback forward: F = S·e^{rT}.
        let f = SPOT * (TRUE_RATE * c.t).exp();
        assert!(
            (c.forward - f).abs() < 1e-9,
            "{} forward {}",
            c.occ,
            c.forward
        );
    }
}

#[test]
fn one_rate_moves_the_regime_and_the_plan_together() {
    let source = Memory(calls_only_chain());
    let at_true = run(&source, None, settings(TRUE_RATE));
    let at_zero = run(&source, None, settings(0.0));
    let iv30 = |d: &SymbolData| d.regime.as_ref().unwrap().iv30.as_ref().unwrap().iv;
    // A lower forward needs a higher vol for the same call prices: both readings rise.
    assert!(
        iv30(&at_zero) > iv30(&at_true) + 0.005,
        "regime IV30 {} at 0 % vs {} at 5 %",
        iv30(&at_zero),
        iv30(&at_true)
    );
    let (p_true, p_zero) = (plan_on(&at_true, TRUE_RATE), plan_on(&at_zero, 0.0));
    // Every call the plan ranks at 0 % reads a higher IV than the same call at 5 %.
    let true_surface = at_true.surface.as_ref().unwrap();
    assert!(!p_zero.candidates.is_empty());
    for c in &p_zero.candidates {
        let at5 = true_surface
            .slice(c.expiry)
            .unwrap()
            .call(c.strike)
            .unwrap();
        assert!(
            c.metrics.iv > at5.iv().unwrap() + 0.002,
            "{}: {} at 0 % vs {:?} at 5 %",
            c.occ,
            c.metrics.iv,
            at5.iv()
        );
    }
    // The plan's IV of every candidate is the surface's, which the regime read: one analysis.
    for (data, plan) in [(&at_true, &p_true), (&at_zero, &p_zero)] {
        let surface = data.surface.as_ref().unwrap();
        let regime = data.regime.as_ref().unwrap();
        for c in &plan.candidates {
            let q = surface.slice(c.expiry).unwrap().call(c.strike).unwrap();
            assert_eq!(q.iv(), Some(c.metrics.iv));
        }
        for f in &plan.forwards {
            let row = regime
                .term_structure
                .iter()
                .find(|r| r.expiry == f.expiry)
                .unwrap();
            assert_eq!(row.atm_iv, f.atm_iv, "{}", f.expiry);
        }
    }
}

#[test]
fn the_analysed_plan_equals_the_plan_that_analyses_for_itself() {
    let source = Memory(calls_only_chain());
    let data = run(&source, None, settings(TRUE_RATE));
    let analysed = plan_on(&data, TRUE_RATE);
    let own = suggest(
        &holding(),
        &Market {
            chain: &data.snap,
            history: None,
        },
        &PlanParams {
            rate: TRUE_RATE,
            max_spread: None,
            ..PlanParams::default()
        },
    )
    .unwrap();
    assert_eq!(analysed.candidates, own.candidates);
    assert_eq!(analysed.rejected, own.rejected);
}

#[test]
fn a_surface_of_another_chain_is_refused() {
    let source = Memory(calls_only_chain());
    let data = run(&source, None, settings(TRUE_RATE));
    let mut later = data.snap.clone();
    later.as_of += Duration::minutes(5);
    let err = suggest_analysed(
        &holding(),
        &AnalysedMarket {
            market: Market {
                chain: &later,
                history: None,
            },
            surface: data.surface.as_ref().unwrap(),
        },
        &PlanParams::default(),
    )
    .unwrap_err();
    match err {
        ccplan::Error::InvalidInput { what, .. } => assert_eq!(what, "analysed surface"),
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn the_store_feeds_the_rank_and_keeps_the_day() {
    let source = Memory(calls_only_chain());
    // 260 sessions of IV30 between 20 % and 40 %: today's 30 % ranks at one half.
    let history: Vec<IvObservation> = (0..260)
        .map(|i| IvObservation {
            date: d(2026, 11, 13) - Duration::days(i),
            iv: if i == 10 {
                0.20
            } else if i == 20 {
                0.40
            } else {
                0.25
            },
        })
        .collect();
    let store = MemoryStore {
        history,
        ..MemoryStore::default()
    };
    let s = PipelineSettings {
        record: Record::Summary,
        ..settings(TRUE_RATE)
    };
    let data = run(&source, Some(&store), s);
    let regime = data.regime.as_ref().unwrap();
    let rank = regime.iv_rank.as_ref().expect("an IV rank");
    let r = rank.rank.expect("a rank");
    assert!((r - 0.5).abs() < 1e-4, "rank {r}");
    let recorded = store.recorded.lock().unwrap();
    assert_eq!(recorded.len(), 1);
    let (summary, archived) = &recorded[0];
    assert!(!archived);
    assert_eq!(summary.date, d(2026, 11, 16));
    assert_eq!(summary.iv30, Some(regime.iv30.as_ref().unwrap().iv));
    assert_eq!(summary.spot, Some(SPOT));
    assert_eq!(summary.atm_iv.len(), regime.term_structure.len());
    assert_eq!(
        summary.recorded_at,
        Some(as_of().with_timezone(&chrono::Utc))
    );
}

#[test]
fn nothing_is_recorded_unless_asked_and_a_store_failure_is_a_warning() {
    let source = Memory(calls_only_chain());
    let store = MemoryStore::default();
    run(&source, Some(&store), settings(TRUE_RATE));
    assert!(store.recorded.lock().unwrap().is_empty());
    let failing = MemoryStore {
        fail: true,
        ..MemoryStore::default()
    };
    let data = run(
        &source,
        Some(&failing),
        PipelineSettings {
            record: Record::SummaryAndChain,
            ..settings(TRUE_RATE)
        },
    );
    assert!(data.regime.is_some());
    assert_eq!(
        data.warnings,
        vec![
            "could not record NVDA in the history store memory: invalid store: memory \
             (expected a working store)"
                .to_string()
        ]
    );
}

struct Ranges(Option<ccplan::Result<Option<PublishedRange>>>);

impl PublishedRanges for Ranges {
    fn range_provider(&self) -> &'static str {
        "TEST"
    }

    fn published_range(&self, symbol: &str) -> ccplan::Result<Option<PublishedRange>> {
        match &self.0 {
            Some(Ok(r)) => Ok(*r),
            _ => Err(ccplan::Error::NoData {
                what: "IV range",
                symbol: symbol.to_string(),
                message: "down".into(),
            }),
        }
    }
}

#[test]
fn the_published_range_ranks_and_its_failures_are_warnings() {
    let source = Memory(calls_only_chain());
    let with = |ranges: &Ranges| {
        Pipeline {
            chains: &source,
            histories: None,
            ranges: Some(ranges),
            store: None,
            now: as_of(),
            settings: settings(TRUE_RATE),
        }
        .run(&SymbolRequest::new("NVDA"))
        .unwrap()
    };
    let ok = with(&Ranges(Some(Ok(Some(PublishedRange {
        low: 0.20,
        high: 0.60,
    })))));
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    let rank = ok.regime.unwrap().iv_rank.unwrap().rank.unwrap();
    assert!((rank - 0.25).abs() < 1e-4, "rank {rank}");

    let none = with(&Ranges(Some(Ok(None))));
    assert_eq!(none.warnings.len(), 1);
    assert!(
        none.warnings[0].starts_with("TEST published no usable one-year IV30 range for NVDA"),
        "{}",
        none.warnings[0]
    );
    let down = with(&Ranges(None));
    assert_eq!(down.warnings.len(), 1);
    assert!(
        down.warnings[0].starts_with("no published IV30 range for NVDA from TEST (")
            && down.warnings[0].contains("down"),
        "{}",
        down.warnings[0]
    );
}

#[test]
fn a_missing_chain_is_the_one_error() {
    let source = Memory(calls_only_chain());
    let pipe = Pipeline {
        chains: &source,
        histories: None,
        ranges: None,
        store: None,
        now: as_of(),
        settings: settings(TRUE_RATE),
    };
    match pipe.run(&SymbolRequest::new("MSFT")) {
        Err(ccplan::Error::NoData { symbol, .. }) => assert_eq!(symbol, "MSFT"),
        other => panic!("expected NoData, got {:?}", other.map(|d| d.snap.source)),
    }
}

#[test]
fn a_saved_chain_with_another_instant_gets_a_note_or_a_warning() {
    let source = Memory(calls_only_chain());
    let at = |now: &str| {
        Pipeline {
            chains: &source,
            histories: None,
            ranges: None,
            store: None,
            now: DateTime::parse_from_rfc3339(now).unwrap(),
            settings: PipelineSettings {
                now_requested: true,
                ..settings(TRUE_RATE)
            },
        }
        .run(&SymbolRequest::new("NVDA"))
        .unwrap()
    };
    let same_day = at("2026-11-16T15:00:00-05:00");
    assert_eq!(same_day.notes.len(), 1);
    assert!(same_day.warnings.is_empty());
    let week_later = at("2026-11-23T15:00:00-05:00");
    assert!(week_later.notes.is_empty());
    assert!(
        week_later.warnings[0].ends_with("(5 sessions apart)"),
        "{}",
        week_later.warnings[0]
    );
}

#[test]
fn the_demo_market_with_a_dividend_prices_its_calls_american() {
    let market = Demo::new();
    let now = DateTime::parse_from_rfc3339("2026-11-20T10:30:00-05:00").unwrap();
    let pipe = Pipeline {
        chains: &market,
        histories: Some(&market),
        ranges: None,
        store: None,
        now,
        settings: settings(0.04),
    };
    let ex = d(2026, 12, 10);
    let dividends = [ScheduledDividend {
        ex_date: ex,
        amount: 0.91,
    }];
    let data = pipe
        .run(&SymbolRequest {
            symbol: "MSFT",
            next_earnings: None,
            dividends: &dividends,
        })
        .unwrap();
    let regime = data.regime.as_ref().expect("a regime on the demo market");
    assert!(regime.realized.is_some(), "the demo history gives HV");
    let surface = data.surface.as_ref().unwrap();
    let mut american_slices = 0;
    for s in &surface.slices {
        let after = s.expiry > ex;
        assert_eq!(s.american.is_some(), after, "{}", s.expiry);
        for q in &s.calls {
            if q.iv().is_some() {
                let want = if after {
                    PricingModel::AmericanDiscreteDividend
                } else {
                    PricingModel::Black76
                };
                // A price below the American exercise value falls back to Black-76.
                assert!(
                    q.model == want || after,
                    "{} {:?}",
                    q.contract.occ(),
                    q.model
                );
            }
        }
        // Puts keep Black-76 on the forward (the smile's OTM side; no finite-difference
        // solve each).
        assert!(s.puts.iter().all(|q| q.model == PricingModel::Black76));
        if after {
            american_slices += 1;
            assert!(s
                .calls
                .iter()
                .any(|q| q.model == PricingModel::AmericanDiscreteDividend));
        }
    }
    assert!(american_slices > 0);
    // Regime and planner read the same ATM IV of each expiry.
    let params = PlanParams {
        rate: 0.04,
        ..PlanParams::default()
    };
    let mut h = holding();
    h.symbol = "MSFT".into();
    h.events.ex_dividend = Some(ex);
    h.events.dividend = Some(0.91);
    let s = suggest_analysed(
        &h,
        &AnalysedMarket {
            market: Market {
                chain: &data.snap,
                history: data.history.as_ref(),
            },
            surface,
        },
        &params,
    )
    .unwrap();
    assert!(!s.forwards.is_empty());
    for f in &s.forwards {
        let row = regime
            .term_structure
            .iter()
            .find(|r| r.expiry == f.expiry)
            .unwrap();
        assert_eq!(row.atm_iv, f.atm_iv);
    }
    for c in &s.candidates {
        let want = if c.expiry > ex {
            PricingModel::AmericanDiscreteDividend
        } else {
            PricingModel::Black76
        };
        assert_eq!(c.pricing_model, want, "{}", c.occ);
    }
}
