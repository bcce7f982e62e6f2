//! Recognizing what a file holds from its content, never from its extension.

use serde::Deserialize;

use super::cells::{ADJ_CLOSE, CLOSE, CONTRACT, DATE, STRIKE};
use super::strip_bom;
use crate::csvread::label_is;

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
    let cols: Vec<&str> = header.split(',').collect();
    let has = |names: &[&str]| cols.iter().any(|c| label_is(c, names));
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
    match crate::providers::sniff::sniff_json(body) {
        Some(crate::providers::sniff::Sniffed::Snapshot) => return true,
        Some(crate::providers::sniff::Sniffed::Payload(_)) => return false,
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
#[cfg(test)]
mod tests {
    use super::*;

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
}
