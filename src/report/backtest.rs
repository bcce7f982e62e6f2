//! The backtest page: the summary against buy-and-hold, the equity curves of the portfolio
//! and of each holding, which days were priced from real chains and which from the synthetic
//! market, the trade ledger and the parameters.

use maud::html;

use super::figures::equity_chart;
use super::{figure, list_section, params_table, table, Page};
use crate::backtest::{BacktestReport, EquityPoint};
use crate::export::Table;

/// What a backtest page shows besides the report itself: the summary and ledger tables as the
/// CLI prints them (so the page and the CSV carry the same rows) and the sources as (what,
/// which).
pub struct BacktestView<'a> {
    /// The run.
    pub report: &'a BacktestReport,
    /// The summary table, strategy against buy-and-hold.
    pub summary: &'a Table,
    /// The trade ledger.
    pub ledger: &'a Table,
    /// Where the prices came from.
    pub sources: Vec<(String, String)>,
}

fn curves(title: &str, points: &[EquityPoint]) -> super::chart::Chart {
    let strategy = points.iter().map(|p| (p.date, p.strategy)).collect();
    let hold = points.iter().map(|p| (p.date, p.buy_and_hold)).collect();
    equity_chart(
        title,
        &[
            ("covered calls".to_string(), strategy),
            ("buy and hold".to_string(), hold),
        ],
    )
}

/// The page of one backtest.
pub fn backtest_page(v: &BacktestView<'_>) -> String {
    let r = v.report;
    let names: Vec<&str> = r.holdings.iter().map(|h| h.symbol.as_str()).collect();
    let mut page = Page::new(format!(
        "Backtest: {} covered calls, rule {}",
        names.join(", "),
        r.params.rule.as_str()
    ));
    page.fact("period", format!("{} to {}", r.summary.from, r.summary.to));
    page.fact("sessions", r.summary.sessions.to_string());
    page.fact(
        "option prices",
        format!(
            "real chains on {} sessions, synthetic on {}",
            r.days.real.len(),
            r.days.synthetic.len()
        ),
    );
    for (k, val) in &v.sources {
        page.fact(k.clone(), val.clone());
    }
    page.sections.push(html! {
        section {
            h2 { "Summary" }
            (table("The strategy against buy-and-hold of the same shares", v.summary, true))
        }
    });
    page.sections.push(html! {
        section {
            h2 { "Equity" }
            (figure(&curves("Portfolio value: covered calls against buy-and-hold (USD)", &r.equity)))
        }
    });
    if r.holdings.len() > 1 {
        for h in &r.holdings {
            page.sections.push(html! {
                section.holding {
                    h2 { (h.symbol) " (" (h.shares) " shares)" }
                    p.muted { "IV: " (h.iv_source) }
                    (figure(&curves(&format!("{}: covered calls against buy-and-hold (USD)", h.symbol), &h.equity)))
                }
            });
        }
    }
    page.sections.push(html! {
        section {
            h2 { "Trades" }
            (table("Every sale, buy-back, expiry and assignment", v.ledger, false))
        }
    });
    page.sections.push(list_section("Notes", "notes", &r.notes));
    page.sections.push(html! {
        section.params {
            h2 { "Parameters" }
            (params_table("The backtest's parameters, to run it again", &r.params))
        }
    });
    page.render()
}
