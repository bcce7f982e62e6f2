//! Rendering rows for people and for programs.
//!
//! One row definition ([`Table`]: named, unit-labelled columns of typed [`Cell`]s) feeds every
//! text format, so the table on screen, the CSV file and the Markdown report never disagree
//! about what a column means:
//!
//! * `table` — aligned text for a terminal (tabled), numbers rounded for reading;
//! * `csv` — full round-trip precision, units in the header, for spreadsheets and scripts;
//! * `md` — a Markdown table for notes and reports;
//! * `json` — the domain value itself through serde ([`write_json`]), which carries more
//!   structure (parameters, as-of instant) than a flat table can.
//!
//! Every function writes to a writer it is given; writing files (atomically) is the caller's
//! business.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Style};

use crate::error::{Error, Result};

mod chart;
mod equity_chart;
pub mod orders;
mod regime_tables;
pub use chart::{money, write_payoff_svg, PayoffChart};
pub use equity_chart::write_equity_svg;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Aligned text table.
    Table,
    /// Comma-separated values, full precision.
    Csv,
    /// JSON, the full structure.
    Json,
    /// Markdown table.
    Md,
}

impl Format {
    /// The format a file name implies: `.csv`, `.json`, `.md`/`.markdown`, `.txt` (table).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Md),
            "txt" => Ok(Format::Table),
            _ => Err(Error::invalid(
                "output file extension",
                path.display(),
                ".csv, .json, .md or .txt",
            )),
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" | "txt" | "text" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Md),
            _ => Err(Error::invalid("format", s, "table, csv, json or md")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Md => "md",
        })
    }
}

/// One cell. Numbers keep their full value; `decimals` only affects human formats.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing to show (a missing value).
    Empty,
    /// Text.
    Text(String),
    /// An integer count.
    Int(i64),
    /// A number, shown to people with `decimals` places.
    Num {
        /// The value.
        value: f64,
        /// Places shown in table and Markdown output.
        decimals: usize,
    },
    /// A decimal fraction shown to people as a percentage with `decimals` places
    /// (CSV keeps the fraction; the column unit says so).
    Pct {
        /// The fraction (0.0123 for 1.23 %).
        value: f64,
        /// Places shown after the percent point.
        decimals: usize,
    },
}

impl Cell {
    /// Text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    /// Number with `decimals` places for people; `None` → empty.
    pub fn num(v: Option<f64>, decimals: usize) -> Cell {
        match v {
            Some(value) if value.is_finite() => Cell::Num { value, decimals },
            _ => Cell::Empty,
        }
    }
    /// Fraction shown as a percentage; `None` → empty.
    pub fn pct(v: Option<f64>, decimals: usize) -> Cell {
        match v {
            Some(value) if value.is_finite() => Cell::Pct { value, decimals },
            _ => Cell::Empty,
        }
    }
    /// Integer; `None` → empty.
    pub fn int(v: Option<i64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Int)
    }

    fn human(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num { value, decimals } => human_number(*value, *decimals),
            Cell::Pct { value, decimals } => human_number(value * 100.0, *decimals),
        }
    }

    fn machine(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num { value, .. } | Cell::Pct { value, .. } => value.to_string(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Num { .. } | Cell::Pct { .. })
    }
}

/// A column: a machine name (CSV header) and a human label with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// CSV header, snake_case with the unit where it matters (`premium_yield`, `iv_mid`).
    pub name: &'static str,
    /// Heading for people, with the unit (`yield %`, `θ $/day`).
    pub label: &'static str,
}

/// One column of a row type `T`, defined once: the CSV header (`name`), the heading for
/// people (`label`) and the function that fills the column from a row (`cell`).
///
/// A row type's output is a list of these (`const COLUMNS: &[Col<Candidate>] = &[...]`), and
/// [`Table::from_rows`] is the only way to fill a [`Table`]: every row gets exactly one cell
/// per column, so headers and cells cannot drift apart.
///
/// ```
/// use ccplan::export::{Cell, Col, Format, Table};
///
/// struct Quote { strike: f64, bid: Option<f64> }
/// const COLUMNS: &[Col<Quote>] = &[
///     Col::new("strike", "strike $", |q| Cell::num(Some(q.strike), 2)),
///     Col::new("bid", "bid $", |q| Cell::num(q.bid, 2)),
/// ];
/// let quotes = [Quote { strike: 200.0, bid: Some(3.1) }, Quote { strike: 210.0, bid: None }];
/// let mut csv = Vec::new();
/// Table::from_rows(COLUMNS, &quotes).write(Format::Csv, &mut csv).unwrap();
/// assert_eq!(String::from_utf8(csv).unwrap(), "strike,bid\n200,3.1\n210,\n");
/// ```
pub struct Col<T: ?Sized> {
    /// CSV header and JSON key.
    pub name: &'static str,
    /// Heading in the text table and Markdown.
    pub label: &'static str,
    /// The cell of this column for one row.
    pub cell: fn(&T) -> Cell,
}

impl<T: ?Sized> Col<T> {
    /// A column named `name` (machine) and `label` (people), filled by `cell`.
    pub const fn new(name: &'static str, label: &'static str, cell: fn(&T) -> Cell) -> Col<T> {
        Col { name, label, cell }
    }
}

impl<T: ?Sized> Clone for Col<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Col<T> {}

impl<T: ?Sized> fmt::Debug for Col<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Col")
            .field("name", &self.name)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Rows under named columns: every row has exactly one cell per column (the only
/// constructor is [`Table::from_rows`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table of `rows` under `columns`: each row's cells come from the columns' own cell
    /// functions, in column order.
    pub fn from_rows<'r, T: ?Sized + 'r>(
        columns: &[Col<T>],
        rows: impl IntoIterator<Item = &'r T>,
    ) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|c| Column {
                    name: c.name,
                    label: c.label,
                })
                .collect(),
            rows: rows
                .into_iter()
                .map(|r| columns.iter().map(|c| (c.cell)(r)).collect())
                .collect(),
        }
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The rows, each exactly as long as [`Table::columns`].
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// The CSV header: the columns' machine names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }

    /// Write in a flat format. `Format::Json` writes an array of objects keyed by column name
    /// (full precision); callers with a richer structure use [`write_json`] instead.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Table => self.write_text(out),
            Format::Csv => self.write_csv(out),
            Format::Md => self.write_markdown(out),
            Format::Json => self.write_json_rows(out),
        }
    }

    fn write_text(&self, out: &mut dyn Write) -> Result<()> {
        let mut b = Builder::default();
        b.push_record(self.columns.iter().map(|c| c.label.to_string()));
        for row in &self.rows {
            b.push_record(row.iter().map(Cell::human));
        }
        let mut t = b.build();
        t.with(Style::psql());
        for (i, _) in self.columns.iter().enumerate() {
            if self
                .rows
                .iter()
                .any(|r| r.get(i).is_some_and(Cell::is_numeric))
            {
                t.modify(Columns::one(i), Alignment::right());
            }
        }
        writeln!(out, "{t}").map_err(Error::Output)
    }

    fn write_csv(&self, out: &mut dyn Write) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(self.columns.iter().map(|c| c.name))
            .map_err(csv_write_error)?;
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::machine))
                .map_err(csv_write_error)?;
        }
        w.flush().map_err(Error::Output)
    }

    fn write_markdown(&self, out: &mut dyn Write) -> Result<()> {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut s = String::new();
        s.push('|');
        for c in &self.columns {
            s.push_str(&format!(" {} |", esc(c.label)));
        }
        s.push_str("\n|");
        for (i, _) in self.columns.iter().enumerate() {
            let numeric = self
                .rows
                .iter()
                .any(|r| r.get(i).is_some_and(Cell::is_numeric));
            s.push_str(if numeric { " ---: |" } else { " --- |" });
        }
        s.push('\n');
        for row in &self.rows {
            s.push('|');
            for cell in row {
                s.push_str(&format!(" {} |", esc(&cell.human())));
            }
            s.push('\n');
        }
        out.write_all(s.as_bytes()).map_err(Error::Output)
    }

    fn write_json_rows(&self, out: &mut dyn Write) -> Result<()> {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .zip(row)
                    .map(|(c, cell)| {
                        let v = match cell {
                            Cell::Empty => serde_json::Value::Null,
                            Cell::Text(s) => serde_json::Value::from(s.clone()),
                            Cell::Int(i) => serde_json::Value::from(*i),
                            Cell::Num { value, .. } | Cell::Pct { value, .. } => {
                                serde_json::Value::from(*value)
                            }
                        };
                        (c.name.to_string(), v)
                    })
                    .collect()
            })
            .collect();
        write_json(&rows, out)
    }
}

/// A CSV writer's error as an output error: the writer's own IO error with its kind kept (a
/// closed pipe must stay a `BrokenPipe`), anything else in words (never a Debug dump).
pub fn csv_write_error(e: csv::Error) -> Error {
    let words = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        _ => Error::Output(std::io::Error::other(format!("writing CSV: {words}"))),
    }
}

/// Magnitudes at or above this are shown to people in scientific notation.
const HUMAN_MAX: f64 = 1e15;

/// A number for people: `decimals` places in the sane range, scientific notation (four
/// significant digits) beyond it, so `--spot 1e308` prints `1.000e308`, not 309 digits.
/// Machine formats (CSV, JSON) keep full round-trip precision instead.
pub fn human_number(value: f64, decimals: usize) -> String {
    if value.is_finite() && value.abs() >= HUMAN_MAX {
        format!("{value:.3e}")
    } else if value != 0.0 && value.abs() < 1e-12 && value.is_finite() {
        // Below any display precision but not zero: say so rather than "0.00".
        format!("{value:.3e}")
    } else {
        format!("{value:.decimals$}")
    }
}

/// A number for people, all its significant digits in the sane range (`{}`), scientific
/// notation beyond it.
pub fn human_plain(value: f64) -> String {
    if value.is_finite() && value != 0.0 && !(1e-6..HUMAN_MAX).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// Pretty JSON of any serializable value, with a trailing newline.
pub fn write_json<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| {
        if e.is_io() {
            // The writer's own error, kind kept: a closed pipe must stay a BrokenPipe.
            Error::Output(std::io::Error::from(e))
        } else {
            Error::Output(std::io::Error::other(format!("serializing JSON: {e}")))
        }
    })?;
    writeln!(out).map_err(Error::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        symbol: &'static str,
        strike: Option<f64>,
        premium_yield: Option<f64>,
        open_interest: Option<i64>,
    }

    const SAMPLE: &[Col<Row>] = &[
        Col::new("symbol", "symbol", |r| Cell::text(r.symbol)),
        Col::new("strike", "strike $", |r| Cell::num(r.strike, 2)),
        Col::new("premium_yield", "yield %", |r| {
            Cell::pct(r.premium_yield, 2)
        }),
        Col::new("open_interest", "OI", |r| Cell::int(r.open_interest)),
    ];

    fn sample() -> Table {
        let rows = [
            Row {
                symbol: "NVDA261218C00200000",
                strike: Some(200.0),
                premium_yield: Some(0.012345678901),
                open_interest: Some(1520),
            },
            Row {
                symbol: "a|b",
                strike: None,
                premium_yield: None,
                open_interest: None,
            },
        ];
        Table::from_rows(SAMPLE, &rows)
    }

    #[test]
    fn every_row_has_one_cell_per_column_and_the_header_is_the_column_list() {
        let t = sample();
        assert_eq!(
            t.names(),
            ["symbol", "strike", "premium_yield", "open_interest"]
        );
        assert!(t.rows().iter().all(|r| r.len() == SAMPLE.len()));
        let csv = render(&t, Format::Csv);
        assert_eq!(
            csv.lines().next(),
            Some("symbol,strike,premium_yield,open_interest")
        );
        let empty = Table::from_rows(SAMPLE, std::iter::empty::<&Row>());
        assert_eq!(
            render(&empty, Format::Csv),
            "symbol,strike,premium_yield,open_interest\n"
        );
    }

    fn render(t: &Table, f: Format) -> String {
        let mut v = Vec::new();
        t.write(f, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn csv_keeps_full_precision_and_names() {
        let s = render(&sample(), Format::Csv);
        assert_eq!(
            s,
            "symbol,strike,premium_yield,open_interest\nNVDA261218C00200000,200,0.012345678901,1520\na|b,,,\n"
        );
    }

    #[test]
    fn markdown_escapes_and_aligns() {
        let s = render(&sample(), Format::Md);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "| symbol | strike $ | yield % | OI |");
        assert_eq!(lines[1], "| --- | ---: | ---: | ---: |");
        assert_eq!(lines[2], "| NVDA261218C00200000 | 200.00 | 1.23 | 1520 |");
        assert_eq!(lines[3], "| a\\|b |  |  |  |");
    }

    #[test]
    fn table_rounds_for_people() {
        let s = render(&sample(), Format::Table);
        assert!(s.contains("1.23"), "{s}");
        assert!(s.contains("yield %"), "{s}");
        assert!(!s.contains("0.012345678901"), "{s}");
    }

    #[test]
    fn json_rows_are_typed() {
        let s = render(&sample(), Format::Json);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v[0]["open_interest"], 1520);
        assert_eq!(v[0]["premium_yield"], 0.012345678901);
        assert!(v[1]["strike"].is_null());
    }

    #[test]
    fn extremes_in_scientific_notation_for_people_only() {
        assert_eq!(human_number(1e308, 2), "1.000e308");
        assert_eq!(human_number(-2.5e20, 2), "-2.500e20");
        assert_eq!(human_number(155.534, 2), "155.53");
        assert_eq!(human_number(0.0, 2), "0.00");
        assert_eq!(human_number(4.9e-308, 3), "4.900e-308");
        assert_eq!(human_plain(1e308), "1e308");
        assert_eq!(human_plain(42.0), "42");
        assert_eq!(human_plain(1e-300), "1e-300");
        let spot: &[Col<f64>] = &[Col::new("spot", "spot $", |v| Cell::num(Some(*v), 2))];
        let t = Table::from_rows(spot, &[1e308]);
        assert!(render(&t, Format::Table).contains("1.000e308"));
        assert!(
            render(&t, Format::Csv)
                .lines()
                .nth(1)
                .unwrap()
                .parse::<f64>()
                .unwrap()
                == 1e308
        );
    }

    #[test]
    fn formats_from_names_and_paths() {
        assert_eq!("MD".parse::<Format>().unwrap(), Format::Md);
        let e = "xml".parse::<Format>().unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "format", value, expected }
                if value == "xml" && expected.contains("csv")),
            "{e}"
        );
        assert_eq!(
            Format::from_path(Path::new("plan.CSV")).unwrap(),
            Format::Csv
        );
        let e = Format::from_path(Path::new("plan")).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "output file extension", value, expected }
                if value == "plan" && expected.contains(".csv")),
            "{e}"
        );
    }
}
