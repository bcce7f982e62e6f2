//! Holdings files: TOML or CSV, recognized from their content.
//!
//! TOML, one `[[holding]]` table per position:
//!
//! ```toml
//! [[holding]]
//! symbol = "NVDA"
//! shares = 300
//! cost_basis = 118.50          # USD per share, optional
//! next_earnings = 2027-02-24   # optional
//! ex_dividend = 2026-12-04     # optional
//! dividend = 0.01              # USD per share paid on the ex-date, optional
//! assign_ok_above = 190       # USD: content to be called away at this strike or higher, optional
//! # calls already sold; price (USD per share received), opened and fees (USD in total) optional
//! written = [{ contract = "NVDA261218C00200000", contracts = 1, price = 4.10, opened = 2026-11-02, fees = 0.65 }]
//! ```
//!
//! CSV with a header (columns in any order, names matched as every CSV of ccplan matches them,
//! `Cost Basis` = `cost_basis`; numbers such as `$1,118.50` read; only `symbol` and
//! `shares` are required):
//!
//! ```text
//! symbol,shares,cost_basis,next_earnings,ex_dividend,dividend,written
//! NVDA,300,118.50,2027-02-24,2026-12-04,0.01,NVDA261218C00200000:1@4.10:2026-11-02:0.65
//! MSFT,100,402.10,,,,
//! ```
//!
//! `written` lists calls already sold as `OCC:contracts`, several separated by `;`, each
//! optionally followed by `@PRICE[:OPENED[:FEES]]` (premium received in USD per share, the
//! date sold, fees in USD in total). A row with a single written call may give those in
//! `price`, `opened` and `fees` columns instead; `assign_ok_above` is a column too. Files
//! without any of these stay valid: the open price is then unknown.
//! Errors name the file, the line and the field.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;

use super::contract::{OptionContract, Right};
use super::holding::{CorporateEvents, Holding, Portfolio, WrittenCall};
use crate::csvread;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    holding: Vec<TomlHolding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlHolding {
    symbol: String,
    shares: i64,
    cost_basis: Option<f64>,
    next_earnings: Option<toml::value::Datetime>,
    ex_dividend: Option<toml::value::Datetime>,
    dividend: Option<f64>,
    assign_ok_above: Option<f64>,
    #[serde(default)]
    written: Vec<TomlWritten>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlWritten {
    contract: String,
    contracts: i64,
    price: Option<f64>,
    opened: Option<toml::value::Datetime>,
    fees: Option<f64>,
}

/// A holding's prices per share: its cost basis and the strike it is content to be called at.
#[derive(Debug, Clone, Copy)]
struct Prices {
    cost_basis: Option<f64>,
    assign_ok_above: Option<f64>,
}

/// What is known about how a written call was opened.
#[derive(Debug, Default, Clone, Copy)]
struct Opening {
    price: Option<f64>,
    opened: Option<NaiveDate>,
    fees: Option<f64>,
}

/// The most shares one holding may have: more than any listed company's float, so a larger
/// count is a typo (or an overflow), not a position.
pub const MAX_SHARES: u64 = 10_000_000_000;

/// Parse a holdings file's text. `name` (the file name) is used in error messages.
/// A leading byte-order mark (as spreadsheet programs write) is ignored.
pub fn parse_holdings(text: &str, name: &str) -> Result<Portfolio> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let portfolio = if first.starts_with('[') || first.contains('=') {
        parse_toml(text, name)?
    } else {
        parse_csv(text, name)?
    };
    if portfolio.holdings.is_empty() {
        return Err(Error::record(name, 1, "holding", "no holdings in the file"));
    }
    Ok(portfolio)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

fn parse_toml(text: &str, name: &str) -> Result<Portfolio> {
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        Error::record(name, line, "toml", e.message().to_string())
    })?;
    let mut holdings = Vec::with_capacity(file.holding.len());
    let mut lines = Vec::with_capacity(file.holding.len());
    let blocks = holding_blocks(text);
    for (i, h) in file.holding.into_iter().enumerate() {
        // TOML spans are lost after deserializing; locate the entry's `[[holding]]` block and
        // the field's line in it (else the line of its symbol).
        let symbol_line = text
            .find(&format!("\"{}\"", h.symbol))
            .map_or(1, |o| line_of(text, o));
        let field_line = |field: &str| -> usize {
            blocks
                .get(i)
                .and_then(|&(from, to)| field_in_block(text, from, to, field))
                .unwrap_or(symbol_line)
        };
        let line = field_line("symbol");
        lines.push(line);
        let what = format!("holding {} ({})", i + 1, h.symbol);
        let date = |d: Option<toml::value::Datetime>, field: &str| -> Result<Option<NaiveDate>> {
            match d {
                None => Ok(None),
                Some(dt) => match dt.date {
                    Some(x) if dt.time.is_none() => {
                        NaiveDate::from_ymd_opt(x.year as i32, x.month as u32, x.day as u32)
                            .map(Some)
                            .ok_or_else(|| {
                                Error::record(name, line, field, format!("{what}: bad date {dt}"))
                            })
                    }
                    _ => Err(Error::record(
                        name,
                        line,
                        field,
                        format!("{what}: expected a date like 2026-12-04, got {dt}"),
                    )),
                },
            }
        };
        let mut written = Vec::new();
        for w in h.written {
            let opening = Opening {
                price: w.price,
                opened: date(w.opened, "opened")?,
                fees: w.fees,
            };
            written.push(written_call(
                &w.contract,
                w.contracts,
                opening,
                name,
                field_line("written"),
            )?);
        }
        holdings.push(build(
            name,
            &field_line,
            &h.symbol,
            h.shares,
            Prices {
                cost_basis: h.cost_basis,
                assign_ok_above: h.assign_ok_above,
            },
            CorporateEvents {
                next_earnings: date(h.next_earnings, "next_earnings")?,
                ex_dividend: date(h.ex_dividend, "ex_dividend")?,
                dividend: h.dividend,
            },
            written,
        )?);
    }
    check_duplicates(&holdings, &lines, name)?;
    Ok(Portfolio { holdings })
}

/// The 1-based line ranges `[from, to)` of the `[[holding]]` tables, in file order.
fn holding_blocks(text: &str) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[holding]]"))
        .map(|(i, _)| i + 1)
        .collect();
    let end = text.lines().count() + 1;
    starts
        .iter()
        .enumerate()
        .map(|(k, &from)| (from, starts.get(k + 1).copied().unwrap_or(end)))
        .collect()
}

/// The line of `field = ...` within lines `[from, to)`.
fn field_in_block(text: &str, from: usize, to: usize, field: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take(to.saturating_sub(from))
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
}

fn written_call(
    contract: &str,
    contracts: i64,
    opening: Opening,
    name: &str,
    line: usize,
) -> Result<WrittenCall> {
    let c = OptionContract::parse_occ(contract)
        .map_err(|e| Error::record(name, line, "written", e.to_string()))?;
    if c.right != Right::Call {
        return Err(Error::record(
            name,
            line,
            "written",
            format!("{contract} is a put; only written calls cover shares"),
        ));
    }
    let n = u32::try_from(contracts)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            Error::record(
                name,
                line,
                "written",
                format!("{contract}: contracts must be a positive whole number, got {contracts}"),
            )
        })?;
    for (field, v) in [("price", opening.price), ("fees", opening.fees)] {
        if let Some(v) = v {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::record(
                    name,
                    line,
                    field,
                    format!("{contract}: {field} must be a non-negative USD amount, got {v}"),
                ));
            }
        }
    }
    if let Some(o) = opening.opened {
        if o > c.expiry {
            return Err(Error::record(
                name,
                line,
                "opened",
                format!("{contract}: opened {o} is after its expiry {}", c.expiry),
            ));
        }
    }
    Ok(WrittenCall {
        contract: c,
        contracts: n,
        price: opening.price,
        opened: opening.opened,
        fees: opening.fees,
    })
}

/// One written call as `OCC[:contracts][@PRICE[:OPENED[:FEES]]]` (the CSV `written` item and
/// the CLI's `--written`); `name` is used in error messages. Contracts default to 1.
pub fn parse_written_call(text: &str, name: &str) -> Result<WrittenCall> {
    csv_written_item(text.trim(), name, 0)
}

/// One `written` item of a CSV row: `OCC[:contracts][@PRICE[:OPENED[:FEES]]]`.
fn csv_written_item(part: &str, name: &str, line: usize) -> Result<WrittenCall> {
    let bad = |msg: String| Error::record(name, line, "written", msg);
    let (call, opening) = match part.split_once('@') {
        Some((c, o)) => (c.trim(), Some(o.trim())),
        None => (part, None),
    };
    let (occ, n) = call.rsplit_once(':').unwrap_or((call, "1"));
    let n: i64 = n
        .trim()
        .parse()
        .map_err(|_| bad(format!("{part:?}: expected OCC:contracts")))?;
    let mut o = Opening::default();
    if let Some(text) = opening {
        let mut fields = text.split(':').map(str::trim);
        let price = fields.next().unwrap_or("");
        o.price = Some(price.parse::<f64>().map_err(|_| {
            bad(format!(
                "{part:?}: {price:?} is not a price; expected OCC:contracts@PRICE[:YYYY-MM-DD[:FEES]]"
            ))
        })?);
        if let Some(date) = fields.next().filter(|s| !s.is_empty()) {
            o.opened = Some(
                NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| bad(format!("{part:?}: {date:?} is not a YYYY-MM-DD date")))?,
            );
        }
        if let Some(fees) = fields.next().filter(|s| !s.is_empty()) {
            o.fees = Some(
                fees.parse::<f64>()
                    .map_err(|_| bad(format!("{part:?}: fees {fees:?} is not a number")))?,
            );
        }
        if fields.next().is_some() {
            return Err(bad(format!(
                "{part:?}: expected OCC:contracts@PRICE[:YYYY-MM-DD[:FEES]]"
            )));
        }
    }
    written_call(occ.trim(), n, o, name, line)
}

fn build(
    name: &str,
    line_of_field: &dyn Fn(&str) -> usize,
    symbol: &str,
    shares: i64,
    prices: Prices,
    events: CorporateEvents,
    written: Vec<WrittenCall>,
) -> Result<Holding> {
    let line = line_of_field("symbol");
    let Prices {
        cost_basis,
        assign_ok_above,
    } = prices;
    let sym = symbol.trim().to_ascii_uppercase();
    if sym.is_empty()
        || sym.len() > 10
        || !sym
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'^')
    {
        return Err(Error::record(
            name,
            line,
            "symbol",
            format!("{symbol:?} is not a ticker"),
        ));
    }
    let shares = u64::try_from(shares)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| {
            Error::record(
                name,
                line_of_field("shares"),
                "shares",
                format!("{sym}: shares must be a positive whole number, got {shares}"),
            )
        })?;
    if shares > MAX_SHARES {
        return Err(Error::record(
            name,
            line_of_field("shares"),
            "shares",
            format!(
                "{sym}: {shares} shares is more than any listed company's float \
                 (at most {MAX_SHARES}); a typo?"
            ),
        ));
    }
    if let Some(b) = cost_basis {
        if !(b.is_finite() && b >= 0.0) {
            return Err(Error::record(
                name,
                line_of_field("cost_basis"),
                "cost_basis",
                format!("{sym}: cost basis must be a non-negative USD amount, got {b}"),
            ));
        }
    }
    if let Some(p) = assign_ok_above {
        if !(p.is_finite() && p > 0.0) {
            return Err(Error::record(
                name,
                line,
                "assign_ok_above",
                format!("{sym}: assign_ok_above must be a positive USD price, got {p}"),
            ));
        }
    }
    if let Some(d) = events.dividend {
        if !(d.is_finite() && d >= 0.0) {
            return Err(Error::record(
                name,
                line_of_field("dividend"),
                "dividend",
                format!("{sym}: dividend must be a non-negative USD amount, got {d}"),
            ));
        }
    }
    for w in &written {
        if w.contract
            .root
            .trim_end_matches(|c: char| c.is_ascii_digit())
            != sym
        {
            return Err(Error::record(
                name,
                line_of_field("written"),
                "written",
                format!("{} is not an option on {sym}", w.contract.occ()),
            ));
        }
    }
    Ok(Holding {
        symbol: sym,
        shares,
        cost_basis,
        written,
        assign_ok_above,
        events,
    })
}

/// Refuse a symbol listed twice, naming the line of its second entry (`lines[i]` is the line
/// of holding `i`).
fn check_duplicates(holdings: &[Holding], lines: &[usize], name: &str) -> Result<()> {
    let mut seen = HashSet::new();
    for (i, h) in holdings.iter().enumerate() {
        if !seen.insert(h.symbol.as_str()) {
            return Err(Error::record(
                name,
                lines.get(i).copied().unwrap_or(1),
                "symbol",
                format!(
                    "{} appears twice; combine the lots into one holding",
                    h.symbol
                ),
            ));
        }
    }
    Ok(())
}

fn parse_csv(text: &str, name: &str) -> Result<Portfolio> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Error::record(name, 1, "header", e.to_string()))?
        .clone();
    let known = [
        "symbol",
        "shares",
        "cost_basis",
        "next_earnings",
        "ex_dividend",
        "dividend",
        "written",
        "price",
        "opened",
        "fees",
        "assign_ok_above",
    ];
    // Labels match as every CSV's do (`Cost Basis` is cost_basis; see `csvread`).
    let col = |want: &str| header.iter().position(|h| csvread::label_is(h, &[want]));
    if let Some(unknown) = header.iter().find(|h| !csvread::label_is(h, &known)) {
        return Err(Error::record(
            name,
            1,
            unknown,
            format!("unknown column; known columns are {}", known.join(",")),
        ));
    }
    let (Some(c_sym), Some(c_shares)) = (col("symbol"), col("shares")) else {
        return Err(Error::record(
            name,
            1,
            "header",
            "a holdings CSV needs at least the columns symbol,shares",
        ));
    };
    let (c_basis, c_earn, c_exdiv, c_div, c_written) = (
        col("cost_basis"),
        col("next_earnings"),
        col("ex_dividend"),
        col("dividend"),
        col("written"),
    );
    let (c_price, c_opened, c_fees, c_assign) = (
        col("price"),
        col("opened"),
        col("fees"),
        col("assign_ok_above"),
    );
    let mut holdings = Vec::new();
    let mut lines = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            Error::record(
                name,
                csvread::record_line(e.position()),
                "row",
                e.to_string(),
            )
        })?;
        let line = csvread::record_line(rec.position());
        let field = |c: Option<usize>| c.and_then(|i| rec.get(i)).filter(|s| !s.is_empty());
        let num = |c: Option<usize>, fname: &str| -> Result<Option<f64>> {
            match field(c) {
                Some(s) => csvread::number(s, csvread::Percent::Refused)
                    .map_err(|m| Error::record(name, line, fname, m)),
                None => Ok(None),
            }
        };
        let date = |c: Option<usize>, fname: &str| -> Result<Option<NaiveDate>> {
            field(c)
                .map(|s| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                        Error::record(name, line, fname, format!("{s:?} is not a YYYY-MM-DD date"))
                    })
                })
                .transpose()
        };
        let symbol = field(Some(c_sym)).unwrap_or("");
        let shares_text = field(Some(c_shares)).unwrap_or("");
        let shares: i64 = shares_text.parse().map_err(|_| {
            Error::record(
                name,
                line,
                "shares",
                format!("{shares_text:?} is not a whole number of shares"),
            )
        })?;
        let mut written = Vec::new();
        if let Some(w) = field(c_written) {
            for part in w.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                written.push(csv_written_item(part, name, line)?);
            }
        }
        lines.push(line);
        // The price/opened/fees columns describe the row's one written call.
        let column_opening = Opening {
            price: num(c_price, "price")?,
            opened: date(c_opened, "opened")?,
            fees: num(c_fees, "fees")?,
        };
        if column_opening.price.is_some()
            || column_opening.opened.is_some()
            || column_opening.fees.is_some()
        {
            let [w] = written.as_mut_slice() else {
                return Err(Error::record(
                    name,
                    line,
                    "price",
                    format!(
                        "the price, opened and fees columns need exactly one written call on the \
                         row (found {}); write several as OCC:contracts@PRICE:YYYY-MM-DD:FEES",
                        written.len()
                    ),
                ));
            };
            if w.price.is_some() || w.opened.is_some() || w.fees.is_some() {
                return Err(Error::record(
                    name,
                    line,
                    "price",
                    "the written call's price is given both after @ and in the columns",
                ));
            }
            let contract = w.contract.occ();
            *w = written_call(
                &contract,
                i64::from(w.contracts),
                column_opening,
                name,
                line,
            )?;
        }
        holdings.push(build(
            name,
            &|_| line,
            symbol,
            shares,
            Prices {
                cost_basis: num(c_basis, "cost_basis")?,
                assign_ok_above: num(c_assign, "assign_ok_above")?,
            },
            CorporateEvents {
                next_earnings: date(c_earn, "next_earnings")?,
                ex_dividend: date(c_exdiv, "ex_dividend")?,
                dividend: num(c_div, "dividend")?,
            },
            written,
        )?);
    }
    check_duplicates(&holdings, &lines, name)?;
    Ok(Portfolio { holdings })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
# my covered-call book
[[holding]]
symbol = "NVDA"
shares = 300
cost_basis = 118.50
next_earnings = 2027-02-24
written = [{ contract = "NVDA261218C00200000", contracts = 1 }]

[[holding]]
symbol = "msft"
shares = 100
"#;

    #[test]
    fn toml_holdings() {
        let p = parse_holdings(TOML, "h.toml").unwrap();
        assert_eq!(p.holdings.len(), 2);
        let nvda = &p.holdings[0];
        assert_eq!(nvda.shares, 300);
        assert_eq!(nvda.cost_basis, Some(118.5));
        assert_eq!(nvda.written[0].contract.strike, 200.0);
        assert_eq!(
            nvda.events.next_earnings,
            NaiveDate::from_ymd_opt(2027, 2, 24)
        );
        assert_eq!(p.holdings[1].symbol, "MSFT");
    }

    #[test]
    fn csv_holdings_any_order() {
        let csv = "shares,symbol,written,cost_basis\n300,NVDA,NVDA261218C00200000:2;NVDA270115C00220000,118.5\n50,AMD,,\n";
        let p = parse_holdings(csv, "h.csv").unwrap();
        assert_eq!(p.holdings[0].written.len(), 2);
        assert_eq!(p.holdings[0].written[0].contracts, 2);
        assert_eq!(p.holdings[0].written[1].contracts, 1);
        assert_eq!(p.holdings[1].cost_basis, None);
    }

    #[test]
    fn csv_labels_and_numbers_as_spreadsheets_write_them() {
        let csv = "Symbol,Shares,Cost Basis,Dividend\nNVDA,300,\"$1,118.50\",--\n";
        let p = parse_holdings(csv, "h.csv").unwrap();
        assert_eq!(p.holdings[0].cost_basis, Some(1118.5));
        assert_eq!(p.holdings[0].events.dividend, None);
        let e = parse_holdings("symbol,shares,cost_basis\nNVDA,300,12O\n", "h.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "h.csv, line 2: cost_basis: \"12O\" is not a number");
    }

    #[test]
    fn toml_errors_name_the_fields_line() {
        let t = "# book\n[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n\n[[holding]]\nsymbol = \"AMD\"\ncost_basis = 100.0\nshares = -5\n";
        let e = parse_holdings(t, "h.toml").unwrap_err().to_string();
        assert!(e.starts_with("h.toml, line 9: shares:"), "{e}");
        let t = "[[holding]]\nsymbol = \"NVDA\"\nshares = 300\ncost_basis = nan\n";
        let e = parse_holdings(t, "h.toml").unwrap_err().to_string();
        assert!(e.starts_with("h.toml, line 4: cost_basis:"), "{e}");
        let t = "[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n[[holding]]\nshares = 5\nsymbol = \"nvda\"\n";
        let e = parse_holdings(t, "h.toml").unwrap_err().to_string();
        assert!(e.starts_with("h.toml, line 6: symbol:"), "{e}");
        assert!(e.contains("appears twice"), "{e}");
        let t = "[[holding]]\nsymbol = \"NVDA\"\nshares = 100000000000000\n";
        let e = parse_holdings(t, "h.toml").unwrap_err().to_string();
        assert!(e.starts_with("h.toml, line 3: shares:"), "{e}");
        assert!(e.contains("float"), "{e}");
        let t = "[[holding]]\nsymbol = \"NVDA\"\nshares = 9223372036854775807\n";
        let e = parse_holdings(t, "h.toml").unwrap_err();
        assert!(
            matches!(&e, Error::Record { source_name, line: 3, field, message }
                if source_name == "h.toml" && field == "shares"
                    && message.contains("9223372036854775807") && message.contains("float")),
            "{e}"
        );
        let ok = "[[holding]]\nsymbol = \"NVDA\"\nshares = 10000000000\n";
        assert_eq!(
            parse_holdings(ok, "h.toml").unwrap().holdings[0].shares,
            MAX_SHARES
        );
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let p = parse_holdings(&format!("\u{feff}{TOML}"), "h.toml").unwrap();
        assert_eq!(p.holdings.len(), 2);
        let p = parse_holdings(
            "\u{feff}[[holding]]\nsymbol = \"NVDA\"\nshares = 1\n",
            "h.toml",
        )
        .unwrap();
        assert_eq!(p.holdings[0].shares, 1);
        let p = parse_holdings("\u{feff}symbol,shares\nNVDA,300\n", "h.csv").unwrap();
        assert_eq!(p.holdings[0].symbol, "NVDA");
    }

    #[test]
    fn written_calls_carry_their_opening() {
        let toml = r#"
[[holding]]
symbol = "NVDA"
shares = 200
assign_ok_above = 190
written = [
  { contract = "NVDA261218C00200000", contracts = 1, price = 4.10, opened = 2026-11-02, fees = 0.65 },
  { contract = "NVDA270115C00220000", contracts = 1 },
]
"#;
        let p = parse_holdings(toml, "h.toml").unwrap();
        let h = &p.holdings[0];
        assert_eq!(h.assign_ok_above, Some(190.0));
        assert_eq!(h.written[0].price, Some(4.10));
        assert_eq!(h.written[0].opened, NaiveDate::from_ymd_opt(2026, 11, 2));
        assert_eq!(h.written[0].fees, Some(0.65));
        assert_eq!(h.written[1].price, None);
        assert_eq!(h.written[1].opened, None);

        let csv = "symbol,shares,written\nNVDA,200,NVDA261218C00200000:1@4.10:2026-11-02:0.65;NVDA270115C00220000:1@2.5\n";
        let p = parse_holdings(csv, "h.csv").unwrap();
        let w = &p.holdings[0].written;
        assert_eq!((w[0].price, w[0].fees), (Some(4.10), Some(0.65)));
        assert_eq!(w[0].opened, NaiveDate::from_ymd_opt(2026, 11, 2));
        assert_eq!(
            (w[1].price, w[1].opened, w[1].fees),
            (Some(2.5), None, None)
        );

        let csv = "symbol,shares,written,price,opened,fees,assign_ok_above\nNVDA,100,NVDA261218C00200000:1,4.1,2026-11-02,0.65,195\nAMD,100,,,,,\n";
        let p = parse_holdings(csv, "h.csv").unwrap();
        let w = &p.holdings[0].written[0];
        assert_eq!((w.price, w.fees), (Some(4.1), Some(0.65)));
        assert_eq!(p.holdings[0].assign_ok_above, Some(195.0));
        assert!(p.holdings[1].written.is_empty());

        // Columns with two written calls are ambiguous; a sale after expiry is a typo.
        let e = parse_holdings(
            "symbol,shares,written,price\nNVDA,200,NVDA261218C00200000:1;NVDA270115C00220000:1,4\n",
            "h.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 2: price"), "{e}");
        let e = parse_holdings(
            "symbol,shares,written\nNVDA,100,NVDA261218C00200000:1@4.1:2027-01-02\n",
            "h.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("after its expiry"), "{e}");
        let e = parse_holdings(
            "symbol,shares,written\nNVDA,100,NVDA261218C00200000:1@-1\n",
            "h.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("non-negative"), "{e}");
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = parse_holdings("symbol,shares\nNVDA,300\nAMD,lots\n", "h.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "h.csv, line 3: shares: \"lots\" is not a whole number of shares"
        );
        let e = parse_holdings("symbol,shares,cost_basis\nNVDA,-5,1\n", "h.csv").unwrap_err();
        assert!(e.to_string().contains("line 2: shares"), "{e}");
        let e = parse_holdings("symbol,shares,colour\nNVDA,5,red\n", "h.csv").unwrap_err();
        assert!(e.to_string().contains("colour: unknown column"), "{e}");
        let e = parse_holdings("[[holding]]\nsymbol = \"NVDA\"\nshares = \"x\"\n", "h.toml")
            .unwrap_err();
        assert!(e.to_string().starts_with("h.toml, line 3: toml:"), "{e}");
        let e = parse_holdings(
            "symbol,shares,written\nNVDA,100,AMD261218C00200000:1\n",
            "h.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("not an option on NVDA"), "{e}");
        let e = parse_holdings("symbol,shares\nNVDA,1\nnvda,2\n", "h.csv").unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let empty = parse_holdings("", "h.csv").unwrap_err();
        assert!(
            matches!(&empty, Error::Record { source_name, line: 1, field, message }
                if source_name == "h.csv" && field == "header"
                    && message.contains("symbol,shares")),
            "{empty}"
        );
        // The CSV duplicate names the line of the second entry.
        assert!(e.to_string().starts_with("h.csv, line 3: symbol:"), "{e}");
        let e = parse_holdings("symbol,shares\n", "h.csv").unwrap_err();
        assert!(
            matches!(&e, Error::Record { source_name, line: 1, field, message }
                if source_name == "h.csv" && field == "holding"
                    && message.contains("no holdings")),
            "{e}"
        );
    }
}
