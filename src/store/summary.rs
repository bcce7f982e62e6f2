//! The daily summary: one row per symbol and New York session date.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{db_error, normalize_symbol, store_error, Store};
use crate::error::{Error, Result};

/// What one fetch tells about one symbol on one session: the numbers behind IV rank and the
/// regime readings. Volatilities are decimal fractions (0.35), spot is USD per share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailySummary {
    /// Ticker; stored upper case.
    pub symbol: String,
    /// New York session date (see [`session_date`](super::session_date)).
    pub date: NaiveDate,
    /// Constant-maturity 30-day implied volatility; `None` when the chain could not give one.
    pub iv30: Option<f64>,
    /// At-the-money implied volatility per expiry.
    pub atm_iv: BTreeMap<NaiveDate, f64>,
    /// 25-delta put IV − 25-delta call IV (positive when puts are richer).
    pub skew: Option<f64>,
    /// 20-session close-to-close realized volatility, annualized.
    pub hv20: Option<f64>,
    /// Spot used for the summary, USD per share.
    pub spot: Option<f64>,
    /// Where the numbers came from: the provider (`cboe`, `tradier`...) or `csv:NAME` for an
    /// imported row.
    pub source: String,
    /// When the fetch happened (passed in by the caller; the store never reads the clock).
    /// `None` for imported rows, whose recording instant is unknown.
    pub recorded_at: Option<DateTime<Utc>>,
}

impl DailySummary {
    /// A summary with only its key and source; every reading empty.
    pub fn new(symbol: impl Into<String>, date: NaiveDate, source: impl Into<String>) -> Self {
        DailySummary {
            symbol: symbol.into(),
            date,
            iv30: None,
            atm_iv: BTreeMap::new(),
            skew: None,
            hv20: None,
            spot: None,
            source: source.into(),
            recorded_at: None,
        }
    }

    /// Check the readings are in their domains. SQLite would store a NaN as NULL, silently
    /// turning a bug into a missing value, so non-finite numbers are refused here.
    pub fn validate(&self) -> Result<()> {
        fn positive(what: &'static str, v: Option<f64>) -> Result<()> {
            match v {
                Some(x) if !(x.is_finite() && x > 0.0) => {
                    Err(Error::invalid(what, x, "a positive finite number"))
                }
                _ => Ok(()),
            }
        }
        normalize_symbol(&self.symbol)?;
        positive("IV30", self.iv30)?;
        positive("spot", self.spot)?;
        if let Some(h) = self.hv20 {
            if !(h.is_finite() && h >= 0.0) {
                return Err(Error::invalid("HV20", h, "a finite number ≥ 0"));
            }
        }
        if let Some(s) = self.skew {
            if !s.is_finite() {
                return Err(Error::invalid("skew", s, "a finite number"));
            }
        }
        for (expiry, iv) in &self.atm_iv {
            if !(iv.is_finite() && *iv > 0.0) {
                return Err(Error::invalid(
                    "ATM IV",
                    format!("{iv} (expiry {expiry})"),
                    "a positive finite number",
                ));
            }
        }
        if self.source.trim().is_empty() {
            return Err(Error::invalid("source", "\"\"", "a provider name"));
        }
        Ok(())
    }
}

/// Instants are stored as fixed-width UTC text (`2026-03-02T20:15:00.000000Z`), so that SQLite
/// compares them correctly as strings and a human can read them.
pub(super) fn format_instant(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(super) fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ")
        .ok()
        .map(|t| t.and_utc())
}

pub(super) fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Insert or replace the summary of (symbol, date) inside an open transaction.
///
/// A row recorded later wins: the new row replaces the stored one unless both have a
/// `recorded_at` and the stored one is later (two runs finishing out of order must not
/// leave the older reading). Rows without `recorded_at` (imports) always replace.
/// Returns whether the row was written.
pub(super) fn upsert(tx: &rusqlite::Connection, path: &Path, s: &DailySummary) -> Result<bool> {
    s.validate()?;
    let symbol = normalize_symbol(&s.symbol)?;
    let atm: BTreeMap<String, f64> = s
        .atm_iv
        .iter()
        .map(|(d, v)| (format_date(*d), *v))
        .collect();
    let atm_json = serde_json::to_string(&atm)
        .map_err(|e| store_error(path, &format!("encoding ATM IVs: {e}")))?;
    let changed = tx
        .execute(
            "INSERT INTO daily_summary
                 (symbol, date, iv30, atm_iv, skew, hv20, spot, source, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (symbol, date) DO UPDATE SET
                 iv30 = excluded.iv30, atm_iv = excluded.atm_iv, skew = excluded.skew,
                 hv20 = excluded.hv20, spot = excluded.spot, source = excluded.source,
                 recorded_at = excluded.recorded_at
             WHERE excluded.recorded_at IS NULL
                OR daily_summary.recorded_at IS NULL
                OR excluded.recorded_at >= daily_summary.recorded_at",
            params![
                symbol,
                format_date(s.date),
                s.iv30,
                atm_json,
                s.skew,
                s.hv20,
                s.spot,
                s.source.trim(),
                s.recorded_at.as_ref().map(format_instant),
            ],
        )
        .map_err(|e| {
            db_error(
                path,
                &format!("writing the {symbol} summary of {}", s.date),
                e,
            )
        })?;
    Ok(changed > 0)
}

const SELECT: &str =
    "SELECT symbol, date, iv30, atm_iv, skew, hv20, spot, source, recorded_at FROM daily_summary";

/// Decode one row; a value that does not decode is a damaged store, reported with the row.
fn decode(row: &Row<'_>, path: &Path) -> Result<DailySummary> {
    let raw = (|| -> rusqlite::Result<_> {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<f64>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<f64>>(4)?,
            row.get::<_, Option<f64>>(5)?,
            row.get::<_, Option<f64>>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, Option<String>>(8)?,
        ))
    })()
    .map_err(|e| db_error(path, "reading a summary row", e))?;
    let (symbol, date, iv30, atm_json, skew, hv20, spot, source, recorded_at) = raw;
    let bad = |field: &str, value: &str| {
        store_error(
            path,
            &format!("summary {symbol} {date}: {field} {value:?} does not decode"),
        )
    };
    let day = parse_date(&date).ok_or_else(|| bad("date", &date))?;
    let atm_text: BTreeMap<String, f64> =
        serde_json::from_str(&atm_json).map_err(|_| bad("atm_iv", &atm_json))?;
    let mut atm_iv = BTreeMap::new();
    for (k, v) in atm_text {
        atm_iv.insert(parse_date(&k).ok_or_else(|| bad("atm_iv expiry", &k))?, v);
    }
    let recorded_at = match recorded_at {
        None => None,
        Some(t) => Some(parse_instant(&t).ok_or_else(|| bad("recorded_at", &t))?),
    };
    Ok(DailySummary {
        symbol,
        date: day,
        iv30,
        atm_iv,
        skew,
        hv20,
        spot,
        source,
        recorded_at,
    })
}

impl Store {
    /// Record one fetch's summary: insert, or replace the row of the same symbol and session
    /// date (see [`DailySummary`]). A summary recorded later than `summary` is kept instead
    /// (two runs finishing out of order); the return value says whether `summary` was
    /// written. Rows without `recorded_at` always replace.
    pub fn upsert_summary(&mut self, summary: &DailySummary) -> Result<bool> {
        self.write("writing a daily summary", |tx, path| {
            upsert(tx, path, summary)
        })
    }

    /// The summary of one symbol on one date, if recorded.
    pub fn summary(&self, symbol: &str, date: NaiveDate) -> Result<Option<DailySummary>> {
        let symbol = normalize_symbol(symbol)?;
        let sql = format!("{SELECT} WHERE symbol = ?1 AND date = ?2");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.err("reading a summary", e))?;
        let mut rows = stmt
            .query(params![symbol, format_date(date)])
            .map_err(|e| self.err("reading a summary", e))?;
        match rows.next().map_err(|e| self.err("reading a summary", e))? {
            Some(row) => decode(row, &self.path).map(Some),
            None => Ok(None),
        }
    }

    /// Every summary of a symbol, oldest first.
    pub fn summaries(&self, symbol: &str) -> Result<Vec<DailySummary>> {
        let symbol = normalize_symbol(symbol)?;
        let sql = format!("{SELECT} WHERE symbol = ?1 ORDER BY date");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.err("reading summaries", e))?;
        let mut rows = stmt
            .query(params![symbol])
            .map_err(|e| self.err("reading summaries", e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err("reading summaries", e))? {
            out.push(decode(row, &self.path)?);
        }
        Ok(out)
    }

    /// The IV30 of the last `sessions` recorded sessions on or before `until`, oldest first:
    /// the window for IV rank and percentile (252 sessions for a year).
    ///
    /// Sessions are the dates that have an IV30 in the store; days never fetched, and days
    /// whose fetch gave no IV30, are simply absent, so the window can reach further back than
    /// `sessions` market days. Callers that care can look at the first date returned.
    pub fn iv30_series(
        &self,
        symbol: &str,
        until: NaiveDate,
        sessions: usize,
    ) -> Result<Vec<(NaiveDate, f64)>> {
        let symbol = normalize_symbol(symbol)?;
        let limit = i64::try_from(sessions).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT date, iv30 FROM daily_summary
                 WHERE symbol = ?1 AND date <= ?2 AND iv30 IS NOT NULL
                 ORDER BY date DESC LIMIT ?3",
            )
            .map_err(|e| self.err("reading the IV30 series", e))?;
        let rows = stmt
            .query_map(params![symbol, format_date(until), limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err("reading the IV30 series", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for (date, iv) in rows.into_iter().rev() {
            let d = parse_date(&date).ok_or_else(|| {
                store_error(
                    &self.path,
                    &format!("summary {symbol}: date {date:?} does not decode"),
                )
            })?;
            out.push((d, iv));
        }
        Ok(out)
    }

    /// Every symbol with a summary or an archived chain, sorted.
    pub fn symbols(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT symbol FROM daily_summary UNION SELECT symbol FROM chain_snapshot
                 ORDER BY symbol",
            )
            .map_err(|e| self.err("listing symbols", e))?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err("listing symbols", e))
    }

    /// The newest date with a summary for `symbol`, if any.
    pub fn last_summary_date(&self, symbol: &str) -> Result<Option<NaiveDate>> {
        let symbol = normalize_symbol(symbol)?;
        let date: Option<String> = self
            .conn
            .query_row(
                "SELECT max(date) FROM daily_summary WHERE symbol = ?1",
                params![symbol],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err("reading the last summary date", e))?
            .flatten();
        match date {
            None => Ok(None),
            Some(d) => parse_date(&d).map(Some).ok_or_else(|| {
                store_error(
                    &self.path,
                    &format!("summary {symbol}: date {d:?} does not decode"),
                )
            }),
        }
    }
}
