//! What every CSV reader of ccplan shares: header names matched whatever their spelling,
//! required and optional columns, cells that mean "not given", numbers as people and brokers
//! write them, and line numbers true to the file.
//!
//! Why one helper: chain and history files, holdings, the `price`/`iv` batches, the IV history
//! import, orders read back and broker exports all read a header and numbers. Each had its own
//! idea of `Strike Price` against `strike_price`, of `$1,234.56`, of `--`, and its own way of
//! counting lines; a user moving between them met different rules for the same spelling.
//!
//! # Header names
//!
//! A header label and a known name match when their [`header_key`]s are equal: letters and
//! digits only, lower case, so `Open Interest`, `open-interest`, `OPEN_INTEREST` and
//! `openinterest` are one column. A label with a parenthesis, as brokers write them
//! (`Qty (Quantity)`), also answers to the part before and the part inside it.
//!
//! # Numbers
//!
//! [`number`] reads `1234.56`, `$1,234.56`, `-$5.00`, `$-5.00`, `+1.66`, `1e-3` and the
//! accountants' negative `(12.50)`. A cell that [`is_missing`] (empty, `-`, `--`, `n/a`,
//! `null`, `nan`, `none`) is `None`, never 0. What a `%` sign means is the caller's choice
//! ([`Percent`]): brokers' `18.27%` under a percent heading is 18.27, a volatility `47%` is
//! 0.47, and a batch input refuses it.
//!
//! # Errors
//!
//! Every error is an [`Error::Record`] naming the source, the 1-based line of the file and the
//! column as the file spells it.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// A header label reduced for matching: ASCII letters and digits only, lower case
/// (`"Open Interest"` → `"openinterest"`); a byte-order mark or quotes around it fall away.
pub fn header_key(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The keys a header label answers to: the whole label's, and for `Qty (Quantity)` also
/// `qty` and `quantity`. Empty keys are left out.
pub fn header_keys(label: &str) -> Vec<String> {
    let mut keys = vec![header_key(label)];
    if let Some((before, after)) = label.split_once('(') {
        keys.push(header_key(before));
        keys.push(header_key(after.trim_end_matches(')')));
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// Whether a header label is one of `names` (compared by [`header_keys`]).
pub fn label_is(label: &str, names: &[&str]) -> bool {
    let keys = header_keys(label);
    names.iter().any(|n| keys.contains(&header_key(n)))
}

/// A cell that means "not given": empty, `-`, `--`, `null`, `nan`, `n/a`, `na`, `none`
/// (any case, surrounding spaces ignored).
pub fn is_missing(cell: &str) -> bool {
    let v = cell.trim();
    v.is_empty()
        || v == "-"
        || v == "--"
        || v.eq_ignore_ascii_case("null")
        || v.eq_ignore_ascii_case("nan")
        || v.eq_ignore_ascii_case("n/a")
        || v.eq_ignore_ascii_case("na")
        || v.eq_ignore_ascii_case("none")
}

/// What a `%` sign after a number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percent {
    /// The sign is decoration: `18.27%` is 18.27 (brokers' percent columns).
    Ignored,
    /// A fraction in percent: `47%` is 0.47.
    Fraction,
    /// Not a number here: `47%` is an error.
    Refused,
}

/// A number as people and brokers write it (see the module docs); `Ok(None)` for a cell that
/// [`is_missing`]. The error says what the cell holds: `"12abc" is not a number`.
pub fn number(cell: &str, percent: Percent) -> std::result::Result<Option<f64>, String> {
    let t = cell.trim();
    if is_missing(t) {
        return Ok(None);
    }
    // The plain spelling (`1234.5`, `-0.25`, `1e-3`) without the copy the general one needs.
    if t.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        if let Ok(v) = t.parse::<f64>() {
            return if v.is_finite() {
                Ok(Some(v))
            } else {
                Err(format!("{t:?} is not a finite number"))
            };
        }
    }
    let not_a_number = || format!("{t:?} is not a number");
    let (t_num, scale) = match t.strip_suffix('%') {
        Some(rest) => match percent {
            Percent::Ignored => (rest.trim_end(), 1.0),
            Percent::Fraction => (rest.trim_end(), 100.0),
            Percent::Refused => return Err(not_a_number()),
        },
        None => (t, 1.0),
    };
    let (neg_paren, body) = match t_num.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, t_num),
    };
    let mut neg = neg_paren;
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' | '.' => digits.push(c),
            'e' | 'E' if !digits.is_empty() => digits.push(c),
            '-' | '+' if digits.ends_with(['e', 'E']) => digits.push(c),
            '-' if digits.is_empty() => neg = !neg,
            '+' if digits.is_empty() => {}
            '$' | ' ' if digits.is_empty() => {}
            ',' if !digits.is_empty() && !digits.contains(['.', 'e', 'E']) => {}
            _ => return Err(not_a_number()),
        }
    }
    let v: f64 = digits.parse().map_err(|_| not_a_number())?;
    if !v.is_finite() {
        return Err(format!("{t:?} is not a finite number"));
    }
    let v = v / scale;
    Ok(Some(if neg { -v } else { v }))
}

/// The 1-based line of a csv position (0 when there is none).
pub fn record_line(pos: Option<&csv::Position>) -> usize {
    pos.map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
}

/// A known column: its canonical name and the header spellings it answers to (each compared
/// by [`header_key`]; the canonical name is not implied, list it among the aliases).
pub type FieldNames = (&'static str, &'static [&'static str]);

/// Where the known columns are in one header.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Canonical name → (column index, label as written in the file).
    map: HashMap<&'static str, (usize, String)>,
    /// The labels as written, in order.
    labels: Vec<String>,
}

impl Columns {
    /// Find `fields` in `header` (line `line` of `source`). Unknown labels are kept only in
    /// [`Columns::labels`]; two labels meaning the same field are an error naming the second.
    pub fn new(
        header: &csv::StringRecord,
        fields: &[FieldNames],
        source: &str,
        line: usize,
    ) -> Result<Columns> {
        let wanted: Vec<(&'static str, Vec<String>)> = fields
            .iter()
            .map(|(canon, aliases)| (*canon, aliases.iter().map(|a| header_key(a)).collect()))
            .collect();
        let mut map: HashMap<&'static str, (usize, String)> = HashMap::new();
        let mut labels = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let label = raw.trim().trim_start_matches('\u{feff}').trim();
            labels.push(label.to_string());
            let keys = header_keys(label);
            let Some((canon, _)) = wanted
                .iter()
                .find(|(_, aliases)| aliases.iter().any(|a| keys.contains(a)))
            else {
                continue;
            };
            if let Some((_, first)) = map.get(canon) {
                return Err(Error::record(
                    source,
                    line,
                    label,
                    format!("column means the same as {first:?}; keep one of them"),
                ));
            }
            map.insert(canon, (i, label.to_string()));
        }
        Ok(Columns { map, labels })
    }

    /// Whether the header has `field`.
    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// The column index of `field`.
    pub fn index(&self, field: &str) -> Option<usize> {
        self.map.get(field).map(|(i, _)| *i)
    }

    /// The label of `field` as the file writes it, or `field` itself when it is absent.
    pub fn label<'a>(&'a self, field: &'a str) -> &'a str {
        self.map.get(field).map_or(field, |(_, l)| l.as_str())
    }

    /// Every label of the header, as written.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The fields of `required` the header lacks, in that order.
    pub fn missing<'f>(&self, required: &[&'f str]) -> Vec<&'f str> {
        required.iter().copied().filter(|f| !self.has(f)).collect()
    }

    /// The cell of `field` in `rec`, trimmed, with the column's label; `None` when the column
    /// is absent or the cell [`is_missing`].
    pub fn get<'r>(&self, rec: &'r csv::StringRecord, field: &str) -> Option<(&'r str, &str)> {
        let (i, label) = self.map.get(field)?;
        let v = rec.get(*i)?.trim();
        if is_missing(v) {
            None
        } else {
            Some((v, label.as_str()))
        }
    }

    /// The cell of `field`, trimmed, as written (`""` when the column is absent).
    pub fn raw<'r>(&self, rec: &'r csv::StringRecord, field: &str) -> &'r str {
        self.index(field)
            .and_then(|i| rec.get(i))
            .map_or("", str::trim)
    }

    /// [`number`] in the cell of `field` on line `line`; `Ok(None)` when the column is absent
    /// or the cell is missing. The error names the line and the column; `expected`, when not
    /// empty, is added as "(expected …)".
    pub fn number(
        &self,
        rec: &csv::StringRecord,
        field: &str,
        percent: Percent,
        at: Cell<'_>,
    ) -> Result<Option<f64>> {
        let Some(i) = self.index(field) else {
            return Ok(None);
        };
        let v = rec.get(i).unwrap_or("");
        number(v, percent).map_err(|m| at.error(self.label(field), m))
    }
}

/// Where a cell is, for its errors: the source, the line and what the column should hold.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The file (or `stdin`).
    pub source: &'a str,
    /// 1-based line of the file.
    pub line: usize,
    /// What the column holds, for the message ("a price in USD"); empty for none.
    pub expected: &'a str,
}

impl Cell<'_> {
    /// The error for this cell in `column`: the message, and "(expected …)" when known.
    pub fn error(&self, column: &str, message: String) -> Error {
        let message = if self.expected.is_empty() {
            message
        } else {
            format!("{message} (expected {})", self.expected)
        };
        Error::record(self.source, self.line, column, message)
    }
}

/// A CSV body with comment (`#`) and blank lines removed and LF line endings, and where each
/// remaining line came from.
///
/// The csv crate reports a record's position as where the reader stood before skipping
/// comments and blank lines (and, after a CRLF, the line before), so its line numbers drift;
/// normalizing first makes them exact, and [`CsvBody::line_of`] maps them back to the file's
/// own numbering.
#[derive(Debug, Clone)]
pub struct CsvBody {
    text: String,
    /// `lines[i]` is the 1-based file line of the body's line `i + 1`.
    lines: Vec<usize>,
}

impl CsvBody {
    /// The body of `text` (a byte-order mark is the caller's to strip).
    pub fn new(text: &str) -> CsvBody {
        let mut body = String::with_capacity(text.len());
        let mut lines = Vec::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            // LF endings only: after a CRLF the csv crate reports the previous line.
            body.push_str(line.trim_end_matches(['\r', '\n']));
            body.push('\n');
            lines.push(i + 1);
        }
        CsvBody { text: body, lines }
    }

    /// A reader over the body: a header row, cells trimmed, every row as long as the header.
    pub fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .has_headers(true)
            .flexible(false)
            .from_reader(self.text.as_bytes())
    }

    /// The file line of a csv position.
    pub fn line_of(&self, pos: Option<&csv::Position>) -> usize {
        let body_line = pos.map_or(1, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        body_line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or(body_line)
    }

    /// A csv error as a record error on the file's line.
    pub fn error(&self, source: &str, e: &csv::Error) -> Error {
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        Error::record(source, self.line_of(e.position()), "row", message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> std::result::Result<Option<f64>, String> {
        number(s, Percent::Refused)
    }

    #[test]
    fn numbers_as_written() {
        assert_eq!(num("1234.56"), Ok(Some(1234.56)));
        assert_eq!(num("$1,234.56"), Ok(Some(1234.56)));
        assert_eq!(num("1,234,567"), Ok(Some(1_234_567.0)));
        assert_eq!(num("(12.50)"), Ok(Some(-12.5)));
        assert_eq!(num("($1,234.56)"), Ok(Some(-1234.56)));
        assert_eq!(num("-$5.00"), Ok(Some(-5.0)));
        assert_eq!(num("$-5.00"), Ok(Some(-5.0)));
        assert_eq!(num("+1.66"), Ok(Some(1.66)));
        assert_eq!(num("1e-3"), Ok(Some(0.001)));
        assert_eq!(num("2.5E+2"), Ok(Some(250.0)));
        assert_eq!(num(" 7 "), Ok(Some(7.0)));
        for missing in [
            "", " ", "-", "--", "N/A", "n/a", "NA", "null", "NaN", "none",
        ] {
            assert_eq!(num(missing), Ok(None), "{missing:?}");
        }
        for bad in [
            "12abc", "$", "1.2.3", "1-2", "e5", "1,2.5.1", "abc", "1 000x", "inf",
        ] {
            assert_eq!(num(bad), Err(format!("{bad:?} is not a number")), "{bad:?}");
        }
        assert_eq!(
            num("1e999"),
            Err("\"1e999\" is not a finite number".to_string())
        );
    }

    #[test]
    fn percent_signs_by_choice() {
        assert_eq!(number("18.27%", Percent::Ignored), Ok(Some(18.27)));
        assert_eq!(number("47%", Percent::Fraction), Ok(Some(0.47)));
        assert_eq!(number("47 %", Percent::Fraction), Ok(Some(0.47)));
        assert_eq!(number("0.47", Percent::Fraction), Ok(Some(0.47)));
        assert_eq!(
            number("47%", Percent::Refused),
            Err("\"47%\" is not a number".to_string())
        );
    }

    #[test]
    fn header_names_in_any_spelling() {
        assert_eq!(header_key("Open Interest"), "openinterest");
        assert_eq!(header_key("\u{feff}\"open-interest\""), "openinterest");
        assert_eq!(
            header_keys("Qty (Quantity)"),
            ["qtyquantity", "qty", "quantity"]
        );
        assert!(label_is("Strike Price", &["strike", "strike_price"]));
        assert!(label_is("Qty (Quantity)", &["quantity"]));
        assert!(!label_is("Strikes", &["strike"]));
    }

    #[test]
    fn columns_by_alias_with_labels_and_duplicates() {
        const FIELDS: &[FieldNames] = &[
            ("strike", &["strike", "strike_price"]),
            ("bid", &["bid"]),
            ("open_interest", &["open_interest", "oi"]),
        ];
        let header = csv::StringRecord::from(vec!["Strike Price", "Bid", "Note", " OI "]);
        let cols = Columns::new(&header, FIELDS, "f.csv", 3).unwrap();
        assert_eq!(cols.index("strike"), Some(0));
        assert_eq!(cols.index("open_interest"), Some(3));
        assert_eq!(cols.label("strike"), "Strike Price");
        assert_eq!(cols.label("ask"), "ask");
        assert_eq!(cols.labels(), ["Strike Price", "Bid", "Note", "OI"]);
        assert_eq!(cols.missing(&["strike", "ask", "bid", "iv"]), ["ask", "iv"]);

        let rec = csv::StringRecord::from(vec!["190", "--", "x", "(1,234)"]);
        assert_eq!(cols.get(&rec, "strike"), Some(("190", "Strike Price")));
        assert_eq!(cols.get(&rec, "bid"), None);
        assert_eq!(cols.raw(&rec, "bid"), "--");
        let at = Cell {
            source: "f.csv",
            line: 9,
            expected: "a count",
        };
        assert_eq!(
            cols.number(&rec, "open_interest", Percent::Refused, at)
                .unwrap(),
            Some(-1234.0)
        );
        let bad = csv::StringRecord::from(vec!["19O", "", "", ""]);
        match cols.number(&bad, "strike", Percent::Refused, at) {
            Err(Error::Record {
                source_name,
                line,
                field,
                message,
            }) => {
                assert_eq!((source_name.as_str(), line), ("f.csv", 9));
                assert_eq!(field, "Strike Price");
                assert_eq!(message, "\"19O\" is not a number (expected a count)");
            }
            other => panic!("{other:?}"),
        }

        let twice = csv::StringRecord::from(vec!["strike", "Strike-Price"]);
        match Columns::new(&twice, FIELDS, "f.csv", 3) {
            Err(Error::Record { line, field, .. }) => {
                assert_eq!((line, field.as_str()), (3, "Strike-Price"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn body_lines_are_the_files() {
        let text = "# meta\r\n\r\na,b\r\n1,2\r\n# note\r\n3\r\n";
        let body = CsvBody::new(text);
        let mut rdr = body.reader();
        let header = rdr.headers().unwrap().clone();
        assert_eq!(body.line_of(header.position()), 3);
        let mut recs = rdr.records();
        let first = recs.next().unwrap().unwrap();
        assert_eq!(body.line_of(first.position()), 4);
        let err = recs.next().unwrap().unwrap_err();
        match body.error("f.csv", &err) {
            Error::Record { line, message, .. } => {
                assert_eq!(line, 6);
                assert_eq!(message, "1 fields where the header has 2");
            }
            other => panic!("{other:?}"),
        }
    }
}
