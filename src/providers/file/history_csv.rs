//! The daily history CSV (see the module docs of [`super`]).

use super::cells::*;
use super::strip_bom;
use crate::error::{Error, Result};
use crate::model::{Adjustment, Bar, PriceHistory};

/// Parse a daily history CSV (see the module docs) into every bar of the file, for `symbol`.
///
/// `adjustment` overrides a `# adjustment:` comment; without either it is
/// [`Adjustment::Unknown`] (or splits-and-dividends for a file with only `Adj Close`).
pub fn parse_history_csv(
    text: &str,
    source_name: &str,
    symbol: &str,
    adjustment: Option<Adjustment>,
) -> Result<PriceHistory> {
    let name = source_name;
    let text = strip_bom(text);
    let meta = leading_metadata(text);
    let body = CsvBody::new(text);
    let mut rdr = body.reader();
    let header = rdr.headers().map_err(|e| body.error(name, &e))?.clone();
    let header_line = body.line_of(header.position());
    let fields: [(&'static str, &[&str]); 8] = [
        ("date", DATE),
        ("open", OPEN),
        ("high", HIGH),
        ("low", LOW),
        ("close", CLOSE),
        ("adj_close", ADJ_CLOSE),
        ("volume", VOLUME),
        ("symbol", SYMBOL),
    ];
    let cols = Columns::new(&header, &fields, name, header_line)?;
    let close_field = if cols.has("close") {
        "close"
    } else if cols.has("adj_close") {
        "adj_close"
    } else {
        ""
    };
    if !cols.has("date") || close_field.is_empty() {
        return Err(Error::record(
            name,
            header_line,
            "header",
            "a history CSV needs Date and Close columns (Date,Open,High,Low,Close,Volume)",
        ));
    }
    let adjustment = match adjustment {
        Some(a) => a,
        None => match meta.get("adjustment") {
            Some((line, v)) => parse_adjustment(v).ok_or_else(|| {
                Error::record(
                    name,
                    *line,
                    "adjustment",
                    format!("{v:?}: expected none, splits or splits_and_dividends"),
                )
            })?,
            None if close_field == "adj_close" => Adjustment::SplitsAndDividends,
            None => Adjustment::Unknown,
        },
    };
    let want = symbol.trim().to_ascii_uppercase();
    let mut bars = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| body.error(name, &e))?;
        let line = body.line_of(rec.position());
        if let Some((s, _)) = cols.get(&rec, "symbol") {
            if !want.is_empty() && !s.eq_ignore_ascii_case(&want) {
                continue;
            }
        }
        let date = match cols.get(&rec, "date") {
            Some((v, col)) => parse_date(v).ok_or_else(|| {
                Error::record(
                    name,
                    line,
                    col,
                    format!("{v:?} is not a date (expected YYYY-MM-DD)"),
                )
            })?,
            None => {
                let col = cols.label("date");
                return Err(Error::record(name, line, col, "missing date"));
            }
        };
        let price = |field: &str| -> Result<Option<f64>> {
            cols.get(&rec, field)
                .map(|(v, c)| {
                    let x = parse_price(v, name, line, c)?;
                    if x > 0.0 {
                        Ok(x)
                    } else {
                        Err(Error::record(
                            name,
                            line,
                            c,
                            format!("{v}: expected a positive price"),
                        ))
                    }
                })
                .transpose()
        };
        let (open, high, low, close) = (
            price("open")?,
            price("high")?,
            price("low")?,
            price(close_field)?,
        );
        let Some(close) = close else {
            if open.is_none() && high.is_none() && low.is_none() {
                // Yahoo's all-null placeholder rows carry no information.
                continue;
            }
            let col = cols.label(close_field);
            return Err(Error::record(name, line, col, "missing close"));
        };
        let volume = cols
            .get(&rec, "volume")
            .map(|(v, c)| parse_count(v, name, line, c))
            .transpose()?;
        bars.push(Bar {
            date,
            open,
            high,
            low,
            close,
            volume,
        });
    }
    Ok(PriceHistory::new(want, adjustment, bars))
}

fn parse_adjustment(v: &str) -> Option<Adjustment> {
    match normalize_header(v).as_str() {
        "none" | "raw" | "unadjusted" => Some(Adjustment::None),
        "splits" | "split" => Some(Adjustment::Splits),
        "splits_and_dividends" | "splits+dividends" | "total_return" | "dividends" => {
            Some(Adjustment::SplitsAndDividends)
        }
        "unknown" => Some(Adjustment::Unknown),
        _ => None,
    }
}
