//! The manage page: each written call with its action (hold, close, roll, let assign), the
//! reasons, the early-assignment reading and the rolls considered.

use maud::html;

use super::{list_section, params_table, table, Page};
use crate::export::{Cell, Col, Table};
use crate::plan::{ManageReport, ManagedPosition, PositionAction, RollCandidate};

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
    Table::from_rows(POSITIONS, ps)
}

const POSITIONS: &[Col<ManagedPosition>] = &[
    Col::new("contract", "contract (OCC)", |p| Cell::text(&p.contract)),
    Col::new("contracts", "contracts", |p| {
        Cell::Int(i64::from(p.contracts))
    }),
    Col::new("dte", "DTE days", |p| Cell::Int(p.dte)),
    Col::new("spot", "spot $", |p| Cell::num(p.spot, 2)),
    Col::new("strike", "strike $", |p| Cell::num(Some(p.strike), 2)),
    Col::new("bid", "bid $", |p| Cell::num(p.bid, 2)),
    Col::new("ask", "ask $", |p| Cell::num(p.ask, 2)),
    Col::new("delta", "Δ", |p| Cell::num(p.delta, 2)),
    Col::new("moneyness", "ITM %", |p| Cell::pct(p.moneyness, 1)),
    Col::new("extrinsic", "extrinsic $/sh", |p| Cell::num(p.extrinsic, 2)),
    Col::new("extrinsic_per_day", "extrinsic $/sh/day", |p| {
        Cell::num(p.extrinsic_per_day, 3)
    }),
    Col::new("captured", "captured %", |p| Cell::pct(p.captured, 0)),
    Col::new("pnl_if_closed", "P&L if closed $", |p| {
        Cell::num(p.pnl_if_closed, 0)
    }),
    Col::new("pnl_if_assigned", "P&L if assigned $", |p| {
        Cell::num(p.pnl_if_assigned, 0)
    }),
    Col::new("p_early_exercise", "P(early) %", |p| {
        Cell::pct(p.p_early_exercise, 1)
    }),
    Col::new("action", "action", |p| Cell::text(p.action.as_str())),
    Col::new("roll_to", "roll to (OCC)", |p| {
        Cell::text(p.roll_to.clone().unwrap_or_default())
    }),
    Col::new("net_credit", "net credit $/sh", |p| {
        Cell::num(p.net_credit, 2)
    }),
];

fn rolls_table(p: &ManagedPosition) -> Table {
    Table::from_rows(ROLLS, &p.rolls)
}

const ROLLS: &[Col<RollCandidate>] = &[
    Col::new("contract", "roll to (OCC)", |c| Cell::text(&c.contract)),
    Col::new("strike", "strike $", |c| Cell::num(Some(c.strike), 2)),
    Col::new("dte", "DTE days", |c| Cell::Int(c.dte)),
    Col::new("net_credit", "net credit $/sh", |c| {
        Cell::num(Some(c.net_credit), 2)
    }),
    Col::new("assignment_probability", "P(assign) %", |c| {
        Cell::pct(c.assignment_probability, 1)
    }),
    Col::new("annualized_yield", "yield/yr %", |c| {
        Cell::pct(Some(c.annualized_yield), 1)
    }),
];
