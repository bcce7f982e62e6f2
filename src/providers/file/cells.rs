//! What the chain and history CSVs share: column names and their aliases, header matching,
//! line numbers true to the file, and the cells' number, date and instant spellings.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::csvread::{self, Cell, Percent};
pub(super) use crate::csvread::{Columns, CsvBody};
use crate::error::{Error, Result};
use crate::providers::calendar::expiry_instant;

pub(super) const SYMBOL: &[&str] = &[
    "symbol",
    "underlying",
    "underlying_symbol",
    "ticker",
    "root",
];
pub(super) const CONTRACT: &[&str] =
    &["contract", "occ", "option_symbol", "contract_symbol", "osi"];
pub(super) const EXPIRY: &[&str] = &[
    "expiry",
    "expiration",
    "expiration_date",
    "exp",
    "expiry_date",
];
pub(super) const STRIKE: &[&str] = &["strike", "strike_price"];
pub(super) const RIGHT: &[&str] = &["right", "type", "option_type", "put_call", "call_put", "cp"];
pub(super) const BID: &[&str] = &["bid"];
pub(super) const ASK: &[&str] = &["ask"];
pub(super) const LAST: &[&str] = &["last", "last_price", "lastprice"];
pub(super) const BID_SIZE: &[&str] = &["bid_size", "bidsize"];
pub(super) const ASK_SIZE: &[&str] = &["ask_size", "asksize"];
pub(super) const VOLUME: &[&str] = &["volume", "vol"];
pub(super) const OPEN_INTEREST: &[&str] = &["open_interest", "oi", "openinterest"];
pub(super) const IV: &[&str] = &["iv", "implied_volatility", "impliedvolatility"];
pub(super) const DELTA: &[&str] = &["delta"];
pub(super) const GAMMA: &[&str] = &["gamma"];
pub(super) const VEGA: &[&str] = &["vega"];
pub(super) const THETA: &[&str] = &["theta"];
pub(super) const RHO: &[&str] = &["rho"];
pub(super) const MULTIPLIER: &[&str] = &["multiplier"];
pub(super) const SPOT: &[&str] = &["spot", "underlying_price", "underlying_last"];
pub(super) const AS_OF: &[&str] = &["as_of", "asof", "quote_time"];

pub(super) const DATE: &[&str] = &["date", "timestamp", "time", "day"];
pub(super) const OPEN: &[&str] = &["open"];
pub(super) const HIGH: &[&str] = &["high"];
pub(super) const LOW: &[&str] = &["low"];
pub(super) const CLOSE: &[&str] = &["close"];
pub(super) const ADJ_CLOSE: &[&str] = &["adj_close", "adjclose", "adjusted_close"];

/// Lower case, trimmed, spaces and hyphens as underscores, surrounding quotes removed: for
/// metadata keys and adjustment words (header labels match by [`csvread::header_key`]).
pub(super) fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_matches('"')
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

/// Metadata from the `# key: value` lines before the header, keys lower-cased.
pub(super) fn leading_metadata(text: &str) -> HashMap<String, (usize, String)> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let Some(c) = l.strip_prefix('#') else {
            break;
        };
        let split = match (c.find(':'), c.find('=')) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(at) = split {
            let key = normalize_header(&c[..at]);
            let value = c[at + 1..].trim().to_string();
            out.entry(key).or_insert((i + 1, value));
        }
    }
    out
}

/// A number in a cell ([`csvread::number`]: `$1,234.56`, `(12.50)`, `1e-3`), finite.
pub(super) fn parse_f64(
    v: &str,
    name: &str,
    line: usize,
    col: &str,
    expected: &str,
) -> Result<f64> {
    let at = Cell {
        source: name,
        line,
        expected,
    };
    match csvread::number(v, Percent::Refused) {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(at.error(col, format!("{v:?} is not a number"))),
        Err(m) => Err(at.error(col, m)),
    }
}

pub(super) fn parse_price(v: &str, name: &str, line: usize, col: &str) -> Result<f64> {
    let x = parse_f64(v, name, line, col, "a price in USD")?;
    if x < 0.0 {
        return Err(Error::record(
            name,
            line,
            col,
            format!("{v}: a price cannot be negative"),
        ));
    }
    Ok(x)
}

pub(super) fn parse_count(v: &str, name: &str, line: usize, col: &str) -> Result<u64> {
    let x = parse_f64(v, name, line, col, "a count")?;
    if x < 0.0 {
        return Err(Error::record(
            name,
            line,
            col,
            format!("{v}: a count cannot be negative"),
        ));
    }
    if x > u64::MAX as f64 / 2.0 {
        return Err(Error::record(name, line, col, format!("{v}: too large")));
    }
    Ok(x.round() as u64)
}

/// Decimal IV, or percent with a `%` sign.
pub(super) fn parse_iv(v: &str, name: &str, line: usize, col: &str) -> Result<f64> {
    let (num, scale) = match v.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (v, 1.0),
    };
    let x = parse_f64(num, name, line, col, "a decimal volatility such as 0.47")? / scale;
    if !(0.0..=10.0).contains(&x) {
        return Err(Error::record(
            name,
            line,
            col,
            format!("{v}: expected a decimal fraction (0.47, not 47) or a percent with '%'"),
        ));
    }
    Ok(x)
}

/// `YYYY-MM-DD` (anything after a `T` or space ignored), `YYYYMMDD` or `MM/DD/YYYY`.
pub(super) fn parse_date(v: &str) -> Option<NaiveDate> {
    let d = v.split(['T', ' ']).next().unwrap_or(v).trim();
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(d, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(d, "%m/%d/%Y"))
        .ok()
        .filter(|_| d.len() >= 8)
}

/// RFC 3339, or a bare date meaning its 16:00 New York close.
pub(super) fn parse_as_of(v: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(v.trim()).ok().or_else(|| {
        parse_date(v)
            .filter(|_| v.trim().len() <= 10)
            // That day's close, shown with New York's offset then.
            .map(|d| {
                expiry_instant(d)
                    .with_timezone(&chrono_tz::America::New_York)
                    .fixed_offset()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_values() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        assert_eq!(parse_date("2026-12-18"), Some(d));
        assert_eq!(parse_date("20261218"), Some(d));
        assert_eq!(parse_date("12/18/2026"), Some(d));
        assert_eq!(parse_date("2026-12-18 00:00:00"), Some(d));
        assert_eq!(parse_date("2026-12-18T00:00:00Z"), Some(d));
        assert_eq!(parse_date("2026-13-18"), None);
        assert_eq!(parse_date("18"), None);
        assert_eq!(parse_iv("47%", "f", 1, "iv").unwrap(), 0.47);
        assert_eq!(parse_iv("0.47", "f", 1, "iv").unwrap(), 0.47);
        let e = parse_iv("47", "f", 1, "iv").unwrap_err();
        assert!(
            matches!(&e, Error::Record { source_name, line: 1, field, message }
                if source_name == "f" && field == "iv"
                    && message.starts_with("47:") && message.contains("decimal fraction")),
            "{e}"
        );
        assert_eq!(parse_count("1234.6", "f", 1, "v").unwrap(), 1235);
        let e = parse_count("-1", "f", 1, "v").unwrap_err();
        assert!(
            matches!(&e, Error::Record { line: 1, field, message, .. }
                if field == "v" && message.contains("-1") && message.contains("negative")),
            "{e}"
        );
        let e = parse_price("inf", "f", 1, "bid").unwrap_err();
        assert!(
            matches!(&e, Error::Record { line: 1, field, message, .. }
                if field == "bid" && message.contains("\"inf\" is not a number")),
            "{e}"
        );
        assert_eq!(
            parse_as_of("2026-12-18").unwrap().to_rfc3339(),
            "2026-12-18T16:00:00-05:00"
        );
        assert!(parse_as_of("yesterday").is_none());
    }
}
