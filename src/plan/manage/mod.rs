//! After the sale: what to do with each call already written — hold, close, roll or let assign.
//!
//! For every unexpired written call of a portfolio, [`manage`] reads the call's quote in its
//! chain (bid, ask, mid, delta, extrinsic value left), the share of the premium captured,
//! the P&L if bought back now and if assigned at expiry, the early-assignment reading before
//! the next ex-date ([`early_assignment`]) and the roll alternatives, and then fires the rules
//! of [`ManageParams`]:
//!
//! | rule | fires when | action |
//! |---|---|---|
//! | in the money near expiry | S > K with DTE ≤ `roll_dte` | roll, else let assign |
//! | early assignment | S > K and the early-assignment reading says likely | roll, else let assign |
//! | assign ok | K ≥ `assign_ok_above` (the holding's, else the parameter) | let assign (instead of a roll) |
//! | take profit | (open − ask) ÷ open ≥ `take_profit` | close (roll with `roll_on_profit`) |
//! | low extrinsic | extrinsic ÷ max(DTE, 1) < `min_extrinsic_per_day` | close |
//!
//! The first two outrank take profit, which outranks low extrinsic; nothing fired is `hold`,
//! with the next price or date at which a rule would fire. Every rule that fired is listed in
//! the position's reasons, including those another outranked.
//!
//! Money is USD per share unless a name says total; buy-backs are priced at the ask, new
//! sales at the bid (the sides of the book a market order gets). Pure: "now" is each chain's
//! as-of instant (the `now` argument for holdings without a chain).

mod early;
mod params;
mod roll;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::error::Result;
use crate::model::{Holding, Portfolio, Right, WrittenCall};
use crate::pricing::calendar::new_york_date;
use crate::pricing::normal::norm_cdf;
use crate::pricing::time::{days_to_expiry, year_fraction};
use crate::surface::{analyze_with_dividends, check_as_of, ChainSurface};

use super::suggest::{check_surface_of, AnalysedMarket, Market};

pub use early::{
    early_assignment, EarlyAssignment, EarlyAssignmentInputs, AMERICAN_MODEL, EX_DATE_RULE,
};
pub use params::ManageParams;
pub use roll::RollCandidate;

/// What to do with a written call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionAction {
    /// Nothing to do yet.
    Hold,
    /// Buy to close.
    Close,
    /// Buy to close and sell to open a later call, for a net credit.
    Roll,
    /// Let the shares be called away.
    LetAssign,
}

impl PositionAction {
    /// The JSON / CLI spelling: `hold`, `close`, `roll`, `let_assign`.
    pub fn as_str(self) -> &'static str {
        match self {
            PositionAction::Hold => "hold",
            PositionAction::Close => "close",
            PositionAction::Roll => "roll",
            PositionAction::LetAssign => "let_assign",
        }
    }
}

impl std::fmt::Display for PositionAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule that fired, with the values it compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The captured share reached the take-profit threshold.
    TakeProfit {
        /// (open − ask) ÷ open.
        captured: f64,
        /// The threshold.
        take_profit: f64,
    },
    /// The extrinsic value left per day is below the minimum.
    LowExtrinsic {
        /// USD per share per day.
        per_day: f64,
        /// The minimum.
        min: f64,
    },
    /// In the money within the roll window.
    InTheMoneyNearExpiry {
        /// Calendar days to expiry.
        dte: i64,
        /// The window.
        roll_dte: u32,
    },
    /// Early assignment is likely before an ex-date.
    EarlyAssignment {
        /// The ex-date.
        ex_date: NaiveDate,
        /// The dividend at stake, USD per share.
        dividend: f64,
    },
    /// The strike meets the user's price for being called away.
    AssignOk {
        /// Strike.
        strike: f64,
        /// The user's price.
        assign_ok_above: f64,
    },
}

/// One written call, read and decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManagedPosition {
    /// Underlying ticker.
    pub symbol: String,
    /// Compact OCC symbol.
    pub contract: String,
    /// Padded OSI symbol.
    pub osi: String,
    /// Expiry.
    pub expiry: NaiveDate,
    /// Strike, USD.
    pub strike: f64,
    /// Contracts written.
    pub contracts: u32,
    /// Shares per contract (100 when the call is not in the chain).
    pub multiplier: u32,
    /// The action.
    pub action: PositionAction,
    /// Every rule that fired and what the action means, for people.
    pub reasons: Vec<String>,
    /// The rules that fired.
    pub rules: Vec<Rule>,
    /// The new call of a roll (compact OCC).
    pub roll_to: Option<String>,
    /// A roll's net credit: bid of the new call − ask of the old, USD per share.
    pub net_credit: Option<f64>,
    /// The order's limit: the ask to close, the net credit to roll, USD per share.
    pub limit: Option<f64>,
    /// Share of the premium captured, (open − ask) ÷ open; `None` without an open price.
    pub captured: Option<f64>,
    /// Probability of early exercise before the next ex-date; `None` when the model gives
    /// no probability (see `early_assignment`).
    pub p_early_exercise: Option<f64>,
    /// Whether the call was found in the chain.
    pub in_chain: bool,
    /// Spot, USD.
    pub spot: Option<f64>,
    /// Bid.
    pub bid: Option<f64>,
    /// Ask.
    pub ask: Option<f64>,
    /// Mid.
    pub mid: Option<f64>,
    /// Calendar days to expiry (0 on expiry day).
    pub dte: i64,
    /// The call's delta per 1 USD of spot (the short call's is its negative).
    pub delta: Option<f64>,
    /// S ÷ K − 1: how far in the money (negative: out of it), decimal.
    pub moneyness: Option<f64>,
    /// max(0, S − K).
    pub intrinsic: Option<f64>,
    /// Extrinsic value left: mid (else ask) − intrinsic.
    pub extrinsic: Option<f64>,
    /// extrinsic ÷ max(DTE, 1).
    pub extrinsic_per_day: Option<f64>,
    /// N(d2) at expiry on the implied forward, decimal.
    pub assignment_probability: Option<f64>,
    /// Premium received, USD per share.
    pub open_price: Option<f64>,
    /// Date sold.
    pub opened: Option<NaiveDate>,
    /// Opening fees, USD total.
    pub fees: Option<f64>,
    /// (open − ask) per share less fees per share.
    pub pnl_if_closed_per_share: Option<f64>,
    /// The same for the position, USD.
    pub pnl_if_closed: Option<f64>,
    /// K + open − cost basis − fees per share: the gain if assigned at expiry.
    pub pnl_if_assigned_per_share: Option<f64>,
    /// The same for the position, USD.
    pub pnl_if_assigned: Option<f64>,
    /// The early-assignment reading.
    pub early_assignment: EarlyAssignment,
    /// Calendar days to the next earnings date.
    pub days_to_earnings: Option<i64>,
    /// The best roll alternatives (up to `top_rolls`), best first.
    pub rolls: Vec<RollCandidate>,
    /// When a rule would fire next (for `hold`, and as a watch list otherwise).
    pub next: Vec<String>,
}

/// The managed book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManageReport {
    /// "Now": the latest chain's as-of instant (else the `now` given).
    pub as_of: DateTime<FixedOffset>,
    /// The parameters, so the report can be reproduced.
    pub parameters: ManageParams,
    /// One entry per unexpired written call, in holdings order.
    pub positions: Vec<ManagedPosition>,
    /// What to know about how this was made.
    pub notes: Vec<String>,
}

impl ManageReport {
    /// Whether any position's action is one of `actions`.
    pub fn any(&self, actions: &[PositionAction]) -> bool {
        self.positions.iter().any(|p| actions.contains(&p.action))
    }
}

/// Manage every written call of a portfolio (module docs). `now` is used for holdings with
/// no chain; each chain's as-of instant is "now" for its holding. Fails only on invalid
/// parameters; a chain that cannot be analysed leaves its positions unquoted, with the reason.
pub fn manage(
    portfolio: &Portfolio,
    markets: &[Market<'_>],
    params: &ManageParams,
    now: DateTime<FixedOffset>,
) -> Result<ManageReport> {
    let markets: Vec<(Market<'_>, Option<&ChainSurface>)> =
        markets.iter().map(|m| (*m, None)).collect();
    manage_on(portfolio, &markets, params, now)
}

/// [`manage`] on chains already analysed (see [`AnalysedMarket`]): each position reads its
/// symbol's surface instead of analysing the chain again (the surface must be the chain's and
/// cover the written expiries and the roll window; the pipeline's covers every expiry).
pub fn manage_analysed(
    portfolio: &Portfolio,
    markets: &[AnalysedMarket<'_>],
    params: &ManageParams,
    now: DateTime<FixedOffset>,
) -> Result<ManageReport> {
    let markets: Vec<(Market<'_>, Option<&ChainSurface>)> = markets
        .iter()
        .map(|m| (m.market, Some(m.surface)))
        .collect();
    manage_on(portfolio, &markets, params, now)
}

fn manage_on(
    portfolio: &Portfolio,
    markets: &[(Market<'_>, Option<&ChainSurface>)],
    params: &ManageParams,
    now: DateTime<FixedOffset>,
) -> Result<ManageReport> {
    params.validate()?;
    let mut positions = Vec::new();
    let mut notes = Vec::new();
    let mut as_of: Option<DateTime<FixedOffset>> = None;
    for h in &portfolio.holdings {
        let calls: Vec<&WrittenCall> = h
            .written
            .iter()
            .filter(|w| w.contract.right == Right::Call)
            .collect();
        if calls.is_empty() {
            continue;
        }
        let market = markets.iter().find(|(m, _)| {
            m.chain
                .underlying
                .symbol
                .trim()
                .eq_ignore_ascii_case(h.symbol.trim())
        });
        let here = market.map_or(now, |(m, _)| m.chain.as_of);
        let live: Vec<&WrittenCall> = calls
            .into_iter()
            .filter(|w| {
                let alive = year_fraction(&here, w.contract.expiry) > 0.0;
                if !alive {
                    notes.push(format!(
                        "{}: written call {} expired on {} (16:00 New York): not managed, no \
                         longer counted against coverage",
                        h.symbol,
                        w.contract.occ(),
                        w.contract.expiry
                    ));
                }
                alive
            })
            .collect();
        if live.is_empty() {
            continue;
        }
        let surface = match market {
            None => Err(format!("no option chain for {}", h.symbol)),
            Some((m, given)) => {
                as_of = as_of.max(Some(m.chain.as_of));
                match given {
                    Some(s) => check_surface_of(s, m.chain)
                        .map(|()| std::borrow::Cow::Borrowed(*s))
                        .map_err(|e| e.to_string()),
                    None => analyse(m, h, &live, params)
                        .map(std::borrow::Cow::Owned)
                        .map_err(|e| e.to_string()),
                }
            }
        };
        for w in live {
            positions.push(match &surface {
                Ok(s) => evaluate(h, w, s, params),
                Err(why) => unquoted(h, w, days_to_expiry(&here, w.contract.expiry), why),
            });
        }
    }
    let unknown = positions
        .iter()
        .filter(|p| p.in_chain && p.open_price.is_none())
        .count();
    if unknown > 0 {
        notes.push(format!(
            "{unknown} written call{} without an open price: the captured share and the P&L \
             are unknown (add price and opened to the holdings file)",
            if unknown == 1 { "" } else { "s" }
        ));
    }
    Ok(ManageReport {
        as_of: as_of.unwrap_or(now),
        parameters: params.clone(),
        positions,
        notes,
    })
}

fn analyse(
    m: &Market<'_>,
    h: &Holding,
    written: &[&WrittenCall],
    p: &ManageParams,
) -> Result<ChainSurface> {
    check_as_of(m.chain)?;
    let as_of = m.chain.as_of;
    let first = written
        .iter()
        .map(|w| w.contract.expiry)
        .min()
        .unwrap_or(NaiveDate::MAX);
    let furthest = written
        .iter()
        .map(|w| days_to_expiry(&as_of, w.contract.expiry))
        .max()
        .unwrap_or(0)
        .max(i64::from(p.max_roll_dte));
    let dividends: Vec<_> = h.events.scheduled_dividend().into_iter().collect();
    analyze_with_dividends(m.chain, &p.surface_params(), &dividends, |e| {
        e >= first && days_to_expiry(&as_of, e) <= furthest
    })
}

fn unquoted(h: &Holding, w: &WrittenCall, dte: i64, why: &str) -> ManagedPosition {
    ManagedPosition {
        symbol: h.symbol.clone(),
        contract: w.contract.occ(),
        osi: w.contract.osi(),
        expiry: w.contract.expiry,
        strike: w.contract.strike,
        contracts: w.contracts,
        multiplier: 100,
        action: PositionAction::Hold,
        reasons: vec![format!(
            "{} is not in the chain ({why}): no quote, so no rule could be checked",
            w.contract.occ()
        )],
        rules: Vec::new(),
        roll_to: None,
        net_credit: None,
        limit: None,
        captured: None,
        p_early_exercise: None,
        in_chain: false,
        spot: None,
        bid: None,
        ask: None,
        mid: None,
        dte,
        delta: None,
        moneyness: None,
        intrinsic: None,
        extrinsic: None,
        extrinsic_per_day: None,
        assignment_probability: None,
        open_price: w.price,
        opened: w.opened,
        fees: w.fees,
        pnl_if_closed_per_share: None,
        pnl_if_closed: None,
        pnl_if_assigned_per_share: None,
        pnl_if_assigned: None,
        early_assignment: EarlyAssignment::nothing("not assessed: no quote".into()),
        days_to_earnings: None,
        rolls: Vec::new(),
        next: Vec::new(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn evaluate(
    h: &Holding,
    w: &WrittenCall,
    surface: &ChainSurface,
    p: &ManageParams,
) -> ManagedPosition {
    let as_of = surface.as_of;
    let today = new_york_date(&as_of);
    let k = w.contract.strike;
    let expiry = w.contract.expiry;
    let dte = days_to_expiry(&as_of, expiry);
    let days_to_earnings = h
        .events
        .next_earnings
        .filter(|e| *e >= today)
        .map(|e| (e - today).num_days());
    let found = surface
        .slice(expiry)
        .and_then(|s| s.call(k).map(|q| (s, q)));
    let Some((slice, q)) = found else {
        let mut pos = unquoted(h, w, dte, "no quote for it in the chain");
        pos.days_to_earnings = days_to_earnings;
        pos.reasons = vec![format!(
            "{} is not in the chain: no quote, so no rule could be checked (is the contract \
             right?)",
            w.contract.occ()
        )];
        return pos;
    };
    let mut pos = unquoted(h, w, dte, "");
    pos.reasons.clear();
    pos.in_chain = true;
    pos.days_to_earnings = days_to_earnings;
    pos.multiplier = q.multiplier;
    let spot = surface.spot;
    pos.spot = Some(spot);
    pos.bid = q.bid;
    pos.ask = q.ask;
    pos.mid = q.mid;
    let intrinsic = (spot - k).max(0.0);
    pos.intrinsic = Some(intrinsic);
    pos.moneyness = Some(spot / k - 1.0);
    pos.extrinsic = q.mid.or(q.ask).map(|m| m - intrinsic);
    pos.extrinsic_per_day = pos.extrinsic.map(|x| x / dte.max(1) as f64);
    pos.delta = q.greeks.map(|g| g.delta);
    let iv = q.iv();
    pos.assignment_probability = iv.and_then(|v| {
        let s = v * slice.t.max(0.0).sqrt();
        (s > 0.0).then(|| norm_cdf((slice.forward.forward / k).ln() / s - 0.5 * s))
    });
    let shares = f64::from(w.contracts) * f64::from(q.multiplier);
    let fees_ps =
        w.fees
            .filter(|f| f.is_finite())
            .map_or(0.0, |f| if shares > 0.0 { f / shares } else { 0.0 });
    let open = w.price.filter(|x| x.is_finite() && *x > 0.0);
    if let (Some(open), Some(ask)) = (open, q.ask) {
        pos.captured = Some((open - ask) / open);
        pos.pnl_if_closed_per_share = Some(open - ask - fees_ps);
        pos.pnl_if_closed = Some((open - ask - fees_ps) * shares);
    }
    if let (Some(open), Some(cb)) = (open, h.cost_basis.filter(|c| c.is_finite())) {
        let g = k + open - cb - fees_ps;
        pos.pnl_if_assigned_per_share = Some(g);
        pos.pnl_if_assigned = Some(g * shares);
    }
    let rate = if slice.t > 0.0 && slice.forward.discount > 0.0 {
        -slice.forward.discount.ln() / slice.t
    } else {
        p.rate
    };
    let early = early_assignment(&EarlyAssignmentInputs {
        as_of,
        spot,
        strike: k,
        expiry,
        vol: iv,
        rate,
        ex_date: h.events.ex_dividend,
        dividend: h.events.dividend,
    });
    pos.p_early_exercise = early.probability;

    let (mut rolls, rejected) = roll::roll_candidates(
        &roll::OldCall {
            expiry,
            dte,
            strike: k,
            ask: q.ask,
            spot,
            cost_basis: h.cost_basis.filter(|c| c.is_finite()),
            next_earnings: h.events.next_earnings,
            today,
            surface,
        },
        p,
    );
    rolls.truncate(p.top_rolls);

    // The rules.
    let itm = spot > k;
    let mut reasons = Vec::new();
    let mut rules = Vec::new();
    if dte <= 0 {
        reasons.push(
            "expires today at 16:00 New York: figures are on hours, per-day values on one day"
                .to_string(),
        );
    }
    let near = itm && dte <= i64::from(p.roll_dte);
    if near {
        rules.push(Rule::InTheMoneyNearExpiry {
            dte,
            roll_dte: p.roll_dte,
        });
        reasons.push(format!(
            "in the money (spot {spot:.2} above strike {k}) with {dte} days to expiry, within \
             the roll window of {} days",
            p.roll_dte
        ));
    }
    let early_likely = itm && early.is_likely(p.early_assignment_likely);
    if early_likely {
        if let (Some(ex), Some(div)) = (early.ex_date, early.dividend) {
            rules.push(Rule::EarlyAssignment {
                ex_date: ex,
                dividend: div,
            });
        }
        reasons.push(format!("early assignment likely: {}", early.note));
    }
    let ok_above = h.assign_ok_above.or(p.assign_ok_above).filter(|x| k >= *x);
    if let Some(x) = ok_above {
        rules.push(Rule::AssignOk {
            strike: k,
            assign_ok_above: x,
        });
        reasons.push(format!(
            "strike {k} is at or above the price you are content to sell at ({x:.2})"
        ));
    }
    let take_profit = pos.captured.filter(|c| *c >= p.take_profit);
    if let Some(c) = take_profit {
        rules.push(Rule::TakeProfit {
            captured: c,
            take_profit: p.take_profit,
        });
        reasons.push(format!(
            "take profit: {} of the premium captured (open {:.2}, ask {:.2}), at or above {}",
            pct(c),
            open.unwrap_or(f64::NAN),
            q.ask.unwrap_or(f64::NAN),
            pct(p.take_profit)
        ));
    } else if open.is_none() {
        reasons.push("open price unknown: take profit not checked".to_string());
    }
    let low = match (pos.extrinsic_per_day, p.min_extrinsic_per_day) {
        (Some(x), Some(min)) if x < min => Some((x, min)),
        _ => None,
    };
    if let Some((x, min)) = low {
        rules.push(Rule::LowExtrinsic { per_day: x, min });
        reasons.push(format!(
            "extrinsic value left {x:.3} a day is below the minimum {min:.3} a day: not worth \
             the risk"
        ));
    }

    let no_roll = || -> String {
        if rejected.is_empty() {
            format!("no later expiry within {} days to roll to", p.max_roll_dte)
        } else {
            let parts: Vec<String> = rejected
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect();
            format!("no roll meets the rules ({})", parts.join(", "))
        }
    };
    let let_assign_line = || match pos.pnl_if_assigned {
        Some(g) => format!(
            "let assign: the shares go at {k}, a realized gain of {:.2} a share ({g:.0} USD)",
            pos.pnl_if_assigned_per_share.unwrap_or(f64::NAN)
        ),
        None => {
            format!("let assign: the shares go at {k} (gain unknown: no cost basis or open price)")
        }
    };
    let roll_line = |r: &RollCandidate| {
        format!(
            "roll: buy to close at {:.2}, sell {} at {:.2} for a net credit of {:.2}; new strike \
             {}, {} DTE, assignment probability {}, {:.1} %/yr",
            q.ask.unwrap_or(f64::NAN),
            r.contract,
            r.bid,
            r.net_credit,
            r.strike,
            r.dte,
            r.assignment_probability
                .map_or_else(|| "unknown".to_string(), pct),
            r.annualized_yield * 100.0
        )
    };
    let action = if near || early_likely {
        if ok_above.is_some() {
            reasons.push(let_assign_line());
            PositionAction::LetAssign
        } else if let Some(r) = rolls.first() {
            reasons.push(roll_line(r));
            PositionAction::Roll
        } else {
            reasons.push(no_roll());
            reasons.push(let_assign_line());
            PositionAction::LetAssign
        }
    } else if take_profit.is_some() {
        match rolls.first() {
            Some(r) if p.roll_on_profit && dte > i64::from(p.roll_dte) => {
                reasons.push(roll_line(r));
                PositionAction::Roll
            }
            _ => {
                reasons.push(format!("buy to close at {:.2}", q.ask.unwrap_or(f64::NAN)));
                PositionAction::Close
            }
        }
    } else if low.is_some() && q.ask.is_some() {
        reasons.push(format!("buy to close at {:.2}", q.ask.unwrap_or(f64::NAN)));
        PositionAction::Close
    } else {
        reasons.push("hold: no rule fired".to_string());
        PositionAction::Hold
    };
    match action {
        PositionAction::Roll => {
            if let Some(r) = rolls.first() {
                pos.roll_to = Some(r.contract.clone());
                pos.net_credit = Some(r.net_credit);
                pos.limit = Some(r.net_credit);
            }
        }
        PositionAction::Close => pos.limit = q.ask,
        _ => {}
    }

    // When a rule would fire next.
    let mut next = Vec::new();
    if take_profit.is_none() {
        if let (Some(open), Some(ask)) = (open, q.ask) {
            next.push(format!(
                "take profit when the ask is at or below {:.2} (now {ask:.2})",
                open * (1.0 - p.take_profit)
            ));
        }
    }
    if !near {
        let window = expiry - Duration::days(i64::from(p.roll_dte));
        if window > today && itm {
            next.push(format!(
                "from {window} the call is rolled or let go: it is in the money (stock \
                 {spot:.2}, strike {k})"
            ));
        } else if window > today {
            next.push(format!(
                "from {window} the call is rolled or let go if the stock is above {k} (now \
                 {spot:.2})"
            ));
        } else {
            next.push(format!(
                "rolled or let go if the stock is above {k} (now {spot:.2})"
            ));
        }
    }
    if !early_likely {
        if let (Some(cs), Some(eve), Some(ex)) =
            (early.critical_spot, early.exercise_by, early.ex_date)
        {
            next.push(format!(
                "early assignment likely if the stock is above {cs:.2} on {eve} (eve of \
                 ex-date {ex})"
            ));
        }
    }
    if action == PositionAction::Hold {
        reasons.extend(next.iter().map(|n| format!("next: {n}")));
    }
    pos.action = action;
    pos.reasons = reasons;
    pos.rules = rules;
    pos.rolls = rolls;
    pos.early_assignment = early;
    pos.next = next;
    pos
}
