//! The plan and suggestion pages: the plan table, totals, stress, and per holding the payoff,
//! the smile of the chosen expiry, the term structure, the IV history and the regime verdict.

use std::collections::BTreeMap;

use maud::{html, Markup};

use super::figures::{
    iv_history_chart, payoff_figure, smile_chart, stress_chart, term_chart, verdict_block, Smile,
};
use super::{figure, list_section, params_table, pct, table, usd, Page};
use crate::export::{Cell, Col, Table};
use crate::plan::{Candidate, HoldingPlan, Plan, RejectedStrike, StressPoint, Suggestion};
use crate::regime::{IvObservation, RegimeReport};

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
            true,
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
                (whys(&s.candidates))
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
        false,
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
    let rows: Vec<HoldingRow<'_>> = r
        .plan
        .holdings
        .iter()
        .map(|h| HoldingRow {
            holding: h,
            regime: r
                .views
                .get(&h.symbol)
                .and_then(|v| v.regime)
                .and_then(|g| g.verdict.premiums)
                .map_or("unknown", |p| p.as_str()),
        })
        .collect();
    Table::from_rows(&holding_columns(), &rows)
}

/// A holding of the plan table with its premiums class.
struct HoldingRow<'a> {
    holding: &'a HoldingPlan,
    regime: &'static str,
}

impl HoldingRow<'_> {
    fn best(&self) -> Option<&Candidate> {
        self.holding.best.as_ref()
    }
}

/// The plan table's columns; the call's columns are empty for a holding without one.
fn holding_columns<'a>() -> [Col<HoldingRow<'a>>; 18] {
    [
        Col::new("symbol", "symbol", |r| Cell::text(&r.holding.symbol)),
        Col::new("shares", "shares", |r| {
            Cell::Int(i64::try_from(r.holding.shares).unwrap_or(i64::MAX))
        }),
        Col::new("spot", "spot $", |r| {
            Cell::num(r.holding.suggestion.as_ref().map(|s| s.spot), 2)
        }),
        Col::new("occ", "call to write (OCC)", |r| {
            Cell::text(r.best().map_or("— none —", |c| c.occ.as_str()))
        }),
        Col::new("expiry", "expiry", |r| match r.best() {
            Some(c) => Cell::text(c.expiry.to_string()),
            None => Cell::Empty,
        }),
        Col::new("dte", "DTE days", |r| Cell::int(r.best().map(|c| c.dte))),
        Col::new("strike", "strike $", |r| {
            Cell::num(r.best().map(|c| c.strike), 2)
        }),
        Col::new("contracts", "contracts", |r| {
            Cell::int(r.best().map(|c| i64::from(c.contracts)))
        }),
        Col::new("limit_price", "limit $/sh", |r| {
            Cell::num(r.best().map(|c| c.limit_price), 2)
        }),
        Col::new("total_premium", "premium $ total", |r| {
            Cell::num(r.best().map(|c| c.total_premium), 0)
        }),
        Col::new("premium_yield", "yield %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.premium_yield), 2)
        }),
        Col::new("premium_yield_annualized", "yield/yr %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.premium_yield_annualized), 1)
        }),
        Col::new("cushion", "cushion %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.cushion), 2)
        }),
        Col::new("if_called_annualized", "if-called/yr %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.if_called_annualized), 1)
        }),
        Col::new("assignment_probability", "P(assign) %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.assignment_probability), 1)
        }),
        Col::new("delta", "Δ", |r| {
            Cell::num(r.best().map(|c| c.metrics.delta), 2)
        }),
        Col::new("iv", "IV %", |r| {
            Cell::pct(r.best().map(|c| c.metrics.iv), 1)
        }),
        Col::new("regime", "IV regime", |r| Cell::text(r.regime)),
    ]
}

fn candidates_table(cands: &[Candidate]) -> Table {
    Table::from_rows(CANDIDATES, cands)
}

const CANDIDATES: &[Col<Candidate>] = &[
    Col::new("rank", "#", |c| Cell::Int(c.rank as i64)),
    Col::new("occ", "contract (OCC)", |c| Cell::text(&c.occ)),
    Col::new("expiry", "expiry", |c| Cell::text(c.expiry.to_string())),
    Col::new("dte", "DTE days", |c| Cell::Int(c.dte)),
    Col::new("strike", "strike $", |c| Cell::num(Some(c.strike), 2)),
    Col::new("contracts", "contracts", |c| {
        Cell::Int(i64::from(c.contracts))
    }),
    Col::new("limit_price", "limit $/sh", |c| {
        Cell::num(Some(c.limit_price), 2)
    }),
    Col::new("total_premium", "premium $ total", |c| {
        Cell::num(Some(c.total_premium), 0)
    }),
    Col::new("premium_yield_annualized", "yield/yr %", |c| {
        Cell::pct(Some(c.metrics.premium_yield_annualized), 1)
    }),
    Col::new("cushion", "cushion %", |c| {
        Cell::pct(Some(c.metrics.cushion), 2)
    }),
    Col::new("if_called_annualized", "if-called/yr %", |c| {
        Cell::pct(Some(c.metrics.if_called_annualized), 1)
    }),
    Col::new("assignment_probability", "P(assign) %", |c| {
        Cell::pct(Some(c.metrics.assignment_probability), 1)
    }),
    Col::new("delta", "Δ", |c| Cell::num(Some(c.metrics.delta), 2)),
    Col::new("iv", "IV %", |c| Cell::pct(Some(c.metrics.iv), 1)),
    Col::new("score", "score", |c| Cell::num(Some(c.score.total), 3)),
];

/// Why each candidate ranks where it does, with its flags (under the table: a long text
/// column would make every row tall).
fn whys(cands: &[Candidate]) -> Markup {
    html! {
        ol.whys {
            @for c in cands {
                li {
                    span.occ { (c.occ) } " — " (c.why)
                    @if !c.flags.is_empty() {
                        " [" (c.flags.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ")) "]"
                    }
                }
            }
        }
    }
}

fn rejected_table(s: &Suggestion) -> Table {
    Table::from_rows(REJECTED, &s.rejected)
}

const REJECTED: &[Col<RejectedStrike>] = &[
    Col::new("occ", "contract (OCC)", |r| Cell::text(&r.occ)),
    Col::new("dte", "DTE days", |r| Cell::Int(r.dte)),
    Col::new("strike", "strike $", |r| Cell::num(Some(r.strike), 2)),
    Col::new("premium", "premium $/sh", |r| Cell::num(r.premium, 2)),
    Col::new("reasons", "rejected because", |r| {
        let reasons: Vec<String> = r.reasons.iter().map(|x| x.to_string()).collect();
        Cell::text(reasons.join("; "))
    }),
];

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
    Table::from_rows(STRESS, points)
}

const STRESS: &[Col<StressPoint>] = &[
    Col::new("shock", "underlying move %", |p| {
        Cell::pct(Some(p.shock), 0)
    }),
    Col::new("value_without_calls", "stock alone $", |p| {
        Cell::num(Some(p.value_without_calls), 0)
    }),
    Col::new("value_with_calls", "with calls $", |p| {
        Cell::num(Some(p.value_with_calls), 0)
    }),
    Col::new("difference", "difference $", |p| {
        Cell::num(Some(p.value_with_calls - p.value_without_calls), 0)
    }),
];

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

fn holding_section(
    symbol: &str,
    shares: u64,
    best: Option<&Candidate>,
    suggestion: Option<&Suggestion>,
    view: Option<&SymbolView<'_>>,
    missing: Option<&str>,
    ranked: bool,
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
                    p { "No call to write: " (s.rejected.len()) " strikes rejected (" code { "ccplan suggest " (symbol) " --explain" } " says why)." }
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
                @if ranked && s.candidates.len() > 1 && best.is_some() {
                    (table(&format!("{symbol}: the ranked calls"), &candidates_table(&s.candidates), true))
                    (whys(&s.candidates))
                }
            }
        }
    }
}
