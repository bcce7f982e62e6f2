//! The store file as the pipeline's [`SummaryStore`]: opened for each read or write.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::Result;
use crate::model::ChainSnapshot;
use crate::pipeline::SummaryStore;
use crate::regime::IvObservation;

use super::{DailySummary, Store};

/// The SQLite store file at a path: opened for each read or write (a [`Store`] is one
/// connection and cannot be shared between threads), never created just to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFile {
    /// The store's path.
    pub path: PathBuf,
}

impl StoreFile {
    /// The store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> StoreFile {
        StoreFile { path: path.into() }
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SummaryStore for StoreFile {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn iv30_history(
        &self,
        symbol: &str,
        until: NaiveDate,
        sessions: usize,
    ) -> Result<Vec<IvObservation>> {
        if !self.path.exists() {
            return Ok(Vec::new());
        }
        let series = Store::open_existing(&self.path)?.iv30_series(symbol, until, sessions)?;
        Ok(series
            .into_iter()
            .map(|(date, iv)| IvObservation { date, iv })
            .collect())
    }

    fn record_fetch(&self, summary: &DailySummary, archived: Option<&ChainSnapshot>) -> Result<()> {
        let mut store = Store::open(&self.path)?;
        store.record_fetch(summary, archived)?;
        Ok(())
    }
}
