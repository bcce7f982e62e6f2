//! `ccplan plan --holdings FILE`: the best call per holding and the portfolio view.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use ccplan::export::{write_json, Format};
use ccplan::plan::{plan, plan_analysed, Market, Note, Plan};
use ccplan::providers::fetch::run_bounded;
use ccplan::regime::RegimeReport;

use super::analysis::SymbolData;
use super::html_out;
use super::orders_out::{write_order_file, BrokerArg};
use super::plan_args::PlanArgs;
use super::say;
use super::suggest_cmd::{
    check_chart_path, plan_pipeline, read_holdings_in, warn_naked, write_chart,
};
use super::{count, render, report_data_quality_of, Ctx, Partial, PARTIAL_EXIT};

/// Symbols fetched at once.
const CONCURRENCY: usize = 4;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanCmdArgs {
    /// The holdings file: ccplan TOML or CSV, or a broker's positions export (Schwab,
    /// Fidelity, IBKR, E*TRADE, tastytrade, Robinhood; see the README).
    #[arg(long, value_name = "FILE")]
    pub holdings: PathBuf,
    /// Write the order tickets (one sell-to-open per holding with a call to write) to
    /// FILE, in the form --broker names.
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// The form of the --orders file: generic (ccplan CSV), tos (thinkorswim order
    /// strings), ibkr (BasketTrader CSV), schwab or tastytrade (API order JSON).
    #[arg(long, value_enum, default_value = "generic", requires = "orders")]
    pub broker: BrokerArg,
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
    /// Holdings without market data (a partial plan), with the cause.
    missing: &'a [Missing],
}

/// Run `plan`.
pub fn run(a: &PlanCmdArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let params = a.plan.params(&ctx.settings)?;
    if let Some(path) = &a.plan.chart {
        check_chart_path(path)?;
    }
    let portfolio = read_holdings_in(&a.holdings, a.account.as_deref())?;
    let pipe = plan_pipeline(&a.plan, ctx)?;
    let symbols: Vec<(String, &ccplan::model::CorporateEvents)> = portfolio
        .holdings
        .iter()
        .map(|h| (h.symbol.clone(), &h.events))
        .collect();

    let bar = progress_bar(symbols.len());
    let tick = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let results = run_bounded(&symbols, CONCURRENCY, &tick, &|(sym, events)| {
        pipe.run_events(sym, events)
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    let mut data: Vec<SymbolData> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut failed: Vec<(String, anyhow::Error)> = Vec::new();
    for ((sym, _), r) in symbols.iter().zip(results) {
        match r {
            Ok(d) => data.push(d),
            Err(e) => failed.push((sym.clone(), e)),
        }
    }
    report_data_quality_of(&data.iter().map(|d| &d.snap).collect::<Vec<_>>());
    for d in &data {
        for w in &d.warnings {
            say::warn(w);
        }
        warnings.extend(d.warnings.iter().cloned());
    }
    for (sym, e) in &failed {
        let w = format!("{sym}: {e:#}");
        say::warn(&w);
        warnings.push(w);
    }
    if data.is_empty() {
        let syms: Vec<String> = failed.iter().map(|(s, _)| s.clone()).collect();
        if let Some((_, last)) = failed.pop() {
            return Err(last.context(format!(
                "no holding could be planned: no option chain for {} (each cause is in the \
                 warnings above)",
                syms.join(", ")
            )));
        }
    }
    let missing: Vec<Missing> = failed
        .iter()
        .map(|(symbol, e)| Missing {
            symbol: symbol.clone(),
            error: format!("{e:#}"),
        })
        .collect();
    let markets: Vec<Market<'_>> = data
        .iter()
        .map(|d| Market {
            chain: &d.snap,
            history: d.history.as_ref(),
        })
        .collect();
    // The pipeline's analyses serve the plan as they served the regimes (all of them, or
    // `plan` analyses again and says why a chain could not be).
    let analysed = super::analysis::analysed_markets(&markets, &data);
    let mut the_plan = match &analysed {
        Some(analysed) => plan_analysed(&portfolio, analysed, &params)?,
        None => plan(&portfolio, &markets, &params)?,
    };
    // The library only knows that no chain was given; the cause is known here.
    for n in &mut the_plan.notes {
        if let Note::HoldingSkipped { symbol, reason } = n {
            if let Some(m) = missing.iter().find(|m| &m.symbol == symbol) {
                *reason = format!("no option chain: {}", m.error);
            }
        }
    }
    let regimes: BTreeMap<&str, &RegimeReport> = data
        .iter()
        .filter_map(|d| d.regime.as_ref().map(|r| (r.symbol.as_str(), r)))
        .collect();
    for r in regimes.values() {
        if let Some(w) = r.thin_warning() {
            say::warn(&w);
            warnings.push(w);
        }
    }
    for s in the_plan
        .holdings
        .iter()
        .filter_map(|h| h.suggestion.as_ref())
    {
        warnings.extend(warn_naked(s));
    }
    let render = |f: Format, w: &mut dyn Write| -> anyhow::Result<()> {
        match f {
            Format::Json => write_json(
                &PlanDoc {
                    plan: &the_plan,
                    regimes: regimes.clone(),
                    warnings: &warnings,
                    missing: &missing,
                },
                w,
            )?,
            Format::Csv => render::plan_full(&the_plan).write(f, w)?,
            Format::Table | Format::Md => human(&the_plan, &regimes, &missing, f, w)?,
        }
        Ok(())
    };
    let html = || -> anyhow::Result<String> {
        let views = data
            .iter()
            .map(|d| {
                let sym = d.snap.underlying.symbol.clone();
                let expiry = the_plan
                    .holdings
                    .iter()
                    .find(|h| h.symbol == sym)
                    .and_then(|h| h.best.as_ref())
                    .map(|c| c.expiry);
                (sym, html_out::symbol_view(ctx, d, expiry))
            })
            .collect();
        Ok(ccplan::report::plan_page(&ccplan::report::PlanReport {
            plan: &the_plan,
            views,
            sources: html_out::sources(&pipe),
            warnings: &warnings,
            missing: missing
                .iter()
                .map(|m| (m.symbol.clone(), m.error.clone()))
                .collect(),
        }))
    };
    html_out::emit_or_html(a.plan.format, a.plan.out.as_deref(), out, &render, &html)?;
    if let Some(path) = &a.orders {
        use ccplan::export::orders::{plan_tickets, TimeInForce};
        write_order_file(path, a.broker, &plan_tickets(&the_plan, TimeInForce::Day))?;
    }
    if let Some(path) = &a.plan.chart {
        for h in &the_plan.holdings {
            if let Some(best) = &h.best {
                let basis = h.suggestion.as_ref().and_then(|s| s.cost_basis);
                write_chart(&chart_path(path, &h.symbol), best, h.shares, basis)?;
            }
        }
    }
    // The analysed chains are the command's largest values and the process ends with them:
    // their memory goes back with the process instead of one `free` a string.
    drop(analysed);
    drop(markets);
    std::mem::forget(data);
    if !missing.is_empty() {
        let syms: Vec<&str> = missing.iter().map(|m| m.symbol.as_str()).collect();
        return Err(Partial(format!(
            "partial plan: {} of {} lack an option chain ({}); exit code {PARTIAL_EXIT}",
            syms.len(),
            count(the_plan.holdings.len(), "holding", "holdings"),
            syms.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// A holding left out of the plan because its data could not be fetched.
#[derive(Debug, Serialize)]
struct Missing {
    symbol: String,
    error: String,
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
    missing: &[Missing],
    f: Format,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let md = f == Format::Md;
    say::title(f, w, "Covered-call plan")?;
    if !missing.is_empty() {
        let syms: Vec<&str> = missing.iter().map(|m| m.symbol.as_str()).collect();
        writeln!(
            w,
            "PARTIAL PLAN: no option chain for {} ({} of {}); the totals leave them out.",
            syms.join(", "),
            missing.len(),
            count(p.holdings.len(), "holding", "holdings")
        )?;
        if md {
            writeln!(w)?;
        }
    }
    let as_of = p
        .as_of
        .map_or_else(|| "no chain".to_string(), |t| t.to_rfc3339());
    writeln!(
        w,
        "Plan for {} as of {}; window {}; profile {}; premium on the {}",
        count(p.holdings.len(), "holding", "holdings"),
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
            .map_or_else(|| "unknown".to_string(), |v| v.as_str().to_string())
    };
    render::plan_compact(p, &verdict).write(f, w)?;
    let t = &p.totals;
    let head = |w: &mut dyn Write, s: &str| say::heading(f, w, s);
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
            (None, None) => match missing.iter().find(|m| m.symbol == h.symbol) {
                Some(m) => writeln!(w, "- {}: no option chain: {}", h.symbol, m.error)?,
                None => writeln!(w, "- {}: no usable chain", h.symbol)?,
            },
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
