//! Charles Schwab positions export.
//!
//! A title line `"Positions for account Individual ...123 as of 09:45 PM ET, 2025/12/05"` (or
//! `Positions for All-Accounts as of …`, then one section per account, each introduced by a
//! line naming the account), a blank line, the header (`Symbol`, `Description`,
//! `Qty (Quantity)` or `Quantity`, `Price`, …, `Cost Basis`, …, `Security Type`), the
//! positions, a `Cash & Cash Investments` row and an `Account Total` row. Every field is
//! quoted and lines end with a comma. `Cost Basis` is the position's total; options are
//! `NVDA 12/19/2025 150.00 C` with a negative quantity when short.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions, MULTIPLIER};

fn is_title(r: &Row) -> bool {
    r.get(0).starts_with("Positions for ")
}

fn is_header(r: &Row) -> bool {
    let h = Header::new(r);
    r.get(0).eq_ignore_ascii_case("symbol")
        && h.has_all(&["description", "quantity", "security type"])
}

pub(super) fn sniff(rows: &[Row]) -> bool {
    rows.iter().take(3).any(is_title) && rows.iter().any(is_header)
}

/// The account a title names: `Positions for account Individual ...123 as of …`.
fn account_of_title(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("Positions for account ")?;
    Some(rest.split(" as of ").next().unwrap_or(rest).trim())
}

/// Parse a Schwab positions export.
pub fn parse(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::Schwab);
    let mut account: Option<String> = None;
    let mut header: Option<Header> = None;
    let mut last_label: Option<String> = None;
    for row in &rows {
        if row.is_blank() {
            continue;
        }
        let first = row.get(0);
        let nonempty = row.cells.iter().filter(|c| !c.is_empty()).count();
        if is_title(row) {
            account = account_of_title(first).and_then(|a| p.account(a));
            continue;
        }
        if is_header(row) {
            header = Some(Header::new(row));
            if let Some(label) = last_label.take() {
                account = p.account(&label);
            }
            continue;
        }
        let Some(h) = &header else {
            if nonempty == 1 {
                last_label = Some(first.to_string());
                continue;
            }
            return Err(ParseError::at(
                row.line,
                1,
                format!("{first:?} before the header line (Symbol, Description, Quantity, …)"),
            ));
        };
        if nonempty == 1 && !first.is_empty() {
            // The next account's name in an All-Accounts export.
            last_label = Some(first.to_string());
            header = None;
            continue;
        }
        let qty_col = h.need(&["quantity", "qty"])?;
        let ty = row.opt(h.col(&["security type"])).to_ascii_lowercase();
        if first.eq_ignore_ascii_case("account total") || first.starts_with("Cash & Cash") {
            p.ignore(row.line, &account, first, "cash or account total");
            continue;
        }
        if ty.contains("cash") || ty.contains("money market") {
            p.ignore(row.line, &account, first, "cash or money market");
            continue;
        }
        if ty.contains("mutual fund") || ty.contains("fixed income") || ty.contains("bond") {
            p.ignore(
                row.line,
                &account,
                first,
                format!("{ty}: no listed options"),
            );
            continue;
        }
        let qty = number_at(row, Some(qty_col), "quantity")?;
        let basis = number_at(row, h.col(&["cost basis"]), "cost basis")?;
        let Some(qty) = qty else {
            p.ignore(row.line, &account, first, "no quantity");
            continue;
        };
        if ty.contains("option") || fields::option_symbol(first).is_some() {
            match fields::option_symbol(first) {
                Some(c) => {
                    // The cost basis of a short option is the premium received, in total.
                    let price = basis
                        .filter(|b| *b != 0.0 && qty != 0.0)
                        .map(|b| b.abs() / (qty.abs() * MULTIPLIER));
                    if price.is_some() && qty < 0.0 {
                        p.note(
                            "short calls: open price from the cost basis (total / (contracts × 100))",
                        );
                    }
                    p.option(row.line, &account, c, qty, price);
                }
                None => p.ignore(row.line, &account, first, "option symbol not understood"),
            }
            continue;
        }
        p.stock(row.line, &account, first, qty, basis.map(Basis::Total));
    }
    if header.is_none() && p.lots.is_empty() && p.calls.is_empty() && p.ignored.is_empty() {
        return Err(ParseError::at(
            rows.last().map_or(1, |r| r.line),
            0,
            "no header line (Symbol, Description, Quantity, …) in the file",
        ));
    }
    Ok(p)
}
