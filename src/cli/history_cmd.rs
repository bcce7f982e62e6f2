//! `ccplan history import|show|export`: the local IV history behind IV rank.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use ccplan::export::{Cell, Col, Format, Table};
use ccplan::fsutil::{write_atomic, CappedReader, IV_HISTORY_LIMIT};
use ccplan::store::{DailySummary, Store};

use super::Ctx;

/// `history` subcommands.
#[derive(Debug, Subcommand)]
pub enum HistoryCmd {
    /// Seed a symbol's daily IV series from CSV (`date,iv30` at least; optional hv20, spot,
    /// skew; a `_pct` suffix or a `%` sign means percent).
    Import {
        /// The CSV file (`-` for standard input).
        file: String,
        /// The symbol the series belongs to.
        #[arg(long)]
        symbol: String,
    },
    /// List a symbol's stored daily summaries.
    Show {
        /// Ticker.
        symbol: String,
        /// Output format.
        #[arg(long, default_value = "table", value_parser = super::args::format_parser())]
        format: Format,
    },
    /// Write a symbol's series as CSV (the import layout), to standard output or --out.
    Export {
        /// Ticker.
        symbol: String,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Run a `history` subcommand.
pub fn run(cmd: &HistoryCmd, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        HistoryCmd::Import { file, symbol } => {
            let mut store = Store::open(&ctx.store)?;
            let cap = |r: Box<dyn std::io::Read>| {
                CappedReader::new(r, IV_HISTORY_LIMIT, "an IV history file")
            };
            let n = if file == "-" {
                store.import_csv(symbol, "stdin", cap(Box::new(std::io::stdin().lock())))?
            } else {
                let f = std::fs::File::open(file).map_err(|e| ccplan::Error::Io {
                    path: file.into(),
                    source: e,
                })?;
                store.import_csv(symbol, file, cap(Box::new(std::io::BufReader::new(f))))?
            };
            writeln!(
                out,
                "imported {} of {} into {}",
                super::count(n, "session", "sessions"),
                symbol.to_ascii_uppercase(),
                ctx.store.display()
            )?;
        }
        HistoryCmd::Show { symbol, format } => {
            let store = Store::open_existing(&ctx.store).with_context(|| {
                "no history store yet: run a market command or `history import`"
            })?;
            let rows = store.summaries(symbol)?;
            let t = Table::from_rows(SESSIONS, &rows);
            if *format == Format::Table {
                writeln!(
                    out,
                    "{}: {} in {}",
                    symbol.to_ascii_uppercase(),
                    super::count(rows.len(), "session", "sessions"),
                    ctx.store.display()
                )?;
            }
            t.write(*format, out)?;
        }
        HistoryCmd::Export { symbol, out: file } => {
            let store = Store::open_existing(&ctx.store)
                .with_context(|| "no history store yet: nothing to export")?;
            match file {
                Some(path) => {
                    let mut n = 0;
                    write_atomic(path, |w| {
                        n = store.export_csv(symbol, w)?;
                        Ok(())
                    })?;
                    eprintln!(
                        "wrote {} to {}",
                        super::count(n, "session", "sessions"),
                        path.display()
                    );
                }
                None => {
                    store.export_csv(symbol, &mut *out)?;
                }
            }
        }
    }
    Ok(())
}

/// One stored session of `history show`.
const SESSIONS: &[Col<DailySummary>] = &[
    Col::new("date", "date", |r| Cell::text(r.date.to_string())),
    Col::new("iv30", "IV30 %", |r| Cell::pct(r.iv30, 1)),
    Col::new("hv20", "HV20 %", |r| Cell::pct(r.hv20, 1)),
    Col::new("spot", "spot $", |r| Cell::num(r.spot, 2)),
    Col::new("skew", "skew 25Δ (vol pts)", |r| Cell::pct(r.skew, 1)),
    Col::new("expiries", "expiries", |r| Cell::Int(r.atm_iv.len() as i64)),
    Col::new("source", "source", |r| Cell::text(&r.source)),
];
