//! `ccplan chain SYMBOL`: the option chain as the provider gave it, normalized.

use std::io::Write;
use std::path::PathBuf;

use ccplan::export::{Cell, Col, Format, Table};
use ccplan::model::{ChainSnapshot, Quote, Right};
use ccplan::pricing::time::days_to_expiry;
use ccplan::providers::file::save_snapshot;
use ccplan::providers::{ChainRequest, ExpiryFilter};

use std::collections::HashMap;

use ccplan::surface::{
    analyze_with_dividends, AmericanScope, IvSides, ParitySettings, ScheduledDividend,
    SurfaceParams,
};

use super::config::Settings;
use super::say;
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
    /// Next ex-dividend date (YYYY-MM-DD); with --dividend, expiries after it get American
    /// IVs and greeks (discrete dividend, early exercise) instead of Black-76.
    #[arg(long, value_name = "DATE", requires = "dividend")]
    pub ex_dividend: Option<chrono::NaiveDate>,
    /// Cash dividend per share paid on --ex-dividend, USD.
    #[arg(long, value_name = "USD", requires = "ex_dividend")]
    pub dividend: Option<f64>,
    /// Which expiries get American IVs and greeks: `auto` (those --ex-dividend falls
    /// before) or `american` (every expiry; deep in-the-money puts carry early exercise even
    /// without a dividend).
    #[arg(long, value_name = "STYLE", default_value = "auto", value_parser = ["auto", "american"])]
    pub style: String,
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
    let dividends = match (a.ex_dividend, a.dividend) {
        (Some(ex_date), Some(amount)) => {
            if !(amount.is_finite() && amount > 0.0 && amount < 1e6) {
                return Err(super::UsageError(format!(
                    "--dividend {amount}: expected a cash amount per share in USD, > 0"
                ))
                .into());
            }
            vec![ScheduledDividend { ex_date, amount }]
        }
        _ => Vec::new(),
    };
    report_data_quality(&snap);
    match super::as_of_disagreement(&snap, ctx) {
        Some((true, w)) => say::warn(&w),
        Some((false, n)) => say::note(&n),
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
    let scope = if a.style == "american" {
        AmericanScope::Always
    } else {
        AmericanScope::WhereDividend
    };
    let table = chain_table(&snap, &ctx.settings, &dividends, scope);
    match a.format {
        // The rows of the CSV, at full precision (the snapshot form is what --save writes).
        Format::Json => table.write(Format::Json, out)?,
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
            table.write(f, out)?
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

/// Our IV (mid, else bid), delta and model per contract, from the chain analytics on the
/// implied forward; empty when the analytics cannot run (no spot) or a quote has no IV.
fn our_readings(
    snap: &ChainSnapshot,
    settings: &Settings,
    dividends: &[ScheduledDividend],
    american: AmericanScope,
) -> HashMap<String, Reading> {
    let params = SurfaceParams {
        parity: ParitySettings {
            rate: settings.rate,
            div_yield: settings.div_yield,
            ..ParitySettings::default()
        },
        american,
        // Only the IV (mid, else bid) and its delta are shown: one solve per quote.
        iv_sides: IvSides::MidOnly,
        ..SurfaceParams::default()
    };
    let mut map = HashMap::new();
    if let Ok(surface) = analyze_with_dividends(snap, &params, dividends, |_| true) {
        for slice in &surface.slices {
            for q in slice.calls.iter().chain(&slice.puts) {
                map.insert(
                    q.contract.occ(),
                    (q.iv(), q.greeks.map(|g| g.delta), Some(q.model.label())),
                );
            }
        }
    }
    map
}

/// Our IV, delta and the model that gave them.
type Reading = (Option<f64>, Option<f64>, Option<&'static str>);

/// One row per contract, calls and puts by expiry then strike, with the provider's IV and
/// delta beside ours.
/// `model` says which model gave our IV and delta: `black76`, or `american` where a known
/// dividend goes ex before expiry.
pub fn chain_table(
    snap: &ChainSnapshot,
    settings: &Settings,
    dividends: &[ScheduledDividend],
    american: AmericanScope,
) -> Table {
    let ours = our_readings(snap, settings, dividends, american);
    let mut quotes: Vec<_> = snap.quotes.iter().collect();
    quotes.sort_by(|a, b| {
        (a.contract.expiry, a.contract.right)
            .cmp(&(b.contract.expiry, b.contract.right))
            .then(a.contract.strike.total_cmp(&b.contract.strike))
    });
    let lines: Vec<ChainLine<'_>> = quotes
        .into_iter()
        .map(|q| {
            let (iv, delta, model) = ours
                .get(&q.contract.occ())
                .copied()
                .unwrap_or((None, None, None));
            ChainLine {
                quote: q,
                dte: days_to_expiry(&snap.as_of, q.contract.expiry),
                iv,
                delta,
                model,
            }
        })
        .collect();
    Table::from_rows(&chain_columns(), &lines)
}

/// One quote of the chain table with ccplan's own readings.
struct ChainLine<'a> {
    quote: &'a Quote,
    dte: i64,
    iv: Option<f64>,
    delta: Option<f64>,
    model: Option<&'static str>,
}

/// The chain's columns (table, CSV, Markdown and `--format json` rows).
fn chain_columns<'a>() -> [Col<ChainLine<'a>>; 16] {
    [
        Col::new("contract", "contract", |l| {
            Cell::text(l.quote.contract.occ())
        }),
        Col::new("expiry", "expiry", |l| {
            Cell::text(l.quote.contract.expiry.to_string())
        }),
        Col::new("dte", "DTE", |l| Cell::Int(l.dte)),
        Col::new("strike", "strike $", |l| {
            Cell::num(Some(l.quote.contract.strike), 2)
        }),
        Col::new("right", "C/P", |l| {
            Cell::text(match l.quote.contract.right {
                Right::Call => "C",
                Right::Put => "P",
            })
        }),
        Col::new("bid", "bid $", |l| Cell::num(l.quote.bid, 2)),
        Col::new("ask", "ask $", |l| Cell::num(l.quote.ask, 2)),
        Col::new("mid", "mid $", |l| Cell::num(l.quote.mid(), 3)),
        Col::new("spread", "spread $", |l| Cell::num(l.quote.spread(), 2)),
        Col::new("volume", "volume", |l| {
            Cell::int(l.quote.volume.and_then(|v| i64::try_from(v).ok()))
        }),
        Col::new("open_interest", "OI", |l| {
            Cell::int(l.quote.open_interest.and_then(|v| i64::try_from(v).ok()))
        }),
        Col::new("provider_iv", "prov IV %", |l| {
            Cell::pct(l.quote.provider_iv, 1)
        }),
        Col::new("iv", "IV %", |l| Cell::pct(l.iv, 1)),
        Col::new("provider_delta", "prov Δ", |l| {
            Cell::num(l.quote.provider_greeks.and_then(|g| g.delta), 3)
        }),
        Col::new("delta", "Δ", |l| Cell::num(l.delta, 3)),
        Col::new("model", "model", |l| Cell::text(l.model.unwrap_or(""))),
    ]
}
