//! The figures of the report pages, each built from the library's results: the payoff at
//! expiry, the smile of an expiry with its bid–ask IV, the term structure with IV30, the
//! stored IV30 history behind the rank, the stress curve, and the regime verdict block.

use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};

use super::chart::{accessible_svg, Axis, Chart, Corner, Mark, Marker, Range, Series};
use super::pct;
use crate::export::{write_payoff_svg, PayoffChart};
use crate::model::Right;
use crate::plan::{Candidate, StressPoint};
use crate::regime::{IvObservation, RankSourceKind, RegimeReport};
use crate::surface::ExpirySlice;

/// Strikes shown on a smile: within this factor of the forward, each way.
const SMILE_SPAN: f64 = 1.6;

/// One strike of a smile: the out-of-the-money quote there (put below the forward, call at
/// or above), with its implied volatility at the bid, mid and ask (decimal fractions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmileQuote {
    /// Strike, USD.
    pub strike: f64,
    /// Put or call.
    pub right: Right,
    /// IV at the bid.
    pub iv_bid: Option<f64>,
    /// IV at the mid.
    pub iv_mid: Option<f64>,
    /// IV at the ask.
    pub iv_ask: Option<f64>,
}

/// The smile of one expiry, as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Smile {
    /// Expiry date.
    pub expiry: NaiveDate,
    /// Calendar days to expiry.
    pub dte: i64,
    /// Implied forward, USD.
    pub forward: f64,
    /// Strikes ascending.
    pub quotes: Vec<SmileQuote>,
}

impl Smile {
    /// The out-of-the-money side of an analysed expiry, strikes within a factor 1.6 of the
    /// forward.
    pub fn from_slice(slice: &ExpirySlice) -> Smile {
        let f = slice.forward.forward;
        let near = |k: f64| k >= f / SMILE_SPAN && k <= f * SMILE_SPAN;
        let side = |q: &crate::surface::QuoteAnalytics, right| SmileQuote {
            strike: q.strike(),
            right,
            iv_bid: q.iv_bid,
            iv_mid: q.iv_mid,
            iv_ask: q.iv_ask,
        };
        let mut quotes: Vec<SmileQuote> = slice
            .puts
            .iter()
            .filter(|q| q.strike() < f && near(q.strike()))
            .map(|q| side(q, Right::Put))
            .chain(
                slice
                    .calls
                    .iter()
                    .filter(|q| q.strike() >= f && near(q.strike()))
                    .map(|q| side(q, Right::Call)),
            )
            .collect();
        quotes.sort_by(|a, b| a.strike.total_cmp(&b.strike));
        Smile {
            expiry: slice.expiry,
            dte: slice.dte,
            forward: f,
            quotes,
        }
    }
}

/// The stress chart: value at expiry against the move, with and without the calls.
pub fn stress_chart(title: &str, points: &[StressPoint]) -> Chart {
    let mut c = Chart::new(
        title,
        ("underlying move to expiry", Axis::Percent(0)),
        ("value at expiry (USD)", Axis::Usd),
    );
    c.size = (640, 300);
    c.series.push(Series {
        name: "with calls".into(),
        points: points
            .iter()
            .map(|p| (p.shock, p.value_with_calls))
            .collect(),
        mark: Mark::LineDots,
    });
    c.series.push(Series {
        name: "stock alone".into(),
        points: points
            .iter()
            .map(|p| (p.shock, p.value_without_calls))
            .collect(),
        mark: Mark::Line,
    });
    c.description = format!(
        "Value at expiry for moves from {} to {}: the calls add the premium below the strike \
         and cap the gain above it.",
        points.first().map_or(String::new(), |p| pct(p.shock, 0)),
        points.last().map_or(String::new(), |p| pct(p.shock, 0)),
    );
    c
}

/// The payoff chart of a candidate, as drawn by `--chart`.
fn payoff_of(c: &Candidate, shares: u64, cost_basis: Option<f64>) -> PayoffChart {
    let covered = u64::from(c.contracts) * u64::from(c.multiplier);
    PayoffChart {
        title: format!(
            "{} {covered} of {shares} sh + short {} × {} @ {:.2}",
            c.symbol, c.contracts, c.occ, c.limit_price
        ),
        spot: c.spot,
        strike: c.strike,
        premium: c.limit_price,
        shares_covered: covered as f64,
        expected_move: c.spot * c.metrics.iv * c.t.max(0.0).sqrt(),
        cost_basis,
    }
}

pub(super) fn payoff_figure(c: &Candidate, shares: u64, cost_basis: Option<f64>) -> Markup {
    let chart = payoff_of(c, shares, cost_basis);
    let title = format!("Payoff at expiry: {} covered vs the stock alone", c.symbol);
    let desc = format!(
        "Spot {:.2}, strike {:.2}, break-even {:.2}, 1σ expected move ±{:.2} USD; above the \
         strike the covered position is capped at strike plus premium.",
        chart.spot,
        chart.strike,
        chart.break_even(),
        chart.expected_move
    );
    let mut v = Vec::new();
    match write_payoff_svg(&chart, &mut v) {
        Ok(()) => {
            let svg = accessible_svg(&String::from_utf8_lossy(&v), &title, &desc);
            html! { figure.chart { (PreEscaped(svg)) figcaption { (title) ". " (desc) } } }
        }
        Err(e) => html! { figure.chart.missing { p { "No payoff chart: " (e.to_string()) } } },
    }
}

/// The smile chart of the chosen expiry: mid IV by strike, bid–ask IV bars, the chosen
/// strike and the forward marked.
pub fn smile_chart(symbol: &str, smile: &Smile, chosen_strike: Option<f64>) -> Chart {
    let mut c = Chart::new(
        format!(
            "{symbol} smile, {} ({} DTE): IV by strike, bid–ask bars",
            smile.expiry, smile.dte
        ),
        ("strike (USD)", Axis::Usd),
        ("implied volatility", Axis::Percent(0)),
    );
    // The smile falls from the top left: the bottom left is empty.
    c.legend = Corner::LowerLeft;
    c.series.push(Series {
        name: "mid IV (out-of-the-money side)".into(),
        points: smile
            .quotes
            .iter()
            .filter_map(|q| q.iv_mid.map(|v| (q.strike, v)))
            .collect(),
        mark: Mark::LineDots,
    });
    let bars: Vec<Range> = smile
        .quotes
        .iter()
        .filter_map(|q| match (q.iv_bid, q.iv_ask) {
            (Some(lo), Some(hi)) => Some(Range {
                x: q.strike,
                lo,
                hi,
            }),
            _ => None,
        })
        .collect();
    c.ranges = Some(("bid–ask IV".into(), bars));
    c.vlines.push(Marker {
        at: smile.forward,
        label: format!("forward {:.2}", smile.forward),
    });
    let chosen_iv = chosen_strike.and_then(|k| {
        smile
            .quotes
            .iter()
            .find(|q| (q.strike - k).abs() < 1e-6)
            .and_then(|q| q.iv_mid)
    });
    if let Some(k) = chosen_strike {
        c.vlines.push(Marker {
            at: k,
            label: format!("chosen strike {k:.2}"),
        });
    }
    c.description = format!(
        "{} strikes of the {} expiry; forward {:.2}{}.",
        smile.quotes.len(),
        smile.expiry,
        smile.forward,
        match (chosen_strike, chosen_iv) {
            (Some(k), Some(iv)) => format!("; chosen strike {k:.2} at {} mid IV", pct(iv, 1)),
            (Some(k), None) => format!("; chosen strike {k:.2}"),
            _ => String::new(),
        }
    );
    c
}

/// The term structure: ATM IV by days to expiry, IV30 marked, the chosen expiry marked.
pub fn term_chart(symbol: &str, r: &RegimeReport, chosen_dte: Option<i64>) -> Chart {
    let mut c = Chart::new(
        format!("{symbol} term structure: ATM IV by expiry, IV30 marked"),
        ("days to expiry", Axis::Number(0)),
        ("ATM implied volatility", Axis::Percent(0)),
    );
    c.series.push(Series {
        name: "ATM IV".into(),
        points: r
            .term_structure
            .iter()
            .filter_map(|e| e.atm_iv.map(|v| (e.dte_days as f64, v)))
            .collect(),
        mark: Mark::LineDots,
    });
    if let Some(iv30) = &r.iv30 {
        c.series.push(Series {
            name: format!("IV30 {}", pct(iv30.iv, 1)),
            points: vec![(30.0, iv30.iv)],
            mark: Mark::Dots,
        });
        c.hlines.push(Marker {
            at: iv30.iv,
            label: format!("IV30 {}", pct(iv30.iv, 1)),
        });
    }
    if let Some(d) = chosen_dte {
        c.vlines.push(Marker {
            at: d as f64,
            label: format!("chosen expiry, {d} DTE"),
        });
    }
    c.description = format!(
        "ATM IV of {} expiries{}{}.",
        r.term_structure.len(),
        r.iv30
            .as_ref()
            .map_or(String::new(), |v| format!("; IV30 {}", pct(v.iv, 1))),
        r.term_slope.as_ref().map_or(String::new(), |s| {
            if s.backwardation {
                "; inverted (front above back)".to_string()
            } else {
                "; upward sloping".to_string()
            }
        })
    );
    c
}

/// The IV30 history from the store, with today's IV30 and the range the rank uses.
pub fn iv_history_chart(symbol: &str, obs: &[IvObservation], r: Option<&RegimeReport>) -> Chart {
    let origin = obs
        .first()
        .map(|o| o.date)
        .or_else(|| r.map(|r| r.as_of.date_naive()))
        .unwrap_or_default();
    let rank = r.and_then(|r| r.iv_rank.as_ref());
    let title = match rank {
        Some(k) => format!(
            "{symbol} IV30 history: rank {}, percentile {}",
            k.rank.map_or("—".to_string(), |v| pct(v, 1)),
            k.percentile.map_or("—".to_string(), |v| pct(v, 1))
        ),
        None => format!("{symbol} IV30 history"),
    };
    let mut c = Chart::new(
        title,
        ("session", Axis::Days(origin)),
        ("IV30", Axis::Percent(0)),
    );
    let x = |d: NaiveDate| (d - origin).num_days() as f64;
    c.series.push(Series::dated(
        "stored IV30",
        origin,
        obs.iter().map(|o| (o.date, o.iv)),
    ));
    if let Some(r) = r {
        if let Some(iv) = &r.iv30 {
            c.series.push(Series {
                name: format!("today {}", pct(iv.iv, 1)),
                points: vec![(x(r.as_of.date_naive()), iv.iv)],
                mark: Mark::Dots,
            });
        }
    }
    if let Some(k) = rank {
        if k.source == RankSourceKind::LocalHistory {
            c.hlines.push(Marker {
                at: k.low,
                label: format!("low {}", pct(k.low, 1)),
            });
            c.hlines.push(Marker {
                at: k.high,
                label: format!("high {}", pct(k.high, 1)),
            });
        }
    }
    c.description = format!(
        "{} stored sessions{}.",
        obs.len(),
        rank.map_or(String::new(), |k| format!(
            "; range {}–{} ({})",
            pct(k.low, 1),
            pct(k.high, 1),
            match k.source {
                RankSourceKind::LocalHistory => "local history",
                RankSourceKind::PublishedRange => "published range",
            }
        ))
    );
    c
}

/// Dated curves in USD on one chart: a backtest's equity curves (covered calls against the
/// stock alone, say), first curve drawn boldest. The x axis starts at the earliest date.
pub fn equity_chart(title: &str, curves: &[(String, Vec<(NaiveDate, f64)>)]) -> Chart {
    let origin = curves
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|(d, _)| *d))
        .min()
        .unwrap_or_default();
    let mut c = Chart::new(
        title,
        ("date", Axis::Days(origin)),
        ("value (USD)", Axis::Usd),
    );
    c.legend = Corner::UpperLeft;
    for (name, pts) in curves {
        c.series
            .push(Series::dated(name.clone(), origin, pts.iter().copied()));
    }
    c.description = curves
        .iter()
        .filter_map(|(name, pts)| {
            let (first, last) = (pts.first()?, pts.last()?);
            Some(format!(
                "{name}: {} on {} to {} on {}",
                crate::export::money(first.1),
                first.0,
                crate::export::money(last.1),
                last.0
            ))
        })
        .collect::<Vec<_>>()
        .join("; ");
    c
}

/// The regime verdict with its reasons and cautions.
pub fn verdict_block(r: &RegimeReport) -> Markup {
    let class = r.verdict.premiums.map_or("unknown", |p| p.as_str());
    html! {
        div.regime {
            h3 { "IV regime" }
            p {
                "Premiums: " span class={ "verdict " (class) } { (class) }
                @if let Some(iv) = &r.iv30 { " · IV30 " (pct(iv.iv, 1)) }
                @if let Some(k) = &r.iv_rank {
                    @if let Some(rank) = k.rank { " · IV rank " (pct(rank, 1)) }
                    @if let Some(p) = k.percentile { " · IV percentile " (pct(p, 1)) }
                }
                @if let Some(q) = r.iv30_hv20_ratio { " · IV30/HV20 " (format!("{q:.2}")) }
            }
            @if !r.verdict.reasons.is_empty() {
                p.muted { "Why:" }
                ul { @for x in &r.verdict.reasons { li { (x) } } }
            }
            @if !r.verdict.cautions.is_empty() {
                p.muted { "Cautions:" }
                ul { @for x in &r.verdict.cautions { li { strong { (x.kind.as_str()) } ": " (x.message) } } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equity_curves_on_a_date_axis() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let curves = vec![
            (
                "covered calls".to_string(),
                vec![(d(1, 2), 10_000.0), (d(3, 2), 10_450.0)],
            ),
            (
                "stock alone".to_string(),
                vec![(d(1, 2), 10_000.0), (d(3, 2), 10_900.0)],
            ),
        ];
        let c = equity_chart("Backtest: NVDA", &curves);
        assert_eq!(c.series[0].points, vec![(0.0, 10_000.0), (59.0, 10_450.0)]);
        assert_eq!(
            c.description,
            "covered calls: $10,000 on 2026-01-02 to $10,450 on 2026-03-02; stock alone: \
             $10,000 on 2026-01-02 to $10,900 on 2026-03-02"
        );
        let svg = super::super::chart::render(&c).unwrap();
        assert!(svg.contains("2026-01-02"), "date labels on the x axis");
        assert!(svg.contains("<title>Backtest: NVDA</title>"));
    }

    #[test]
    fn smile_takes_the_out_of_the_money_side() {
        use crate::model::{ChainSnapshot, OptionContract, Quote, Underlying};
        use crate::surface::{analyze, SurfaceParams};
        use chrono::{DateTime, FixedOffset};
        let as_of: DateTime<FixedOffset> = "2026-11-20T15:00:00-05:00".parse().unwrap();
        let expiry = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        let t = 28.04 / 365.0;
        let spot = 100.0;
        let mut quotes = Vec::new();
        for k in [80.0, 90.0, 95.0, 105.0, 110.0, 120.0, 200.0] {
            for right in [Right::Call, Right::Put] {
                let inputs = crate::pricing::BsmInputs {
                    right,
                    spot,
                    strike: k,
                    t,
                    rate: 0.0,
                    div_yield: 0.0,
                };
                let price = crate::pricing::price(&inputs, 0.40).unwrap();
                let contract = OptionContract::new("X", expiry, k, right).unwrap();
                quotes.push(Quote::new(
                    contract,
                    Some((price - 0.05).max(0.01)),
                    Some(price + 0.05),
                ));
            }
        }
        let snap = ChainSnapshot {
            underlying: Underlying {
                symbol: "X".into(),
                last: spot,
                bid: None,
                ask: None,
                iv30: None,
            },
            as_of,
            source: "test".into(),
            quotes,
            dropped: Vec::new(),
            notes: Vec::new(),
        };
        let surface = analyze(&snap, &SurfaceParams::default()).unwrap();
        let smile = Smile::from_slice(&surface.slices[0]);
        let strikes: Vec<(f64, Right)> = smile.quotes.iter().map(|q| (q.strike, q.right)).collect();
        // 200 is beyond 1.6 × the forward; below the forward the puts, at or above the calls.
        assert_eq!(
            strikes,
            vec![
                (80.0, Right::Put),
                (90.0, Right::Put),
                (95.0, Right::Put),
                (105.0, Right::Call),
                (110.0, Right::Call),
                (120.0, Right::Call)
            ]
        );
        let q = &smile.quotes[3];
        let (b, m, a) = (q.iv_bid.unwrap(), q.iv_mid.unwrap(), q.iv_ask.unwrap());
        assert!(b < m && m < a, "{b} {m} {a}");
        assert!((m - 0.40).abs() < 0.01, "{m}");
    }
}
