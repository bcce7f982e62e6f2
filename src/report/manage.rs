//! The manage page: each written call with its action (hold, close, roll, let assign), the
//! reasons, the early-assignment reading and the rolls considered.

use maud::html;

use super::{list_section, params_table, table, Page};
use crate::export::{Cell, Table};
use crate::plan::{ManageReport, ManagedPosition, PositionAction};

/// The manage page for a report; `sources` as (what, which), `warnings` of the run.
pub fn manage_page(r: &ManageReport, sources: &[(String, String)], warnings: &[String]) -> String {
    let mut page = Page::new("Written calls");
    page.fact("as of", r.as_of.to_rfc3339());
    for (k, v) in sources {
        page.fact(k.clone(), v.clone());
    }
    let acting = r
        .positions
        .iter()
        .filter(|p| p.action != PositionAction::Hold)
        .count();
    page.fact(
        "positions",
        format!("{} ({} need an action)", r.positions.len(), acting),
    );
    page.sections
        .push(list_section("Warnings", "warnings", warnings));
    page.sections.push(html! {
        section {
            h2 { "Positions" }
            (table("Each written call: market, P&L and the action", &positions_table(&r.positions), true))
        }
    });
    for p in &r.positions {
        let e = &p.early_assignment;
        page.sections.push(html! {
            section.position {
                h2 { span.occ { (p.contract) } " — " (p.action.as_str()) }
                ul { @for x in &p.reasons { li { (x) } } }
                @if p.in_chain {
                    p { "Early assignment (" (e.model) "): " (e.note) }
                }
                @if !p.next.is_empty() {
                    p.muted { "Next: " (p.next.join("; ")) }
                }
                @if !p.rolls.is_empty() {
                    (table(&format!("Rolls considered for {}", p.contract), &rolls_table(p), true))
                }
            }
        });
    }
    page.sections.push(list_section("Notes", "notes", &r.notes));
    page.sections.push(html! {
        section.params {
            h2 { "Parameters" }
            (params_table("The management rules' parameters for this run", &r.parameters))
        }
    });
    page.render()
}

fn positions_table(ps: &[ManagedPosition]) -> Table {
    let mut t = Table::new(&[
        ("contract", "contract (OCC)"),
        ("contracts", "contracts"),
        ("dte", "DTE days"),
        ("spot", "spot $"),
        ("strike", "strike $"),
        ("bid", "bid $"),
        ("ask", "ask $"),
        ("delta", "Δ"),
        ("moneyness", "ITM %"),
        ("extrinsic", "extrinsic $/sh"),
        ("extrinsic_per_day", "extrinsic $/sh/day"),
        ("captured", "captured %"),
        ("pnl_if_closed", "P&L if closed $"),
        ("pnl_if_assigned", "P&L if assigned $"),
        ("p_early_exercise", "P(early) %"),
        ("action", "action"),
        ("roll_to", "roll to (OCC)"),
        ("net_credit", "net credit $/sh"),
    ]);
    for p in ps {
        t.push(vec![
            Cell::text(&p.contract),
            Cell::Int(i64::from(p.contracts)),
            Cell::Int(p.dte),
            Cell::num(p.spot, 2),
            Cell::num(Some(p.strike), 2),
            Cell::num(p.bid, 2),
            Cell::num(p.ask, 2),
            Cell::num(p.delta, 2),
            Cell::pct(p.moneyness, 1),
            Cell::num(p.extrinsic, 2),
            Cell::num(p.extrinsic_per_day, 3),
            Cell::pct(p.captured, 0),
            Cell::num(p.pnl_if_closed, 0),
            Cell::num(p.pnl_if_assigned, 0),
            Cell::pct(p.p_early_exercise, 1),
            Cell::text(p.action.as_str()),
            Cell::text(p.roll_to.clone().unwrap_or_default()),
            Cell::num(p.net_credit, 2),
        ]);
    }
    t
}

fn rolls_table(p: &ManagedPosition) -> Table {
    let mut t = Table::new(&[
        ("contract", "roll to (OCC)"),
        ("strike", "strike $"),
        ("dte", "DTE days"),
        ("net_credit", "net credit $/sh"),
        ("assignment_probability", "P(assign) %"),
        ("annualized_yield", "yield/yr %"),
    ]);
    for c in &p.rolls {
        t.push(vec![
            Cell::text(&c.contract),
            Cell::num(Some(c.strike), 2),
            Cell::Int(c.dte),
            Cell::num(Some(c.net_credit), 2),
            Cell::pct(c.assignment_probability, 1),
            Cell::pct(Some(c.annualized_yield), 1),
        ]);
    }
    t
}
