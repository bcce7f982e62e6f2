//! Fidelity account history (`Accounts_History.csv`).
//!
//! A few blank lines, the header `Run Date`, (`Account`,) `Action`, `Symbol`,
//! `Security Description` or `Description`, `Security Type`, `Quantity`, `Price ($)`,
//! `Commission ($)`, `Fees ($)`, `Accrued Interest ($)`, `Amount ($)`, `Settlement Date`,
//! the transactions, and quoted disclaimer lines at the end. The action is a sentence:
//! `YOU SOLD OPENING TRANSACTION CALL (NVDA) …`, `YOU BOUGHT CLOSING TRANSACTION …`,
//! `EXPIRED CALL (NVDA) …`, `ASSIGNED as of Dec-19-2025 CALL (NVDA) …`; the symbol is
//! ` -NVDA251219C150`; quantities are signed.

use super::{Action, HistoryFormat, Transactions};
use crate::import::fields::{self, number_at, Header, ParseError, Row};

fn is_header(r: &Row) -> bool {
    Header::new(r).has_all(&["run date", "action", "symbol", "quantity", "amount"])
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(5).any(is_header)
}

fn action(s: &str) -> Option<Action> {
    let u = s.to_ascii_uppercase();
    if u.contains("SOLD OPENING") {
        Some(Action::SellToOpen)
    } else if u.contains("BOUGHT CLOSING") {
        Some(Action::BuyToClose)
    } else if u.starts_with("EXPIRED") {
        Some(Action::Expired)
    } else if u.starts_with("ASSIGNED") {
        Some(Action::Assigned)
    } else {
        None
    }
}

/// Parse a Fidelity account history.
pub fn parse(text: &str) -> Result<Transactions, ParseError> {
    let rows = fields::rows(text)?;
    let mut t = Transactions::new(HistoryFormat::Fidelity);
    let Some(hi) = rows.iter().position(is_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Run Date, Action, Symbol, …)",
        ));
    };
    let h = Header::new(&rows[hi]);
    let c_date = h.need(&["run date"])?;
    let c_action = h.need(&["action"])?;
    let c_sym = h.need(&["symbol"])?;
    let c_account = h.col(&["account"]);
    let mut disclaimers = 0;
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        if row.cells.iter().filter(|c| !c.is_empty()).count() == 1 && row.cells.len() <= 2 {
            disclaimers += 1;
            continue;
        }
        let account = Some(row.opt(c_account).to_string()).filter(|a| !a.is_empty());
        let act_text = row.get(c_action);
        let sym = row.get(c_sym);
        let act = action(act_text);
        if act.is_none() {
            let u = act_text.to_ascii_uppercase();
            let reason = if u.contains("BOUGHT OPENING") || u.contains("SOLD CLOSING") {
                "long option trade: not a written call"
            } else {
                "not a written-call event"
            };
            let what = if sym.is_empty() { act_text } else { sym };
            t.ignore(row.line, &account, what, reason);
            continue;
        }
        let date_text = row.get(c_date);
        let date = fields::date(date_text);
        if date.is_none() {
            return Err(ParseError::at(
                row.line,
                c_date + 1,
                format!("{date_text:?} is not a date"),
            ));
        }
        let qty = number_at(row, h.col(&["quantity"]), "quantity")?;
        let price = number_at(row, h.col(&["price ($)", "price"]), "price")?;
        let comm = number_at(row, h.col(&["commission ($)", "commission"]), "commission")?;
        let fees = number_at(row, h.col(&["fees ($)", "fees"]), "fees")?;
        let amount = number_at(row, h.col(&["amount ($)", "amount"]), "amount")?;
        let fees = comm.unwrap_or(0.0).abs() + fees.unwrap_or(0.0).abs();
        t.event(row.line, &account, sym, act, date, qty, price, fees, amount)?;
    }
    if disclaimers > 0 {
        t.notes.push(format!(
            "{disclaimers} disclaimer lines after the history skipped"
        ));
    }
    Ok(t)
}
