//! The planner's flags, shared by `suggest` and `plan`, turned into validated [`PlanParams`]
//! in one step.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use ccplan::export::Format;
use ccplan::plan::{
    EarningsPolicy, ExpiryWindow, PlanParams, PremiumBasis, Profile, ScoreWeights, DEFAULT_MIN_DTE,
};
use ccplan::regime::RegimeThresholds;

use super::args::parse_fraction;
use super::config::Settings;
use super::{usage, MarketArgs};

/// Risk profile: the target delta and preset score weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// Target delta ≈ 0.15: far strikes, rarely called.
    Conservative,
    /// Target delta ≈ 0.25.
    Balanced,
    /// Target delta ≈ 0.35: more premium, called more often.
    Aggressive,
}

/// Premium basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasisArg {
    /// The bid (default): what a market sell order gets.
    Bid,
    /// The mid: what a patient limit order may get.
    Mid,
}

/// What to do with an expiry after the next earnings date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EarningsArg {
    /// Leave such expiries out (default).
    Exclude,
    /// Keep them and flag the rows.
    Flag,
}

/// Planner flags.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub market: MarketArgs,
    /// Expiries up to the end of the current month (next month's when none is left).
    #[arg(long, conflicts_with_all = ["expiry", "dte"])]
    pub this_month: bool,
    /// With --this-month: leave out expiries closer than N days (default 7; late in the
    /// month the window rolls to next month instead of suggesting a 1-day call).
    #[arg(long, value_name = "N", requires = "this_month")]
    pub min_dte: Option<u32>,
    /// Only this expiry (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", conflicts_with = "dte")]
    pub expiry: Option<NaiveDate>,
    /// Days to expiry, MIN..MAX (default 7..60).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_dte)]
    pub dte: Option<(u32, u32)>,
    /// Share of the holding to cover: 100% (default), 50%, 0.5 ...
    #[arg(long, value_parser = parse_fraction, default_value = "100%")]
    pub coverage: f64,
    /// Premium basis for the limit price and every metric.
    #[arg(long, value_enum, default_value = "bid")]
    pub basis: BasisArg,
    /// Allow strikes below the cost basis (selling shares at a loss if called).
    #[arg(long)]
    pub allow_below_basis: bool,
    /// Minimum open interest, contracts.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_oi: u64,
    /// Minimum bid, USD per share.
    #[arg(long, value_name = "USD", default_value_t = 0.0)]
    pub min_bid: f64,
    /// Maximum bid-ask spread as a share of mid (25% or 0.25).
    #[arg(long, value_parser = parse_fraction)]
    pub max_spread: Option<f64>,
    /// Maximum assignment probability N(d2) (30% or 0.3).
    #[arg(long, value_parser = parse_fraction)]
    pub max_assignment: Option<f64>,
    /// Maximum probability of early exercise before an ex-date, American model with the
    /// holding's dividend (20% or 0.2).
    #[arg(long, value_parser = parse_fraction, default_value = "20%")]
    pub max_early_assignment: f64,
    /// Minimum downside cushion, premium ÷ spot (1% or 0.01).
    #[arg(long, value_parser = parse_fraction)]
    pub min_cushion: Option<f64>,
    /// Minimum annualized premium yield (12% or 0.12).
    #[arg(long, value_parser = parse_fraction)]
    pub min_yield: Option<f64>,
    /// Expiries after the next earnings date: exclude (default) or flag.
    #[arg(long, value_enum, default_value = "exclude")]
    pub earnings: EarningsArg,
    /// Candidates shown per holding.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
    /// Risk profile (target delta 0.15 / 0.25 / 0.35).
    #[arg(long, value_enum, default_value = "balanced")]
    pub profile: ProfileArg,
    /// Score weights replacing the profile's: yield=1,cushion=1,assignment=0.5,delta=2.
    #[arg(long, value_name = "LIST", value_parser = parse_weights)]
    pub weights: Option<ScoreWeights>,
    /// Fallback risk-free rate when parity cannot be used (default from config, else 4%).
    #[arg(long, value_parser = parse_fraction, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Fallback dividend yield when parity cannot be used (default from config, else 0).
    #[arg(long, value_parser = parse_fraction, allow_hyphen_values = true)]
    pub div_yield: Option<f64>,
    /// IV rank at or above which premiums count as rich (default 50%).
    #[arg(long, value_parser = parse_fraction)]
    pub rich_iv_rank: Option<f64>,
    /// IV rank below which premiums count as thin (default 20%).
    #[arg(long, value_parser = parse_fraction)]
    pub thin_iv_rank: Option<f64>,
    /// Allow selling into an expiry that closes today (0 DTE); rejected by default.
    #[arg(long)]
    pub allow_0dte: bool,
    /// Output format on standard output.
    #[arg(long, default_value = "table", value_parser = super::args::format_parser())]
    pub format: Format,
    /// Also write the result to FILE (format from the extension: .csv .json .md .txt, or
    /// .html for the self-contained report page with charts), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Draw the covered position's payoff at expiry as SVG (the name must end in .svg).
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Do not record today's IV summary in the history store.
    #[arg(long)]
    pub no_record: bool,
    /// Also archive the whole chain in the store (replay with --source store:DATE).
    #[arg(long)]
    pub archive: bool,
}

fn parse_dte(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?}: expected MIN..MAX, e.g. 7..60"))?;
    let min: u32 = a
        .trim()
        .parse()
        .map_err(|_| format!("{a:?} is not a whole number of days"))?;
    let max: u32 = b
        .trim()
        .parse()
        .map_err(|_| format!("{b:?} is not a whole number of days"))?;
    if min > max {
        return Err(format!("{s}: MIN is above MAX"));
    }
    Ok((min, max))
}

fn parse_weights(s: &str) -> Result<ScoreWeights, String> {
    let mut w = ScoreWeights {
        annualized_yield: 1.0,
        cushion: 1.0,
        assignment: 0.5,
        delta_distance: 2.0,
    };
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?}: expected name=number"))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| format!("{part:?}: {v:?} is not a number"))?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{part:?}: weights are finite and ≥ 0"));
        }
        match k.trim() {
            "yield" => w.annualized_yield = v,
            "cushion" => w.cushion = v,
            "assignment" => w.assignment = v,
            "delta" => w.delta_distance = v,
            other => {
                return Err(format!(
                    "unknown weight {other:?}: use yield, cushion, assignment, delta"
                ))
            }
        }
    }
    Ok(w)
}

impl PlanArgs {
    /// The validated planner parameters.
    pub fn params(&self, settings: &Settings) -> anyhow::Result<PlanParams> {
        let window = match (self.this_month, self.expiry, self.dte) {
            (true, _, _) => ExpiryWindow::ThisMonth,
            (_, Some(date), _) => ExpiryWindow::On { date },
            (_, _, Some((min, max))) => ExpiryWindow::Dte { min, max },
            _ => ExpiryWindow::default(),
        };
        let params = PlanParams {
            window,
            coverage: self.coverage,
            basis: match self.basis {
                BasisArg::Bid => PremiumBasis::Bid,
                BasisArg::Mid => PremiumBasis::Mid,
            },
            allow_below_basis: self.allow_below_basis,
            min_open_interest: self.min_oi,
            min_bid: self.min_bid,
            max_spread: self.max_spread,
            max_assignment: self.max_assignment,
            max_early_assignment: self.max_early_assignment,
            min_cushion: self.min_cushion,
            min_annualized_yield: self.min_yield,
            earnings: match self.earnings {
                EarningsArg::Exclude => EarningsPolicy::Exclude,
                EarningsArg::Flag => EarningsPolicy::Flag,
            },
            top_n: self.top,
            profile: match self.profile {
                ProfileArg::Conservative => Profile::Conservative,
                ProfileArg::Balanced => Profile::Balanced,
                ProfileArg::Aggressive => Profile::Aggressive,
            },
            weights: self.weights,
            rate: self.rate.unwrap_or(settings.rate),
            div_yield: self.div_yield.unwrap_or(settings.div_yield),
            this_month_min_dte: self.min_dte.unwrap_or(DEFAULT_MIN_DTE),
            allow_0dte: self.allow_0dte,
        };
        if let Err(e) = params.validate() {
            return usage(e.to_string());
        }
        Ok(params)
    }

    /// Regime thresholds with the user's overrides.
    pub fn thresholds(&self) -> anyhow::Result<RegimeThresholds> {
        let mut t = RegimeThresholds::default();
        if let Some(v) = self.rich_iv_rank {
            t.rich_iv_rank = v;
        }
        if let Some(v) = self.thin_iv_rank {
            t.thin_iv_rank = v;
        }
        if let Err(e) = t.validate() {
            return usage(e.to_string());
        }
        Ok(t)
    }
}
