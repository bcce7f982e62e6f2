//! The HTML report: one self-contained page per plan, suggestion, regime check or managed
//! book, for a browser, a printer or a mail to oneself.
//!
//! Each page is a pure function, data in and a `String` out ([`plan_page`],
//! [`suggest_page`], [`regime_page`], [`manage_page`], [`backtest_page`]); the CLI writes
//! the file. A page
//! carries everything it shows: the stylesheet inline, the charts as inline SVG (drawn with
//! plotters, see [`chart`]), no script, no font, no image and no link fetched from anywhere,
//! so it reads the same offline, in a mail client, or years later.
//!
//! The markup is written with [maud](https://maud.lambda.xyz): templates are Rust
//! expressions checked at compile time, every interpolated value is HTML-escaped unless it
//! is explicitly marked as pre-escaped (only the SVG charts are), and there is no template
//! file to ship or find at run time.
//!
//! Accessibility and media: real tables (`<caption>`, `<th scope>`), charts with a `<title>`,
//! a `<desc>` and an `aria-label`; a narrow layout for phones (tables scroll sideways, charts
//! stack), `prefers-color-scheme: dark`, and a print stylesheet (landscape, tables not cut,
//! headers repeated, one holding per page).
//!
//! A new page (a backtest, say) is a function that builds [`chart::Chart`]s and
//! [`crate::export::Table`]s from its data and hands them to [`Page`]:
//!
//! ```
//! use chrono::NaiveDate;
//! use ccplan::export::{Cell, Col, Table};
//! use ccplan::report::{figure, figures::equity_chart, table, Page};
//!
//! let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
//! let mut page = Page::new("Backtest: NVDA covered calls");
//! page.fact("period", "2026-01-02 to 2026-03-02");
//! let columns: &[Col<(&str, f64)>] = &[
//!     Col::new("strategy", "strategy", |r| Cell::text(r.0)),
//!     Col::new("total_return", "return %", |r| Cell::pct(Some(r.1), 1)),
//! ];
//! let stats = Table::from_rows(columns, &[("covered calls", 0.045)]);
//! page.sections.push(table("Returns", &stats, true));
//! let curve = vec![(d(1, 2), 10_000.0), (d(3, 2), 10_450.0)];
//! page.sections.push(figure(&equity_chart("Equity", &[("covered calls".into(), curve)])));
//! let html = page.render();
//! assert!(html.contains("<caption>Returns</caption>"));
//! assert!(html.contains("<td class=\"num\">4.5</td>"));
//! assert!(html.contains("<title>Equity</title>"));
//! ```

mod backtest;
pub mod chart;
pub mod figures;
mod manage;
mod plan;
mod regime;

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;

use crate::export::{human_number, Cell, Col, Table};

pub use backtest::{backtest_page, BacktestView};
pub use figures::{Smile, SmileQuote};
pub use manage::manage_page;
pub use plan::{plan_page, suggest_page, PlanReport, SuggestReport, SymbolView};
pub use regime::{regime_page, RegimeView};

/// The stylesheet of every page.
const CSS: &str = include_str!("report.css");

/// One page: a title, a line of facts under it, and the sections.
#[derive(Debug, Clone)]
pub struct Page {
    /// `<title>` and `<h1>`.
    pub title: String,
    /// Facts under the title (as-of, sources).
    pub facts: Vec<(String, String)>,
    /// The body, in order.
    pub sections: Vec<Markup>,
}

impl Page {
    /// A page with this title.
    pub fn new(title: impl Into<String>) -> Page {
        Page {
            title: title.into(),
            facts: Vec::new(),
            sections: Vec::new(),
        }
    }

    /// Add a fact under the title.
    pub fn fact(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.facts.push((name.into(), value.into()));
    }

    /// The whole document.
    pub fn render(&self) -> String {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light dark";
                    meta name="generator" content=(concat!("ccplan ", env!("CARGO_PKG_VERSION")));
                    title { (self.title) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    header {
                        h1 { (self.title) }
                        @if !self.facts.is_empty() {
                            dl.facts {
                                @for (k, v) in &self.facts {
                                    div { dt { (k) } dd { (v) } }
                                }
                            }
                        }
                    }
                    main {
                        @for s in &self.sections { (s) }
                    }
                    footer {
                        p { "Written by ccplan " (env!("CARGO_PKG_VERSION"))
                            ". Money in USD (per share unless a column says total); each \
                             column names its unit. Not investment advice." }
                    }
                }
            }
        }
        .into_string()
    }
}

/// A cell as people read it.
fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Num { value, decimals } => human_number(*value, *decimals),
        Cell::Pct { value, decimals } => human_number(value * 100.0, *decimals),
    }
}

fn is_numeric(c: &Cell) -> bool {
    matches!(c, Cell::Int(_) | Cell::Num { .. } | Cell::Pct { .. })
}

/// An accessible table: a caption, column headers with `scope="col"`, and (with
/// `row_headers`) the first cell of each row as its `scope="row"` header. Numeric columns
/// are right-aligned; columns named `why`, `reasons` or `note` wrap.
pub fn table(caption: &str, t: &Table, row_headers: bool) -> Markup {
    let numeric: Vec<bool> = (0..t.columns().len())
        .map(|i| t.rows().iter().any(|r| r.get(i).is_some_and(is_numeric)))
        .collect();
    let class = |i: usize| -> Option<&'static str> {
        let name = t.columns().get(i).map_or("", |c| c.name);
        if numeric.get(i).copied().unwrap_or(false) {
            Some("num")
        } else if matches!(name, "occ" | "contract" | "roll_to") {
            Some("occ")
        } else if matches!(name, "expiry" | "opened" | "date" | "symbol") {
            Some("nowrap")
        } else if matches!(name, "why" | "reasons" | "note" | "detail" | "flags") {
            Some("wrap")
        } else {
            None
        }
    };
    html! {
        div.scroll {
            table {
                caption { (caption) }
                thead {
                    tr {
                        @for (i, c) in t.columns().iter().enumerate() {
                            th scope="col" class=[class(i)] { (c.label) }
                        }
                    }
                }
                tbody {
                    @for row in t.rows() {
                        tr {
                            @for (i, cell) in row.iter().enumerate() {
                                @if i == 0 && row_headers {
                                    th scope="row" class=[class(i)] { (cell_text(cell)) }
                                } @else {
                                    td class=[class(i)] { (cell_text(cell)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A two-column table of parameters from any serializable value's top-level fields (nested
/// values shown as compact JSON), so every parameter a run used is on the page.
pub fn params_table<T: Serialize>(caption: &str, params: &T) -> Markup {
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(params) {
        for (k, v) in map {
            let shown = match &v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "—".to_string(),
                other => other.to_string(),
            };
            rows.push((k.replace('_', " "), shown));
        }
    }
    table(caption, &Table::from_rows(PARAMETERS, &rows), true)
}

const PARAMETERS: &[Col<(String, String)>] = &[
    Col::new("parameter", "parameter", |r| Cell::text(&r.0)),
    Col::new("value", "value", |r| Cell::text(&r.1)),
];

/// A figure holding one chart, or a note saying why it is missing.
pub fn figure(c: &chart::Chart) -> Markup {
    match chart::render(c) {
        Ok(svg) => html! {
            figure.chart {
                (PreEscaped(svg))
                figcaption { (c.title) }
            }
        },
        Err(e) => html! {
            figure.chart.missing {
                p { "No chart: " (e.to_string()) }
                figcaption { (c.title) }
            }
        },
    }
}

/// A bulleted list under a heading; nothing when empty.
pub fn list_section(heading: &str, class: &str, items: &[String]) -> Markup {
    html! {
        @if !items.is_empty() {
            section class=(class) {
                h2 { (heading) }
                ul { @for i in items { li { (i) } } }
            }
        }
    }
}

/// A fraction as percent for prose ("23.4 %").
fn pct(v: f64, decimals: usize) -> String {
    format!("{} %", human_number(v * 100.0, decimals))
}

/// USD for prose ("1,234.50 USD" style is the tables'; prose uses "$1,234").
fn usd(v: f64) -> String {
    crate::export::money(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_accessible_and_escaped() {
        let cols: &[Col<(&str, f64, &str)>] = &[
            Col::new("symbol", "symbol", |r| Cell::text(r.0)),
            Col::new("strike", "strike $", |r| Cell::num(Some(r.1), 2)),
            Col::new("why", "why", |r| Cell::text(r.2)),
        ];
        let t = Table::from_rows(cols, &[("NVDA", 200.0, "<b>rich</b> & cheap")]);
        let s = table("Plan", &t, true).into_string();
        assert!(s.contains("<caption>Plan</caption>"));
        assert!(s.contains("<th scope=\"col\" class=\"num\">strike $</th>"));
        assert!(s.contains("<th scope=\"row\" class=\"nowrap\">NVDA</th>"));
        assert!(s.contains("<td class=\"num\">200.00</td>"));
        assert!(s.contains("&lt;b&gt;rich&lt;/b&gt; &amp; cheap"));
    }

    #[test]
    fn page_is_self_contained() {
        let mut p = Page::new("Plan <test>");
        p.fact("as of", "2026-12-01T10:00:00-05:00");
        p.sections
            .push(list_section("Warnings", "warnings", &["x".to_string()]));
        let s = p.render();
        assert!(s.starts_with("<!DOCTYPE html>"));
        assert!(s.contains("<title>Plan &lt;test&gt;</title>"));
        assert!(s.contains("prefers-color-scheme: dark"));
        assert!(s.contains("@media print"));
        for banned in [
            "<script", "<link", "<img", "@import", "url(", "http:", "https:",
        ] {
            assert!(!s.contains(banned), "page contains {banned}");
        }
    }

    #[test]
    fn params_rows_from_serde() {
        #[derive(Serialize)]
        struct P {
            min_open_interest: u64,
            basis: &'static str,
            weights: Option<f64>,
        }
        let s = params_table(
            "Parameters",
            &P {
                min_open_interest: 100,
                basis: "bid",
                weights: None,
            },
        )
        .into_string();
        assert!(
            s.contains("<th scope=\"row\">min open interest</th><td>100</td>"),
            "{s}"
        );
        assert!(s.contains("<td>bid</td>"));
        assert!(s.contains("<td>—</td>"));
    }
}
