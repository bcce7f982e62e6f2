//! Chains and price history from files: `--source file:PATH` and `--history file:PATH`.
//!
//! Why: a saved snapshot makes a plan reproducible (the same file gives the same plan
//! tomorrow), and a CSV lets a user bring data from any broker or spreadsheet. The format is
//! recognized from the content, never from the extension, because downloads are routinely
//! misnamed (`.csv` files holding an HTML error page, `.json` files holding CSV).
//!
//! # Formats
//!
//! | content | recognized by | used for |
//! |---|---|---|
//! | ccplan snapshot | JSON object with a `"ccplan_snapshot"` version key | chains |
//! | chain CSV | a header with a `strike` (or `contract`) column | chains |
//! | history CSV | a header with `date` and `close` columns | history |
//! | raw provider payload | any other JSON | chains and history (once the provider parsers land) |
//!
//! HTML pages (a login or error page saved instead of data), stooq's `No data` answer and empty
//! files are refused with an error that says so. Every error names the file, and for records
//! the 1-based line and the column.
//!
//! # Snapshot JSON
//!
//! What `--save` writes with [`save_snapshot`]: `{"ccplan_snapshot": 1, "snapshot": {...}}`,
//! where `snapshot` is a [`ChainSnapshot`] in its serde form. The version lets a later ccplan
//! read old files or refuse new ones clearly. A loaded snapshot keeps its own as-of instant
//! and source (the request's as-of is not used), with a note saying which file it came from.
//!
//! # Chain CSV
//!
//! ```text
//! # underlying: NVDA
//! # spot: 185.20
//! # as_of: 2026-11-17T10:30:00-05:00
//! symbol,expiry,strike,right,bid,ask,last,volume,open_interest,iv
//! NVDA,2026-12-18,190,call,8.10,8.30,8.20,1234,5678,0.47
//! NVDA,2026-12-18,190,put,12.60,12.85,,,4321,0.49
//! ```
//!
//! * **Comment lines** start with `#`. Before the header they may carry `key: value` (or
//!   `key = value`) metadata: `underlying` (or `symbol`), `spot` (USD), `as_of` and `iv30`
//!   (decimal). Other comments are ignored.
//! * **Columns** are matched by name in any order, comparing letters and digits only
//!   (`Open Interest`, `open-interest` and `open_interest` are one column; see
//!   [`crate::csvread`]); unknown columns are ignored. Either `expiry`, `strike` and
//!   `right` are required, or a `contract` column with the OCC symbol
//!   (`NVDA261218C00190000`, padded OSI and `O:` forms too).
//!
//!   | column | aliases | meaning |
//!   |---|---|---|
//!   | `symbol` | `underlying`, `ticker`, `root` | underlying ticker (rows of other symbols are skipped) |
//!   | `contract` | `occ`, `option_symbol`, `contract_symbol`, `osi` | OCC symbol |
//!   | `expiry` | `expiration`, `expiration_date`, `exp`, `expiry_date` | `YYYY-MM-DD`, `YYYYMMDD` or `MM/DD/YYYY` |
//!   | `strike` | `strike_price` | USD |
//!   | `right` | `type`, `option_type`, `put_call`, `call_put`, `cp` | `call`/`put`/`C`/`P` |
//!   | `bid`, `ask`, `last` | `last_price` | USD per share; empty or 0 = no quote on that side |
//!   | `bid_size`, `ask_size` | | contracts |
//!   | `volume` | `vol` | contracts (fractions rounded) |
//!   | `open_interest` | `oi`, `openinterest` | contracts |
//!   | `iv` | `implied_volatility`, `impliedvolatility` | decimal (0.47), or percent with a `%` sign (`47%`) |
//!   | `delta`, `gamma`, `vega`, `theta`, `rho` | | library units: vega per 1.00 of vol, theta per year |
//!   | `multiplier` | | shares per contract (default 100) |
//!   | `spot` | `underlying_price`, `underlying_last` | underlying price when there is no `# spot:` line |
//!   | `as_of` | `asof`, `quote_time` | when there is no `# as_of:` line |
//!
//! * **Empty cells**, `-`, `--`, `null`, `nan` and `n/a` mean "not given" in optional columns.
//! * **Numbers** may be written `1234.5`, `$1,234.50` or `1e-3` ([`crate::csvread::number`]).
//! * **as_of** is RFC 3339 (`2026-11-17T10:30:00-05:00`), or a bare date meaning that day's
//!   16:00 New York close. Without one the request's as-of is used and a note says so.
//! * The **spot** is required (a chain cannot be priced without it).
//! * A malformed cell fails the load with the line and column; a file is the user's own data,
//!   so silently dropping rows would hide mistakes. A contract listed twice is an error too.
//!
//! # History CSV
//!
//! The layout stooq and Yahoo's CSV download use: `Date,Open,High,Low,Close,Volume` (plus an
//! optional `Adj Close`), header case-insensitive, columns in any order, CRLF or LF line
//! endings. Only `Date` and `Close` are required. Dates are `YYYY-MM-DD` (a time after the date
//! is ignored) or `YYYYMMDD`. Volume may be fractional (split-adjusted volume, as stooq
//! serves) and is rounded to whole shares. Rows whose prices are all `null` (Yahoo's
//! placeholder rows) are skipped; any other malformed cell is an [`Error::Record`] naming line
//! and column. The adjustment is [`Adjustment::Unknown`] unless told, by
//! [`FileSource::with_adjustment`] or a `# adjustment: splits` comment line (`none`, `splits`,
//! `splits_and_dividends`); a file with only an `Adj Close` column is taken as
//! [`Adjustment::SplitsAndDividends`].

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};
use crate::error::{Error, Result};
use crate::model::{Adjustment, ChainSnapshot, PriceHistory};

mod cells;
mod chain_csv;
mod detect;
mod history_csv;
mod raw_payload;
mod snapshot;

pub use chain_csv::parse_chain_csv;
pub use detect::{detect_format, FileFormat};
pub use history_csv::parse_history_csv;
pub use snapshot::{read_snapshot, save_snapshot, write_snapshot, SNAPSHOT_VERSION};

use raw_payload::{parse_raw, Parsed, Want};

/// Files larger than this are refused (a saved chain of every expiry of the largest US
/// underlyings is a few MiB); see [`crate::fsutil::CHAIN_FILE_LIMIT`].
pub const MAX_FILE_BYTES: u64 = crate::fsutil::CHAIN_FILE_LIMIT;

/// A chain or history source reading one file (see the module docs for the formats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSource {
    path: PathBuf,
    adjustment: Option<Adjustment>,
}

impl FileSource {
    /// A source reading `path`. Nothing is read until a chain or history is asked for.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSource {
            path: path.into(),
            adjustment: None,
        }
    }

    /// Declare how a history CSV's prices are adjusted (overrides a `# adjustment:` line).
    pub fn with_adjustment(mut self, adjustment: Adjustment) -> Self {
        self.adjustment = Some(adjustment);
        self
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn source_name(&self) -> String {
        self.path.display().to_string()
    }

    fn read(&self) -> Result<crate::fsutil::FileText> {
        crate::fsutil::read_text_mapped(&self.path, MAX_FILE_BYTES, "a chain or history file")
    }
}

impl ChainSource for FileSource {
    fn name(&self) -> &'static str {
        "file"
    }

    fn chain(&self, request: &ChainRequest) -> Result<ChainSnapshot> {
        let text = self.read()?;
        let name = self.source_name();
        let snap = match detect_format(&text) {
            FileFormat::Snapshot => {
                let mut s = read_snapshot(&text, &name)?;
                check_symbol(&s, request, &name)?;
                s.notes.push(format!("saved snapshot loaded from {name}"));
                s
            }
            FileFormat::ChainCsv => parse_chain_csv(&text, &name, request)?,
            FileFormat::ProviderJson => {
                let s = match parse_raw(&text, &request.symbol, &name, Want::Chain)? {
                    Parsed::Chain(s) => s,
                    Parsed::History(_) => {
                        return Err(wrong_kind(&name, "price history", "--history"));
                    }
                };
                check_symbol(&s, request, &name)?;
                s
            }
            FileFormat::HistoryCsv => {
                return Err(wrong_kind(&name, "price history CSV", "--history"));
            }
            other => {
                return Err(unusable(
                    other,
                    &text,
                    &name,
                    &request.symbol,
                    "option chain",
                ))
            }
        };
        Ok(filter_expiries(snap, request.expiries))
    }
}

impl HistorySource for FileSource {
    fn name(&self) -> &'static str {
        "file"
    }

    fn history(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> Result<PriceHistory> {
        if from > to {
            return Err(Error::invalid(
                "history range",
                format!("{from} to {to}"),
                "a start date on or before the end date",
            ));
        }
        let text = self.read()?;
        let name = self.source_name();
        let all = match detect_format(&text) {
            FileFormat::HistoryCsv => parse_history_csv(&text, &name, symbol, self.adjustment)?,
            FileFormat::ProviderJson => match parse_raw(&text, symbol, &name, Want::History)? {
                Parsed::History(h) => h,
                Parsed::Chain(_) => return Err(wrong_kind(&name, "option chain", "--source")),
            },
            FileFormat::Snapshot | FileFormat::ChainCsv => {
                return Err(wrong_kind(&name, "option chain", "--source"));
            }
            other => return Err(unusable(other, &text, &name, symbol, "price history")),
        };
        let (Some(first), Some(last)) = (all.bars.first(), all.bars.last()) else {
            return Err(Error::NoData {
                what: "price history",
                symbol: symbol.to_string(),
                message: format!("{name} has no bars"),
            });
        };
        let (first, last) = (first.date, last.date);
        let mut h = all;
        h.bars.retain(|b| from <= b.date && b.date <= to);
        if h.bars.is_empty() {
            return Err(Error::NoData {
                what: "price history",
                symbol: symbol.to_string(),
                message: format!(
                    "{name} has no bars from {from} to {to} (it covers {first} to {last})"
                ),
            });
        }
        Ok(h)
    }
}

// ---- errors shared by the formats ---------------------------------------------------------

fn unusable(format: FileFormat, text: &str, name: &str, symbol: &str, what: &'static str) -> Error {
    match format {
        FileFormat::Html => Error::record(
            name,
            1,
            "content",
            "this is an HTML page, not data (a login, error or consent page saved in place of \
             the download?)",
        ),
        FileFormat::NoDataBody => Error::NoData {
            what,
            symbol: symbol.to_string(),
            message: format!(
                "{name} says {:?} (stooq's answer for an unknown symbol or an empty range)",
                strip_bom(text).trim()
            ),
        },
        FileFormat::Empty => Error::record(name, 1, "content", "the file is empty"),
        _ => {
            let line = strip_bom(text)
                .lines()
                .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map_or(1, |i| i + 1);
            Error::record(
                name,
                line,
                "header",
                "not a recognized layout: expected ccplan snapshot JSON, a provider JSON \
                 payload, a chain CSV header (symbol,expiry,strike,right,bid,ask,...) or a \
                 history CSV header (Date,Open,High,Low,Close,Volume)",
            )
        }
    }
}

fn wrong_kind(name: &str, holds: &str, flag: &str) -> Error {
    Error::record(
        name,
        1,
        "content",
        format!("this file holds {holds}; use it with {flag}"),
    )
}

fn check_symbol(snap: &ChainSnapshot, request: &ChainRequest, name: &str) -> Result<()> {
    let want = request.symbol.trim();
    if want.is_empty() || want.eq_ignore_ascii_case(&snap.underlying.symbol) {
        Ok(())
    } else {
        Err(Error::NoData {
            what: "option chain",
            symbol: want.to_ascii_uppercase(),
            message: format!("{name} holds a chain for {}", snap.underlying.symbol),
        })
    }
}

fn filter_expiries(mut snap: ChainSnapshot, filter: ExpiryFilter) -> ChainSnapshot {
    snap.quotes.retain(|q| filter.accepts(q.contract.expiry));
    snap
}
// ---- reading ------------------------------------------------------------------------------

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}
