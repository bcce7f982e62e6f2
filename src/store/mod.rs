//! The local history store: one embedded SQLite file holding the daily IV summary behind IV
//! rank and, with `--archive`, whole chain snapshots that can be replayed offline.
//!
//! # Why SQLite, and how it is opened
//!
//! IV rank needs a year (252 sessions) of one number per symbol per day, and nobody sells that
//! series for free; ccplan builds it up from its own fetches. The series must survive the
//! things that happen to a command-line tool: two runs started at once from a shell loop or
//! cron, a run killed with Ctrl-C or `kill -9` half-way through a write, a laptop losing
//! power, and the user upgrading ccplan. SQLite gives that without a server, provided the file
//! is opened with care:
//!
//! * **WAL journal mode.** Readers never block the writer and the writer never blocks readers;
//!   a commit is one append to the `-wal` file, so a process killed mid-write leaves a torn
//!   frame at the end of the log that SQLite ignores on the next open. The mode is stored in
//!   the file, so every later connection uses it too. (WAL needs shared memory between the
//!   processes: keep the store on a local disk, not a network share.)
//! * **`synchronous = FULL`.** Each commit is fsync'ed before it returns: a committed fetch is
//!   on disk even if the machine loses power right after. Writes are one row per fetch, so the
//!   cost does not matter.
//! * **A busy timeout** ([`BUSY_TIMEOUT`]). When another run holds the write lock, SQLite
//!   retries for up to that long instead of failing at once with "database is locked", so two
//!   runs at once queue up rather than fail spuriously.
//! * **`BEGIN IMMEDIATE` for every write.** A write transaction takes the write lock when it
//!   starts. A deferred transaction that reads first and writes later can find, at its first
//!   write, that another connection committed in between; SQLite must then fail it at once
//!   (`SQLITE_BUSY_SNAPSHOT`), and no busy timeout helps. Taking the lock up front makes the
//!   busy timeout the only waiting rule.
//! * **Everything in transactions.** Each public write (one summary, one fetch with its
//!   archived chain, one CSV import) commits whole or not at all: a killed run loses only its
//!   own uncommitted write, and a CSV with one bad line imports nothing.
//!
//! # Schema versions and migrations
//!
//! The schema version is SQLite's `PRAGMA user_version`; `PRAGMA application_id` marks the
//! file as a ccplan store so that another program's database is refused rather than written
//! into. Opening a store applies, in one transaction, every migration between the file's
//! version and [`SCHEMA_VERSION`]: a store written by an older ccplan is upgraded in place,
//! with its data kept. A new, empty file goes through the very same list from version 0, so
//! the migrations are exercised on every fresh store. A file whose version is newer than this
//! build knows is refused with [`Error::StoreTooNew`], which tells the user to upgrade ccplan:
//! writing it with an older schema in mind could lose data.
//!
//! | version | change |
//! |---|---|
//! | 1 | `daily_summary`: symbol, date, IV30, HV20, spot, source, recorded_at |
//! | 2 | `daily_summary` gains `skew` and `atm_iv` (JSON: expiry → IV); `chain_snapshot` table for `--archive` |
//! | 3 | `journal` table: the trade journal of written calls |
//!
//! # What the store does not do
//!
//! It never decides where it lives (the CLI passes [`default_path`] of the user's data
//! directory, or `--store PATH`), never reads the clock (the instant of a fetch is part of
//! the [`DailySummary`] it is given) and never prints.
//!
//! # Example
//!
//! ```
//! use ccplan::store::{DailySummary, Store};
//! use chrono::NaiveDate;
//!
//! # fn main() -> ccplan::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(&dir.path().join("history.sqlite3"))?;
//! let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
//! let mut day = DailySummary::new("NVDA", date, "cboe");
//! day.iv30 = Some(0.52);
//! store.upsert_summary(&day)?;
//! assert_eq!(store.iv30_series("NVDA", date, 252)?, vec![(date, 0.52)]);
//! # Ok(())
//! # }
//! ```

mod archive;
mod csv_io;
mod journal;
mod schema;
mod session;
mod summary;
mod summary_store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

pub use csv_io::CSV_COLUMNS;
pub use journal::JournalAdded;
pub use schema::SCHEMA_VERSION;
pub use session::session_date;
pub use summary::DailySummary;
pub use summary_store::StoreFile;

/// How long a run waits for another run's write to finish before giving up.
///
/// A write holds the lock for milliseconds (an archived chain of a large underlying for a few
/// hundred), so a wait this long means something is wrong with the other process; failing
/// then, with a message that says the store is locked, beats hanging forever.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes the `-wal` file is truncated to after a checkpoint (SQLite's `journal_size_limit`).
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// The store's file name inside ccplan's data directory.
pub const FILE_NAME: &str = "history.sqlite3";

/// Where the store lives by default: `DATA_DIR/ccplan/history.sqlite3`.
///
/// `data_dir` is the user's data directory as the CLI finds it (`dirs::data_dir()`:
/// `~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
/// Windows). The CLI's `--store PATH` replaces the whole result.
pub fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ccplan").join(FILE_NAME)
}

/// An open history store: one SQLite connection to one file.
///
/// Each `Store` is one connection; open one per thread (a `Store` can be moved to another
/// thread but not shared). Any number of stores, in any number of processes, can be open on
/// the same file at once.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open the store at `path`, creating the file (and its missing parent directories) if it
    /// does not exist, and migrating an older schema to the current one.
    ///
    /// Errors name the path: [`Error::Store`] for a file that is not an SQLite database or
    /// belongs to another program, a directory that cannot be created, or a lock held longer
    /// than [`BUSY_TIMEOUT`]; [`Error::StoreTooNew`] for a store written by a newer ccplan.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() && !parent.is_dir() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
        }
        Self::open_with(path, OpenFlags::default())
    }

    /// Open an existing store (for replaying archived chains or exporting a series): a missing
    /// file is an error rather than a new empty store. An older schema is still migrated.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(store_error(
                path,
                "no store at this path (nothing recorded yet?)",
            ));
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        Self::open_with(path, flags)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Store> {
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| db_error(path, "opening the file", e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        schema::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// Connection settings; see the module docs for why each one is there.
    fn configure(&mut self) -> Result<()> {
        let path = self.path.clone();
        // The busy timeout first: setting the journal mode below may itself wait for a lock
        // held by another run that is opening the same new file.
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| db_error(&path, "setting the busy timeout", e))?;
        // The first statement that reads the file: this is where a file that is not an SQLite
        // database is found out.
        //
        // SQLite answers "busy" to a journal-mode change at once, without the busy handler,
        // while another connection that is opening the same new file holds a lock; so the
        // switch is retried here until the busy timeout. (Once a file is in WAL mode the mode
        // is persistent and the pragma only reads it back.)
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mode: String = loop {
            match self
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            {
                Ok(mode) => break mode,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => return Err(db_error(&path, "switching to WAL journal mode", e)),
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(store_error(
                &path,
                &format!(
                    "SQLite refused WAL journal mode (kept {mode:?}); is the file on a network \
                     file system or read-only?"
                ),
            ));
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| db_error(&path, "setting synchronous = FULL", e))?;
        // Archived chains make the WAL grow by megabytes between checkpoints; without a limit
        // the `-wal` file keeps its largest size forever.
        self.conn
            .pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
            .map_err(|e| db_error(&path, "setting the journal size limit", e))?;
        Ok(())
    }

    /// The file this store was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (always [`SCHEMA_VERSION`] once opened).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| self.err("reading the schema version", e))
    }

    /// Run SQLite's `PRAGMA integrity_check` over the whole file. `Ok(())` when SQLite answers
    /// "ok"; otherwise an [`Error::Store`] listing the first problems it found.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err("checking integrity", e))?;
        let lines = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(|e| self.err("checking integrity", e))?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(())
        } else {
            Err(store_error(
                &self.path,
                &format!("integrity check failed: {}", lines.join("; ")),
            ))
        }
    }

    /// Run `f` inside a `BEGIN IMMEDIATE` transaction, committing if it returns `Ok`. On an
    /// error (or a panic) the transaction is rolled back when it is dropped.
    fn write<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &Path) -> Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(&path, what, e))?;
        let out = f(&tx, &path)?;
        tx.commit().map_err(|e| db_error(&path, what, e))?;
        Ok(out)
    }

    fn err(&self, what: &str, e: rusqlite::Error) -> Error {
        db_error(&self.path, what, e)
    }
}

/// An [`Error::Store`] with a plain message.
pub(crate) fn store_error(path: &Path, message: &str) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// An [`Error::Store`] for a failed SQLite call, turning SQLite's terse codes into advice.
pub(crate) fn db_error(path: &Path, what: &str, e: rusqlite::Error) -> Error {
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => format!(
            "{what}: the file is not an SQLite database (or it is damaged); \
             pass --store with another path or move the file away"
        ),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "{what}: the store stayed locked by another process for more than {} s ({e})",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => format!("{what}: the file is read-only ({e})"),
        Some(ErrorCode::CannotOpen) => format!("{what}: cannot open the file ({e})"),
        Some(ErrorCode::DatabaseCorrupt) => {
            format!("{what}: the database is damaged ({e}); restore it from a backup")
        }
        _ => format!("{what}: {e}"),
    };
    Error::Store {
        path: path.to_path_buf(),
        message,
    }
}

/// Upper-case, trimmed ticker; an empty one is an error.
pub(crate) fn normalize_symbol(symbol: &str) -> Result<String> {
    let s = symbol.trim().to_ascii_uppercase();
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "symbol",
            format!("{symbol:?}"),
            "a ticker such as NVDA",
        ));
    }
    Ok(s)
}
