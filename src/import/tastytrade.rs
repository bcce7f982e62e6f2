//! tastytrade positions export (web platform, Positions → export).
//!
//! One header: `Account`, `Symbol`, `Type`, `Quantity`, `Exp Date`, `DTE`, `Strike Price`,
//! `Call/Put`, `Underlying Last Price`, `P/L Open`, `P/L Day`, `Trade Price`, … (only the
//! columns on screen are exported, so all but `Symbol` and `Quantity` are optional). `Type`
//! is `Stock`/`Equity` or `Equity Option`; an option's `Symbol` is its padded OCC symbol, or
//! else the contract is read from `Exp Date`, `Strike Price` and `Call/Put`. Short positions
//! have a negative quantity; `Trade Price` is the open price per share.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions};

fn is_header(r: &Row) -> bool {
    let h = Header::new(r);
    h.has_all(&["symbol", "quantity", "type"])
        && (h.col(&["call/put"]).is_some() || h.col(&["strike price"]).is_some())
        && h.col(&["exp date"]).is_some()
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(3).any(is_header)
}

/// Parse a tastytrade positions export.
pub fn parse(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::Tastytrade);
    let Some(hi) = rows.iter().position(is_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Account, Symbol, Type, Quantity, …)",
        ));
    };
    let h = Header::new(&rows[hi]);
    let c_sym = h.need(&["symbol"])?;
    let c_qty = h.need(&["quantity"])?;
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        let account = p.account(row.opt(h.col(&["account"])));
        let sym = row.get(c_sym);
        let ty = row.opt(h.col(&["type"])).to_ascii_lowercase();
        let Some(mut qty) = number_at(row, Some(c_qty), "quantity")? else {
            p.ignore(row.line, &account, sym, "no quantity");
            continue;
        };
        // Some layouts give an unsigned quantity and the side in its own column.
        let side = row.opt(h.col(&["direction", "side"])).to_ascii_lowercase();
        if side.starts_with("short") && qty > 0.0 {
            qty = -qty;
        }
        let price = number_at(row, h.col(&["trade price"]), "trade price")?;
        if ty.contains("option") {
            let contract = fields::option_symbol(sym).or_else(|| {
                let root = sym.split_whitespace().next()?;
                let expiry = fields::date(row.opt(h.col(&["exp date"])))?;
                let strike = fields::number(row.opt(h.col(&["strike price"]))).ok()??;
                let right = row.opt(h.col(&["call/put"])).parse().ok()?;
                crate::model::OptionContract::new(root, expiry, strike, right).ok()
            });
            match contract {
                Some(c) => p.option(row.line, &account, c, qty, price),
                None => p.ignore(row.line, &account, sym, "option symbol not understood"),
            }
        } else if ty.is_empty() || ty.contains("stock") || ty.contains("equity") {
            p.stock(row.line, &account, sym, qty, price.map(Basis::PerShare));
        } else {
            p.ignore(
                row.line,
                &account,
                sym,
                format!("type {ty:?}: not stock or an option"),
            );
        }
    }
    Ok(p)
}
