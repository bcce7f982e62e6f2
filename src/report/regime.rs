//! The regime page: the verdict and its reasons, the term structure, the IV history behind
//! the rank, the smile of the expiry nearest 30 days, and every reading as a table.

use maud::html;

use super::figures::{iv_history_chart, smile_chart, term_chart, verdict_block, Smile};
use super::{figure, list_section, params_table, table, Page};
use crate::regime::{IvObservation, RegimeReport};

/// Everything a regime page shows.
#[derive(Debug, Clone)]
pub struct RegimeView<'a> {
    /// The report.
    pub report: &'a RegimeReport,
    /// The smile of the expiry nearest 30 days, when the chain gave one.
    pub smile: Option<Smile>,
    /// The stored IV30 series before today, oldest first.
    pub iv_history: Vec<IvObservation>,
    /// Where the data came from: (what, which).
    pub sources: Vec<(String, String)>,
    /// Warnings of the run.
    pub warnings: &'a [String],
}

/// The regime page.
pub fn regime_page(v: &RegimeView<'_>) -> String {
    let r = v.report;
    let mut page = Page::new(format!("IV regime: {}", r.symbol));
    page.fact("as of", r.as_of.to_rfc3339());
    page.fact("spot", format!("{:.2} USD", r.spot_usd));
    for (k, s) in &v.sources {
        page.fact(k.clone(), s.clone());
    }
    if let Some(d) = r.next_earnings {
        page.fact("next earnings", d.to_string());
    }
    page.sections
        .push(list_section("Warnings", "warnings", v.warnings));
    page.sections.push(html! {
        section {
            h2 { "Verdict" }
            p { (r.summary_line()) }
            (verdict_block(r))
            div.charts {
                @if r.term_structure.iter().any(|e| e.atm_iv.is_some()) {
                    (figure(&term_chart(&r.symbol, r, None)))
                }
                @if !v.iv_history.is_empty() {
                    (figure(&iv_history_chart(&r.symbol, &v.iv_history, Some(r))))
                }
                @if let Some(s) = &v.smile {
                    (figure(&smile_chart(&r.symbol, s, None)))
                }
            }
            @if v.iv_history.is_empty() {
                p.muted { "No stored IV history: IV rank and percentile come from the store once it has sessions." }
            }
        }
    });
    for (title, t) in r.to_tables() {
        page.sections.push(html! {
            section {
                h2 { (capitalized(title)) }
                (table(&format!("{}: {title}", r.symbol), &t, true))
            }
        });
    }
    page.sections.push(list_section("Notes", "notes", &r.notes));
    page.sections.push(html! {
        section.params {
            h2 { "Thresholds" }
            (params_table("The verdict's thresholds for this run", &r.thresholds))
        }
    });
    page.render()
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
