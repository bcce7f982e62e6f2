//! Schema versions and the migrations between them.
//!
//! `MIGRATIONS[i]` takes a store from version `i` to version `i + 1`. The list only grows:
//! a released migration is never edited, because stores in the wild were built by it. A new
//! version appends one entry; [`SCHEMA_VERSION`] follows the list's length.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::{db_error, store_error};
use crate::error::{Error, Result};

/// `PRAGMA application_id` of a ccplan store: "ccpl" in ASCII. It lets `open` refuse another
/// program's SQLite database instead of adding tables to it.
pub const APPLICATION_ID: i32 = 0x6363_706c;

/// Version 0 → 1: the first layout, one row per symbol and New York session date.
const V1: &str = "
CREATE TABLE daily_summary (
    symbol      TEXT NOT NULL,          -- upper-case ticker
    date        TEXT NOT NULL,          -- New York session date, YYYY-MM-DD
    iv30        REAL,                   -- constant-maturity 30-day IV, decimal
    hv20        REAL,                   -- 20-session realized volatility, decimal
    spot        REAL,                   -- USD per share
    source      TEXT NOT NULL,          -- provider, or csv:NAME for imported rows
    recorded_at TEXT,                   -- UTC instant of the fetch, fixed width; NULL if imported
    PRIMARY KEY (symbol, date)
);
";

/// Version 1 → 2: skew and ATM IV per expiry on the summary, and the chain archive.
const V2: &str = "
ALTER TABLE daily_summary ADD COLUMN skew REAL;   -- 25-delta put IV - 25-delta call IV, decimal
ALTER TABLE daily_summary ADD COLUMN atm_iv TEXT NOT NULL DEFAULT '{}';  -- JSON {expiry: iv}
CREATE TABLE chain_snapshot (
    id          INTEGER PRIMARY KEY,
    symbol      TEXT NOT NULL,
    date        TEXT NOT NULL,          -- New York session date of as_of
    as_of       TEXT NOT NULL,          -- UTC instant of the quotes, fixed width
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,          -- encoding of body: 'json' (room for compression later)
    body        BLOB NOT NULL,
    UNIQUE (symbol, date)
);
";

/// Version 2 → 3: the trade journal of written calls (`ccplan journal`, `ccplan income`).
/// Only a new table: stores of version 1 and 2 keep all their rows.
const V3: &str = "
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,   -- the entry's fields and its occurrence: re-imports add nothing
    date        TEXT NOT NULL,          -- trade date, YYYY-MM-DD
    account     TEXT,
    contract    TEXT NOT NULL,          -- compact OCC symbol
    action      TEXT NOT NULL,          -- sell-to-open | buy-to-close | expired | assigned
    contracts   INTEGER NOT NULL,
    price       REAL,                   -- USD per share
    fees        REAL NOT NULL,          -- USD for the entry
    multiplier  INTEGER NOT NULL,
    cost_basis  REAL,                   -- USD per share of shares called away (assignments)
    amount      REAL,                   -- the broker's net amount, USD
    source      TEXT NOT NULL           -- manual, or format:file
);
CREATE INDEX journal_contract ON journal (contract);
";

const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the file at `path` to [`SCHEMA_VERSION`], in one transaction.
///
/// The write lock is taken first (`BEGIN IMMEDIATE`), then the version read: two runs opening
/// the same old or new file at once serialize here, and the second finds nothing left to do.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    // Fast path without the write lock: a current store needs no migration, and readers
    // should not queue behind writers just to learn that.
    let (version, app_id) = read_header(conn, path)?;
    if version == SCHEMA_VERSION && app_id == APPLICATION_ID {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| db_error(path, "locking the store to migrate it", e))?;
    let (version, app_id) = read_header(&tx, path)?;
    if version > SCHEMA_VERSION {
        return Err(Error::StoreTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 0 {
        return Err(store_error(
            path,
            &format!("schema version {version} is not one ccplan ever wrote; the file is damaged"),
        ));
    }
    if app_id != APPLICATION_ID {
        let tables: i64 = tx
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| db_error(path, "listing tables", e))?;
        if app_id != 0 || version != 0 || tables != 0 {
            return Err(store_error(
                path,
                &format!(
                    "this SQLite database is not a ccplan store (application id {app_id:#x}, \
                     {tables} tables); pass --store with another path"
                ),
            ));
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| db_error(path, "marking the file as a ccplan store", e))?;
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(|e| {
            db_error(
                path,
                &format!("migrating the schema from version {from} to {}", from + 1),
                e,
            )
        })?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(|e| db_error(path, "recording the schema version", e))?;
    tx.commit()
        .map_err(|e| db_error(path, "committing the schema migration", e))
}

fn read_header(conn: &Connection, path: &Path) -> Result<(i64, i32)> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| db_error(path, "reading the schema version", e))?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| db_error(path, "reading the application id", e))?;
    Ok((version, app_id))
}
