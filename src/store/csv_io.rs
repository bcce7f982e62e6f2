//! Seeding a series from CSV, and writing it back out in the same layout.
//!
//! The layout is documented on [`Store::import_csv`], where users of the library see it.

use std::collections::HashMap;
use std::io::{Read, Write};

use chrono::NaiveDate;

use super::summary::upsert;
use super::{normalize_symbol, DailySummary, Store};
use crate::csvread::{self, Percent};
use crate::error::{Error, Result};

/// The columns [`Store::export_csv`] writes, in order.
pub const CSV_COLUMNS: [&str; 5] = ["date", "iv30", "hv20", "spot", "skew"];

/// Largest plausible decimal volatility: above it the figure is almost surely a percent.
const MAX_DECIMAL_VOL: f64 = 5.0;
/// Largest plausible decimal skew in size.
const MAX_DECIMAL_SKEW: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Date,
    Iv30,
    Hv20,
    Spot,
    Skew,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Iv30 => "iv30",
            Field::Hv20 => "hv20",
            Field::Spot => "spot",
            Field::Skew => "skew",
        }
    }
}

/// One recognized column: where it is, what it holds, whether its values are percent.
#[derive(Debug, Clone, Copy)]
struct Column {
    index: usize,
    percent: bool,
}

/// Recognize a header name: the field and whether it announces percent.
fn classify(name: &str) -> Option<(Field, bool)> {
    let n = name.trim().to_ascii_lowercase();
    let (base, percent) = if let Some(b) = n.strip_suffix("_pct") {
        (b, true)
    } else if let Some(b) = n.strip_suffix("_percent") {
        (b, true)
    } else if let Some(b) = n.strip_suffix('%') {
        (b.trim_end().trim_end_matches('_'), true)
    } else {
        (n.as_str(), false)
    };
    let field = match csvread::header_key(base).as_str() {
        "date" => Field::Date,
        "iv30" => Field::Iv30,
        "hv20" => Field::Hv20,
        "spot" => Field::Spot,
        "skew" => Field::Skew,
        _ => return None,
    };
    match (field, percent) {
        (Field::Date | Field::Spot, true) => None,
        _ => Some((field, percent)),
    }
}

struct Layout {
    columns: HashMap<Field, Column>,
    names: Vec<String>,
}

fn layout(headers: &csv::StringRecord, source: &str) -> Result<Layout> {
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    let mut columns: HashMap<Field, Column> = HashMap::new();
    for (index, name) in names.iter().enumerate() {
        // A UTF-8 byte-order mark in front of the first name is an editor's artefact.
        let name = name.trim_start_matches('\u{feff}');
        if let Some((field, percent)) = classify(name) {
            if let Some(prev) = columns.get(&field) {
                return Err(Error::record(
                    source,
                    1,
                    name,
                    format!(
                        "{} is given twice (columns {:?} and {:?})",
                        field.name(),
                        names[prev.index],
                        name
                    ),
                ));
            }
            columns.insert(field, Column { index, percent });
        }
    }
    for required in [Field::Date, Field::Iv30] {
        if !columns.contains_key(&required) {
            return Err(Error::record(
                source,
                1,
                required.name(),
                format!(
                    "no {} column in the header (found {}); expected at least date and iv30 \
                     (or iv30_pct)",
                    required.name(),
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(Layout { columns, names })
}

/// A value of one cell, in library units, or `None` for a blank.
fn number(
    record: &csv::StringRecord,
    layout: &Layout,
    field: Field,
    line: usize,
    source: &str,
) -> Result<Option<f64>> {
    let Some(col) = layout.columns.get(&field) else {
        return Ok(None);
    };
    let header = &layout.names[col.index];
    let raw = record.get(col.index).unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (text, own_percent) = match raw.strip_suffix('%') {
        Some(t) => (t.trim_end(), true),
        None => (raw, false),
    };
    let bad = |msg: String| Error::record(source, line, header.as_str(), msg);
    // The shared reading ($, thousands separators, (negative), blanks such as "--"); the
    // percent sign is read here, against the column's unit.
    let value = match csvread::number(text, Percent::Refused) {
        Ok(Some(v)) => v,
        Ok(None) => return Ok(None),
        Err(_) if text.parse::<f64>().is_ok_and(|v| !v.is_finite()) => {
            return Err(bad(format!("{raw:?} is not a finite number")))
        }
        Err(_) => return Err(bad(format!("{raw:?} is not a number"))),
    };
    if field == Field::Spot {
        if own_percent || value <= 0.0 {
            return Err(bad(format!("{raw:?}: expected a price above 0 in USD")));
        }
        return Ok(Some(value));
    }
    let percent = col.percent || own_percent;
    if !percent {
        let (limit, what) = match field {
            Field::Skew => (MAX_DECIMAL_SKEW, "skew"),
            _ => (MAX_DECIMAL_VOL, "volatility"),
        };
        if value.abs() >= limit {
            return Err(bad(format!(
                "{raw} looks like a percent, but the column holds a decimal {what}; \
                 name the column {}_pct (or write 0.35 for 35 %)",
                field.name()
            )));
        }
    }
    let value = if percent { value / 100.0 } else { value };
    match field {
        Field::Iv30 if value <= 0.0 => Err(bad(format!("{raw}: expected an IV above 0"))),
        Field::Hv20 if value < 0.0 => Err(bad(format!("{raw}: expected a volatility ≥ 0"))),
        _ => Ok(Some(value)),
    }
}

fn csv_error(source: &str, e: &csv::Error) -> Error {
    let line = csvread::record_line(e.position());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    Error::record(source, line, "row", message)
}

/// Parse the whole CSV into summaries before anything is written.
fn parse(symbol: &str, source: &str, reader: impl Read) -> Result<Vec<DailySummary>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr.headers().map_err(|e| csv_error(source, &e))?.clone();
    let layout = layout(&headers, source)?;
    let mut seen: HashMap<NaiveDate, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(source, &e)),
        }
        let line = csvread::record_line(record.position());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let date_col = layout.columns[&Field::Date];
        let date_header = layout.names[date_col.index].as_str();
        let raw_date = record.get(date_col.index).unwrap_or("").trim();
        let date = NaiveDate::parse_from_str(raw_date, "%Y-%m-%d").map_err(|_| {
            Error::record(
                source,
                line,
                date_header,
                format!("{raw_date:?} is not a date; expected YYYY-MM-DD"),
            )
        })?;
        if let Some(first) = seen.insert(date, line) {
            return Err(Error::record(
                source,
                line,
                date_header,
                format!("{date} is given twice (first on line {first})"),
            ));
        }
        let mut s = DailySummary::new(symbol, date, format!("csv:{source}"));
        s.iv30 = number(&record, &layout, Field::Iv30, line, source)?;
        s.hv20 = number(&record, &layout, Field::Hv20, line, source)?;
        s.spot = number(&record, &layout, Field::Spot, line, source)?;
        s.skew = number(&record, &layout, Field::Skew, line, source)?;
        out.push(s);
    }
    Ok(out)
}

fn cell(v: Option<f64>) -> String {
    // `{}` on f64 prints the shortest text that parses back to the same number.
    v.map(|x| x.to_string()).unwrap_or_default()
}

impl Store {
    /// Seed `symbol`'s series from CSV, in one transaction. `source_name` is the file name
    /// (or "stdin") used in error messages and in the rows' `source` (`csv:NAME`). Returns
    /// how many rows were inserted or replaced.
    ///
    /// # The CSV layout
    ///
    /// One row per session date. The header is required; names are matched case-insensitively,
    /// after trimming, in any order:
    ///
    /// | column | required | meaning |
    /// |---|---|---|
    /// | `date` | yes | New York session date, `YYYY-MM-DD` |
    /// | `iv30` or `iv30_pct` | yes | 30-day implied volatility: decimal (`0.35`) or percent (`35`) |
    /// | `hv20` or `hv20_pct` | no | 20-session realized volatility, decimal or percent |
    /// | `spot` | no | closing price, USD per share |
    /// | `skew` or `skew_pct` | no | 25-delta put IV − 25-delta call IV, decimal or percent points |
    ///
    /// `NAME%` and `NAME_percent` mean the same as `NAME_pct`. A value may also carry its own `%`
    /// sign (`35%`), which marks it as percent whatever the header says. A blank value is a
    /// missing reading. Columns not in the table are ignored, so an export from another tool can
    /// be imported as it is.
    ///
    /// Because a percent figure under a decimal header would silently make every IV a hundred
    /// times too large, decimal volatilities of 5 (500 %) or more, and decimal skews of 1 or more
    /// in size, are refused with a hint to rename the column.
    ///
    /// An import is one transaction: any bad line (an unparsable or out-of-range value, a date
    /// given twice) fails the whole file with [`Error::Record`] naming the line and the column,
    /// and nothing is stored. Imported rows replace the stored summaries of the same dates
    /// (whatever their `recorded_at`); their source is `csv:NAME` and they have no
    /// `recorded_at`.
    ///
    /// [`Store::export_csv`] writes `date,iv30,hv20,spot,skew` in decimal, oldest first, with
    /// blanks for missing readings: importing its output gives the same series back.
    pub fn import_csv(
        &mut self,
        symbol: &str,
        source_name: &str,
        reader: impl Read,
    ) -> Result<usize> {
        let symbol = normalize_symbol(symbol)?;
        let rows = parse(&symbol, source_name, reader)?;
        self.write("importing a CSV series", |tx, path| {
            for s in &rows {
                upsert(tx, path, s)?;
            }
            Ok(rows.len())
        })
    }

    /// Write `symbol`'s series as CSV (`date,iv30,hv20,spot,skew`, decimal, oldest first);
    /// [`Store::import_csv`] reads it back unchanged. Returns the number of rows written.
    pub fn export_csv(&self, symbol: &str, writer: impl Write) -> Result<usize> {
        let rows = self.summaries(symbol)?;
        let mut w = csv::Writer::from_writer(writer);
        let out = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::Output(io),
            other => Error::Output(std::io::Error::other(format!("{other:?}"))),
        };
        w.write_record(CSV_COLUMNS).map_err(out)?;
        for s in &rows {
            w.write_record([
                s.date.format("%Y-%m-%d").to_string(),
                cell(s.iv30),
                cell(s.hv20),
                cell(s.spot),
                cell(s.skew),
            ])
            .map_err(out)?;
        }
        w.flush().map_err(Error::Output)?;
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert_eq!(classify("IV30"), Some((Field::Iv30, false)));
        assert_eq!(classify(" iv30_PCT "), Some((Field::Iv30, true)));
        assert_eq!(classify("iv30 %"), Some((Field::Iv30, true)));
        assert_eq!(classify("hv20_percent"), Some((Field::Hv20, true)));
        assert_eq!(classify("Skew%"), Some((Field::Skew, true)));
        assert_eq!(classify("spot_pct"), None);
        assert_eq!(classify("close"), None);
    }

    #[test]
    fn parses_mixed_units_and_blanks() {
        let csv = "Spot,DATE,iv30_pct,hv20,note\n\
                   101.5,2026-01-02,35,0.3,x\n\
                   ,2026-01-05,36.5%,,\n";
        let rows = parse("NVDA", "t.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!((rows[0].iv30.unwrap() - 0.35).abs() < 1e-15);
        assert_eq!(rows[0].hv20, Some(0.3));
        assert_eq!(rows[0].spot, Some(101.5));
        assert!((rows[1].iv30.unwrap() - 0.365).abs() < 1e-15);
        assert_eq!(rows[1].spot, None);
        assert_eq!(rows[1].source, "csv:t.csv");
    }

    #[test]
    fn percent_under_decimal_header_is_refused() {
        let err = parse("X", "t.csv", "date,iv30\n2026-01-02,35\n".as_bytes()).unwrap_err();
        match err {
            Error::Record {
                line,
                field,
                message,
                ..
            } => {
                assert_eq!(line, 2);
                assert_eq!(field, "iv30");
                assert!(message.contains("iv30_pct"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
