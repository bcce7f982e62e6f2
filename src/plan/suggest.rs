//! Suggestions for one holding: every call in the window is either a ranked candidate with its
//! metrics and score, or a rejected strike with its reasons.

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::America::New_York;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::tick::{quotes_in_pennies, round_limit, Side};
use crate::model::{ChainSnapshot, Holding, OptionContract, PriceHistory};
use crate::pricing::time::{days_to_expiry, year_fraction};
use crate::surface::{
    analyze_with_dividends, check_as_of, plausible_expiry, ChainSurface, ExpirySlice,
    ForwardMethod, QuoteAnalytics,
};

use super::hv::hv20;
use super::metrics::{call_metrics, CallMetrics, MetricInputs};
use super::note::Note;
use super::params::{PlanParams, PremiumBasis, ScoreWeights};
use super::reason::{CandidateFlag, RejectReason};
use super::score::{rank_order, score, ScoreBreakdown};
use super::window::{select_expiries, LiveExpiry};

mod rules;

/// The market data for one underlying: its chain and, optionally, its daily history (for
/// realized volatility).
#[derive(Debug, Clone, Copy)]
pub struct Market<'a> {
    /// The option chain; its as-of instant is "now".
    pub chain: &'a ChainSnapshot,
    /// Daily closes up to the as-of date (later bars are ignored).
    pub history: Option<&'a PriceHistory>,
}

/// Market data whose chain is already analysed (by [`crate::pipeline`]): the planner reads
/// `surface` instead of analysing the chain again.
///
/// `surface` must be the analysis of `market.chain` (same symbol and as-of instant, checked)
/// covering every expiry the planner reads (all of them, as the pipeline does), made with the
/// holding's known dividends so that calls are priced as American where one goes ex before
/// expiry; its fallback rate and yield are the ones the figures rest on.
#[derive(Debug, Clone, Copy)]
pub struct AnalysedMarket<'a> {
    /// The chain and history.
    pub market: Market<'a>,
    /// The chain's analytics.
    pub surface: &'a ChainSurface,
}

/// A ranked covered call: one row of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// 1-based rank within the holding.
    pub rank: usize,
    /// Underlying ticker.
    pub symbol: String,
    /// Compact OCC symbol, e.g. `NVDA261218C00200000`.
    pub occ: String,
    /// Padded 21-character OSI symbol.
    pub osi: String,
    /// Expiry date.
    pub expiry: NaiveDate,
    /// Calendar days to expiry.
    pub dte: i64,
    /// ACT/365 years to expiry.
    pub t: f64,
    /// Strike, USD.
    pub strike: f64,
    /// Shares per contract.
    pub multiplier: u32,
    /// Contracts to write: floor(shares × coverage ÷ multiplier) − already written.
    pub contracts: u32,
    /// The premium basis the limit price is on.
    pub basis: PremiumBasis,
    /// Limit price on that basis, USD per share (= `metrics.premium`).
    pub limit_price: f64,
    /// Bid, USD per share.
    pub bid: Option<f64>,
    /// Ask, USD per share.
    pub ask: Option<f64>,
    /// Open interest, contracts.
    pub open_interest: Option<u64>,
    /// Volume, contracts.
    pub volume: Option<u64>,
    /// Spot at the as-of instant, USD.
    pub spot: f64,
    /// The expiry's implied forward, USD.
    pub forward: f64,
    /// Per-share metrics.
    pub metrics: CallMetrics,
    /// premium × multiplier × contracts, USD.
    pub total_premium: f64,
    /// The score and its terms.
    pub score: ScoreBreakdown,
    /// Things to read the row with.
    pub flags: Vec<CandidateFlag>,
    /// One line on why it ranks where it does.
    pub why: String,
    /// The model the IV and greeks come from: `american` where the holding's dividend goes
    /// ex before expiry, else `black76`.
    pub pricing_model: crate::surface::PricingModel,
    /// Early exercise before an ex-date inside the expiry, when the holding's dividend is
    /// known: `None` when no ex-date falls before expiry.
    pub early_exercise: Option<EarlyExerciseRisk>,
}

/// The early-exercise reading of a candidate whose expiry spans the holding's ex-date. The
/// assignment probability of the metrics, N(d2), is at expiry; this is before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EarlyExerciseRisk {
    /// The ex-dividend date before expiry.
    pub ex_date: NaiveDate,
    /// The cash dividend at stake, USD per share.
    pub dividend: f64,
    /// Risk-neutral probability that the call is exercised on the eve of the ex-date,
    /// decimal; `None` when the American model could not be run (no IV).
    pub probability: Option<f64>,
    /// Spot on the eve above which exercise pays, USD; `None` when no spot makes it pay.
    pub critical_spot: Option<f64>,
}

/// A call in the window that was not recommended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedStrike {
    /// Compact OCC symbol.
    pub occ: String,
    /// Expiry.
    pub expiry: NaiveDate,
    /// Calendar days to expiry.
    pub dte: i64,
    /// Strike, USD.
    pub strike: f64,
    /// The premium on the basis, when there is one, USD per share.
    pub premium: Option<f64>,
    /// Every filter it failed.
    pub reasons: Vec<RejectReason>,
}

/// The forward used for one expiry, for the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpiryForward {
    /// Expiry.
    pub expiry: NaiveDate,
    /// Forward, USD.
    pub forward: f64,
    /// Discount factor.
    pub discount: f64,
    /// How obtained.
    pub method: ForwardMethod,
    /// Forward-ATM IV, decimal.
    pub atm_iv: Option<f64>,
}

/// Suggestions for one holding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Ticker.
    pub symbol: String,
    /// The chain's as-of instant: "now" for every figure here.
    pub as_of: DateTime<FixedOffset>,
    /// Where the chain came from.
    pub source: String,
    /// The parameters used, so the suggestion can be reproduced from the same chain.
    pub params: PlanParams,
    /// Spot, USD.
    pub spot: f64,
    /// Shares held.
    pub shares: u64,
    /// Cost basis per share, USD.
    pub cost_basis: Option<f64>,
    /// Unexpired calls already written, contracts.
    pub written_contracts: u64,
    /// HV20, decimal per year.
    pub realized_vol: Option<f64>,
    /// The weights and target delta in force.
    pub weights: ScoreWeights,
    /// Target delta.
    pub target_delta: f64,
    /// Forwards of the expiries in the window.
    pub forwards: Vec<ExpiryForward>,
    /// The top N, best first.
    pub candidates: Vec<Candidate>,
    /// Passing strikes beyond the top N.
    pub not_shown: usize,
    /// Strikes rejected, with reasons, by expiry then strike.
    pub rejected: Vec<RejectedStrike>,
    /// The holding's net delta in shares before new calls: shares − Σ written calls' delta ×
    /// multiplier × contracts (written calls not in the chain are left out, with a note).
    pub delta_before: f64,
    /// Net delta in shares after writing the top candidate (= before without one).
    pub delta_after: f64,
    /// What to know about how this was made.
    pub notes: Vec<Note>,
}

impl Suggestion {
    /// The top candidate, if there is one with contracts to write.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first().filter(|c| c.contracts > 0)
    }
}

/// Rank the calls to write against one holding.
///
/// Analyses the expiries in the window (and those of calls already written) with
/// [`crate::surface`], applies every filter, computes the metrics and the score, and keeps the
/// top `params.top_n`. Errors only on invalid parameters, a holding/chain symbol mismatch or a
/// chain without a usable spot; everything else becomes a rejection reason or a note.
pub fn suggest(holding: &Holding, market: &Market<'_>, params: &PlanParams) -> Result<Suggestion> {
    suggest_on(holding, market, None, params)
}

/// [`suggest`] on a chain already analysed (see [`AnalysedMarket`]): the same suggestion
/// without a second analysis. Errors also when the surface is not the chain's.
pub fn suggest_analysed(
    holding: &Holding,
    analysed: &AnalysedMarket<'_>,
    params: &PlanParams,
) -> Result<Suggestion> {
    suggest_on(holding, &analysed.market, Some(analysed.surface), params)
}

/// The surface must be the analysis of the chain it is given with.
pub(crate) fn check_surface_of(surface: &ChainSurface, chain: &ChainSnapshot) -> Result<()> {
    let same = surface
        .symbol
        .trim()
        .eq_ignore_ascii_case(chain.underlying.symbol.trim())
        && surface.as_of == chain.as_of;
    if same {
        Ok(())
    } else {
        Err(Error::invalid(
            "analysed surface",
            format!("{} as of {}", surface.symbol, surface.as_of.to_rfc3339()),
            "the analysis of the chain given with it (same symbol and as-of instant)",
        ))
    }
}

fn suggest_on(
    holding: &Holding,
    market: &Market<'_>,
    analysed: Option<&ChainSurface>,
    params: &PlanParams,
) -> Result<Suggestion> {
    params.validate()?;
    let chain = market.chain;
    if !holding
        .symbol
        .trim()
        .eq_ignore_ascii_case(chain.underlying.symbol.trim())
    {
        return Err(Error::invalid(
            "chain symbol",
            format!(
                "{} for a holding of {}",
                chain.underlying.symbol, holding.symbol
            ),
            "the holding's symbol",
        ));
    }
    check_as_of(chain)?;
    let as_of = chain.as_of;
    let today = as_of.with_timezone(&New_York).date_naive();
    let live: Vec<LiveExpiry> = chain
        .expiries()
        .into_iter()
        .filter(|e| plausible_expiry(*e) && year_fraction(&as_of, *e) > 0.0)
        .map(|expiry| LiveExpiry {
            expiry,
            dte: days_to_expiry(&as_of, expiry),
        })
        .collect();
    let (window, window_note) =
        select_expiries(params.window, today, &live, params.this_month_min_dte);
    // A written call stops counting against coverage at its expiry instant (16:00 New York
    // on the expiry date), not at midnight.
    let written: Vec<_> = holding
        .written
        .iter()
        .filter(|w| {
            w.contract.right == crate::model::Right::Call
                && year_fraction(&as_of, w.contract.expiry) > 0.0
        })
        .collect();
    let dividends = holding
        .events
        .scheduled_dividend()
        .into_iter()
        .collect::<Vec<_>>();
    let own;
    let surface = match analysed {
        Some(s) => {
            check_surface_of(s, chain)?;
            s
        }
        None => {
            own = analyze_with_dividends(chain, &params.surface_params(), &dividends, |e| {
                window.contains(&e) || written.iter().any(|w| w.contract.expiry == e)
            })?;
            &own
        }
    };

    let mut notes: Vec<Note> = Vec::new();
    notes.extend(window_note);
    for w in holding.written.iter().filter(|w| {
        w.contract.right == crate::model::Right::Call
            && year_fraction(&as_of, w.contract.expiry) <= 0.0
    }) {
        notes.push(Note::WrittenCallExpired {
            occ: w.contract.occ(),
            expiry: w.contract.expiry,
        });
    }
    if surface.dropped_quotes > 0 {
        notes.push(Note::DroppedQuotes {
            count: surface.dropped_quotes,
        });
    }
    let realized_vol = market.history.and_then(|h| hv20(h, today));
    if realized_vol.is_none() {
        notes.push(Note::NoHistory);
    }
    let written_contracts: u64 = written.iter().map(|w| u64::from(w.contracts)).sum();
    let weights = params.effective_weights();
    let target_delta = params.profile.target_delta();
    let cx = Context {
        holding,
        params,
        spot: surface.spot,
        today,
        realized_vol,
        written_contracts,
        weights,
        target_delta,
        penny: quotes_in_pennies(chain.quotes.iter().flat_map(|q| [q.bid, q.ask]).flatten()),
    };

    // Symbols are formatted only for the rows kept (the top N), not for every passing strike.
    let mut passing: Vec<(Candidate, &OptionContract)> = Vec::new();
    let mut rejected: Vec<RejectedStrike> = Vec::new();
    let mut forwards = Vec::new();
    let mut non_finite = 0usize;
    for slice in surface.slices.iter().filter(|s| window.contains(&s.expiry)) {
        forward_notes(slice, &mut notes);
        forwards.push(ExpiryForward {
            expiry: slice.expiry,
            forward: slice.forward.forward,
            discount: slice.forward.discount,
            method: slice.forward.method.clone(),
            atm_iv: slice.atm_iv(),
        });
        for q in &slice.calls {
            match evaluate(&cx, slice, q) {
                Outcome::Pass(c) => passing.push((*c, &q.contract)),
                Outcome::Reject(r) => rejected.push(r),
                Outcome::NonFinite => non_finite += 1,
            }
        }
    }
    if non_finite > 0 {
        notes.push(Note::NonFiniteMetrics { count: non_finite });
    }
    // Sort small keys, not the candidates themselves (a row is a few hundred bytes).
    let mut order: Vec<(f64, NaiveDate, f64, usize)> = passing
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.score.total, c.expiry, c.strike, i))
        .collect();
    order.sort_unstable_by(|a, b| rank_order((a.0, a.1, a.2), (b.0, b.1, b.2)).then(a.3.cmp(&b.3)));
    let not_shown = order.len().saturating_sub(params.top_n);
    order.truncate(params.top_n);
    let mut slots: Vec<Option<(Candidate, &OptionContract)>> =
        passing.into_iter().map(Some).collect();
    let mut passing: Vec<Candidate> = order
        .iter()
        .filter_map(|&(_, _, _, i)| slots.get_mut(i).and_then(Option::take))
        .map(|(mut c, contract)| {
            c.occ = contract.occ();
            c.osi = contract.osi();
            c.symbol.clone_from(&surface.symbol);
            c
        })
        .collect();
    explain_ranks(&mut passing);

    let multiplier = passing.first().map_or(100, |c| c.multiplier).max(1);
    let coverable = holding.shares / u64::from(multiplier);
    if written_contracts > coverable {
        notes.push(Note::NakedCalls {
            shares: holding.shares,
            written: written_contracts,
            naked: written_contracts - coverable,
            multiplier,
        });
    } else if passing.first().is_some_and(|c| c.contracts == 0) {
        if contracts_to_write(holding.shares, params.coverage, multiplier, 0) == 0 {
            notes.push(Note::UnderOneContract {
                shares: holding.shares,
                coverage: params.coverage,
                multiplier,
            });
        } else {
            notes.push(Note::NoUncoveredShares {
                shares: holding.shares,
                written: written_contracts,
            });
        }
    }
    let delta_before = net_delta_before(holding, &written, surface, &mut notes);
    let delta_after = match passing.first() {
        Some(c) => {
            delta_before - c.metrics.delta * f64::from(c.multiplier) * f64::from(c.contracts)
        }
        None => delta_before,
    };
    Ok(Suggestion {
        symbol: surface.symbol.clone(),
        as_of,
        source: chain.source.clone(),
        params: params.clone(),
        spot: surface.spot,
        shares: holding.shares,
        cost_basis: holding.cost_basis,
        written_contracts,
        realized_vol,
        weights,
        target_delta,
        forwards,
        candidates: passing,
        not_shown,
        rejected,
        delta_before,
        delta_after,
        notes,
    })
}

fn forward_notes(slice: &ExpirySlice, notes: &mut Vec<Note>) {
    match &slice.forward.method {
        ForwardMethod::Fallback { reason } => notes.push(Note::ForwardFallback {
            expiry: slice.expiry,
            reason: reason.clone(),
        }),
        ForwardMethod::Parity {
            rejected_strikes,
            discount_from_parity,
            ..
        } => {
            if !discount_from_parity {
                notes.push(Note::DiscountFromRate {
                    expiry: slice.expiry,
                });
            }
            if !rejected_strikes.is_empty() {
                notes.push(Note::ParityOutliers {
                    expiry: slice.expiry,
                    strikes: rejected_strikes.clone(),
                });
            }
        }
    }
}

struct Context<'a> {
    holding: &'a Holding,
    params: &'a PlanParams,
    spot: f64,
    today: NaiveDate,
    realized_vol: Option<f64>,
    written_contracts: u64,
    weights: ScoreWeights,
    target_delta: f64,
    /// The class quotes in pennies above 3.00 (limits rounded to 0.01 there).
    penny: bool,
}

enum Outcome {
    Pass(Box<Candidate>),
    Reject(RejectedStrike),
    NonFinite,
}

/// Contracts to write: floor(shares × coverage ÷ multiplier) − written, at least 0.
pub(crate) fn contracts_to_write(shares: u64, coverage: f64, multiplier: u32, written: u64) -> u32 {
    if multiplier == 0 {
        return 0;
    }
    // The epsilon keeps 0.7 × 1000 / 100 from flooring to 6.
    let allowed = (shares as f64 * coverage / f64::from(multiplier) + 1e-9).floor();
    let allowed = if allowed.is_finite() && allowed > 0.0 {
        allowed as u64
    } else {
        0
    };
    u32::try_from(allowed.saturating_sub(written)).unwrap_or(u32::MAX)
}

/// One call as the entry rules see it (see [`rules`]).
struct Subject<'a> {
    cx: &'a Context<'a>,
    slice: &'a ExpirySlice,
    q: &'a QuoteAnalytics,
    /// The bid when above 0, USD per share.
    bid: Option<f64>,
    /// The IV the analytics use (mid, else bid), decimal.
    iv: Option<f64>,
}

/// Keep a rule's ruling: a reason among the reasons, a flag among the flags (each in the
/// order the rules ran).
fn record(ruling: rules::Ruling, reasons: &mut Vec<RejectReason>, flags: &mut Vec<CandidateFlag>) {
    match ruling {
        Ok(None) => {}
        Ok(Some(flag)) => flags.push(flag),
        Err(reason) => reasons.push(reason),
    }
}

fn evaluate(cx: &Context<'_>, slice: &ExpirySlice, q: &QuoteAnalytics) -> Outcome {
    let p = cx.params;
    let strike = q.contract.strike;
    let mut reasons: Vec<RejectReason> = Vec::new();
    let mut flags: Vec<CandidateFlag> = Vec::new();

    let bid = q.bid.filter(|b| *b > 0.0);
    let premium = match p.basis {
        PremiumBasis::Bid => bid,
        PremiumBasis::Mid => q.mid.filter(|m| *m > 0.0),
    }
    // The limit is on the option's tick (a sale's never above the mid), and every figure
    // below is computed on that rounded limit.
    .map(|x| round_limit(x, q.mid, Side::Sell, cx.penny))
    .filter(|x| *x > 0.0);
    let iv = q.iv();
    let subject = Subject {
        cx,
        slice,
        q,
        bid,
        iv,
    };
    for rule in rules::QUOTE_RULES {
        record(rule(&subject), &mut reasons, &mut flags);
    }
    if reasons.is_empty() {
        record(rules::no_iv(&subject), &mut reasons, &mut flags);
    }
    for rule in rules::ENTRY_RULES {
        record(rule(&subject), &mut reasons, &mut flags);
    }

    let metrics = match (premium, iv) {
        (Some(premium), Some(iv)) => {
            let m = call_metrics(&MetricInputs {
                spot: cx.spot,
                strike,
                premium,
                t: slice.t,
                dte: slice.dte,
                forward: slice.forward.forward,
                discount: slice.forward.discount,
                iv,
                cost_basis: cx.holding.cost_basis.filter(|c| c.is_finite()),
                realized_vol: cx.realized_vol,
                // The surface's greeks are at the same IV (mid, else bid) on the same forward.
                greeks: q.greeks,
            });
            match m {
                Some(m) => Some(m),
                None => return Outcome::NonFinite,
            }
        }
        _ => None,
    };
    if let Some(m) = &metrics {
        for rule in rules::METRIC_RULES {
            record(rule(&subject, m), &mut reasons, &mut flags);
        }
    }

    if !reasons.is_empty() {
        return Outcome::Reject(RejectedStrike {
            occ: occ_symbol(&q.contract),
            expiry: slice.expiry,
            dte: slice.dte,
            strike,
            premium,
            reasons,
        });
    }
    let Some(metrics) = metrics else {
        // Unreachable in practice: no premium or no IV always leaves a reason.
        return Outcome::NonFinite;
    };
    if slice.forward.is_fallback() {
        flags.push(CandidateFlag::ForwardFallback);
    }
    if q.flags.no_trades {
        flags.push(CandidateFlag::NoTrades);
    }
    if q.flags.stale {
        flags.push(CandidateFlag::Stale);
    }
    if q.iv_mid.is_none() {
        flags.push(CandidateFlag::BidIv);
    }
    let contracts = contracts_to_write(
        cx.holding.shares,
        p.coverage,
        q.multiplier,
        cx.written_contracts,
    );
    let sc = score(&metrics, &cx.weights, cx.target_delta);
    let total_premium = metrics.premium * f64::from(q.multiplier) * f64::from(contracts);
    Outcome::Pass(Box::new(Candidate {
        rank: 0,
        symbol: String::new(),
        occ: String::new(),
        osi: String::new(),
        expiry: slice.expiry,
        dte: slice.dte,
        t: slice.t,
        strike,
        multiplier: q.multiplier,
        contracts,
        basis: p.basis,
        limit_price: metrics.premium,
        bid: q.bid,
        ask: q.ask,
        open_interest: q.open_interest,
        volume: q.volume,
        spot: cx.spot,
        forward: slice.forward.forward,
        metrics,
        total_premium,
        score: sc,
        early_exercise: early_exercise_risk(&flags, cx),
        flags,
        why: String::new(),
        pricing_model: q.model,
    }))
}

/// The early-exercise columns of a candidate, from the flags its checks left.
fn early_exercise_risk(flags: &[CandidateFlag], cx: &Context<'_>) -> Option<EarlyExerciseRisk> {
    flags.iter().find_map(|f| match *f {
        CandidateFlag::EarlyExercise {
            ex_date,
            dividend,
            probability,
            critical_spot,
        } => Some(EarlyExerciseRisk {
            ex_date,
            dividend,
            probability: Some(probability),
            critical_spot,
        }),
        CandidateFlag::ExDividendBeforeExpiry { ex_date } => Some(EarlyExerciseRisk {
            ex_date,
            dividend: cx.holding.events.dividend.unwrap_or(0.0),
            probability: None,
            critical_spot: None,
        }),
        _ => None,
    })
}

/// The compact OCC symbol, as [`OptionContract::occ`] spells it, built without the
/// formatting machinery: every rejected strike carries one, and `format!` made that a sixth of
/// the planning time on a large chain.
fn occ_symbol(c: &OptionContract) -> String {
    use chrono::Datelike;
    let mut s = String::with_capacity(c.root.len() + 15);
    s.push_str(&c.root);
    let mut two = |v: u32| {
        s.push(char::from(b'0' + (v / 10 % 10) as u8));
        s.push(char::from(b'0' + (v % 10) as u8));
    };
    two(c.expiry.year().rem_euclid(100) as u32);
    two(c.expiry.month());
    two(c.expiry.day());
    s.push(c.right.letter());
    let millis = c.strike_millis();
    for p in (0..8).rev() {
        s.push(char::from(b'0' + (millis / 10u64.pow(p) % 10) as u8));
    }
    s
}

/// Rank numbers and the one-line "why" of each ranked candidate.
fn explain_ranks(ranked: &mut [Candidate]) {
    let Some(top) = ranked.first().cloned() else {
        return;
    };
    for (i, c) in ranked.iter_mut().enumerate() {
        c.rank = i + 1;
        let m = &c.metrics;
        let summary = format!(
            "delta {:.2} (target {:.2}), {:.1} %/yr premium yield, {:.2} % cushion, {:.0} % assignment",
            m.delta,
            c.score.target_delta,
            m.premium_yield_annualized * 100.0,
            m.cushion * 100.0,
            m.assignment_probability * 100.0
        );
        if i == 0 {
            c.why = format!("best score {:.4}: {summary}", c.score.total);
            continue;
        }
        let gap = top.score.total - c.score.total;
        if gap == 0.0 {
            c.why = format!(
                "ties #1 on score {:.4}; ordered after it by expiry then strike: {summary}",
                c.score.total
            );
            continue;
        }
        // The term that costs it most against #1.
        let (name, diff) = c
            .score
            .terms()
            .iter()
            .zip(top.score.terms().iter())
            .map(|((n, v), (_, t))| (*n, v - t))
            .fold(
                ("yield", f64::INFINITY),
                |acc, x| if x.1 < acc.1 { x } else { acc },
            );
        c.why = format!(
            "score {:.4}, {gap:.4} behind #1, mostly on {name} ({diff:+.4}): {summary}",
            c.score.total
        );
    }
}

fn net_delta_before(
    holding: &Holding,
    written: &[&crate::model::WrittenCall],
    surface: &ChainSurface,
    notes: &mut Vec<Note>,
) -> f64 {
    let mut delta = holding.shares as f64;
    for w in written {
        let found = surface
            .slice(w.contract.expiry)
            .and_then(|s| s.call(w.contract.strike))
            .and_then(|q| q.greeks.map(|g| (g.delta, q.multiplier)));
        match found {
            Some((d, mult)) if d.is_finite() => {
                delta -= d * f64::from(mult) * f64::from(w.contracts);
            }
            _ => notes.push(Note::WrittenCallNotInChain {
                occ: w.contract.occ(),
            }),
        }
    }
    delta
}

/// The American model's reading of a call with an ex-date before expiry: the probability of
/// early exercise and the critical spot on the eve, on the slice's rate (from its discount
/// factor), the quote's IV and the holding's cash dividend going ex at the ex-date's open.
fn early_exercise_reading(
    spot: f64,
    strike: f64,
    slice: &ExpirySlice,
    ex: NaiveDate,
    dividend: f64,
    vol: f64,
) -> Option<(f64, Option<f64>)> {
    use crate::pricing::american::{early_exercise, AmericanInputs, CashDividend};
    use crate::pricing::time::{ex_dividend_instant, year_fraction};
    let t = slice.t;
    // The chain analytics' American model of this expiry, when they have one: the same
    // carry its IV was solved on.
    if let Some(carry) = &slice.american {
        let inputs = carry.inputs(crate::model::Right::Call, strike, t);
        let r = early_exercise(&inputs, vol.clamp(1e-4, 10.0)).ok()?;
        return Some((r.p_early_exercise?, r.critical_spot));
    }
    let rate = if t > 0.0 {
        (-slice.forward.discount.ln() / t).max(0.0)
    } else {
        0.0
    };
    let t_div = t - year_fraction(&ex_dividend_instant(ex), slice.expiry);
    let inputs = AmericanInputs {
        right: crate::model::Right::Call,
        spot,
        strike,
        t,
        rate,
        div_yield: 0.0,
        dividends: vec![CashDividend {
            t: t_div,
            amount: dividend,
        }],
    };
    let r = early_exercise(&inputs, vol.clamp(1e-4, 10.0)).ok()?;
    Some((r.p_early_exercise?, r.critical_spot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Right;

    #[test]
    fn occ_symbol_matches_the_model() {
        for (root, y, m, d, k, r) in [
            ("NVDA", 2026, 12, 18, 200.0, Right::Call),
            ("SPXW", 2027, 1, 8, 5925.0, Right::Put),
            ("NVDA1", 2030, 7, 1, 12.5, Right::Call),
            ("A", 2026, 2, 3, 0.001, Right::Put),
            ("BRKB", 2026, 11, 20, 99_999.999, Right::Call),
        ] {
            let Some(e) = NaiveDate::from_ymd_opt(y, m, d) else {
                panic!("bad date")
            };
            let c = OptionContract::new(root, e, k, r).unwrap();
            assert_eq!(occ_symbol(&c), c.occ());
        }
    }
}
