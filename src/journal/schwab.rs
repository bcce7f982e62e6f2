//! Charles Schwab transaction history CSV.
//!
//! Optionally a title line `"Transactions  for account Individual ...123 as of …"`, then the
//! header `Date`, `Action`, `Symbol`, `Description`, `Quantity`, `Price`, `Fees & Comm`,
//! `Amount`, one row per transaction (dates like `12/19/2025 as of 12/18/2025`, money as
//! `$1,234.56`, quantities unsigned), and a closing `Transactions Total` row. Written-call
//! events are the actions `Sell to Open`, `Buy to Close`, `Expired` and `Assigned` on a
//! call spelled `NVDA 12/19/2025 150.00 C`.

use super::{Action, HistoryFormat, Transactions};
use crate::import::fields::{self, number_at, Header, ParseError, Row};

fn is_header(r: &Row) -> bool {
    Header::new(r).has_all(&[
        "date",
        "action",
        "symbol",
        "quantity",
        "price",
        "fees & comm",
        "amount",
    ])
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(3).any(is_header)
}

fn action(s: &str) -> Option<Action> {
    match s.trim().to_ascii_lowercase().as_str() {
        "sell to open" => Some(Action::SellToOpen),
        "buy to close" => Some(Action::BuyToClose),
        "expired" => Some(Action::Expired),
        "assigned" => Some(Action::Assigned),
        _ => None,
    }
}

/// Parse a Schwab transaction history.
pub fn parse(text: &str) -> Result<Transactions, ParseError> {
    let rows = fields::rows(text)?;
    let mut t = Transactions::new(HistoryFormat::Schwab);
    let Some(hi) = rows.iter().position(is_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Date, Action, Symbol, …)",
        ));
    };
    let account = rows[..hi].iter().find_map(|r| {
        let s = r.get(0).trim();
        let rest = s.strip_prefix("Transactions")?.trim_start();
        let rest = rest.strip_prefix("for account ")?;
        Some(
            rest.split(" as of ")
                .next()
                .unwrap_or(rest)
                .trim()
                .to_string(),
        )
    });
    let h = Header::new(&rows[hi]);
    let c_date = h.need(&["date"])?;
    let c_action = h.need(&["action"])?;
    let c_sym = h.need(&["symbol"])?;
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        let date_text = row.get(c_date);
        if date_text.eq_ignore_ascii_case("transactions total") {
            continue;
        }
        let act_text = row.get(c_action);
        let sym = row.get(c_sym);
        let act = action(act_text);
        if act.is_none() {
            let what = if sym.is_empty() { act_text } else { sym };
            let reason = match act_text.to_ascii_lowercase().as_str() {
                "buy to open" | "sell to close" => "long option trade: not a written call",
                _ => "not a written-call event",
            };
            t.ignore(row.line, &account, what, reason);
            continue;
        }
        let date = fields::date(date_text);
        if date.is_none() {
            return Err(ParseError::at(
                row.line,
                c_date + 1,
                format!("{date_text:?} is not a date"),
            ));
        }
        let qty = number_at(row, h.col(&["quantity"]), "quantity")?;
        let price = number_at(row, h.col(&["price"]), "price")?;
        let fees = number_at(row, h.col(&["fees & comm"]), "fees & comm")?.unwrap_or(0.0);
        let amount = number_at(row, h.col(&["amount"]), "amount")?;
        t.event(row.line, &account, sym, act, date, qty, price, fees, amount)?;
    }
    Ok(t)
}
