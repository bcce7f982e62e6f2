//! The chain archive: whole normalized [`ChainSnapshot`]s, kept with `--archive` so that any
//! earlier session can be replayed offline (`--source store:DATE`).
//!
//! Snapshots are stored as plain JSON (the `format` column says so, leaving room for a
//! compressed encoding later without a schema change). A chain of a heavily optioned
//! underlying is a few megabytes of JSON; one per symbol per session is kept.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};

use super::summary::{format_date, format_instant, parse_date, upsert};
use super::{db_error, normalize_symbol, session_date, store_error, DailySummary, Store};
use crate::error::{Error, Result};
use crate::model::ChainSnapshot;

const FORMAT_JSON: &str = "json";

/// Store `snap` under its symbol and session date inside an open transaction. A snapshot
/// with a later `as_of` already stored for that session is kept instead.
fn archive(tx: &rusqlite::Connection, path: &Path, snap: &ChainSnapshot) -> Result<bool> {
    let symbol = normalize_symbol(&snap.underlying.symbol)?;
    let date = session_date(&snap.as_of);
    let body = serde_json::to_vec(snap)
        .map_err(|e| store_error(path, &format!("encoding the {symbol} chain as JSON: {e}")))?;
    let as_of = format_instant(&snap.as_of.with_timezone(&Utc));
    let changed = tx
        .execute(
            "INSERT INTO chain_snapshot (symbol, date, as_of, source, format, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (symbol, date) DO UPDATE SET
                 as_of = excluded.as_of, source = excluded.source,
                 format = excluded.format, body = excluded.body
             WHERE excluded.as_of >= chain_snapshot.as_of",
            params![
                symbol,
                format_date(date),
                as_of,
                snap.source,
                FORMAT_JSON,
                body
            ],
        )
        .map_err(|e| db_error(path, &format!("archiving the {symbol} chain of {date}"), e))?;
    Ok(changed > 0)
}

impl Store {
    /// Archive a whole chain under its symbol and New York session date
    /// ([`session_date`] of its `as_of`), replacing that session's earlier snapshot. Returns
    /// the session date, and whether the snapshot was written (a snapshot with a later
    /// `as_of` already stored for that session is kept instead).
    pub fn archive_snapshot(&mut self, snapshot: &ChainSnapshot) -> Result<(NaiveDate, bool)> {
        let date = session_date(&snapshot.as_of);
        let written = self.write("archiving a chain", |tx, path| archive(tx, path, snapshot))?;
        Ok((date, written))
    }

    /// Record one fetch in one transaction: its summary and, with `--archive`, its chain.
    /// Either both are stored or neither is.
    ///
    /// The archived chain must be the one summarized: same symbol, and an `as_of` whose
    /// session date is the summary's date; otherwise [`Error::InvalidInput`]. Returns whether
    /// the summary was written (as for [`Store::upsert_summary`], a summary of the same
    /// session recorded later is kept; so is a later archived chain).
    pub fn record_fetch(
        &mut self,
        summary: &DailySummary,
        archive_chain: Option<&ChainSnapshot>,
    ) -> Result<bool> {
        if let Some(snap) = archive_chain {
            let s1 = normalize_symbol(&summary.symbol)?;
            let s2 = normalize_symbol(&snap.underlying.symbol)?;
            let d2 = session_date(&snap.as_of);
            if s1 != s2 || summary.date != d2 {
                return Err(Error::invalid(
                    "archived chain",
                    format!(
                        "{s2} of session {d2} for the summary of {s1} on {}",
                        summary.date
                    ),
                    "the chain of the summary's symbol and session date",
                ));
            }
        }
        self.write("recording a fetch", |tx, path| {
            let written = upsert(tx, path, summary)?;
            if let Some(snap) = archive_chain {
                archive(tx, path, snap)?;
            }
            Ok(written)
        })
    }

    /// The chain archived for `symbol` on session `date`, if any: the replay behind
    /// `--source store:DATE`.
    pub fn load_snapshot(&self, symbol: &str, date: NaiveDate) -> Result<Option<ChainSnapshot>> {
        let symbol = normalize_symbol(symbol)?;
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT format, body FROM chain_snapshot WHERE symbol = ?1 AND date = ?2",
                params![symbol, format_date(date)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(&format!("reading the {symbol} chain of {date}"), e))?;
        let Some((format, body)) = row else {
            return Ok(None);
        };
        if format != FORMAT_JSON {
            return Err(store_error(
                &self.path,
                &format!(
                    "the {symbol} chain of {date} is stored as {format:?}, which this ccplan \
                     cannot read; upgrade ccplan"
                ),
            ));
        }
        serde_json::from_slice(&body).map(Some).map_err(|e| {
            store_error(
                &self.path,
                &format!("the {symbol} chain of {date} does not decode: {e}"),
            )
        })
    }

    /// The session dates with an archived chain for `symbol`, oldest first.
    pub fn snapshot_dates(&self, symbol: &str) -> Result<Vec<NaiveDate>> {
        let symbol = normalize_symbol(symbol)?;
        let mut stmt = self
            .conn
            .prepare("SELECT date FROM chain_snapshot WHERE symbol = ?1 ORDER BY date")
            .map_err(|e| self.err("listing archived chains", e))?;
        let dates = stmt
            .query_map(params![symbol], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err("listing archived chains", e))?;
        dates
            .iter()
            .map(|d| {
                parse_date(d).ok_or_else(|| {
                    store_error(
                        &self.path,
                        &format!("archived {symbol} chain: date {d:?} does not decode"),
                    )
                })
            })
            .collect()
    }
}
