//! The chain CSV (see the module docs of [`super`]).

use std::collections::HashMap;

use super::cells::*;
use super::strip_bom;
use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, OptionContract, ProviderGreeks, Quote, Right, Underlying};
use crate::providers::ChainRequest;
use chrono::NaiveDate;

/// One row's contract fields before the symbol is settled.
struct RowContract {
    root: Option<String>,
    expiry: NaiveDate,
    strike: f64,
    right: Right,
}

/// Parse a chain CSV (see the module docs). Rows of other symbols than `request.symbol` are
/// skipped; the request's expiry filter is applied; the request's as-of is used only when the
/// file has none.
pub fn parse_chain_csv(
    text: &str,
    source_name: &str,
    request: &ChainRequest,
) -> Result<ChainSnapshot> {
    let name = source_name;
    let text = strip_bom(text);
    let meta = leading_metadata(text);
    let meta_get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| meta.get(*k).map(|(l, v)| (*l, v.clone())))
    };
    let body = CsvBody::new(text);
    let mut rdr = body.reader();
    let header = rdr.headers().map_err(|e| body.error(name, &e))?.clone();
    let header_line = body.line_of(header.position());
    let fields: [(&'static str, &[&str]); 21] = [
        ("symbol", SYMBOL),
        ("contract", CONTRACT),
        ("expiry", EXPIRY),
        ("strike", STRIKE),
        ("right", RIGHT),
        ("bid", BID),
        ("ask", ASK),
        ("last", LAST),
        ("bid_size", BID_SIZE),
        ("ask_size", ASK_SIZE),
        ("volume", VOLUME),
        ("open_interest", OPEN_INTEREST),
        ("iv", IV),
        ("delta", DELTA),
        ("gamma", GAMMA),
        ("vega", VEGA),
        ("theta", THETA),
        ("rho", RHO),
        ("multiplier", MULTIPLIER),
        ("spot", SPOT),
        ("as_of", AS_OF),
    ];
    let cols = Columns::new(&header, &fields, name, header_line)?;
    if !cols.has("contract") {
        let missing = cols.missing(&["expiry", "strike", "right"]);
        if !missing.is_empty() {
            return Err(Error::record(
                name,
                header_line,
                "header",
                format!(
                    "missing column(s) {}: a chain CSV needs expiry, strike and right, or a \
                     contract column with OCC symbols",
                    missing.join(", ")
                ),
            ));
        }
    }

    let want = request.symbol.trim().to_ascii_uppercase();
    let file_symbol =
        meta_get(&["underlying", "symbol", "ticker"]).map(|(_, v)| v.to_ascii_uppercase());
    let mut quotes: Vec<Quote> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut other_symbols: Vec<String> = Vec::new();
    let mut rows = 0usize;
    let mut spot_cell: Option<(usize, String, String)> = None;
    let mut as_of_cell: Option<(usize, String, String)> = None;
    let mut chain_symbol: Option<String> = None;

    for rec in rdr.records() {
        let rec = rec.map_err(|e| body.error(name, &e))?;
        let line = body.line_of(rec.position());
        rows += 1;
        let rc = parse_row_contract(&rec, &cols, name, line)?;
        let row_symbol = cols
            .get(&rec, "symbol")
            .map(|(v, _)| v.to_ascii_uppercase())
            .or_else(|| file_symbol.clone())
            .or_else(|| rc.root.clone())
            .unwrap_or_else(|| want.clone());
        if !want.is_empty() && row_symbol != want {
            if !other_symbols.contains(&row_symbol) {
                other_symbols.push(row_symbol);
            }
            continue;
        }
        if chain_symbol.is_none() {
            chain_symbol = Some(row_symbol.clone());
        }
        if spot_cell.is_none() {
            spot_cell = cols
                .get(&rec, "spot")
                .map(|(v, c)| (line, c.to_string(), v.to_string()));
        }
        if as_of_cell.is_none() {
            as_of_cell = cols
                .get(&rec, "as_of")
                .map(|(v, c)| (line, c.to_string(), v.to_string()));
        }
        let root = rc.root.clone().unwrap_or_else(|| row_symbol.clone());
        let contract = OptionContract::new(&root, rc.expiry, rc.strike, rc.right).map_err(|e| {
            let col = cols.label("symbol");
            Error::record(name, line, col, e.to_string())
        })?;
        let quote = parse_row_quote(&rec, &cols, name, line, contract)?;
        if !request.expiries.accepts(quote.contract.expiry) {
            continue;
        }
        let occ = quote.contract.occ();
        if let Some(first) = seen.insert(occ.clone(), line) {
            return Err(Error::record(
                name,
                line,
                "contract",
                format!("{occ} is listed twice (also on line {first})"),
            ));
        }
        quotes.push(quote);
    }

    if rows == 0 {
        return Err(Error::NoData {
            what: "option chain",
            symbol: want,
            message: format!("{name} has a header but no rows"),
        });
    }
    let Some(symbol) = chain_symbol else {
        return Err(Error::NoData {
            what: "option chain",
            symbol: want,
            message: format!(
                "{name} has no rows for it (it has {})",
                other_symbols.join(", ")
            ),
        });
    };

    let spot = match meta_get(&["spot", "underlying_price", "price", "last"]) {
        Some((line, v)) => parse_price(&v, name, line, "spot")?,
        None => match &spot_cell {
            Some((line, col, v)) => parse_price(v, name, *line, col)?,
            None => {
                return Err(Error::NoData {
                    what: "option chain",
                    symbol,
                    message: format!(
                        "{name} gives no underlying price: add a '# spot: 123.45' line before \
                         the header or a spot column"
                    ),
                })
            }
        },
    };
    if spot <= 0.0 {
        return Err(Error::record(
            name,
            1,
            "spot",
            format!("{spot}: expected a positive price"),
        ));
    }
    let iv30 = match meta_get(&["iv30"]) {
        Some((line, v)) => Some(parse_iv(&v, name, line, "iv30")?),
        None => None,
    };
    let mut notes = Vec::new();
    let as_of_given = meta_get(&["as_of", "asof"])
        .map(|(l, v)| (l, "as_of".to_string(), v))
        .or(as_of_cell);
    let as_of = match as_of_given {
        Some((line, col, v)) => parse_as_of(&v).ok_or_else(|| {
            Error::record(
                name,
                line,
                col,
                format!("{v:?}: expected RFC 3339 (2026-11-17T10:30:00-05:00) or a date"),
            )
        })?,
        None => {
            notes.push(format!(
                "{name} gives no as-of time; using the requested as-of {}",
                request.as_of.to_rfc3339()
            ));
            request.as_of
        }
    };
    Ok(ChainSnapshot {
        underlying: Underlying {
            symbol,
            last: spot,
            bid: None,
            ask: None,
            iv30,
        },
        as_of,
        source: format!("file:{name}"),
        quotes,
        dropped: Vec::new(),
        notes,
    })
}

fn parse_row_contract(
    rec: &csv::StringRecord,
    cols: &Columns,
    name: &str,
    line: usize,
) -> Result<RowContract> {
    if let Some((v, col)) = cols.get(rec, "contract") {
        let c = OptionContract::parse_occ(v)
            .map_err(|e| Error::record(name, line, col, e.to_string()))?;
        return Ok(RowContract {
            root: Some(c.root),
            expiry: c.expiry,
            strike: c.strike,
            right: c.right,
        });
    }
    let required = |field: &str| -> Result<(&str, String)> {
        cols.get(rec, field)
            .map(|(v, c)| (v, c.to_string()))
            .ok_or_else(|| {
                let col = cols.label(field);
                Error::record(name, line, col, "missing value")
            })
    };
    let (v, col) = required("expiry")?;
    let expiry = parse_date(v).ok_or_else(|| {
        Error::record(
            name,
            line,
            &col,
            format!("{v:?} is not a date (expected YYYY-MM-DD)"),
        )
    })?;
    let (v, col) = required("strike")?;
    let strike = parse_f64(v, name, line, &col, "a strike in USD")?;
    if strike <= 0.0 {
        return Err(Error::record(
            name,
            line,
            col,
            format!("{v}: expected a positive strike"),
        ));
    }
    let (v, col) = required("right")?;
    let right: Right = v
        .parse()
        .map_err(|_| Error::record(name, line, &col, format!("{v:?}: expected call or put")))?;
    Ok(RowContract {
        root: None,
        expiry,
        strike,
        right,
    })
}

fn parse_row_quote(
    rec: &csv::StringRecord,
    cols: &Columns,
    name: &str,
    line: usize,
    contract: OptionContract,
) -> Result<Quote> {
    let price = |field: &str| -> Result<Option<f64>> {
        cols.get(rec, field)
            .map(|(v, c)| parse_price(v, name, line, c))
            .transpose()
    };
    let count = |field: &str| -> Result<Option<u64>> {
        cols.get(rec, field)
            .map(|(v, c)| parse_count(v, name, line, c))
            .transpose()
    };
    let number = |field: &str| -> Result<Option<f64>> {
        cols.get(rec, field)
            .map(|(v, c)| parse_f64(v, name, line, c, "a number"))
            .transpose()
    };
    // A zero side is "no quote" (the model's convention).
    let nonzero = |x: Option<f64>| x.filter(|p| *p > 0.0);
    let mut q = Quote::new(contract, nonzero(price("bid")?), nonzero(price("ask")?));
    if let (Some(b), Some(a)) = (q.bid, q.ask) {
        if b > a {
            let col = cols.get(rec, "bid").map_or("bid", |(_, c)| c);
            return Err(Error::record(
                name,
                line,
                col,
                format!("crossed quote: bid {b} is above ask {a}"),
            ));
        }
    }
    q.last = nonzero(price("last")?);
    q.bid_size = count("bid_size")?.filter(|n| *n > 0);
    q.ask_size = count("ask_size")?.filter(|n| *n > 0);
    q.volume = count("volume")?;
    q.open_interest = count("open_interest")?;
    q.provider_iv = cols
        .get(rec, "iv")
        .map(|(v, c)| parse_iv(v, name, line, c))
        .transpose()?
        .filter(|v| *v > 0.0);
    if let Some(m) = count("multiplier")? {
        q.multiplier = u32::try_from(m).ok().filter(|m| *m > 0).ok_or_else(|| {
            Error::record(
                name,
                line,
                "multiplier",
                format!("{m}: expected 1 to 4294967295"),
            )
        })?;
    }
    let g = ProviderGreeks {
        delta: number("delta")?,
        gamma: number("gamma")?,
        vega: number("vega")?,
        theta: number("theta")?,
        rho: number("rho")?,
    };
    if g != ProviderGreeks::default() {
        q.provider_greeks = Some(g);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::providers::ExpiryFilter;
    use chrono::DateTime;

    fn req(sym: &str) -> ChainRequest {
        ChainRequest {
            symbol: sym.to_string(),
            expiries: ExpiryFilter::All,
            as_of: DateTime::parse_from_rfc3339("2026-11-17T10:30:00-05:00").unwrap(),
        }
    }

    #[test]
    fn csv_line_numbers_count_comments_and_crlf() {
        let text = "# underlying: XYZ\r\n# spot: 50\r\n# a note\r\nexpiry,strike,right,bid\r\n2026-12-18,50,call,1.5\r\n2026-12-18,55,call,abc\r\n";
        let err = parse_chain_csv(text, "f.csv", &req("XYZ")).unwrap_err();
        match err {
            Error::Record {
                line,
                field,
                source_name,
                ..
            } => {
                assert_eq!(line, 6);
                assert_eq!(field, "bid");
                assert_eq!(source_name, "f.csv");
            }
            other => panic!("{other:?}"),
        }
    }
}
