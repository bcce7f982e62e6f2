//! Robinhood positions CSV (as the portfolio trackers that read it describe it).
//!
//! One header: `Symbol`, `Name`, `Type` (optional), `Quantity`, `Average Cost`,
//! `Current Price`, `Total Return`, `Equity`. `Average Cost` is per share; an option reads
//! `NVDA 12/19/2025 Call $150.00` with a negative quantity when short. Fractional shares are
//! common here: the fraction is left out and said so.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions};

fn is_header(r: &Row) -> bool {
    let h = Header::new(r);
    h.has_all(&["symbol", "quantity", "average cost"])
        && (h.col(&["equity"]).is_some() || h.col(&["total return"]).is_some())
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(3).any(is_header)
}

/// Parse a Robinhood positions CSV.
pub fn parse(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::Robinhood);
    let Some(hi) = rows.iter().position(is_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Symbol, Quantity, Average Cost, …)",
        ));
    };
    let h = Header::new(&rows[hi]);
    let c_sym = h.need(&["symbol"])?;
    let c_qty = h.need(&["quantity"])?;
    let c_avg = h.col(&["average cost"]);
    let none = None;
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        let sym = row.get(c_sym);
        let ty = row.opt(h.col(&["type"])).to_ascii_lowercase();
        let Some(qty) = number_at(row, Some(c_qty), "quantity")? else {
            p.ignore(row.line, &none, sym, "no quantity");
            continue;
        };
        let avg = number_at(row, c_avg, "average cost")?;
        if ty.contains("crypto") || ty.contains("cash") {
            p.ignore(
                row.line,
                &none,
                sym,
                format!("{ty}: not stock or an option"),
            );
            continue;
        }
        match fields::option_symbol(sym) {
            Some(c) => p.option(row.line, &none, c, qty, avg),
            None if sym.contains(' ') => p.ignore(
                row.line,
                &none,
                sym,
                "not a stock or an option ccplan understands",
            ),
            None => p.stock(row.line, &none, sym, qty, avg.map(Basis::PerShare)),
        }
    }
    Ok(p)
}
