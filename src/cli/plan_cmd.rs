//! `ccplan plan --holdings FILE`: the best call per holding and the portfolio view.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use ccplan::export::{write_json, Format};
use ccplan::plan::{plan, Market, Plan};
use ccplan::providers::fetch::run_bounded;
use ccplan::regime::RegimeReport;

use super::analysis::SymbolData;
use super::plan_args::PlanArgs;
use super::suggest_cmd::{emit, plan_pipeline, read_holdings_in, report_warnings, write_chart};
use super::{render, Ctx};

/// Symbols fetched at once.
const CONCURRENCY: usize = 4;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanCmdArgs {
    /// The holdings file: ccplan TOML or CSV, or a broker's positions export (Schwab,
    /// Fidelity, IBKR, E*TRADE, tastytrade, Robinhood; see the README).
    #[arg(long, value_name = "FILE")]
    pub holdings: PathBuf,
    /// With a broker export holding several accounts, read only this one (name or number);
    /// by default the accounts are summed.
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,
    #[command(flatten)]
    pub plan: PlanArgs,
}

#[derive(Serialize)]
struct PlanDoc<'a> {
    plan: &'a Plan,
    regimes: BTreeMap<&'a str, &'a RegimeReport>,
    warnings: &'a [String],
}

/// Run `plan`.
pub fn run(a: &PlanCmdArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let params = a.plan.params(&ctx.settings)?;
    let portfolio = read_holdings_in(&a.holdings, a.account.as_deref())?;
    let pipe = plan_pipeline(&a.plan, ctx)?;
    let symbols: Vec<(String, Option<chrono::NaiveDate>)> = portfolio
        .holdings
        .iter()
        .map(|h| (h.symbol.clone(), h.events.next_earnings))
        .collect();

    let bar = progress_bar(symbols.len());
    let tick = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let results = run_bounded(&symbols, CONCURRENCY, &tick, &|(sym, earnings)| {
        pipe.run(sym, *earnings)
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    let mut data: Vec<SymbolData> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for ((sym, _), r) in symbols.iter().zip(results) {
        match r {
            Ok(d) => {
                report_warnings(&d);
                warnings.extend(d.warnings.iter().cloned());
                data.push(d);
            }
            Err(e) => {
                let w = format!("{sym}: {e:#}");
                eprintln!("warning: {w}");
                warnings.push(w);
            }
        }
    }
    let markets: Vec<Market<'_>> = data
        .iter()
        .map(|d| Market {
            chain: &d.snap,
            history: d.history.as_ref(),
        })
        .collect();
    let the_plan = plan(&portfolio, &markets, &params)?;
    let regimes: BTreeMap<&str, &RegimeReport> = data
        .iter()
        .filter_map(|d| d.regime.as_ref().map(|r| (r.symbol.as_str(), r)))
        .collect();
    for r in regimes.values() {
        if let Some(w) = r.thin_warning() {
            eprintln!("warning: {w}");
            warnings.push(w);
        }
    }
    let render = |f: Format, w: &mut dyn Write| -> anyhow::Result<()> {
        match f {
            Format::Json => write_json(
                &PlanDoc {
                    plan: &the_plan,
                    regimes: regimes.clone(),
                    warnings: &warnings,
                },
                w,
            )?,
            Format::Csv => render::plan_full(&the_plan).write(f, w)?,
            Format::Table | Format::Md => human(&the_plan, &regimes, f, w)?,
        }
        Ok(())
    };
    emit(a.plan.format, a.plan.out.as_deref(), out, &render)?;
    if let Some(path) = &a.plan.chart {
        for h in &the_plan.holdings {
            if let Some(best) = &h.best {
                write_chart(&chart_path(path, &h.symbol), best)?;
            }
        }
    }
    Ok(())
}

/// `plan.svg` → `plan-NVDA.svg`: one chart per holding.
fn chart_path(path: &Path, symbol: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "chart".to_string(), |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or_else(|| "svg".to_string(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}-{symbol}.{ext}"))
}

fn progress_bar(n: usize) -> Option<indicatif::ProgressBar> {
    if n < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("fetching {pos}/{len} {wide_bar}") {
        bar.set_style(style);
    }
    Some(bar)
}

fn human(
    p: &Plan,
    regimes: &BTreeMap<&str, &RegimeReport>,
    f: Format,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let md = f == Format::Md;
    if md {
        writeln!(w, "# Covered-call plan\n")?;
    }
    let as_of = p
        .as_of
        .map_or_else(|| "no chain".to_string(), |t| t.to_rfc3339());
    writeln!(
        w,
        "Plan for {} holdings as of {}; window {}; profile {:?}; premium on the {:?}",
        p.holdings.len(),
        as_of,
        p.params.window,
        p.params.profile,
        p.params.basis
    )?;
    if !md {
        writeln!(w)?;
    }
    let verdict = |sym: &str| -> String {
        regimes
            .get(sym)
            .and_then(|r| r.verdict.premiums)
            .map_or_else(
                || "unknown".to_string(),
                |v| format!("{v:?}").to_lowercase(),
            )
    };
    render::plan_compact(p, &verdict).write(f, w)?;
    let t = &p.totals;
    let head = |w: &mut dyn Write, s: &str| -> std::io::Result<()> {
        if md {
            writeln!(w, "\n## {s}\n")
        } else {
            writeln!(w, "\n{s}")
        }
    };
    head(w, "Totals")?;
    writeln!(w, "- premium income: {:.2} USD", t.premium_income)?;
    writeln!(w, "- capital covered: {:.2} USD", t.capital_covered)?;
    if let Some(x) = t.exposure_weighted_assignment {
        writeln!(
            w,
            "- assignment probability, weighted by capital covered: {:.1} %",
            x * 100.0
        )?;
    }
    writeln!(
        w,
        "- shares expected to be called away: {:.0}",
        t.expected_shares_called
    )?;
    writeln!(
        w,
        "- net delta: {:.0} shares before the calls, {:.0} after",
        t.net_delta_before, t.net_delta_after
    )?;
    writeln!(
        w,
        "- holdings with a call to write: {}, without: {}",
        t.holdings_with_call, t.holdings_without_call
    )?;
    head(
        w,
        "Stress at expiry (all holdings, each underlying moved alike)",
    )?;
    render::stress(&p.stress_total).write(f, w)?;
    head(w, "Why")?;
    for h in &p.holdings {
        match (&h.best, &h.suggestion) {
            (Some(c), _) => writeln!(w, "- {}: {} — {}", h.symbol, c.occ, c.why)?,
            (None, Some(s)) => writeln!(
                w,
                "- {}: no call to write ({} strikes rejected; `ccplan suggest {} --explain` says why)",
                h.symbol,
                s.rejected.len(),
                h.symbol
            )?,
            (None, None) => writeln!(w, "- {}: no usable chain", h.symbol)?,
        }
    }
    let notes: Vec<String> = p
        .notes
        .iter()
        .map(|n| n.to_string())
        .chain(p.holdings.iter().flat_map(|h| {
            h.suggestion
                .iter()
                .flat_map(move |s| s.notes.iter().map(move |n| format!("{}: {n}", h.symbol)))
        }))
        .collect();
    if !notes.is_empty() {
        head(w, "Notes")?;
        for n in notes {
            writeln!(w, "- {n}")?;
        }
    }
    Ok(())
}
