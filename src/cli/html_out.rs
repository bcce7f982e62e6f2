//! `--out FILE.html`: the self-contained HTML report (see `ccplan::report`). The library
//! renders the page from data; this module gathers what the page shows beyond the command's
//! result (the smile of the chosen expiry, the stored IV history, the sources) and writes the
//! file atomically.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

use ccplan::export::Format;
use ccplan::fsutil::write_atomic;
use ccplan::regime::IvObservation;
use ccplan::report::{Smile, SymbolView};
use ccplan::store::{session_date, Store};
use ccplan::surface::{analyze, ChainSurface, ParitySettings, SurfaceParams};

use super::analysis::{Pipeline, SymbolData};
use super::suggest_cmd::emit;
use super::Ctx;

/// Whether `--out` names an HTML report (`.html` or `.htm`).
pub fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Like `emit`, but an `--out` ending in `.html` gets the report page from `html` instead of
/// a text format; standard output gets `format` either way.
pub fn emit_or_html(
    format: Format,
    out_file: Option<&Path>,
    out: &mut dyn Write,
    render: &dyn Fn(Format, &mut dyn Write) -> anyhow::Result<()>,
    html: &dyn Fn() -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    match out_file {
        Some(path) if is_html(path) => {
            write_html(path, &html()?)?;
            emit(format, None, out, render)
        }
        Some(path) => {
            if Format::from_path(path).is_err() {
                anyhow::bail!(
                    "invalid output file extension: {} (expected .csv, .json, .md, .txt, or \
                     .html for the report page)",
                    path.display()
                );
            }
            emit(format, Some(path), out, render)
        }
        None => emit(format, None, out, render),
    }
}

/// Write a page atomically and say so on standard error.
pub fn write_html(path: &Path, page: &str) -> anyhow::Result<()> {
    write_atomic(path, |w| {
        w.write_all(page.as_bytes()).map_err(ccplan::Error::Output)
    })
    .with_context(|| format!("writing the report {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The sources of a run, for the page header.
pub fn sources(pipe: &Pipeline<'_>) -> Vec<(String, String)> {
    vec![
        ("option chains".to_string(), pipe.chains.name().to_string()),
        (
            "price history".to_string(),
            pipe.histories
                .as_ref()
                .map_or_else(|| "none".to_string(), |h| h.name().to_string()),
        ),
    ]
}

/// The chain analysed as the pipeline analyses it (same fallback rate and yield).
fn surface(ctx: &Ctx, data: &SymbolData) -> Option<ChainSurface> {
    analyze(
        &data.snap,
        &SurfaceParams {
            parity: ParitySettings {
                rate: ctx.settings.rate,
                div_yield: ctx.settings.div_yield,
                ..ParitySettings::default()
            },
            ..SurfaceParams::default()
        },
    )
    .ok()
}

/// The stored IV30 series before the chain's session (empty without a store or on error:
/// the page then says it has no history).
fn iv_history(ctx: &Ctx, data: &SymbolData) -> Vec<IvObservation> {
    if !ctx.store.exists() {
        return Vec::new();
    }
    let symbol = &data.snap.underlying.symbol;
    Store::open_existing(&ctx.store)
        .and_then(|s| s.iv30_series(symbol, session_date(&data.snap.as_of), 300))
        .map(|v| {
            v.into_iter()
                .map(|(date, iv)| IvObservation { date, iv })
                .collect()
        })
        .unwrap_or_default()
}

/// What the page shows of one symbol: its regime, the smile of `expiry` (else of the expiry
/// nearest 30 days) and the stored IV history.
pub fn symbol_view<'a>(
    ctx: &Ctx,
    data: &'a SymbolData,
    expiry: Option<NaiveDate>,
) -> SymbolView<'a> {
    let smile = surface(ctx, data).and_then(|s| {
        let slice = match expiry {
            Some(e) => s.slice(e),
            None => s.slices.iter().min_by_key(|x| (x.dte - 30).abs()),
        };
        slice.map(Smile::from_slice)
    });
    SymbolView {
        regime: data.regime.as_ref(),
        smile,
        iv_history: iv_history(ctx, data),
    }
}
