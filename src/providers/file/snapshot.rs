//! ccplan's own snapshot JSON: what `--save` writes and `--source file:` reads back.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::strip_bom;
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::model::ChainSnapshot;
use crate::providers::wire::{screen_chain, sides_counted};

/// The snapshot file version this ccplan writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

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

/// The checks a loaded snapshot must pass (a positive spot and strikes), and the screen every
/// provider's chain passes ([`screen_chain`]): a file edited by hand or damaged may repeat a
/// contract, which a saved chain never does. The rows that screen drops are named in
/// [`ChainSnapshot::dropped`]; a snapshot ccplan saved passes it unchanged.
fn check_snapshot(mut snap: ChainSnapshot, source_name: &str) -> Result<ChainSnapshot> {
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
    screen_prices(&mut snap);
    screen_chain(&mut snap.quotes, &mut snap.dropped, &snap.as_of);
    Ok(snap)
}

/// Each quote's prices checked as a provider's row is ([`sides_counted`]): a negative or
/// crossed quote is dropped with its reason, a zero price or a side of size zero is no
/// price. A snapshot ccplan saved passes unchanged.
fn screen_prices(snap: &mut ChainSnapshot) {
    let dropped = &mut snap.dropped;
    snap.quotes.retain_mut(
        |q| match sides_counted(q.bid, q.ask, q.bid_size, q.ask_size, q.last) {
            Ok(s) => {
                (q.bid, q.ask, q.bid_size, q.ask_size, q.last) =
                    (s.bid, s.ask, s.bid_size, s.ask_size, s.last);
                true
            }
            Err(reason) => {
                dropped.push(format!("{}: {reason}", q.contract.occ()));
                false
            }
        },
    );
}
