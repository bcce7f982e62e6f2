//! `ccplan suggest SYMBOL`: the calls worth writing on one holding, ranked and explained.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use ccplan::export::{write_json, write_payoff_svg, Format, PayoffChart};
use ccplan::fsutil::write_atomic;
use ccplan::model::{CorporateEvents, Holding};
use ccplan::plan::{
    suggest, suggest_analysed, AnalysedMarket, Candidate, Market, PlanParams, Suggestion,
};
use ccplan::regime::{RegimeReport, RegimeThresholds};

use super::analysis::{Pipeline, SymbolData};
use super::plan_args::PlanArgs;
use super::say;
use super::{render, report_data_quality, sources, usage, Ctx, MarketArgs};

/// Arguments of `suggest`.
#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// Underlying ticker, e.g. NVDA.
    pub symbol: String,
    /// Shares held (default: the holdings file's, else 100 — one contract).
    #[arg(long, value_name = "N")]
    pub shares: Option<u64>,
    /// Average cost per share, USD: strikes below it are rejected unless --allow-below-basis.
    #[arg(long, value_name = "USD")]
    pub cost_basis: Option<f64>,
    /// Take shares, cost basis, written calls and events for SYMBOL from a holdings file
    /// (ccplan TOML/CSV or a broker's positions export).
    #[arg(long, value_name = "FILE")]
    pub holdings: Option<PathBuf>,
    /// With a broker export holding several accounts, read only this one (name or number);
    /// by default the accounts are summed.
    #[arg(long, value_name = "NAME", requires = "holdings")]
    pub account: Option<String>,
    /// Next earnings date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub earnings_date: Option<NaiveDate>,
    /// Next ex-dividend date (YYYY-MM-DD); with --dividend, checks early-assignment risk.
    #[arg(long, value_name = "DATE")]
    pub ex_dividend: Option<NaiveDate>,
    /// Dividend per share paid on the ex-date, USD.
    #[arg(long, value_name = "USD")]
    pub dividend: Option<f64>,
    /// Also list the rejected strikes with their reasons.
    #[arg(long)]
    pub explain: bool,
    /// Write the order ticket of the top-ranked call (sell to open the contracts left to
    /// cover) to FILE, in the form --broker names.
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// The form of the --orders file: generic (ccplan CSV), tos (thinkorswim order
    /// strings), ibkr (BasketTrader CSV), schwab or tastytrade (API order JSON).
    #[arg(long, value_enum, default_value = "generic", requires = "orders")]
    pub broker: super::orders_out::BrokerArg,
    #[command(flatten)]
    pub plan: PlanArgs,
}

/// The JSON document of `suggest`: enough to reproduce it.
#[derive(Serialize)]
struct SuggestDoc<'a> {
    params: &'a PlanParams,
    suggestion: &'a Suggestion,
    regime: Option<&'a RegimeReport>,
    warnings: &'a [String],
}

/// Read a holdings file, naming it in errors (all accounts of a broker export summed).
pub fn read_holdings(path: &Path) -> anyhow::Result<ccplan::model::Portfolio> {
    read_holdings_in(path, None)
}

/// Read a holdings file of any format `--holdings` takes (ccplan's TOML or CSV, or a broker's
/// positions export), telling the user on standard error what was converted, summed or
/// left out. `account` picks one account of a broker export.
pub fn read_holdings_in(
    path: &Path,
    account: Option<&str>,
) -> anyhow::Result<ccplan::model::Portfolio> {
    let imported = load_holdings_file(path, account)?;
    report_import(&imported);
    Ok(imported.portfolio)
}

/// Read and recognize a holdings file; the one place the CLI reads `--holdings`.
pub fn load_holdings_file(
    path: &Path,
    account: Option<&str>,
) -> anyhow::Result<ccplan::import::Imported> {
    let text = ccplan::fsutil::read_text_capped(
        path,
        ccplan::fsutil::HOLDINGS_FILE_LIMIT,
        "a holdings file",
    )?;
    Ok(ccplan::import::load_holdings(
        &text,
        &path.display().to_string(),
        account,
    )?)
}

/// What a broker import did, on standard error.
pub fn report_import(imported: &ccplan::import::Imported) {
    if imported.positions.is_none() {
        return;
    }
    say::note(format_args!(
        "read {} holdings from the {} export",
        imported.portfolio.holdings.len(),
        imported.format
    ));
    for n in &imported.notes {
        say::note(n);
    }
    for i in &imported.ignored {
        eprintln!("ignored: {i}");
    }
}

fn holding(a: &SuggestArgs, symbol: &str) -> anyhow::Result<(Holding, Option<String>)> {
    let mut note = None;
    let mut h = match &a.holdings {
        Some(path) => {
            let p = read_holdings_in(path, a.account.as_deref())?;
            match p.holdings.into_iter().find(|h| h.symbol == symbol) {
                Some(h) => h,
                None => {
                    return usage(format!(
                        "{symbol} is not in the holdings file {}",
                        path.display()
                    ))
                }
            }
        }
        None => Holding {
            symbol: symbol.to_string(),
            shares: 0,
            cost_basis: None,
            written: Vec::new(),
            assign_ok_above: None,
            events: CorporateEvents::default(),
        },
    };
    if let Some(n) = a.shares {
        if n > ccplan::model::MAX_SHARES {
            return usage(format!(
                "--shares {n} is more than any listed company's float (at most {}); a typo?",
                ccplan::model::MAX_SHARES
            ));
        }
        h.shares = n;
    }
    if h.shares == 0 {
        h.shares = 100;
        note = Some("no --shares given: assuming 100 shares (one contract)".to_string());
    }
    if let Some(b) = a.cost_basis {
        if !(b.is_finite() && b >= 0.0) {
            return usage(format!("--cost-basis {b}: expected a USD amount ≥ 0"));
        }
        h.cost_basis = Some(b);
    }
    if a.earnings_date.is_some() {
        h.events.next_earnings = a.earnings_date;
    }
    if a.ex_dividend.is_some() {
        h.events.ex_dividend = a.ex_dividend;
    }
    if let Some(d) = a.dividend {
        if !(d.is_finite() && d >= 0.0) {
            return usage(format!("--dividend {d}: expected a USD amount ≥ 0"));
        }
        h.events.dividend = Some(d);
    }
    Ok((h, note))
}

/// Build the pipeline every market command shares: the chain source, the history source
/// (`--history`, else the config's, else the chain provider's own) and the store switches.
pub fn pipeline<'a>(
    market: &MarketArgs,
    ctx: &'a Ctx,
    thresholds: RegimeThresholds,
    record: bool,
    archive: bool,
) -> anyhow::Result<Pipeline<'a>> {
    let spec = market
        .source
        .clone()
        .unwrap_or_else(|| ctx.settings.source.clone());
    let (chains, ranges) = sources::chain_source_with_ranges(&spec, &ctx.settings, &ctx.store)?;
    let history_spec = market
        .history
        .clone()
        .or_else(|| ctx.settings.history.clone())
        .or_else(|| sources::default_history(&spec));
    let histories = match history_spec {
        Some(h) => Some(sources::history_source(&h, &ctx.settings)?),
        None => None,
    };
    Ok(Pipeline {
        ctx,
        spec,
        chains,
        histories,
        ranges,
        thresholds,
        record,
        archive,
        rate: ctx.settings.rate,
        div_yield: ctx.settings.div_yield,
    })
}

/// The pipeline for the planner's flags.
pub fn plan_pipeline<'a>(a: &PlanArgs, ctx: &'a Ctx) -> anyhow::Result<Pipeline<'a>> {
    let mut pipe = pipeline(&a.market, ctx, a.thresholds()?, !a.no_record, a.archive)?;
    // `--rate` and `--div-yield` reach the regime reading too, not only the plan.
    pipe.rate = a.rate.unwrap_or(pipe.rate);
    pipe.div_yield = a.div_yield.unwrap_or(pipe.div_yield);
    Ok(pipe)
}

/// Write `render` to stdout in `format`, and to `--out` (format from its extension).
pub fn emit(
    format: Format,
    out_file: Option<&Path>,
    out: &mut dyn Write,
    render: &dyn Fn(Format, &mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Some(path) = out_file {
        let f = Format::from_path(path)?;
        let mut failure = None;
        write_atomic(path, |w| {
            render(f, w).map_err(|e| {
                let msg = format!("{e:#}");
                failure = Some(e);
                ccplan::Error::Output(std::io::Error::other(msg))
            })
        })
        .with_context(|| format!("writing {}", path.display()))?;
        if let Some(e) = failure {
            return Err(e);
        }
        eprintln!("wrote {}", path.display());
    }
    render(format, out)
}

/// The payoff chart of a candidate on a holding of `shares` shares: the title says the part
/// the calls cover ("PLTR 300 of 400 sh").
pub fn chart_for(c: &Candidate, shares: u64, cost_basis: Option<f64>) -> PayoffChart {
    let expected_move = c.spot * c.metrics.iv * c.t.max(0.0).sqrt();
    let covered = u64::from(c.contracts) * u64::from(c.multiplier);
    PayoffChart {
        title: format!(
            "{} {covered} of {shares} sh + short {} × {} @ {:.2}",
            c.symbol, c.contracts, c.occ, c.limit_price
        ),
        spot: c.spot,
        strike: c.strike,
        premium: c.limit_price,
        shares_covered: covered as f64,
        expected_move,
        cost_basis,
    }
}

/// `--chart FILE`: charts are SVG; another extension (`.png`) is refused before any work.
pub fn check_chart_path(path: &Path) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() != Some("svg") {
        return usage(format!(
            "--chart {}: charts are written as SVG only; name the file .svg (convert to PNG with \
             any SVG tool, e.g. `rsvg-convert -o chart.png chart.svg`)",
            path.display()
        ));
    }
    Ok(())
}

/// Write a chart atomically.
pub fn write_chart(
    path: &Path,
    c: &Candidate,
    shares: u64,
    cost_basis: Option<f64>,
) -> anyhow::Result<()> {
    let chart = chart_for(c, shares, cost_basis);
    write_atomic(path, |w| write_payoff_svg(&chart, w))
        .with_context(|| format!("writing the chart {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Print the symbol's warnings and data-quality notes on standard error.
pub fn report_warnings(data: &SymbolData) {
    report_data_quality(&data.snap);
    for w in &data.warnings {
        say::warn(w);
    }
}

/// Say naked calls loudly on standard error: they are a risk, not a detail.
pub fn warn_naked(s: &Suggestion) -> Vec<String> {
    let mut out = Vec::new();
    for n in &s.notes {
        if matches!(n, ccplan::plan::Note::NakedCalls { .. }) {
            let w = format!("{}: {n}", s.symbol);
            say::warn(&w);
            out.push(w);
        }
    }
    out
}

/// Run `suggest`.
pub fn run(a: &SuggestArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let symbol = a.symbol.trim().to_ascii_uppercase();
    let params = a.plan.params(&ctx.settings)?;
    if let Some(path) = &a.plan.chart {
        check_chart_path(path)?;
    }
    let (holding, holding_note) = holding(a, &symbol)?;
    let pipe = plan_pipeline(&a.plan, ctx)?;
    let data = pipe.run_events(&symbol, &holding.events)?;
    report_warnings(&data);
    let mut warnings = data.warnings.clone();
    warnings.extend(holding_note.clone());
    let market = Market {
        chain: &data.snap,
        history: data.history.as_ref(),
    };
    // The pipeline's analysis serves the plan as it served the regime; without one (the
    // analytics failed, a warning says why) `suggest` reports the cause.
    let suggestion = match &data.surface {
        Some(surface) => suggest_analysed(&holding, &AnalysedMarket { market, surface }, &params)?,
        None => suggest(&holding, &market, &params)?,
    };
    if let Some(w) = data.regime.as_ref().and_then(|r| r.thin_warning()) {
        say::warn(&w);
        warnings.push(w);
    }
    warnings.extend(warn_naked(&suggestion));
    if let Some(n) = &holding_note {
        say::note(n);
    }
    let render = |f: Format, w: &mut dyn Write| -> anyhow::Result<()> {
        match f {
            Format::Json => write_json(
                &SuggestDoc {
                    params: &params,
                    suggestion: &suggestion,
                    regime: data.regime.as_ref(),
                    warnings: &warnings,
                },
                w,
            )?,
            Format::Csv => render::candidates_full(&suggestion.candidates).write(f, w)?,
            Format::Table | Format::Md => {
                human(&suggestion, data.regime.as_ref(), &params, a.explain, f, w)?
            }
        }
        Ok(())
    };
    let html = || -> anyhow::Result<String> {
        let expiry = suggestion.best().map(|c| c.expiry);
        Ok(ccplan::report::suggest_page(
            &ccplan::report::SuggestReport {
                suggestion: &suggestion,
                view: super::html_out::symbol_view(ctx, &data, expiry),
                sources: super::html_out::sources(&pipe),
                warnings: &warnings,
                explain: a.explain,
            },
        ))
    };
    super::html_out::emit_or_html(a.plan.format, a.plan.out.as_deref(), out, &render, &html)?;
    if let Some(path) = &a.orders {
        use ccplan::export::orders::{suggest_tickets, TimeInForce};
        let tickets = suggest_tickets(&suggestion, TimeInForce::Day);
        if tickets.is_empty() {
            say::note(format_args!(
                "no call to write, so no order in {}",
                path.display()
            ));
        }
        super::orders_out::write_order_file(path, a.broker, &tickets)?;
    }
    if let Some(path) = &a.plan.chart {
        match suggestion.best() {
            Some(best) => write_chart(path, best, holding.shares, holding.cost_basis)?,
            None => say::note(format_args!("no candidate to chart")),
        }
    }
    // The analysed chain is the command's largest value and the process ends with it: its
    // memory goes back with the process instead of one `free` a string (about 2 M
    // instructions for 5,000 contracts).
    std::mem::forget(data);
    Ok(())
}

fn heading(f: Format, w: &mut dyn Write, text: &str) -> std::io::Result<()> {
    say::heading(f, w, text)
}

fn human(
    s: &Suggestion,
    regime: Option<&RegimeReport>,
    params: &PlanParams,
    explain: bool,
    f: Format,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let basis = s.cost_basis.map_or_else(
        || "no cost basis".to_string(),
        |b| format!("cost basis {b:.2} USD"),
    );
    say::title(f, w, format_args!("Covered calls on {}", s.symbol))?;
    writeln!(
        w,
        "{}: spot {:.2} USD, as of {} ({}); {} shares, {}",
        s.symbol,
        s.spot,
        s.as_of.to_rfc3339(),
        s.source,
        s.shares,
        basis
    )?;
    if let Some(r) = regime {
        writeln!(w, "IV regime: {}", r.summary_line())?;
    }
    writeln!(
        w,
        "Window: {}; profile {} (target delta {:.2}); premium on the {}",
        params.window, params.profile, s.target_delta, params.basis
    )?;
    if f == Format::Table {
        writeln!(w)?;
    }
    if s.candidates.is_empty() {
        writeln!(
            w,
            "No call passes the filters (run with --explain to see why)."
        )?;
    } else {
        render::candidates_compact(&s.candidates).write(f, w)?;
        heading(f, w, "Why each ranks where it does")?;
        for c in &s.candidates {
            let flags: Vec<String> = c.flags.iter().map(|x| x.to_string()).collect();
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join("; "))
            };
            writeln!(w, "{}. {} — {}{}", c.rank, c.occ, c.why, flags)?;
        }
        if s.not_shown > 0 {
            writeln!(
                w,
                "({} more strikes pass the filters; --top N shows more)",
                s.not_shown
            )?;
        }
    }
    if !s.notes.is_empty() {
        heading(f, w, "Notes")?;
        for n in &s.notes {
            writeln!(w, "- {n}")?;
        }
    }
    if explain {
        heading(f, w, "Rejected strikes")?;
        if s.rejected.is_empty() {
            writeln!(w, "none")?;
        } else {
            render::rejected(&s.rejected).write(f, w)?;
        }
    }
    Ok(())
}
