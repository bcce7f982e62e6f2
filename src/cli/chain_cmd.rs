//! `ccplan chain SYMBOL`: the option chain as the provider gave it, normalized.

use std::io::Write;
use std::path::PathBuf;

use ccplan::export::{Cell, Format, Table};
use ccplan::model::{ChainSnapshot, Right};
use ccplan::pricing::time::days_to_expiry;
use ccplan::providers::file::save_snapshot;
use ccplan::providers::{ChainRequest, ExpiryFilter};

use std::collections::HashMap;

use ccplan::surface::{analyze, IvSides, ParitySettings, SurfaceParams};

use super::config::Settings;
use super::{report_data_quality, sources, Ctx, MarketArgs};

/// Arguments of `chain`.
#[derive(Debug, clap::Args)]
pub struct ChainArgs {
    /// Underlying ticker, e.g. NVDA (index symbols such as SPX are decorated per provider).
    pub symbol: String,
    #[command(flatten)]
    pub market: MarketArgs,
    /// Only this expiry (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub expiry: Option<chrono::NaiveDate>,
    /// Output format on standard output.
    #[arg(long, default_value = "table", value_parser = super::args::format_parser())]
    pub format: Format,
    /// Also save the normalized chain as a ccplan snapshot (JSON), for --source file:PATH.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
}

/// Fetch and show a chain.
pub fn run(a: &ChainArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let spec = a
        .market
        .source
        .clone()
        .unwrap_or_else(|| ctx.settings.source.clone());
    let source = sources::chain_source(&spec, &ctx.settings, &ctx.store)?;
    let request = ChainRequest {
        symbol: a.symbol.trim().to_ascii_uppercase(),
        expiries: a.expiry.map_or(ExpiryFilter::All, ExpiryFilter::On),
        as_of: ctx.now,
    };
    let snap = source.chain(&request)?;
    if let Some(date) = a.expiry {
        if !snap.quotes.iter().any(|q| q.contract.expiry == date) {
            return Err(no_such_expiry(&*source, &request, date));
        }
    }
    report_data_quality(&snap);
    match super::as_of_disagreement(&snap, ctx) {
        Some((true, w)) => eprintln!("warning: {w}"),
        Some((false, n)) => eprintln!("note: {n}"),
        None => {}
    }
    if let Some(path) = &a.save {
        save_snapshot(path, &snap)?;
        eprintln!(
            "saved {} to {}",
            super::count(snap.quotes.len(), "quote", "quotes"),
            path.display()
        );
    }
    match a.format {
        // The rows of the CSV, at full precision (the snapshot form is what --save writes).
        Format::Json => chain_table(&snap, &ctx.settings).write(Format::Json, out)?,
        f => {
            if f == Format::Table {
                writeln!(
                    out,
                    "{} spot {} USD, as of {} ({}), {}",
                    snap.underlying.symbol,
                    snap.underlying.last,
                    snap.as_of.to_rfc3339(),
                    snap.source,
                    super::count(snap.quotes.len(), "contract", "contracts")
                )?;
            }
            chain_table(&snap, &ctx.settings).write(f, out)?
        }
    }
    Ok(())
}

/// The error for `--expiry DATE` when the chain has no contract on that date, naming the
/// listed expiries nearest to it (from a second, unfiltered request; best effort).
fn no_such_expiry(
    source: &dyn ccplan::providers::ChainSource,
    request: &ChainRequest,
    date: chrono::NaiveDate,
) -> anyhow::Error {
    let all = ChainRequest {
        expiries: ExpiryFilter::All,
        ..request.clone()
    };
    let mut listed = source.chain(&all).map(|s| s.expiries()).unwrap_or_default();
    listed.sort_by_key(|d| ((*d - date).num_days().abs(), *d));
    listed.truncate(4);
    listed.sort();
    let nearest = if listed.is_empty() {
        "the source lists no expiry at all".to_string()
    } else {
        let names: Vec<String> = listed.iter().map(|d| d.to_string()).collect();
        format!("nearest listed expiries: {}", names.join(", "))
    };
    anyhow::anyhow!(
        "{}: no contract expires on {date} in the chain from {}; {nearest}",
        request.symbol,
        source.name()
    )
}

/// Our IV (mid, else bid) and delta per contract, from the chain analytics on the implied
/// forward; empty when the analytics cannot run (no spot) or a quote has no IV.
fn our_readings(
    snap: &ChainSnapshot,
    settings: &Settings,
) -> HashMap<String, (Option<f64>, Option<f64>)> {
    let params = SurfaceParams {
        parity: ParitySettings {
            rate: settings.rate,
            div_yield: settings.div_yield,
            ..ParitySettings::default()
        },
        // Only the IV (mid, else bid) and its delta are shown: one solve per quote.
        iv_sides: IvSides::MidOnly,
        ..SurfaceParams::default()
    };
    let mut map = HashMap::new();
    if let Ok(surface) = analyze(snap, &params) {
        for slice in &surface.slices {
            for q in slice.calls.iter().chain(&slice.puts) {
                map.insert(q.contract.occ(), (q.iv(), q.greeks.map(|g| g.delta)));
            }
        }
    }
    map
}

/// One row per contract, calls and puts by expiry then strike, with the provider's IV and
/// delta beside ours.
pub fn chain_table(snap: &ChainSnapshot, settings: &Settings) -> Table {
    let ours = our_readings(snap, settings);
    let mut t = Table::new(&[
        ("contract", "contract"),
        ("expiry", "expiry"),
        ("dte", "DTE"),
        ("strike", "strike $"),
        ("right", "C/P"),
        ("bid", "bid $"),
        ("ask", "ask $"),
        ("mid", "mid $"),
        ("spread", "spread $"),
        ("volume", "volume"),
        ("open_interest", "OI"),
        ("provider_iv", "prov IV %"),
        ("iv", "IV %"),
        ("provider_delta", "prov Δ"),
        ("delta", "Δ"),
    ]);
    let mut quotes: Vec<_> = snap.quotes.iter().collect();
    quotes.sort_by(|a, b| {
        (a.contract.expiry, a.contract.right)
            .cmp(&(b.contract.expiry, b.contract.right))
            .then(a.contract.strike.total_cmp(&b.contract.strike))
    });
    for q in quotes {
        let c = &q.contract;
        let (iv, delta) = ours.get(&c.occ()).copied().unwrap_or((None, None));
        t.push(vec![
            Cell::text(c.occ()),
            Cell::text(c.expiry.to_string()),
            Cell::Int(days_to_expiry(&snap.as_of, c.expiry)),
            Cell::num(Some(c.strike), 2),
            Cell::text(match c.right {
                Right::Call => "C",
                Right::Put => "P",
            }),
            Cell::num(q.bid, 2),
            Cell::num(q.ask, 2),
            Cell::num(q.mid(), 3),
            Cell::num(q.spread(), 2),
            Cell::int(q.volume.and_then(|v| i64::try_from(v).ok())),
            Cell::int(q.open_interest.and_then(|v| i64::try_from(v).ok())),
            Cell::pct(q.provider_iv, 1),
            Cell::pct(iv, 1),
            Cell::num(q.provider_greeks.and_then(|g| g.delta), 3),
            Cell::num(delta, 3),
        ]);
    }
    t
}
