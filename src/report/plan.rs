//! The plan and suggestion pages: the plan table, totals, stress, and per holding the payoff,
//! the smile of the chosen expiry, the term structure, the IV history and the regime verdict.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};

use super::chart::{accessible_svg, Axis, Chart, Mark, Marker, Range, Series};
use super::{figure, list_section, params_table, pct, table, usd, Page};
use crate::export::{write_payoff_svg, Cell, PayoffChart, Table};
use crate::model::Right;
use crate::plan::{Candidate, Plan, StressPoint, Suggestion};
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

/// What the page knows about one symbol beyond the plan: its regime reading, the smile of
/// the chosen expiry, and the stored IV30 history.
#[derive(Debug, Clone, Default)]
pub struct SymbolView<'a> {
    /// The regime report.
    pub regime: Option<&'a RegimeReport>,
    /// The smile of the chosen expiry (of the first candidate's, for a suggestion).
    pub smile: Option<Smile>,
    /// The stored IV30 series before today, oldest first (empty without a store).
    pub iv_history: Vec<IvObservation>,
}

/// Everything a plan page shows.
#[derive(Debug, Clone)]
pub struct PlanReport<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Per symbol.
    pub views: BTreeMap<String, SymbolView<'a>>,
    /// Where the data came from: (what, which), e.g. ("option chains", "demo").
    pub sources: Vec<(String, String)>,
    /// Warnings of the run.
    pub warnings: &'a [String],
    /// Holdings without market data: (symbol, cause).
    pub missing: Vec<(String, String)>,
}

/// Everything a suggestion page shows.
#[derive(Debug, Clone)]
pub struct SuggestReport<'a> {
    /// The suggestion.
    pub suggestion: &'a Suggestion,
    /// The symbol's regime, smile and IV history.
    pub view: SymbolView<'a>,
    /// Where the data came from.
    pub sources: Vec<(String, String)>,
    /// Warnings of the run.
    pub warnings: &'a [String],
    /// Also list the rejected strikes.
    pub explain: bool,
}

fn header(page: &mut Page, as_of: Option<String>, sources: &[(String, String)]) {
    page.fact("as of", as_of.unwrap_or_else(|| "no chain".to_string()));
    for (k, v) in sources {
        page.fact(k.clone(), v.clone());
    }
}

/// The plan page.
pub fn plan_page(r: &PlanReport<'_>) -> String {
    let p = r.plan;
    let mut page = Page::new("Covered-call plan");
    header(&mut page, p.as_of.map(|t| t.to_rfc3339()), &r.sources);
    page.fact(
        "holdings",
        format!(
            "{} ({} with a call to write)",
            p.holdings.len(),
            p.totals.holdings_with_call
        ),
    );
    if !r.missing.is_empty() {
        let syms: Vec<&str> = r.missing.iter().map(|(s, _)| s.as_str()).collect();
        page.sections.push(html! {
            section.warnings {
                h2 { "Partial plan" }
                p { "No option chain for " (syms.join(", ")) "; the totals leave them out." }
            }
        });
    }
    page.sections
        .push(list_section("Warnings", "warnings", r.warnings));
    page.sections.push(html! {
        section {
            h2 { "Calls to write" }
            (table("One row per holding: the best call to write, with its limit and metrics", &plan_table(r), true))
        }
    });
    page.sections.push(totals(p));
    page.sections.push(stress_section(
        "Stress at expiry",
        "All holdings, each underlying moved by the same percentage by expiry",
        &p.stress_total,
    ));
    for h in &p.holdings {
        let view = r.views.get(&h.symbol);
        let missing = r
            .missing
            .iter()
            .find(|(s, _)| s == &h.symbol)
            .map(|(_, e)| e.as_str());
        page.sections.push(holding_section(
            &h.symbol,
            h.shares,
            h.best.as_ref(),
            h.suggestion.as_ref(),
            view,
            missing,
        ));
    }
    let notes: Vec<String> = p
        .notes
        .iter()
        .map(|n| n.to_string())
        .chain(p.holdings.iter().flat_map(|h| {
            h.suggestion
                .iter()
                .flat_map(move |s| s.notes.iter().map(move |n| format!("{}: {n}", h.symbol)))
        }))
        .collect();
    page.sections.push(list_section("Notes", "notes", &notes));
    page.sections.push(html! {
        section.params {
            h2 { "Parameters" }
            (params_table("The planner's parameters for this run", &p.params))
        }
    });
    page.render()
}

/// The suggestion page.
pub fn suggest_page(r: &SuggestReport<'_>) -> String {
    let s = r.suggestion;
    let mut page = Page::new(format!("Covered calls on {}", s.symbol));
    header(&mut page, Some(s.as_of.to_rfc3339()), &r.sources);
    page.fact("spot", format!("{:.2} USD", s.spot));
    page.fact("shares", s.shares.to_string());
    page.fact(
        "cost basis",
        s.cost_basis
            .map_or_else(|| "not given".to_string(), |b| format!("{b:.2} USD")),
    );
    page.fact("target delta", format!("{:.2}", s.target_delta));
    page.sections
        .push(list_section("Warnings", "warnings", r.warnings));
    page.sections.push(html! {
        section {
            h2 { "Ranked calls" }
            @if s.candidates.is_empty() {
                p { "No call passes the filters." }
            } @else {
                (table("Calls that pass the filters, best first", &candidates_table(&s.candidates), true))
                @if s.not_shown > 0 {
                    p.muted { (s.not_shown) " more strikes pass the filters (--top N shows more)." }
                }
            }
        }
    });
    page.sections.push(holding_section(
        &s.symbol,
        s.shares,
        s.best(),
        Some(s),
        Some(&r.view),
        None,
    ));
    if r.explain {
        page.sections.push(html! {
            section {
                h2 { "Rejected strikes" }
                @if s.rejected.is_empty() { p { "None." } }
                @else { (table("Strikes rejected, with every reason", &rejected_table(s), true)) }
            }
        });
    }
    let notes: Vec<String> = s.notes.iter().map(|n| n.to_string()).collect();
    page.sections.push(list_section("Notes", "notes", &notes));
    page.sections.push(html! {
        section.params {
            h2 { "Parameters" }
            (params_table("The planner's parameters for this run", &s.params))
        }
    });
    page.render()
}

fn plan_table(r: &PlanReport<'_>) -> Table {
    let mut t = Table::new(&[
        ("symbol", "symbol"),
        ("shares", "shares"),
        ("spot", "spot $"),
        ("occ", "call to write (OCC)"),
        ("expiry", "expiry"),
        ("dte", "DTE days"),
        ("strike", "strike $"),
        ("contracts", "contracts"),
        ("limit_price", "limit $/sh"),
        ("total_premium", "premium $ total"),
        ("premium_yield", "yield %"),
        ("premium_yield_annualized", "yield/yr %"),
        ("cushion", "cushion %"),
        ("if_called_annualized", "if-called/yr %"),
        ("assignment_probability", "P(assign) %"),
        ("delta", "Δ"),
        ("iv", "IV %"),
        ("regime", "IV regime"),
    ]);
    for h in &r.plan.holdings {
        let spot = h.suggestion.as_ref().map(|s| s.spot);
        let regime = r
            .views
            .get(&h.symbol)
            .and_then(|v| v.regime)
            .and_then(|g| g.verdict.premiums)
            .map_or("unknown", |p| p.as_str());
        let mut row = vec![
            Cell::text(&h.symbol),
            Cell::Int(i64::try_from(h.shares).unwrap_or(i64::MAX)),
            Cell::num(spot, 2),
        ];
        match &h.best {
            Some(c) => row.extend([
                Cell::text(&c.occ),
                Cell::text(c.expiry.to_string()),
                Cell::Int(c.dte),
                Cell::num(Some(c.strike), 2),
                Cell::Int(i64::from(c.contracts)),
                Cell::num(Some(c.limit_price), 2),
                Cell::num(Some(c.total_premium), 0),
                Cell::pct(Some(c.metrics.premium_yield), 2),
                Cell::pct(Some(c.metrics.premium_yield_annualized), 1),
                Cell::pct(Some(c.metrics.cushion), 2),
                Cell::pct(Some(c.metrics.if_called_annualized), 1),
                Cell::pct(Some(c.metrics.assignment_probability), 1),
                Cell::num(Some(c.metrics.delta), 2),
                Cell::pct(Some(c.metrics.iv), 1),
            ]),
            None => {
                row.push(Cell::text("— none —"));
                row.extend(std::iter::repeat_n(Cell::Empty, 13));
            }
        }
        row.push(Cell::text(regime));
        t.push(row);
    }
    t
}

fn candidates_table(cands: &[Candidate]) -> Table {
    let mut t = Table::new(&[
        ("rank", "#"),
        ("occ", "contract (OCC)"),
        ("expiry", "expiry"),
        ("dte", "DTE days"),
        ("strike", "strike $"),
        ("contracts", "contracts"),
        ("limit_price", "limit $/sh"),
        ("total_premium", "premium $ total"),
        ("premium_yield_annualized", "yield/yr %"),
        ("cushion", "cushion %"),
        ("if_called_annualized", "if-called/yr %"),
        ("assignment_probability", "P(assign) %"),
        ("delta", "Δ"),
        ("iv", "IV %"),
        ("score", "score"),
        ("why", "why"),
    ]);
    for c in cands {
        let m = &c.metrics;
        t.push(vec![
            Cell::Int(c.rank as i64),
            Cell::text(&c.occ),
            Cell::text(c.expiry.to_string()),
            Cell::Int(c.dte),
            Cell::num(Some(c.strike), 2),
            Cell::Int(i64::from(c.contracts)),
            Cell::num(Some(c.limit_price), 2),
            Cell::num(Some(c.total_premium), 0),
            Cell::pct(Some(m.premium_yield_annualized), 1),
            Cell::pct(Some(m.cushion), 2),
            Cell::pct(Some(m.if_called_annualized), 1),
            Cell::pct(Some(m.assignment_probability), 1),
            Cell::num(Some(m.delta), 2),
            Cell::pct(Some(m.iv), 1),
            Cell::num(Some(c.score.total), 3),
            Cell::text(&c.why),
        ]);
    }
    t
}

fn rejected_table(s: &Suggestion) -> Table {
    let mut t = Table::new(&[
        ("occ", "contract (OCC)"),
        ("dte", "DTE days"),
        ("strike", "strike $"),
        ("premium", "premium $/sh"),
        ("reasons", "rejected because"),
    ]);
    for r in &s.rejected {
        let reasons: Vec<String> = r.reasons.iter().map(|x| x.to_string()).collect();
        t.push(vec![
            Cell::text(&r.occ),
            Cell::Int(r.dte),
            Cell::num(Some(r.strike), 2),
            Cell::num(r.premium, 2),
            Cell::text(reasons.join("; ")),
        ]);
    }
    t
}

fn totals(p: &Plan) -> Markup {
    let t = &p.totals;
    let mut items: Vec<(&str, String)> = vec![
        ("premium income", format!("{} USD", usd(t.premium_income))),
        ("capital covered", format!("{} USD", usd(t.capital_covered))),
    ];
    if let Some(x) = t.exposure_weighted_assignment {
        items.push(("P(assign), weighted by capital", pct(x, 1)));
    }
    items.push((
        "shares expected called away",
        format!("{:.0}", t.expected_shares_called),
    ));
    items.push((
        "net delta (shares)",
        format!("{:.0} → {:.0}", t.net_delta_before, t.net_delta_after),
    ));
    items.push((
        "holdings with / without a call",
        format!("{} / {}", t.holdings_with_call, t.holdings_without_call),
    ));
    html! {
        section {
            h2 { "Totals" }
            dl.totals {
                @for (k, v) in &items { div { dt { (k) } dd { (v) } } }
            }
        }
    }
}

fn stress_table(points: &[StressPoint]) -> Table {
    let mut t = Table::new(&[
        ("shock", "underlying move %"),
        ("value_without_calls", "stock alone $"),
        ("value_with_calls", "with calls $"),
        ("difference", "difference $"),
    ]);
    for p in points {
        t.push(vec![
            Cell::pct(Some(p.shock), 0),
            Cell::num(Some(p.value_without_calls), 0),
            Cell::num(Some(p.value_with_calls), 0),
            Cell::num(Some(p.value_with_calls - p.value_without_calls), 0),
        ]);
    }
    t
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

fn stress_section(heading: &str, caption: &str, points: &[StressPoint]) -> Markup {
    html! {
        section.stress {
            h2 { (heading) }
            @if points.is_empty() {
                p { "No stress rows (no call to write)." }
            } @else {
                (table(caption, &stress_table(points), true))
                div.charts { (figure(&stress_chart("Value at expiry by move, with and without the calls", points))) }
            }
        }
    }
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

fn payoff_figure(c: &Candidate, shares: u64, cost_basis: Option<f64>) -> Markup {
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
    c.legend = super::chart::Corner::LowerLeft;
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
            k.rank.map_or("—".to_string(), |v| pct(v, 0)),
            k.percentile.map_or("—".to_string(), |v| pct(v, 0))
        ),
        None => format!("{symbol} IV30 history"),
    };
    let mut c = Chart::new(
        title,
        ("session", Axis::Days(origin)),
        ("IV30", Axis::Percent(0)),
    );
    let x = |d: NaiveDate| (d - origin).num_days() as f64;
    c.series.push(Series {
        name: "stored IV30".into(),
        points: obs.iter().map(|o| (x(o.date), o.iv)).collect(),
        mark: Mark::Line,
    });
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
                    @if let Some(rank) = k.rank { " · IV rank " (pct(rank, 0)) }
                    @if let Some(p) = k.percentile { " · IV percentile " (pct(p, 0)) }
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

fn holding_section(
    symbol: &str,
    shares: u64,
    best: Option<&Candidate>,
    suggestion: Option<&Suggestion>,
    view: Option<&SymbolView<'_>>,
    missing: Option<&str>,
) -> Markup {
    let regime = view.and_then(|v| v.regime);
    let basis = suggestion.and_then(|s| s.cost_basis);
    html! {
        section.holding id={ "holding-" (symbol) } {
            h2 {
                (symbol)
                @if let Some(c) = best { " — " span.occ { (c.occ) } }
            }
            @match (best, suggestion) {
                (Some(c), _) => {
                    p {
                        "Sell " (c.contracts) " × " span.occ { (c.occ) } " (strike " (format!("{:.2}", c.strike))
                        ", " (c.expiry.to_string()) ", " (c.dte) " DTE) at a limit of " (format!("{:.2}", c.limit_price))
                        " USD per share: " (usd(c.total_premium)) " in premium, yield " (pct(c.metrics.premium_yield, 2))
                        " (" (pct(c.metrics.premium_yield_annualized, 1)) " a year), break-even "
                        (format!("{:.2}", c.metrics.break_even)) ", P(assign) " (pct(c.metrics.assignment_probability, 1)) "."
                    }
                    p.muted { (c.why) }
                },
                (None, Some(s)) => {
                    p { "No call to write: " (s.rejected.len()) " strikes rejected (`ccplan suggest " (symbol) " --explain` says why)." }
                },
                (None, None) => {
                    p { "No option chain" @if let Some(m) = missing { ": " (m) } "." }
                },
            }
            div.charts {
                @if let Some(c) = best { (payoff_figure(c, shares, basis)) }
                @if let (Some(c), Some(smile)) = (best, view.and_then(|v| v.smile.as_ref())) {
                    (figure(&smile_chart(symbol, smile, Some(c.strike))))
                }
                @if let Some(r) = regime {
                    @if r.term_structure.iter().any(|e| e.atm_iv.is_some()) {
                        (figure(&term_chart(symbol, r, best.map(|c| c.dte))))
                    }
                }
                @if let Some(v) = view {
                    @if !v.iv_history.is_empty() {
                        (figure(&iv_history_chart(symbol, &v.iv_history, regime)))
                    }
                }
            }
            @if let Some(v) = view {
                @if v.iv_history.is_empty() {
                    p.muted { "No stored IV history for " (symbol) ": IV rank and percentile come from the store once it has sessions (ccplan history import, or live fetches)." }
                }
            }
            @if let Some(r) = regime { (verdict_block(r)) }
            @else { p.muted { "No IV regime reading for " (symbol) "." } }
            @if let Some(s) = suggestion {
                @if s.candidates.len() > 1 && best.is_some() {
                    (table(&format!("{symbol}: the ranked calls"), &candidates_table(&s.candidates), true))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
