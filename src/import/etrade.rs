//! E*TRADE portfolio download (`PortfolioDownload.csv`).
//!
//! An `Account Summary` block (a title line, a header starting `Account`, one row naming the
//! account, e.g. `Individual Brokerage -1234`, with its value), a blank line, a view title
//! such as `View Summary - All Positions`, the positions header (`Symbol`, `Last Price $`,
//! `Change $`, `Change %`, `Quantity` or `Qty #`, `Price Paid $`, …, `Value $`), one row per
//! position, a `CASH` row and a `TOTAL` row, and a trailing "Generated at …" line.
//! `Price Paid $` is per share (per share of premium for options); options read
//! `NVDA Dec 19 '25 $150 Call`.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions};

fn is_header(r: &Row) -> bool {
    let h = Header::new(r);
    r.get(0).eq_ignore_ascii_case("symbol")
        && h.col(&["price paid $", "price paid"]).is_some()
        && h.col(&["quantity", "qty #", "qty"]).is_some()
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(40).any(is_header)
}

/// Parse an E*TRADE portfolio download.
pub fn parse(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::Etrade);
    let mut account: Option<String> = None;
    let mut in_summary = false;
    let mut header: Option<Header> = None;
    for row in &rows {
        if row.is_blank() {
            continue;
        }
        let first = row.get(0);
        if first.eq_ignore_ascii_case("account summary") {
            in_summary = true;
            continue;
        }
        if in_summary {
            if first.eq_ignore_ascii_case("account") {
                continue;
            }
            account = p.account(first);
            in_summary = false;
            continue;
        }
        if is_header(row) {
            header = Some(Header::new(row));
            continue;
        }
        let Some(h) = &header else { continue };
        let nonempty = row.cells.iter().filter(|c| !c.is_empty()).count();
        if nonempty == 1 && row.cells.len() <= 2 {
            // "Generated at …" and other notes.
            continue;
        }
        let up = first.to_ascii_uppercase();
        if up == "CASH" || up == "TOTAL" || up.starts_with("TOTAL ") {
            p.ignore(row.line, &account, first, "cash or total");
            continue;
        }
        let Some(qty) = number_at(row, h.col(&["quantity", "qty #", "qty"]), "quantity")? else {
            p.ignore(row.line, &account, first, "no quantity");
            continue;
        };
        let paid = number_at(row, h.col(&["price paid $", "price paid"]), "price paid")?;
        match fields::option_symbol(first) {
            Some(c) => p.option(row.line, &account, c, qty, paid),
            None if first.contains(' ') => p.ignore(
                row.line,
                &account,
                first,
                "not a stock or an option ccplan understands",
            ),
            None => p.stock(row.line, &account, first, qty, paid.map(Basis::PerShare)),
        }
    }
    if header.is_none() {
        return Err(ParseError::at(
            1,
            0,
            "no positions header (Symbol, …, Price Paid $, …)",
        ));
    }
    Ok(p)
}
