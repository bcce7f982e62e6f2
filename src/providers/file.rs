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
//! * **Columns** are matched by name, case-insensitively, in any order; spaces and hyphens in
//!   names count as underscores; unknown columns are ignored. Either `expiry`, `strike` and
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
//! * **Empty cells**, `-`, `null`, `nan` and `n/a` mean "not given" in optional columns.
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

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::expiry_instant;
use super::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::model::{
    Adjustment, Bar, ChainSnapshot, OptionContract, PriceHistory, ProviderGreeks, Quote, Right,
    Underlying,
};

/// The snapshot file version this ccplan writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

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

    fn read(&self) -> Result<String> {
        read_text(&self.path)
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

// ---- format detection ---------------------------------------------------------------------

/// What a file holds, recognized from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// ccplan's own snapshot JSON.
    Snapshot,
    /// A chain CSV (see the module docs).
    ChainCsv,
    /// A daily price history CSV.
    HistoryCsv,
    /// Some other JSON: a raw provider payload.
    ProviderJson,
    /// An HTML page.
    Html,
    /// A "No data" body (stooq's answer for an unknown symbol).
    NoDataBody,
    /// Nothing but whitespace.
    Empty,
    /// Text that is none of the above.
    Unknown,
}

/// Recognize a file's format from its text (a leading UTF-8 byte-order mark is ignored).
pub fn detect_format(text: &str) -> FileFormat {
    let body = strip_bom(text).trim_start();
    if body.is_empty() {
        return FileFormat::Empty;
    }
    let head: String = body
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with('<') || head.contains("<html") || head.contains("<!doctype") {
        return FileFormat::Html;
    }
    if head.trim_end().starts_with("no data") {
        return FileFormat::NoDataBody;
    }
    if body.starts_with('{') || body.starts_with('[') {
        return if is_snapshot_json(body) {
            FileFormat::Snapshot
        } else {
            FileFormat::ProviderJson
        };
    }
    let Some(header) = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return FileFormat::Unknown;
    };
    let cols: Vec<String> = header.split(',').map(normalize_header).collect();
    let has = |names: &[&str]| cols.iter().any(|c| names.contains(&c.as_str()));
    if has(STRIKE) || has(CONTRACT) {
        FileFormat::ChainCsv
    } else if has(DATE) && (has(CLOSE) || has(ADJ_CLOSE)) {
        FileFormat::HistoryCsv
    } else {
        FileFormat::Unknown
    }
}

/// Whether a JSON text is an object with a top-level `ccplan_snapshot` key.
fn is_snapshot_json(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        ccplan_snapshot: Option<serde::de::IgnoredAny>,
    }
    // The first telling top-level key decides, without a pass over the whole document.
    match super::sniff::sniff_json(body) {
        Some(super::sniff::Sniffed::Snapshot) => return true,
        Some(super::sniff::Sniffed::Payload(_)) => return false,
        None => {}
    }
    // A snapshot that does not even parse is still reported as a snapshot problem if the key
    // is visible near the top, so the user gets the JSON error and not "raw payload".
    match serde_json::from_str::<Probe>(body) {
        Ok(p) => p.ccplan_snapshot.is_some(),
        Err(_) => body
            .chars()
            .take(200)
            .collect::<String>()
            .contains("\"ccplan_snapshot\""),
    }
}

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

// ---- raw provider payloads ----------------------------------------------------------------

/// What the caller wants from a raw payload.
#[derive(Debug, Clone, Copy)]
enum Want {
    Chain,
    History,
}

/// What a raw payload turned out to hold.
enum Parsed {
    Chain(ChainSnapshot),
    History(PriceHistory),
}

/// Raw provider payloads (CBOE, Tradier, Yahoo, Polygon JSON) saved to a file.
fn parse_raw(body: &str, symbol_hint: &str, name: &str, want: Want) -> Result<Parsed> {
    let hint = Some(symbol_hint).filter(|h| !h.is_empty());
    let parsed = match want {
        Want::Chain => super::raw::parse_chain_payload(body, hint).map(Parsed::Chain),
        Want::History => super::raw::parse_history_payload(body, hint).map(Parsed::History),
    };
    parsed.map_err(|e| Error::Payload {
        provider: "file",
        symbol: symbol_hint.to_string(),
        message: format!("{name}: {e}"),
    })
}

// ---- snapshots ----------------------------------------------------------------------------

#[derive(Serialize)]
struct SnapshotFileRef<'a> {
    ccplan_snapshot: u32,
    snapshot: &'a ChainSnapshot,
}

#[derive(Deserialize)]
struct SnapshotFile {
    ccplan_snapshot: serde_json::Value,
    snapshot: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SnapshotFileV1 {
    ccplan_snapshot: u64,
    snapshot: ChainSnapshot,
}

/// Write a snapshot as ccplan snapshot JSON (pretty-printed, newline-terminated).
///
/// Fails with [`Error::InvalidInput`] if the snapshot holds a value JSON cannot carry back
/// (a non-finite spot or strike would be written as `null` and not load again), and with
/// [`Error::Output`] if the writer fails.
pub fn write_snapshot(mut w: impl Write, snapshot: &ChainSnapshot) -> Result<()> {
    if !snapshot.underlying.last.is_finite() {
        return Err(Error::invalid(
            "snapshot underlying price",
            snapshot.underlying.last,
            "a finite number",
        ));
    }
    if let Some(q) = snapshot
        .quotes
        .iter()
        .find(|q| !q.contract.strike.is_finite())
    {
        return Err(Error::invalid(
            "snapshot strike",
            q.contract.strike,
            "a finite number",
        ));
    }
    let file = SnapshotFileRef {
        ccplan_snapshot: SNAPSHOT_VERSION,
        snapshot,
    };
    serde_json::to_writer_pretty(&mut w, &file).map_err(|e| Error::Output(e.into()))?;
    w.write_all(b"\n").map_err(Error::Output)?;
    w.flush().map_err(Error::Output)
}

/// Save a snapshot to `path` atomically: readers see the old file or the whole new one.
pub fn save_snapshot(path: &Path, snapshot: &ChainSnapshot) -> Result<()> {
    write_atomic(path, |w| write_snapshot(w, snapshot))
}

/// Read ccplan snapshot JSON. `source_name` (the file name) is used in errors.
pub fn read_snapshot(text: &str, source_name: &str) -> Result<ChainSnapshot> {
    let text = strip_bom(text);
    let json_err = |e: serde_json::Error| {
        Error::record(source_name, e.line().max(1), "snapshot", e.to_string())
    };
    // One typed parse in the usual case; only a file that does not read as version 1 is
    // parsed again, loosely, to say whether its version or its content is at fault.
    let typed = serde_json::from_str::<SnapshotFileV1>(text);
    if let Ok(file) = &typed {
        if file.ccplan_snapshot == u64::from(SNAPSHOT_VERSION) {
            return check_snapshot(typed.map_err(json_err)?.snapshot, source_name);
        }
    }
    let head: SnapshotFile = serde_json::from_str(text).map_err(json_err)?;
    match head.ccplan_snapshot.as_u64() {
        Some(v) if v == u64::from(SNAPSHOT_VERSION) => {}
        _ => {
            return Err(Error::record(
                source_name,
                1,
                "ccplan_snapshot",
                format!(
                    "snapshot version {} is not supported (this ccplan reads version \
                     {SNAPSHOT_VERSION})",
                    head.ccplan_snapshot
                ),
            ))
        }
    }
    if head.snapshot.is_none() {
        return Err(Error::record(
            source_name,
            1,
            "snapshot",
            "missing the \"snapshot\" object",
        ));
    }
    check_snapshot(typed.map_err(json_err)?.snapshot, source_name)
}

/// The checks a loaded snapshot must pass (a positive spot and strikes).
fn check_snapshot(snap: ChainSnapshot, source_name: &str) -> Result<ChainSnapshot> {
    let spot = snap.underlying.last;
    if !(spot.is_finite() && spot > 0.0) {
        return Err(Error::record(
            source_name,
            1,
            "snapshot.underlying.last",
            format!("{spot}: expected a positive price"),
        ));
    }
    if let Some(q) = snap
        .quotes
        .iter()
        .find(|q| !(q.contract.strike.is_finite() && q.contract.strike > 0.0))
    {
        return Err(Error::record(
            source_name,
            1,
            "snapshot.quotes.contract.strike",
            format!("{}: expected a positive strike", q.contract.strike),
        ));
    }
    Ok(snap)
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

// ---- chain CSV ----------------------------------------------------------------------------

const SYMBOL: &[&str] = &[
    "symbol",
    "underlying",
    "underlying_symbol",
    "ticker",
    "root",
];
const CONTRACT: &[&str] = &["contract", "occ", "option_symbol", "contract_symbol", "osi"];
const EXPIRY: &[&str] = &[
    "expiry",
    "expiration",
    "expiration_date",
    "exp",
    "expiry_date",
];
const STRIKE: &[&str] = &["strike", "strike_price"];
const RIGHT: &[&str] = &["right", "type", "option_type", "put_call", "call_put", "cp"];
const BID: &[&str] = &["bid"];
const ASK: &[&str] = &["ask"];
const LAST: &[&str] = &["last", "last_price", "lastprice"];
const BID_SIZE: &[&str] = &["bid_size", "bidsize"];
const ASK_SIZE: &[&str] = &["ask_size", "asksize"];
const VOLUME: &[&str] = &["volume", "vol"];
const OPEN_INTEREST: &[&str] = &["open_interest", "oi", "openinterest"];
const IV: &[&str] = &["iv", "implied_volatility", "impliedvolatility"];
const DELTA: &[&str] = &["delta"];
const GAMMA: &[&str] = &["gamma"];
const VEGA: &[&str] = &["vega"];
const THETA: &[&str] = &["theta"];
const RHO: &[&str] = &["rho"];
const MULTIPLIER: &[&str] = &["multiplier"];
const SPOT: &[&str] = &["spot", "underlying_price", "underlying_last"];
const AS_OF: &[&str] = &["as_of", "asof", "quote_time"];

const DATE: &[&str] = &["date", "timestamp", "time", "day"];
const OPEN: &[&str] = &["open"];
const HIGH: &[&str] = &["high"];
const LOW: &[&str] = &["low"];
const CLOSE: &[&str] = &["close"];
const ADJ_CLOSE: &[&str] = &["adj_close", "adjclose", "adjusted_close"];

/// Lower case, trimmed, spaces and hyphens as underscores, surrounding quotes removed.
fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_matches('"')
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

/// Column positions by canonical name, built from a CSV header.
struct Columns {
    /// Canonical field → (column index, name as written in the file).
    map: HashMap<&'static str, (usize, String)>,
}

impl Columns {
    fn new(
        header: &csv::StringRecord,
        fields: &[(&'static str, &[&str])],
        name: &str,
        line: usize,
    ) -> Result<Columns> {
        let mut map: HashMap<&'static str, (usize, String)> = HashMap::new();
        for (i, raw) in header.iter().enumerate() {
            let norm = normalize_header(raw);
            if let Some((canon, _)) = fields.iter().find(|(_, al)| al.contains(&norm.as_str())) {
                if let Some((_, first)) = map.get(canon) {
                    return Err(Error::record(
                        name,
                        line,
                        raw.trim(),
                        format!("column means the same as {first:?}; keep one of them"),
                    ));
                }
                map.insert(canon, (i, raw.trim().to_string()));
            }
        }
        Ok(Columns { map })
    }

    fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// The cell of `field` in `rec`, with the column's name; `None` when the column is absent
    /// or the cell is a "not given" marker.
    fn get<'r>(&self, rec: &'r csv::StringRecord, field: &str) -> Option<(&'r str, &str)> {
        let (i, col) = self.map.get(field)?;
        let v = rec.get(*i)?.trim();
        if is_missing(v) {
            None
        } else {
            Some((v, col.as_str()))
        }
    }
}

fn is_missing(v: &str) -> bool {
    v.is_empty()
        || v == "-"
        || v == "--"
        || v.eq_ignore_ascii_case("null")
        || v.eq_ignore_ascii_case("nan")
        || v.eq_ignore_ascii_case("n/a")
        || v.eq_ignore_ascii_case("na")
        || v.eq_ignore_ascii_case("none")
}

/// Metadata from the `# key: value` lines before the header, keys lower-cased.
fn leading_metadata(text: &str) -> HashMap<String, (usize, String)> {
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

/// A CSV body with comment and blank lines removed and LF line endings, and where each
/// remaining line came from.
///
/// The csv crate reports a record's position as where the reader stood before skipping
/// comments and blank lines (and, after a CRLF, the line before), so its line numbers drift;
/// normalizing first makes them exact, and `lines` maps them back to the file's own numbering.
struct CsvBody {
    text: String,
    /// `lines[i]` is the 1-based file line of the body's line `i + 1`.
    lines: Vec<usize>,
}

impl CsvBody {
    fn new(text: &str) -> CsvBody {
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

    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .has_headers(true)
            .flexible(false)
            .from_reader(self.text.as_bytes())
    }

    /// The file line of a csv position.
    fn line_of(&self, pos: Option<&csv::Position>) -> usize {
        let body_line = pos.map_or(1, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        body_line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or(body_line)
    }

    fn error(&self, name: &str, e: &csv::Error) -> Error {
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        Error::record(name, self.line_of(e.position()), "row", message)
    }
}

fn parse_f64(v: &str, name: &str, line: usize, col: &str, expected: &str) -> Result<f64> {
    match v.trim_start_matches('$').parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(Error::record(
            name,
            line,
            col,
            format!("{v:?} is not a number (expected {expected})"),
        )),
    }
}

fn parse_price(v: &str, name: &str, line: usize, col: &str) -> Result<f64> {
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

fn parse_count(v: &str, name: &str, line: usize, col: &str) -> Result<u64> {
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
fn parse_iv(v: &str, name: &str, line: usize, col: &str) -> Result<f64> {
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
fn parse_date(v: &str) -> Option<NaiveDate> {
    let d = v.split(['T', ' ']).next().unwrap_or(v).trim();
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(d, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(d, "%m/%d/%Y"))
        .ok()
        .filter(|_| d.len() >= 8)
}

/// RFC 3339, or a bare date meaning its 16:00 New York close.
fn parse_as_of(v: &str) -> Option<DateTime<FixedOffset>> {
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
        let missing: Vec<&str> = ["expiry", "strike", "right"]
            .into_iter()
            .filter(|f| !cols.has(f))
            .collect();
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
            let col = cols.map.get("symbol").map_or("symbol", |(_, c)| c.as_str());
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
                let col = cols.map.get(field).map_or(field, |(_, c)| c.as_str());
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

// ---- history CSV --------------------------------------------------------------------------

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
                let col = cols.map.get("date").map_or("Date", |(_, c)| c.as_str());
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
            let col = cols
                .map
                .get(close_field)
                .map_or("Close", |(_, c)| c.as_str());
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

// ---- reading ------------------------------------------------------------------------------

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Read a whole file as UTF-8 text, refusing files over [`MAX_FILE_BYTES`] (devices such as
/// `/dev/zero` included) and naming the line of a bad byte.
fn read_text(path: &Path) -> Result<String> {
    crate::fsutil::read_text_capped(path, MAX_FILE_BYTES, "a chain or history file")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(sym: &str) -> ChainRequest {
        ChainRequest {
            symbol: sym.to_string(),
            expiries: ExpiryFilter::All,
            as_of: DateTime::parse_from_rfc3339("2026-11-17T10:30:00-05:00").unwrap(),
        }
    }

    #[test]
    fn detects_formats() {
        assert_eq!(detect_format(""), FileFormat::Empty);
        assert_eq!(detect_format("  \r\n"), FileFormat::Empty);
        assert_eq!(detect_format("<!DOCTYPE html><html>"), FileFormat::Html);
        assert_eq!(detect_format("\u{feff}<html>"), FileFormat::Html);
        assert_eq!(detect_format("No data"), FileFormat::NoDataBody);
        assert_eq!(detect_format("No data\r\n"), FileFormat::NoDataBody);
        assert_eq!(
            detect_format("{\"ccplan_snapshot\": 1, \"snapshot\": {}}"),
            FileFormat::Snapshot
        );
        assert_eq!(detect_format("{\"data\": []}"), FileFormat::ProviderJson);
        assert_eq!(detect_format("[1,2]"), FileFormat::ProviderJson);
        assert_eq!(
            detect_format("Date,Open,High,Low,Close,Volume\r\n2025-01-02,1,2,0.5,1.5,10\r\n"),
            FileFormat::HistoryCsv
        );
        assert_eq!(
            detect_format("# spot: 1\nsymbol,expiry,strike,right\n"),
            FileFormat::ChainCsv
        );
        assert_eq!(detect_format("OCC,Bid\n"), FileFormat::ChainCsv);
        assert_eq!(detect_format("a,b,c\n1,2,3\n"), FileFormat::Unknown);
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
        assert!(parse_iv("47", "f", 1, "iv").is_err());
        assert_eq!(parse_count("1234.6", "f", 1, "v").unwrap(), 1235);
        assert!(parse_count("-1", "f", 1, "v").is_err());
        assert!(parse_price("inf", "f", 1, "bid").is_err());
        assert_eq!(
            parse_as_of("2026-12-18").unwrap().to_rfc3339(),
            "2026-12-18T16:00:00-05:00"
        );
        assert!(parse_as_of("yesterday").is_none());
    }

    #[test]
    fn raw_payload_errors_name_the_file() {
        let err = match parse_raw("{}", "NVDA", "x.json", Want::Chain) {
            Err(e) => e,
            Ok(_) => panic!("an empty object is no provider payload"),
        };
        assert!(err.to_string().contains("x.json"), "{err}");
    }
}
