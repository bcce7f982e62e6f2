//! `ccplan regime SYMBOL`: is implied volatility high enough to sell now?

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;

use ccplan::export::{write_json, Format};
use ccplan::regime::RegimeThresholds;

use super::args::parse_fraction;
use super::say;
use super::suggest_cmd::{pipeline, report_warnings};
use super::{usage, Ctx, MarketArgs};

/// Arguments of `regime`.
#[derive(Debug, clap::Args)]
pub struct RegimeArgs {
    /// Underlying ticker, e.g. NVDA.
    pub symbol: String,
    #[command(flatten)]
    pub market: MarketArgs,
    /// Next earnings date (YYYY-MM-DD): flagged when before the ~30-day expiry.
    #[arg(long, value_name = "DATE")]
    pub earnings_date: Option<NaiveDate>,
    /// Output format on standard output.
    #[arg(long, default_value = "table", value_parser = super::args::format_parser())]
    pub format: Format,
    /// Also write the result to FILE (format from the extension: .csv .json .md .txt, or
    /// .html for the self-contained report page with charts), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// IV rank at or above which premiums count as rich (default 50%).
    #[arg(long, value_parser = parse_fraction)]
    pub rich_iv_rank: Option<f64>,
    /// IV rank below which premiums count as thin (default 20%).
    #[arg(long, value_parser = parse_fraction)]
    pub thin_iv_rank: Option<f64>,
    /// IV30 ÷ HV20 at or above which premiums count as rich (default 1.25).
    #[arg(long)]
    pub rich_iv_hv: Option<f64>,
    /// IV30 ÷ HV20 below which premiums count as thin (default 0.9).
    #[arg(long)]
    pub thin_iv_hv: Option<f64>,
    /// RSI(14) at or above which the stock counts as overbought (default 70).
    #[arg(long)]
    pub overbought_rsi: Option<f64>,
    /// Do not record today's IV summary in the history store.
    #[arg(long)]
    pub no_record: bool,
    /// Also archive the whole chain in the store (replay with --source store:DATE).
    #[arg(long)]
    pub archive: bool,
}

impl RegimeArgs {
    fn thresholds(&self) -> anyhow::Result<RegimeThresholds> {
        let mut t = RegimeThresholds::default();
        if let Some(v) = self.rich_iv_rank {
            t.rich_iv_rank = v;
        }
        if let Some(v) = self.thin_iv_rank {
            t.thin_iv_rank = v;
        }
        if let Some(v) = self.rich_iv_hv {
            t.rich_iv_hv_ratio = v;
        }
        if let Some(v) = self.thin_iv_hv {
            t.thin_iv_hv_ratio = v;
        }
        if let Some(v) = self.overbought_rsi {
            t.rsi_overbought = v;
        }
        if let Err(e) = t.validate() {
            return usage(e.to_string());
        }
        Ok(t)
    }
}

/// Run `regime`.
pub fn run(a: &RegimeArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let symbol = a.symbol.trim().to_ascii_uppercase();
    let pipe = pipeline(&a.market, ctx, a.thresholds()?, !a.no_record, a.archive)?;
    let data = pipe.run(&symbol, a.earnings_date)?;
    report_warnings(&data);
    let Some(report) = &data.regime else {
        anyhow::bail!("no IV regime for {symbol}: {}", data.warnings.join("; "));
    };
    let render = |f: Format, out: &mut dyn Write| -> anyhow::Result<()> {
        write_regime(report, &symbol, f, out)
    };
    let html = || -> anyhow::Result<String> {
        let view = super::html_out::symbol_view(ctx, &data, None);
        Ok(ccplan::report::regime_page(&ccplan::report::RegimeView {
            report,
            smile: view.smile,
            iv_history: view.iv_history,
            sources: super::html_out::sources(&pipe),
            warnings: &data.warnings,
        }))
    };
    super::html_out::emit_or_html(a.format, a.out.as_deref(), out, &render, &html)?;
    Ok(())
}

fn write_regime(
    report: &ccplan::regime::RegimeReport,
    symbol: &str,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        Format::Json => write_json(report, out)?,
        Format::Csv => {
            for (_, table) in report.to_machine_tables().into_iter().take(1) {
                table.write(Format::Csv, out)?;
            }
        }
        f => {
            say::title(f, out, format_args!("IV regime: {symbol}"))?;
            writeln!(out, "{}", report.summary_line())?;
            for (title, table) in report.to_tables() {
                say::heading(f, out, title)?;
                table.write(f, out)?;
            }
            if !report.notes.is_empty() {
                // "Notes" heads the Markdown section, "notes" the text one (as before).
                say::heading(f, out, if f == Format::Md { "Notes" } else { "notes" })?;
                for n in &report.notes {
                    writeln!(out, "- {n}")?;
                }
            }
        }
    }
    Ok(())
}
