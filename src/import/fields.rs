//! What every broker export shares: CSV rows with their line numbers, header matching that
//! tolerates each broker's spelling, money and quantities as brokers write them, and option
//! descriptions in the brokers' several spellings.

use chrono::NaiveDate;

use crate::csvread::{self, Percent};
use crate::model::{OptionContract, Right};

/// Where a parser stopped and why; the caller adds the file name and the format.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number; 0 when the whole line is at fault.
    pub column: usize,
    /// What is wrong, with the value.
    pub message: String,
}

impl ParseError {
    /// An error at a line and column.
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// One CSV record with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line number of the record's first line.
    pub line: usize,
    /// The fields, trimmed.
    pub cells: Vec<String>,
}

impl Row {
    /// The field at `i`, or "" past the end.
    pub fn get(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }

    /// The field at an optional column.
    pub fn opt(&self, i: Option<usize>) -> &str {
        i.map_or("", |i| self.get(i))
    }

    /// True when every field is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// Split an export into CSV records (quoted fields, embedded commas and newlines), dropping a
/// byte-order mark. Blank lines are kept as blank rows so that line numbers stay true.
pub fn rows(text: &str) -> Result<Vec<Row>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                out.push(Row {
                    line,
                    cells: rec.iter().map(|c| c.trim().to_string()).collect(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(ParseError::at(line, 0, format!("unreadable CSV: {e}")));
            }
        }
    }
    Ok(out)
}

/// Lower-case letters and digits only: "Qty (Quantity)" → "qtyquantity" (the rule of every
/// CSV reader, [`csvread::header_key`]).
fn key(s: &str) -> String {
    csvread::header_key(s)
}

/// A header row, matched by name whatever the broker's spacing, case and punctuation.
#[derive(Debug, Clone)]
pub struct Header {
    /// The 1-based line of the header.
    pub line: usize,
    /// Each column's names: the whole label, and for "Qty (Quantity)" also "qty" and
    /// "quantity".
    keys: Vec<Vec<String>>,
    /// The labels as written.
    pub labels: Vec<String>,
}

impl Header {
    /// The header of a row.
    pub fn new(row: &Row) -> Header {
        let keys = row.cells.iter().map(|c| csvread::header_keys(c)).collect();
        Header {
            line: row.line,
            keys,
            labels: row.cells.clone(),
        }
    }

    /// The first column answering to any of `names` (compared with case, spaces and punctuation ignored).
    pub fn col(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| {
            let want = key(n);
            self.keys.iter().position(|ks| ks.contains(&want))
        })
    }

    /// Like [`Header::col`], but a missing column is an error naming the header line.
    pub fn need(&self, names: &[&str]) -> Result<usize, ParseError> {
        self.col(names).ok_or_else(|| {
            ParseError::at(
                self.line,
                0,
                format!(
                    "no {:?} column in the header (columns: {})",
                    names.first().copied().unwrap_or_default(),
                    self.labels.join(", ")
                ),
            )
        })
    }

    /// True when every one of `names` is a column.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.col(&[n]).is_some())
    }
}

/// A number as brokers write it: "$1,234.56", "-$5.00", "$-5.00", "(1,234.56)" (negative),
/// "+1.66", "12.5%" (the number 12.5). Blank, "--", "n/a" and "N/A" are `None`. The shared
/// reading of every CSV ([`csvread::number`]), with a `%` sign as decoration.
pub fn number(s: &str) -> Result<Option<f64>, String> {
    csvread::number(s, Percent::Ignored)
}

/// [`number`] at a row's column, with the error placed at that line and column.
pub fn number_at(row: &Row, col: Option<usize>, what: &str) -> Result<Option<f64>, ParseError> {
    let Some(c) = col else { return Ok(None) };
    number(row.get(c)).map_err(|m| ParseError::at(row.line, c + 1, format!("{what}: {m}")))
}

/// A date as brokers write it: 12/19/2025, 2025-12-19, 20251219, 2025/12/19, 12/19/25, or
/// any of those followed by " as of 12/18/2025" (the first date is the one kept).
pub fn date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let t = t.split(" as of ").next().unwrap_or(t).trim();
    let t = t.split([',', ' ', ';']).next().unwrap_or(t);
    [
        "%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%m/%d/%y", "%d-%b-%Y", "%b-%d-%Y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

fn month(s: &str) -> Option<u32> {
    let u = s.to_ascii_uppercase();
    MONTHS
        .iter()
        .position(|m| u.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn year(s: &str) -> Option<i32> {
    let t = s.trim_start_matches('\'');
    let y: i32 = t.parse().ok()?;
    match t.len() {
        2 => Some(2000 + y),
        4 => Some(y),
        _ => None,
    }
}

fn strike(s: &str) -> Option<f64> {
    let v: f64 = s.trim_start_matches('$').replace(',', "").parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

fn right(s: &str) -> Option<Right> {
    match s.to_ascii_uppercase().as_str() {
        "C" | "CALL" | "CALLS" => Some(Right::Call),
        "P" | "PUT" | "PUTS" => Some(Right::Put),
        _ => None,
    }
}

/// An option contract in any broker's spelling, or `None` when `s` is not one:
///
/// * OCC, compact or padded: `NVDA251219C00150000`, `NVDA  251219C00150000`, `.NVDA251219C150`;
/// * Fidelity: ` -NVDA251219C150`, `-NVDA251219C152.5` (strike in dollars);
/// * Schwab: `NVDA 12/19/2025 150.00 C`;
/// * IBKR statements: `NVDA 19DEC25 150 C`; TWS: `NVDA Dec19'25 150 CALL`;
/// * E*TRADE: `NVDA Dec 19 '25 $150 Call`; Robinhood: `NVDA 12/19/2025 Call $150.00`.
pub fn option_symbol(s: &str) -> Option<OptionContract> {
    let t = s.trim();
    let t = t.trim_start_matches(['-', '.', ' ']);
    if t.is_empty() || !t.is_ascii() {
        return None;
    }
    if let Ok(c) = OptionContract::parse_occ(t) {
        return Some(c);
    }
    if !t.contains(' ') {
        return compact_dollar_strike(t);
    }
    let parts: Vec<&str> = t.split_whitespace().collect();
    let root = parts.first()?;
    let make = |expiry: NaiveDate, k: f64, r: Right| OptionContract::new(root, expiry, k, r).ok();
    match parts.len() {
        4 => {
            // Schwab: ROOT MM/DD/YYYY STRIKE C
            if let (Some(d), Some(k), Some(r)) = (date(parts[1]), strike(parts[2]), right(parts[3]))
            {
                return make(d, k, r);
            }
            // Robinhood: ROOT MM/DD/YYYY Call $STRIKE
            if let (Some(d), Some(r), Some(k)) = (date(parts[1]), right(parts[2]), strike(parts[3]))
            {
                return make(d, k, r);
            }
            // IBKR: ROOT 19DEC25 150 C ; TWS: ROOT Dec19'25 150 CALL
            let (k, r) = (strike(parts[2])?, right(parts[3])?);
            make(compact_date(parts[1])?, k, r)
        }
        6 => {
            // E*TRADE: ROOT Mon DD 'YY $STRIKE Call
            let m = month(parts[1])?;
            let d: u32 = parts[2].parse().ok()?;
            let y = year(parts[3])?;
            make(
                NaiveDate::from_ymd_opt(y, m, d)?,
                strike(parts[4])?,
                right(parts[5])?,
            )
        }
        _ => None,
    }
}

/// `19DEC25` (IBKR) or `Dec19'25` (TWS).
fn compact_date(s: &str) -> Option<NaiveDate> {
    let u = s.to_ascii_uppercase().replace('\'', "");
    let (a, rest) = u.split_at(u.find(|c: char| c.is_ascii_alphabetic())?);
    if a.is_empty() {
        // Dec19'25 → month first.
        let m = month(rest)?;
        let digits = rest.get(3..)?;
        if digits.len() != 4 {
            return None;
        }
        let d: u32 = digits.get(..2)?.parse().ok()?;
        let y = year(digits.get(2..)?)?;
        NaiveDate::from_ymd_opt(y, m, d)
    } else {
        // 19DEC25 → day first.
        let d: u32 = a.parse().ok()?;
        let m = month(rest)?;
        let y = year(rest.get(3..)?)?;
        NaiveDate::from_ymd_opt(y, m, d)
    }
}

/// Fidelity's `NVDA251219C150` / `NVDA251219C152.5`: root, YYMMDD, right, strike in dollars.
fn compact_dollar_strike(t: &str) -> Option<OptionContract> {
    let first_digit = t.find(|c: char| c.is_ascii_digit())?;
    let (root, rest) = t.split_at(first_digit);
    if root.is_empty() || rest.len() < 8 {
        return None;
    }
    let (ymd, rest) = rest.split_at(6);
    if !ymd.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = ymd.get(..2)?.parse().ok()?;
    let m: u32 = ymd.get(2..4)?.parse().ok()?;
    let d: u32 = ymd.get(4..)?.parse().ok()?;
    let (r, k) = rest.split_at(1);
    let expiry = NaiveDate::from_ymd_opt(2000 + y, m, d)?;
    OptionContract::new(root, expiry, strike(k)?, right(r)?).ok()
}

/// A ticker as brokers write it, normalized: upper case, `BRK/B` → `BRK.B`; `None` when it is
/// not one (cash lines, totals, money-market funds with `**`).
pub fn ticker(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_uppercase().replace('/', ".");
    let ok = !t.is_empty()
        && t.len() <= 10
        && t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    ok.then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_broker_spellings() {
        assert_eq!(number("$1,234.56"), Ok(Some(1234.56)));
        assert_eq!(number("(1,234.56)"), Ok(Some(-1234.56)));
        assert_eq!(number("-$5.00"), Ok(Some(-5.0)));
        assert_eq!(number("$-5.00"), Ok(Some(-5.0)));
        assert_eq!(number("+1.66"), Ok(Some(1.66)));
        assert_eq!(number("18.27%"), Ok(Some(18.27)));
        assert_eq!(number("--"), Ok(None));
        assert_eq!(number(" "), Ok(None));
        assert_eq!(number("N/A"), Ok(None));
        assert_eq!(
            number("12abc"),
            Err("\"12abc\" is not a number".to_string())
        );
        assert_eq!(number("$"), Err("\"$\" is not a number".to_string()));
        assert_eq!(
            number("1e999"),
            Err("\"1e999\" is not a finite number".to_string())
        );
    }

    #[test]
    fn option_spellings() {
        let want = OptionContract::parse_occ("NVDA251219C00150000").unwrap();
        for s in [
            "NVDA251219C00150000",
            "NVDA  251219C00150000",
            " -NVDA251219C150",
            "-NVDA251219C150",
            "NVDA 12/19/2025 150.00 C",
            "NVDA 19DEC25 150 C",
            "NVDA Dec19'25 150 CALL",
            "NVDA Dec 19 '25 $150 Call",
            "NVDA 12/19/2025 Call $150.00",
        ] {
            assert_eq!(option_symbol(s).as_ref(), Some(&want), "{s}");
        }
        let half = option_symbol("-AMD260116P152.5").unwrap();
        assert_eq!((half.strike, half.right), (152.5, Right::Put));
        for s in [
            "NVDA",
            "Cash & Cash Investments",
            "SPAXX**",
            "",
            "NVDA 12/19/2025",
            "Account Total",
        ] {
            assert_eq!(option_symbol(s), None, "{s}");
        }
    }

    #[test]
    fn headers_match_any_spelling() {
        let r = Row {
            line: 3,
            cells: vec![
                "Symbol".into(),
                "Qty (Quantity)".into(),
                "Fees & Comm".into(),
            ],
        };
        let h = Header::new(&r);
        assert_eq!(h.col(&["quantity"]), Some(1));
        assert_eq!(h.col(&["qty"]), Some(1));
        assert_eq!(h.col(&["fees & comm"]), Some(2));
        assert_eq!(h.col(&["price"]), None);
        let e = h.need(&["Price"]).unwrap_err();
        assert_eq!((e.line, e.column), (3, 0));
    }

    #[test]
    fn dates_and_tickers() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 19);
        assert_eq!(date("12/19/2025"), d);
        assert_eq!(date("12/19/2025 as of 12/18/2025"), d);
        assert_eq!(date("2025-12-19, 10:15:32"), d);
        assert_eq!(date("20251219;101532"), d);
        assert_eq!(ticker("brk/b").as_deref(), Some("BRK.B"));
        assert_eq!(ticker("SPAXX**"), None);
        assert_eq!(ticker("Account Total"), None);
    }
}
