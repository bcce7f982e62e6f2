//! The call seller's verdict: are premiums rich, normal or thin, and what should give pause.
//!
//! ## The premium class
//!
//! Two signals vote, each with a rich and a thin threshold ([`RegimeThresholds`]):
//!
//! * **IV rank** of IV30 over its past year — are options dear *compared with their own past*?
//!   Rich at ≥ 0.50 (the upper half of the year's range: the tastytrade-style rule of thumb for
//!   selling premium), thin below 0.20 (the bottom fifth: premiums near their yearly lows).
//! * **IV30 ÷ HV20** — are options dear *compared with the moves the stock is making*? A call
//!   seller is paid for the gap between implied and realized volatility (the variance risk
//!   premium, which for single stocks averages roughly 10–20 % of IV). Rich at ≥ 1.25 (IV a
//!   quarter above realized: clearly more than the usual premium), thin below 0.90 (IV under
//!   realized by more than the noise of a 20-session estimate: the seller is underpaid).
//!
//! Each signal votes rich, normal or thin. The class is **rich** when at least one signal votes
//! rich and none votes thin, **thin** when at least one votes thin and none votes rich, and
//! **normal** otherwise — including when the two disagree (a rank high within a calm year but IV
//! under realized, say): a conflict is not a clear opportunity, and the disagreement is listed in
//! the reasons (the IV-below-realized caution usually fires too). With neither signal available
//! (no IV30, or neither a rank nor a realized volatility) there is no class.
//!
//! The IV rank votes only when it rests on a full enough history: the provider's published
//! one-year range, or at least [`RegimeThresholds::min_local_sessions`] local sessions.
//!
//! ## Caution flags
//!
//! Flags do not change the class; they say why a rich premium may be rich for a reason:
//!
//! * [`CautionKind::Backwardation`] — front-expiry ATM IV above the ~90-day one by more than
//!   [`RegimeThresholds::backwardation_min_spread`]: the market prices near-term stress.
//! * [`CautionKind::IvBelowRealized`] — IV30 ÷ HV20 below
//!   [`RegimeThresholds::iv_below_realized_ratio`]: premiums do not pay for recent moves.
//! * [`CautionKind::OverboughtDivergence`] — RSI(14) at or above
//!   [`RegimeThresholds::rsi_overbought`] **and** a bearish MACD divergence in the last 60
//!   sessions: momentum fading at a high, a reversal the premium only partly cushions.
//! * [`CautionKind::EarningsAhead`] — earnings on or after today and on or before the ~30-day
//!   expiry: IV carries event premium that collapses afterwards, and the shares carry gap risk.

use chrono::NaiveDate;
use serde::Serialize;

use super::report::{IvRankReading, MomentumReading, RankSourceKind, SlopeReading};
use crate::error::{Error, Result};

/// Every tunable number behind the readings and the verdict. [`Default`] holds the documented
/// choices; a user may adjust any of them. IV rank is a fraction in `[0, 1]`, ratios are plain
/// numbers, spreads are decimal volatility, RSI is on its 0–100 scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegimeThresholds {
    /// IV rank at or above which premiums vote rich (default 0.50).
    pub rich_iv_rank: f64,
    /// IV rank below which premiums vote thin (default 0.20).
    pub thin_iv_rank: f64,
    /// IV30 ÷ HV20 at or above which premiums vote rich (default 1.25).
    pub rich_iv_hv_ratio: f64,
    /// IV30 ÷ HV20 below which premiums vote thin (default 0.90).
    pub thin_iv_hv_ratio: f64,
    /// IV30 ÷ HV20 below which the IV-below-realized caution fires (default 1.00: implied
    /// under realized at all).
    pub iv_below_realized_ratio: f64,
    /// Front ATM IV minus ~90-day ATM IV, decimal, above which the backwardation caution fires
    /// (default 0.005, half a vol point: ATM IVs carry about that much quote noise, so a
    /// smaller inversion is not a signal). The term reading reports any inversion regardless.
    pub backwardation_min_spread: f64,
    /// RSI(14) at or above which the stock counts as overbought (default 70, Wilder's level).
    pub rsi_overbought: f64,
    /// Local IV sessions needed before the local history replaces the published range for the
    /// IV rank, and before the rank and percentile from local history may vote (default 60).
    ///
    /// Why 60: about one quarter, so the window spans a full earnings cycle (an IV run-up and
    /// its crush). A shorter window has a narrow range that throws the rank to its extremes on
    /// ordinary moves; the published one-year range, though of the provider's own IV index
    /// rather than ccplan's IV30, is the better yardstick until then.
    pub min_local_sessions: usize,
    /// Expiries closer than this many calendar days are left out of IV30 and the term slope
    /// (default 7): the last days of an option's life have noisy IVs (weekend effect, pin risk,
    /// wide quotes relative to tiny premiums). They are still listed with their expected move,
    /// and used anyway, with a note, when nothing longer is quoted.
    pub min_expiry_days: f64,
}

impl Default for RegimeThresholds {
    fn default() -> Self {
        RegimeThresholds {
            rich_iv_rank: 0.50,
            thin_iv_rank: 0.20,
            rich_iv_hv_ratio: 1.25,
            thin_iv_hv_ratio: 0.90,
            iv_below_realized_ratio: 1.00,
            backwardation_min_spread: 0.005,
            rsi_overbought: 70.0,
            min_local_sessions: 60,
            min_expiry_days: 7.0,
        }
    }
}

impl RegimeThresholds {
    /// Check that the thresholds are finite and consistently ordered.
    ///
    /// Errors: a value not finite; IV ranks outside `[0, 1]` or thin above rich; ratios not
    /// positive or thin above rich; a negative backwardation spread or minimum expiry; RSI
    /// outside (0, 100]; `min_local_sessions` of 0.
    pub fn validate(&self) -> Result<()> {
        let finite = [
            ("rich IV rank threshold", self.rich_iv_rank),
            ("thin IV rank threshold", self.thin_iv_rank),
            ("rich IV30/HV20 threshold", self.rich_iv_hv_ratio),
            ("thin IV30/HV20 threshold", self.thin_iv_hv_ratio),
            ("IV-below-realized ratio", self.iv_below_realized_ratio),
            ("backwardation spread", self.backwardation_min_spread),
            ("RSI overbought level", self.rsi_overbought),
            ("minimum expiry days", self.min_expiry_days),
        ];
        for (what, v) in finite {
            if !v.is_finite() {
                return Err(Error::invalid(what, v, "a finite number"));
            }
        }
        let in_unit = |v: f64| (0.0..=1.0).contains(&v);
        if !(in_unit(self.thin_iv_rank)
            && in_unit(self.rich_iv_rank)
            && self.thin_iv_rank <= self.rich_iv_rank)
        {
            return Err(Error::invalid(
                "IV rank thresholds",
                format!("thin {}, rich {}", self.thin_iv_rank, self.rich_iv_rank),
                "0 ≤ thin ≤ rich ≤ 1",
            ));
        }
        if !(self.thin_iv_hv_ratio > 0.0 && self.thin_iv_hv_ratio <= self.rich_iv_hv_ratio) {
            return Err(Error::invalid(
                "IV30/HV20 thresholds",
                format!(
                    "thin {}, rich {}",
                    self.thin_iv_hv_ratio, self.rich_iv_hv_ratio
                ),
                "0 < thin ≤ rich",
            ));
        }
        if self.iv_below_realized_ratio <= 0.0 {
            return Err(Error::invalid(
                "IV-below-realized ratio",
                self.iv_below_realized_ratio,
                "a ratio > 0",
            ));
        }
        if self.backwardation_min_spread < 0.0 {
            return Err(Error::invalid(
                "backwardation spread",
                self.backwardation_min_spread,
                "a decimal volatility ≥ 0",
            ));
        }
        if !(self.rsi_overbought > 0.0 && self.rsi_overbought <= 100.0) {
            return Err(Error::invalid(
                "RSI overbought level",
                self.rsi_overbought,
                "a level in (0, 100]",
            ));
        }
        if self.min_expiry_days < 0.0 {
            return Err(Error::invalid(
                "minimum expiry days",
                self.min_expiry_days,
                "calendar days ≥ 0",
            ));
        }
        if self.min_local_sessions == 0 {
            return Err(Error::invalid(
                "minimum local IV sessions",
                0,
                "at least 1 session",
            ));
        }
        Ok(())
    }
}

/// How premiums stand for a call seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Premiums {
    /// Options are dear against their own past or against realized volatility: a good time to
    /// sell calls, subject to the caution flags.
    Rich,
    /// Nothing unusual.
    Normal,
    /// Options are cheap: little is paid for capping the upside.
    Thin,
}

impl Premiums {
    /// Lower-case name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Premiums::Rich => "rich",
            Premiums::Normal => "normal",
            Premiums::Thin => "thin",
        }
    }
}

/// Which caution flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CautionKind {
    /// Front-month IV above the ~90-day IV.
    Backwardation,
    /// IV30 below realized volatility (HV20).
    IvBelowRealized,
    /// RSI overbought together with a bearish MACD divergence.
    OverboughtDivergence,
    /// Earnings before the ~30-day expiry.
    EarningsAhead,
}

impl CautionKind {
    /// Short snake_case name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            CautionKind::Backwardation => "backwardation",
            CautionKind::IvBelowRealized => "iv_below_realized",
            CautionKind::OverboughtDivergence => "overbought_with_divergence",
            CautionKind::EarningsAhead => "earnings_ahead",
        }
    }
}

/// A caution flag that fired, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Caution {
    /// Which flag.
    pub kind: CautionKind,
    /// One sentence with the values and the threshold.
    pub message: String,
}

/// One signal's vote on the premium class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// `"iv_rank"` (fraction in `[0, 1]`) or `"iv30_hv20_ratio"` (plain ratio).
    pub name: &'static str,
    /// The reading.
    pub value: f64,
    /// The vote votes rich at or above this.
    pub rich_at_or_above: f64,
    /// The vote votes thin below this.
    pub thin_below: f64,
    /// The vote.
    pub vote: Premiums,
}

impl Signal {
    /// A signal and its vote: rich at or above `rich`, thin below `thin`, normal between.
    pub fn vote(name: &'static str, value: f64, rich: f64, thin: f64) -> Signal {
        let vote = if value >= rich {
            Premiums::Rich
        } else if value < thin {
            Premiums::Thin
        } else {
            Premiums::Normal
        };
        Signal {
            name,
            value,
            rich_at_or_above: rich,
            thin_below: thin,
            vote,
        }
    }
}

/// The premium class from the votes (see the module docs): `None` with no votes.
pub fn classify(signals: &[Signal]) -> Option<Premiums> {
    if signals.is_empty() {
        return None;
    }
    let rich = signals.iter().any(|s| s.vote == Premiums::Rich);
    let thin = signals.iter().any(|s| s.vote == Premiums::Thin);
    Some(match (rich, thin) {
        (true, false) => Premiums::Rich,
        (false, true) => Premiums::Thin,
        _ => Premiums::Normal,
    })
}

/// The verdict for a call seller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Rich, normal or thin; `None` when no signal was available (no IV30, or neither an IV
    /// rank nor a realized volatility).
    pub premiums: Option<Premiums>,
    /// The votes the class was reached from.
    pub signals: Vec<Signal>,
    /// Caution flags that fired, in a fixed order (backwardation, IV below realized,
    /// overbought with divergence, earnings ahead).
    pub cautions: Vec<Caution>,
    /// Sentences explaining the class, one per signal, plus any conflict or missing signal.
    pub reasons: Vec<String>,
}

impl Verdict {
    /// Whether the flag fired.
    pub fn has(&self, kind: CautionKind) -> bool {
        self.cautions.iter().any(|c| c.kind == kind)
    }
}

/// The readings the verdict is reached from (built by [`assess`](super::assess)).
pub(super) struct VerdictFacts<'a> {
    pub(super) iv30: Option<f64>,
    pub(super) iv30_hv20_ratio: Option<f64>,
    pub(super) hv20: Option<f64>,
    pub(super) iv_rank: Option<&'a IvRankReading>,
    pub(super) term_slope: Option<&'a SlopeReading>,
    pub(super) momentum: Option<&'a MomentumReading>,
    pub(super) next_earnings: Option<NaiveDate>,
    pub(super) today: NaiveDate,
    /// (date, whether it is an expiry rather than today + 30 days)
    pub(super) horizon: (NaiveDate, bool),
    pub(super) thresholds: &'a RegimeThresholds,
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// Apply the rules in the module docs to the readings.
pub(super) fn verdict(f: &VerdictFacts<'_>) -> Verdict {
    let th = f.thresholds;
    let mut signals = Vec::new();
    let mut reasons = Vec::new();

    // --- the premium class -------------------------------------------------------------------
    if f.iv30.is_none() {
        reasons.push("no IV30 (no usable ATM IV): premiums cannot be judged".to_string());
    }
    match f.iv_rank {
        Some(r) => match r.rank {
            Some(rank) if r.used_in_verdict => {
                let s = Signal::vote("iv_rank", rank, th.rich_iv_rank, th.thin_iv_rank);
                let source = match r.source {
                    RankSourceKind::LocalHistory => {
                        format!("local IV30 history, {} sessions", r.local_sessions)
                    }
                    RankSourceKind::PublishedRange => format!(
                        "provider's published one-year range {}–{}",
                        pct(r.low),
                        pct(r.high)
                    ),
                };
                reasons.push(format!(
                    "IV rank {} ({source}) votes {}: rich at ≥ {}, thin below {}",
                    pct(rank),
                    s.vote.as_str(),
                    pct(th.rich_iv_rank),
                    pct(th.thin_iv_rank)
                ));
                signals.push(s);
            }
            Some(rank) => reasons.push(format!(
                "IV rank {} not used: it rests on {} local sessions, fewer than {}",
                pct(rank),
                r.local_sessions,
                th.min_local_sessions
            )),
            None => reasons.push("IV rank undefined (flat IV history): not used".to_string()),
        },
        None if f.iv30.is_some() => reasons.push("no IV rank available".to_string()),
        None => {}
    }
    match (f.iv30_hv20_ratio, f.iv30, f.hv20) {
        (Some(ratio), Some(iv), Some(hv)) => {
            let s = Signal::vote(
                "iv30_hv20_ratio",
                ratio,
                th.rich_iv_hv_ratio,
                th.thin_iv_hv_ratio,
            );
            reasons.push(format!(
                "IV30 {} / HV20 {} = {ratio:.2} votes {}: rich at ≥ {:.2}, thin below {:.2}",
                pct(iv),
                pct(hv),
                s.vote.as_str(),
                th.rich_iv_hv_ratio,
                th.thin_iv_hv_ratio
            ));
            signals.push(s);
        }
        _ if f.iv30.is_some() => {
            reasons.push("no IV30/HV20 ratio (no 21-bar price history)".to_string())
        }
        _ => {}
    }
    let premiums = classify(&signals);
    let voted = |p| signals.iter().any(|s| s.vote == p);
    if voted(Premiums::Rich) && voted(Premiums::Thin) {
        reasons.push(
            "the signals disagree (one rich, one thin): called normal, see the cautions"
                .to_string(),
        );
    }

    // --- caution flags -----------------------------------------------------------------------
    let mut cautions = Vec::new();
    match f.term_slope {
        Some(s) if -s.spread > th.backwardation_min_spread => cautions.push(Caution {
            kind: CautionKind::Backwardation,
            message: format!(
                "term structure inverted: front {} ATM IV {} above {} ATM IV {} by {:.1} vol points \
                 (flag above {:.1}): the market prices near-term stress or an event",
                s.front_expiry,
                pct(s.front_iv),
                s.back_expiry,
                pct(s.back_iv),
                -s.spread * 100.0,
                th.backwardation_min_spread * 100.0
            ),
        }),
        Some(_) => {}
        None => reasons.push("backwardation not checked: no term slope".to_string()),
    }
    match (f.iv30_hv20_ratio, f.iv30, f.hv20) {
        (Some(ratio), Some(iv), Some(hv)) if ratio < th.iv_below_realized_ratio => {
            cautions.push(Caution {
                kind: CautionKind::IvBelowRealized,
                message: format!(
                "IV30 {} below realized HV20 {} (ratio {ratio:.2} < {:.2}): premiums do not pay \
                     for the moves the stock is making",
                pct(iv),
                pct(hv),
                th.iv_below_realized_ratio
            ),
            })
        }
        (Some(_), _, _) => {}
        _ => reasons.push("IV below realized not checked: no IV30/HV20 ratio".to_string()),
    }
    match f.momentum {
        Some(m) => {
            if let (Some(rsi), Some(d)) = (m.rsi14, &m.bearish_divergence) {
                if rsi >= th.rsi_overbought {
                    cautions.push(Caution {
                        kind: CautionKind::OverboughtDivergence,
                        message: format!(
                            "RSI(14) {rsi:.1} ≥ {:.0} with a bearish MACD divergence (close {:.2} on {} \
                             above {:.2} on {}, MACD line {:.3} below {:.3}): momentum is fading at a \
                             high; a pullback would cost the shares more than the premium cushions",
                            th.rsi_overbought,
                            d.later.close_usd,
                            d.later.date,
                            d.earlier.close_usd,
                            d.earlier.date,
                            d.later.macd_line_usd,
                            d.earlier.macd_line_usd
                        ),
                    });
                }
            }
            if m.rsi14.is_none() {
                reasons.push("overbought with divergence not checked: no RSI(14)".to_string());
            }
        }
        None => {
            reasons.push("overbought with divergence not checked: no price history".to_string())
        }
    }
    match f.next_earnings {
        Some(d) if d >= f.today && d <= f.horizon.0 => {
            let before = if f.horizon.1 {
                format!("the {} expiry (nearest 30 days)", f.horizon.0)
            } else {
                format!("{} (30 days out; no expiry given)", f.horizon.0)
            };
            cautions.push(Caution {
                kind: CautionKind::EarningsAhead,
                message: format!(
                    "earnings on {d}, on or before {before}: IV carries event premium that collapses \
                     after the report, and the shares can gap"
                ),
            });
        }
        Some(d) if d < f.today => {
            reasons.push(format!("earnings date {d} is in the past: not considered"))
        }
        Some(_) => {}
        None => reasons.push("earnings ahead not checked: no earnings date".to_string()),
    }

    Verdict {
        premiums,
        signals,
        cautions,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Premiums) -> Signal {
        Signal {
            name: "x",
            value: 0.0,
            rich_at_or_above: 0.0,
            thin_below: 0.0,
            vote: v,
        }
    }

    #[test]
    fn votes_respect_the_boundaries() {
        assert_eq!(Signal::vote("r", 0.50, 0.5, 0.2).vote, Premiums::Rich);
        assert_eq!(Signal::vote("r", 0.4999, 0.5, 0.2).vote, Premiums::Normal);
        assert_eq!(Signal::vote("r", 0.20, 0.5, 0.2).vote, Premiums::Normal);
        assert_eq!(Signal::vote("r", 0.1999, 0.5, 0.2).vote, Premiums::Thin);
        // NaN is neither ≥ nor <: it votes normal rather than panicking (callers never pass it).
        assert_eq!(Signal::vote("r", f64::NAN, 0.5, 0.2).vote, Premiums::Normal);
    }

    #[test]
    fn classification_table() {
        use Premiums::*;
        assert_eq!(classify(&[]), None);
        assert_eq!(classify(&[s(Rich), s(Normal)]), Some(Rich));
        assert_eq!(classify(&[s(Thin), s(Normal)]), Some(Thin));
        assert_eq!(classify(&[s(Rich), s(Thin)]), Some(Normal));
        assert_eq!(classify(&[s(Normal), s(Normal)]), Some(Normal));
        assert_eq!(classify(&[s(Thin)]), Some(Thin));
    }

    #[test]
    fn thresholds_validate() {
        assert!(RegimeThresholds::default().validate().is_ok());
        // The threshold named, and the value(s) given.
        let bad = |f: fn(&mut RegimeThresholds)| {
            let mut t = RegimeThresholds::default();
            f(&mut t);
            match t.validate() {
                Err(Error::InvalidInput { what, value, .. }) => (what, value),
                other => panic!("{other:?}"),
            }
        };
        let d = RegimeThresholds::default();
        assert_eq!(
            bad(|t| t.thin_iv_rank = 0.6),
            (
                "IV rank thresholds",
                format!("thin 0.6, rich {}", d.rich_iv_rank)
            )
        );
        assert_eq!(
            bad(|t| t.rich_iv_rank = 1.5),
            (
                "IV rank thresholds",
                format!("thin {}, rich 1.5", d.thin_iv_rank)
            )
        );
        assert_eq!(
            bad(|t| t.thin_iv_hv_ratio = 2.0),
            (
                "IV30/HV20 thresholds",
                format!("thin 2, rich {}", d.rich_iv_hv_ratio)
            )
        );
        assert_eq!(
            bad(|t| t.rich_iv_hv_ratio = f64::NAN),
            ("rich IV30/HV20 threshold", "NaN".to_string())
        );
        assert_eq!(
            bad(|t| t.backwardation_min_spread = -0.01),
            ("backwardation spread", "-0.01".to_string())
        );
        assert_eq!(
            bad(|t| t.rsi_overbought = 0.0),
            ("RSI overbought level", "0".to_string())
        );
        assert_eq!(
            bad(|t| t.min_local_sessions = 0),
            ("minimum local IV sessions", "0".to_string())
        );
        assert_eq!(
            bad(|t| t.min_expiry_days = f64::INFINITY),
            ("minimum expiry days", "inf".to_string())
        );
    }
}
