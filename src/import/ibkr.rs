//! Interactive Brokers: three shapes of the same positions.
//!
//! * **Activity Statement CSV.** Every line starts with its section and a row kind:
//!   `Open Positions,Header,DataDiscriminator,Asset Category,Currency,Symbol,Quantity,Mult,
//!   Cost Price,Cost Basis,Close Price,Value,Unrealized P/L,Code`, then `Data` rows
//!   (`Summary`, or `Lot` detail under each summary), `SubTotal` and `Total` rows. A
//!   multi-account statement adds an `Account` column; a single account is named in
//!   `Account Information,Data,Account,U1234567`. Options read `NVDA 19DEC25 150 C`.
//! * **Flex Query CSV** (open positions): a plain header (`ClientAccountID`, `CurrencyPrimary`,
//!   `AssetClass`, `Symbol`, `Quantity`, `CostBasisPrice`, `Put/Call`, `LevelOfDetail`, …),
//!   possibly with the section codes `HEADER`/`DATA` and the section name in front, and the
//!   header repeated per account. Options carry their padded OCC symbol.
//! * **TWS portfolio export**: `Financial Instrument`, `Position`, `Avg Price` (per share)
//!   or `Avg Cost` (per contract for options), optionally `Account`, `Currency`,
//!   `Security Type`; options read `NVDA Dec19'25 150 CALL`.

use super::fields::{self, number_at, Header, ParseError, Row};
use super::{Basis, BrokerFormat, Positions, MULTIPLIER};

pub(super) fn sniff_statement(rows: &[Row]) -> bool {
    rows.iter().any(|r| {
        matches!(
            (r.get(0), r.get(1)),
            ("Statement", "Header")
                | ("Open Positions", "Header")
                | ("Account Information", "Header")
        )
    })
}

/// Parse an Activity Statement CSV's `Open Positions` section.
pub fn parse_statement(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::IbkrStatement);
    let mut header: Option<Header> = None;
    let mut single_account: Option<String> = None;
    let mut summaries = 0usize;
    let mut lots: Vec<&Row> = Vec::new();
    for row in &rows {
        match (row.get(0), row.get(1)) {
            ("Account Information", "Data") if row.get(2) == "Account" => {
                single_account = p.account(row.get(3));
            }
            ("Open Positions", "Header") => {
                header = Some(Header::new(&Row {
                    line: row.line,
                    cells: row.cells.get(2..).unwrap_or_default().to_vec(),
                }));
            }
            ("Open Positions", "Data") => {
                let Some(h) = &header else {
                    return Err(ParseError::at(
                        row.line,
                        2,
                        "Open Positions data before its header",
                    ));
                };
                let kind = row.opt(h.col(&["DataDiscriminator"]).map(|c| c + 2));
                if kind.eq_ignore_ascii_case("lot") {
                    lots.push(row);
                    continue;
                }
                summaries += 1;
                statement_row(&mut p, h, row, &single_account)?;
            }
            _ => {}
        }
    }
    if summaries == 0 {
        if let Some(h) = &header {
            for row in lots {
                statement_row(&mut p, h, row, &single_account)?;
            }
        }
    } else if !lots.is_empty() {
        p.note(format!(
            "{} lot-detail rows read through their summary rows",
            lots.len()
        ));
    }
    if header.is_none() {
        return Err(ParseError::at(
            1,
            0,
            "no Open Positions section in this activity statement",
        ));
    }
    Ok(p)
}

fn statement_row(
    p: &mut Positions,
    h: &Header,
    row: &Row,
    single_account: &Option<String>,
) -> Result<(), ParseError> {
    // Columns of the header count from the third field of the line.
    let col = |names: &[&str]| h.col(names).map(|c| c + 2);
    let account = match col(&["account"]) {
        Some(c) => p.account(row.get(c)),
        None => single_account.clone(),
    };
    let sym = row.opt(col(&["symbol"]));
    let category = row.opt(col(&["asset category"])).to_ascii_lowercase();
    let currency = row.opt(col(&["currency"]));
    if !currency.is_empty() && !currency.eq_ignore_ascii_case("usd") {
        p.ignore(
            row.line,
            &account,
            sym,
            format!("currency {currency}: ccplan plans USD listings"),
        );
        return Ok(());
    }
    let Some(qty) = number_at(row, col(&["quantity"]), "quantity")? else {
        p.ignore(row.line, &account, sym, "no quantity");
        return Ok(());
    };
    let mult = number_at(row, col(&["mult", "multiplier"]), "mult")?.unwrap_or(MULTIPLIER);
    let price = number_at(row, col(&["cost price"]), "cost price")?;
    let total = number_at(row, col(&["cost basis"]), "cost basis")?;
    if category.contains("option") {
        match fields::option_symbol(sym) {
            Some(c) if mult == MULTIPLIER => p.option(row.line, &account, c, qty, price),
            Some(_) => p.ignore(
                row.line,
                &account,
                sym,
                format!("multiplier {mult}: not a standard contract"),
            ),
            None => p.ignore(row.line, &account, sym, "option symbol not understood"),
        }
    } else if category.contains("stock") {
        let basis = price.map(Basis::PerShare).or(total.map(Basis::Total));
        p.stock(row.line, &account, sym, qty, basis);
    } else {
        p.ignore(
            row.line,
            &account,
            sym,
            format!("asset category {category:?}: not stock or an option"),
        );
    }
    Ok(())
}

/// Section codes a Flex CSV may put in front of each line.
const FLEX_CODES: [&str; 8] = ["HEADER", "DATA", "BOF", "EOF", "BOA", "EOA", "BOS", "EOS"];

fn flex_strip(r: &Row) -> (Option<&str>, usize) {
    match FLEX_CODES.iter().find(|c| r.get(0) == **c) {
        Some(c) => (Some(c), 2),
        None => (None, 0),
    }
}

fn is_flex_header(r: &Row) -> bool {
    let (code, skip) = flex_strip(r);
    if code.is_some_and(|c| c != "HEADER") {
        return false;
    }
    let h = Header::new(&Row {
        line: r.line,
        cells: r.cells.get(skip..).unwrap_or_default().to_vec(),
    });
    h.has_all(&["assetclass", "symbol", "quantity"])
        && (h.col(&["clientaccountid"]).is_some() || h.col(&["costbasisprice"]).is_some())
}

pub(super) fn sniff_flex(rows: &[Row]) -> bool {
    rows.iter().take(5).any(is_flex_header)
}

/// Parse a Flex Query CSV of open positions.
pub fn parse_flex(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::IbkrFlex);
    let mut header: Option<(Header, usize)> = None;
    let mut summaries = false;
    let mut pending_lots: Vec<(Row, usize)> = Vec::new();
    for row in &rows {
        if row.is_blank() {
            continue;
        }
        if is_flex_header(row) {
            let (_, skip) = flex_strip(row);
            header = Some((
                Header::new(&Row {
                    line: row.line,
                    cells: row.cells.get(skip..).unwrap_or_default().to_vec(),
                }),
                skip,
            ));
            continue;
        }
        let (code, skip) = flex_strip(row);
        if code.is_some_and(|c| c != "DATA") {
            continue;
        }
        let Some((h, _)) = &header else {
            return Err(ParseError::at(
                row.line,
                1,
                "data before the Flex header line",
            ));
        };
        let level = row.opt(h.col(&["levelofdetail"]).map(|c| c + skip));
        if level.eq_ignore_ascii_case("lot") {
            pending_lots.push((row.clone(), skip));
            continue;
        }
        summaries = true;
        flex_row(&mut p, h, row, skip)?;
    }
    if !summaries {
        if let Some((h, _)) = &header {
            for (row, skip) in &pending_lots {
                flex_row(&mut p, h, row, *skip)?;
            }
        }
    }
    if header.is_none() {
        return Err(ParseError::at(
            1,
            0,
            "no Flex header line (ClientAccountID, AssetClass, Symbol, Quantity, …)",
        ));
    }
    Ok(p)
}

fn flex_row(p: &mut Positions, h: &Header, row: &Row, skip: usize) -> Result<(), ParseError> {
    let col = |names: &[&str]| h.col(names).map(|c| c + skip);
    let account = {
        let id = row.opt(col(&["clientaccountid", "accountid"]));
        let alias = row.opt(col(&["accountalias"]));
        p.account(&if alias.is_empty() {
            id.to_string()
        } else {
            format!("{alias} {id}")
        })
    };
    let sym = row.opt(col(&["symbol"]));
    let class = row.opt(col(&["assetclass"])).to_ascii_uppercase();
    let currency = row.opt(col(&["currencyprimary", "currency"]));
    if !currency.is_empty() && !currency.eq_ignore_ascii_case("usd") {
        p.ignore(
            row.line,
            &account,
            sym,
            format!("currency {currency}: ccplan plans USD listings"),
        );
        return Ok(());
    }
    let Some(qty) = number_at(row, col(&["quantity", "position"]), "Quantity")? else {
        p.ignore(row.line, &account, sym, "no quantity");
        return Ok(());
    };
    let price = number_at(row, col(&["costbasisprice", "openprice"]), "CostBasisPrice")?;
    let total = number_at(row, col(&["costbasismoney"]), "CostBasisMoney")?;
    match class.as_str() {
        "STK" => {
            let basis = price.map(Basis::PerShare).or(total.map(Basis::Total));
            p.stock(row.line, &account, sym, qty, basis);
        }
        "OPT" => {
            let contract = fields::option_symbol(sym).or_else(|| {
                let under = row.opt(col(&["underlyingsymbol"]));
                let expiry = fields::date(row.opt(col(&["expiry"])))?;
                let strike = fields::number(row.opt(col(&["strike"]))).ok()??;
                let right = row.opt(col(&["put/call", "putcall"])).parse().ok()?;
                crate::model::OptionContract::new(under, expiry, strike, right).ok()
            });
            match contract {
                Some(c) => p.option(row.line, &account, c, qty, price),
                None => p.ignore(row.line, &account, sym, "option symbol not understood"),
            }
        }
        other => p.ignore(
            row.line,
            &account,
            sym,
            format!("asset class {other:?}: not stock or an option"),
        ),
    }
    Ok(())
}

fn is_tws_header(r: &Row) -> bool {
    let h = Header::new(r);
    h.col(&[
        "financial instrument",
        "financial instrument description",
        "instrument",
    ])
    .is_some()
        && h.col(&["position"]).is_some()
}

pub(super) fn sniff_tws(rows: &[Row]) -> bool {
    rows.iter().take(5).any(is_tws_header)
}

/// Parse a TWS portfolio export.
pub fn parse_tws(text: &str) -> Result<Positions, ParseError> {
    let rows = fields::rows(text)?;
    let mut p = Positions::new(BrokerFormat::IbkrTws);
    let Some(hi) = rows.iter().position(is_tws_header) else {
        return Err(ParseError::at(
            1,
            0,
            "no header line (Financial Instrument, Position, …)",
        ));
    };
    let h = Header::new(&rows[hi]);
    let c_inst = h.need(&[
        "financial instrument",
        "financial instrument description",
        "instrument",
    ])?;
    let c_pos = h.need(&["position"])?;
    let c_avg_price = h.col(&["avg price", "average price"]);
    let c_avg_cost = h.col(&["avg cost", "average cost"]);
    for row in &rows[hi + 1..] {
        if row.is_blank() {
            continue;
        }
        let account = p.account(row.opt(h.col(&["account"])));
        let inst = row.get(c_inst);
        let currency = row.opt(h.col(&["currency"]));
        if !currency.is_empty() && !currency.eq_ignore_ascii_case("usd") {
            p.ignore(
                row.line,
                &account,
                inst,
                format!("currency {currency}: ccplan plans USD listings"),
            );
            continue;
        }
        let ty = row
            .opt(h.col(&["security type", "sec type"]))
            .to_ascii_uppercase();
        if inst.eq_ignore_ascii_case("total") || inst.to_ascii_lowercase().starts_with("cash") {
            p.ignore(row.line, &account, inst, "cash or total");
            continue;
        }
        let Some(qty) = number_at(row, Some(c_pos), "position")? else {
            p.ignore(row.line, &account, inst, "no position");
            continue;
        };
        let avg_price = number_at(row, c_avg_price, "avg price")?;
        let avg_cost = number_at(row, c_avg_cost, "avg cost")?;
        let option = fields::option_symbol(inst);
        if ty == "OPT" || option.is_some() {
            let price = avg_price.or(avg_cost.map(|c| c / MULTIPLIER));
            match option {
                Some(c) => p.option(row.line, &account, c, qty, price),
                None => p.ignore(row.line, &account, inst, "option symbol not understood"),
            }
            continue;
        }
        if !ty.is_empty() && ty != "STK" {
            p.ignore(
                row.line,
                &account,
                inst,
                format!("security type {ty}: not stock or an option"),
            );
            continue;
        }
        let basis = avg_price.or(avg_cost).map(Basis::PerShare);
        p.stock(row.line, &account, inst, qty, basis);
    }
    Ok(p)
}
