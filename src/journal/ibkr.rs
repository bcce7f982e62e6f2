//! The `Trades` section of an Interactive Brokers activity statement CSV.
//!
//! `Trades,Header,DataDiscriminator,Asset Category,Currency,(Account,)Symbol,Date/Time,
//! Quantity,T. Price,C. Price,Proceeds,Comm/Fee,Basis,Realized P/L,MTM P/L,Code`, then `Data`
//! rows (`Order`, sometimes `Trade` or `ClosedLot` detail) and `SubTotal`/`Total` rows.
//! Quantities are signed (a sale is negative), `Comm/Fee` is negative, dates read
//! `2025-12-01, 10:15:32`, and `Code` says what happened: `O` opening, `C` closing, `Ep`
//! expired, `A` assignment (several joined by `;`).

use super::{Action, HistoryFormat, Transactions};
use crate::import::fields::{self, number_at, Header, ParseError, Row};

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter()
        .any(|r| r.get(0) == "Trades" && r.get(1) == "Header")
}

fn action(code: &str, qty: f64) -> Option<Action> {
    let codes: Vec<&str> = code.split(';').map(str::trim).collect();
    if codes.contains(&"Ep") {
        Some(Action::Expired)
    } else if codes.contains(&"A") {
        Some(Action::Assigned)
    } else if codes.contains(&"O") && qty < 0.0 {
        Some(Action::SellToOpen)
    } else if codes.contains(&"C") && qty > 0.0 {
        Some(Action::BuyToClose)
    } else {
        None
    }
}

/// Parse an activity statement's trades.
pub fn parse(text: &str) -> Result<Transactions, ParseError> {
    let rows = fields::rows(text)?;
    let mut t = Transactions::new(HistoryFormat::IbkrTrades);
    let account = rows.iter().find_map(|r| {
        (r.get(0) == "Account Information" && r.get(1) == "Data" && r.get(2) == "Account")
            .then(|| r.get(3).to_string())
    });
    let mut header: Option<Header> = None;
    let has_orders = rows
        .iter()
        .any(|r| r.get(0) == "Trades" && r.get(1) == "Data" && r.get(2) == "Order");
    for row in &rows {
        if row.get(0) != "Trades" {
            continue;
        }
        match row.get(1) {
            "Header" => {
                header = Some(Header::new(&Row {
                    line: row.line,
                    cells: row.cells.get(2..).unwrap_or_default().to_vec(),
                }));
            }
            "Data" => {
                let Some(h) = &header else {
                    return Err(ParseError::at(row.line, 2, "Trades data before its header"));
                };
                let col = |n: &[&str]| h.col(n).map(|c| c + 2);
                let kind = row.opt(col(&["DataDiscriminator"]));
                if (has_orders && kind != "Order") || kind.eq_ignore_ascii_case("closedlot") {
                    continue;
                }
                let account = match col(&["account"]) {
                    Some(c) => Some(row.get(c).to_string()).filter(|a| !a.is_empty()),
                    None => account.clone(),
                };
                let sym = row.opt(col(&["symbol"]));
                if !row
                    .opt(col(&["asset category"]))
                    .to_ascii_lowercase()
                    .contains("option")
                {
                    t.ignore(row.line, &account, sym, "not an option trade");
                    continue;
                }
                let qty = number_at(row, col(&["quantity"]), "quantity")?;
                let code = row.opt(col(&["code"]));
                let act = action(code, qty.unwrap_or(0.0));
                if act.is_none() {
                    t.ignore(
                        row.line,
                        &account,
                        sym,
                        "long option trade: not a written call",
                    );
                    continue;
                }
                let c_date = col(&["date/time"]);
                let date_text = row.opt(c_date);
                let date = fields::date(date_text);
                if date.is_none() {
                    return Err(ParseError::at(
                        row.line,
                        c_date.map_or(0, |c| c + 1),
                        format!("{date_text:?} is not a date"),
                    ));
                }
                let price = number_at(row, col(&["t. price", "tprice"]), "T. Price")?;
                let fees =
                    number_at(row, col(&["comm/fee", "comm in usd"]), "Comm/Fee")?.unwrap_or(0.0);
                let proceeds = number_at(row, col(&["proceeds"]), "Proceeds")?;
                let amount = proceeds.map(|p| p - fees.abs());
                t.event(row.line, &account, sym, act, date, qty, price, fees, amount)?;
            }
            _ => {}
        }
    }
    if header.is_none() {
        return Err(ParseError::at(
            1,
            0,
            "no Trades section in this activity statement",
        ));
    }
    Ok(t)
}
