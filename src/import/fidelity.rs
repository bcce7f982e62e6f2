//! Fidelity positions export (`Portfolio_Positions_Dec-05-2025.csv`).
//!
//! One header line (`Account Number`, `Account Name`, `Symbol`, `Description`, `Quantity`,
//! `Last Price`, …, `Current Value`, …, `Cost Basis Total`, `Average Cost Basis`, `Type`),
//! one row per position and account (often several accounts in one file), money-market
//! sweeps as `SPAXX**`, a `Pending Activity` row, options as ` -NVDA251219C150` with a
//! negative quantity when short, rows ending in a comma, sometimes a byte-order mark, and
//! after the data a blank line and quoted disclaimer lines ("The data and information in
//! this spreadsheet…", "Date downloaded …"). Older downloads have one `Account Name/Number`
//! column and `Cost Basis` / `Cost Basis Per Share` instead.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions};

fn is_header(r: &Row) -> bool {
    let h = Header::new(r);
    h.has_all(&["symbol", "quantity", "current value", "last price"])
        && h.col(&["account number", "account name/number"]).is_some()
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(5).any(is_header)
}

/// Parse a Fidelity positions export.
pub fn parse(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::Fidelity);
    let Some(hi) = rows.iter().position(is_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Account Number, Symbol, Quantity, …)",
        ));
    };
    let h = Header::new(&rows[hi]);
    let c_num = h.col(&["account number", "account name/number"]);
    let c_name = h.col(&["account name"]);
    let c_sym = h.need(&["symbol"])?;
    let c_qty = h.need(&["quantity"])?;
    let c_avg = h.col(&["average cost basis", "cost basis per share"]);
    let c_total = h.col(&["cost basis total", "cost basis"]);
    let c_desc = h.col(&["description"]);
    let mut disclaimers = 0;
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        let nonempty = row.cells.iter().filter(|c| !c.is_empty()).count();
        if nonempty == 1 && row.cells.len() <= 2 {
            disclaimers += 1;
            continue;
        }
        let label = format!("{} {}", row.opt(c_name), row.opt(c_num));
        let account = p.account(&label);
        let sym = row.get(c_sym);
        let desc = row.opt(c_desc);
        if sym.ends_with("**") || desc.to_ascii_uppercase().contains("MONEY MARKET") {
            p.ignore(row.line, &account, sym, "cash or money market");
            continue;
        }
        if sym.eq_ignore_ascii_case("pending activity") || sym.is_empty() {
            p.ignore(row.line, &account, sym, "pending activity or cash");
            continue;
        }
        let Some(qty) = number_at(row, Some(c_qty), "quantity")? else {
            p.ignore(row.line, &account, sym, "no quantity");
            continue;
        };
        let avg = number_at(row, c_avg, "average cost basis")?;
        let total = number_at(row, c_total, "cost basis total")?;
        if sym.trim_start().starts_with('-')
            || fields::option_symbol(sym).is_some() && sym.len() > 8
        {
            match fields::option_symbol(sym) {
                Some(c) => p.option(row.line, &account, c, qty, avg),
                None => p.ignore(row.line, &account, sym, "option symbol not understood"),
            }
            continue;
        }
        let basis = match (avg, total) {
            (Some(a), _) => Some(Basis::PerShare(a)),
            (None, Some(t)) => Some(Basis::Total(t)),
            _ => None,
        };
        p.stock(row.line, &account, sym, qty, basis);
    }
    if disclaimers > 0 {
        p.note(format!(
            "{disclaimers} disclaimer lines after the positions skipped"
        ));
    }
    Ok(p)
}
